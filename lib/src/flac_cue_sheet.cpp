#include "flac_cue_sheet.hpp"

#include "text.hpp"

#include <FLAC/metadata.h>

#include <map>
#include <memory>
#include <string_view>

namespace tonearm {
namespace {

struct IteratorDeleter {
    void operator()(FLAC__Metadata_SimpleIterator* it) const { FLAC__metadata_simple_iterator_delete(it); }
};
struct BlockDeleter {
    void operator()(FLAC__StreamMetadata* block) const { FLAC__metadata_object_delete(block); }
};
using Block = std::unique_ptr<FLAC__StreamMetadata, BlockDeleter>;

// The text of a Vorbis comment named `name` (any case), if there is one.
std::optional<std::string_view> comment(const FLAC__StreamMetadata& tags, std::string_view name)
{
    const auto& vc = tags.data.vorbis_comment;
    for (FLAC__uint32 i = 0; i < vc.num_comments; ++i) {
        const std::string_view entry(reinterpret_cast<const char*>(vc.comments[i].entry), vc.comments[i].length);
        const auto equals = entry.find('=');
        if (equals != std::string_view::npos && lower_case(std::string(entry.substr(0, equals))) == lower_case(std::string(name)))
            return entry.substr(equals + 1);
    }
    return std::nullopt;
}

// Titles and performers by track number, from a cue sheet kept as text in a Vorbis comment.
std::map<int, CueSheetTrack> titles_from_comment(const FLAC__StreamMetadata* tags)
{
    std::map<int, CueSheetTrack> titles;
    if (!tags)
        return titles;
    const auto text = comment(*tags, "CUESHEET");
    if (!text)
        return titles;
    try {
        for (CueSheetTrack& track : parse_cue_sheet(*text).tracks)
            titles[track.number] = std::move(track);
    } catch (const Error&) {
        // A damaged text copy: the CUESHEET block still says where the tracks are.
    }
    return titles;
}

}  // namespace

std::optional<FlacCueSheet> read_flac_cue_sheet(const std::filesystem::path& path)
{
    std::unique_ptr<FLAC__Metadata_SimpleIterator, IteratorDeleter> it(FLAC__metadata_simple_iterator_new());
    if (!it || !FLAC__metadata_simple_iterator_init(it.get(), path.c_str(), /*read_only=*/true,
                                                    /*preserve_file_stats=*/false))
        return std::nullopt;
    Block info, cue, tags;
    do {
        switch (FLAC__metadata_simple_iterator_get_block_type(it.get())) {
        case FLAC__METADATA_TYPE_STREAMINFO: info.reset(FLAC__metadata_simple_iterator_get_block(it.get())); break;
        case FLAC__METADATA_TYPE_CUESHEET: cue.reset(FLAC__metadata_simple_iterator_get_block(it.get())); break;
        case FLAC__METADATA_TYPE_VORBIS_COMMENT: tags.reset(FLAC__metadata_simple_iterator_get_block(it.get())); break;
        default: break;  // pictures and padding are skipped, not read
        }
    } while (FLAC__metadata_simple_iterator_next(it.get()));
    if (!info || !cue || info->data.stream_info.sample_rate == 0)
        return std::nullopt;

    FlacCueSheet sheet;
    sheet.sample_rate = static_cast<int>(info->data.stream_info.sample_rate);
    sheet.frames = static_cast<std::int64_t>(info->data.stream_info.total_samples);
    const auto titles = titles_from_comment(tags.get());
    const auto& block = cue->data.cue_sheet;
    for (FLAC__uint32 i = 0; i < block.num_tracks; ++i) {
        const FLAC__StreamMetadata_CueSheet_Track& track = block.tracks[i];
        if (track.type != 0 || track.num_indices == 0)
            continue;  // a data track, or the lead-out (which only marks the end)
        const FLAC__StreamMetadata_CueSheet_Index* index = &track.indices[0];
        for (FLAC__byte k = 0; k < track.num_indices; ++k)
            if (track.indices[k].number == 1)
                index = &track.indices[k];
        CueTrackStart start{track.number, static_cast<std::int64_t>(track.offset + index->offset), "", ""};
        if (const auto named = titles.find(track.number); named != titles.end()) {
            start.title = named->second.title;
            start.performer = named->second.performer;
        }
        sheet.tracks.push_back(std::move(start));
    }
    if (sheet.tracks.size() < 2)
        return std::nullopt;
    return sheet;
}

}  // namespace tonearm
