#include "mp4_boxes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>

namespace tonearm::detail {
namespace {

constexpr std::uint64_t max_moov_bytes = 64 << 20;  // far above any real audio file's index

std::uint32_t be32(const std::uint8_t* p)
{
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}
std::uint64_t be64(const std::uint8_t* p) { return std::uint64_t(be32(p)) << 32 | be32(p + 4); }

// A box inside a buffer: its type and body.
struct Box {
    std::string_view type;
    std::span<const std::uint8_t> body;
};

// The boxes in `bytes`, in order; stops at the first that does not fit.
std::vector<Box> children(std::span<const std::uint8_t> bytes)
{
    std::vector<Box> boxes;
    std::size_t at = 0;
    while (at + 8 <= bytes.size()) {
        std::uint64_t size = be32(bytes.data() + at);
        std::size_t header = 8;
        if (size == 1 && at + 16 <= bytes.size()) {
            size = be64(bytes.data() + at + 8);
            header = 16;
        } else if (size == 0) {
            size = bytes.size() - at;
        }
        if (size < header || size > bytes.size() - at)
            break;
        boxes.push_back({std::string_view(reinterpret_cast<const char*>(bytes.data() + at + 4), 4),
                         bytes.subspan(at + header, static_cast<std::size_t>(size) - header)});
        at += static_cast<std::size_t>(size);
    }
    return boxes;
}

std::span<const std::uint8_t> child(std::span<const std::uint8_t> bytes, std::string_view type)
{
    for (const Box& box : children(bytes))
        if (box.type == type)
            return box.body;
    return {};
}

// A full box's body after its version and flags; the version in `version`.
std::span<const std::uint8_t> full_box(std::span<const std::uint8_t> body, int& version)
{
    if (body.size() < 4)
        return {};
    version = body[0];
    return body.subspan(4);
}

Mp4Track read_track(std::span<const std::uint8_t> trak)
{
    Mp4Track track;
    int version = 0;
    if (const auto tkhd = full_box(child(trak, "tkhd"), version); tkhd.size() >= (version == 1 ? 20u : 12u))
        track.id = be32(tkhd.data() + (version == 1 ? 16 : 8));
    const auto mdia = child(trak, "mdia");
    if (const auto mdhd = full_box(child(mdia, "mdhd"), version); mdhd.size() >= (version == 1 ? 20u : 12u))
        track.timescale = be32(mdhd.data() + (version == 1 ? 16 : 8));
    if (const auto hdlr = full_box(child(mdia, "hdlr"), version); hdlr.size() >= 8)
        track.handler.assign(reinterpret_cast<const char*>(hdlr.data() + 4), 4);
    if (const auto elst = full_box(child(child(trak, "edts"), "elst"), version); elst.size() >= 4) {
        const std::size_t entry = version == 1 ? 20 : 12;
        const std::size_t count = std::min<std::size_t>(be32(elst.data()), (elst.size() - 4) / entry);
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint8_t* e = elst.data() + 4 + i * entry;
            track.edits.push_back(version == 1 ? Mp4Edit{be64(e), static_cast<std::int64_t>(be64(e + 8))}
                                               : Mp4Edit{be32(e), static_cast<std::int32_t>(be32(e + 4))});
        }
    }
    const auto stbl = child(child(mdia, "minf"), "stbl");
    if (const auto stts = full_box(child(stbl, "stts"), version); stts.size() >= 4) {
        const std::size_t count = std::min<std::size_t>(be32(stts.data()), (stts.size() - 4) / 8);
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint64_t samples = be32(stts.data() + 4 + i * 8);
            track.sample_count += samples;
            track.sample_duration += samples * be32(stts.data() + 8 + i * 8);
        }
    }
    return track;
}

}  // namespace

Mp4Layout read_mp4_layout(const ReadAt& read, std::int64_t file_size)
{
    Mp4Layout layout;
    std::int64_t at = 0;
    std::uint8_t header[16];
    while (at + 8 <= file_size) {
        if (read(at, header) < 8)
            break;
        std::uint64_t size = be32(header);
        const std::string type(reinterpret_cast<const char*>(header + 4), 4);
        std::uint64_t header_size = 8;
        if (size == 1) {
            size = be64(header + 8);
            header_size = 16;
        } else if (size == 0) {
            size = static_cast<std::uint64_t>(file_size - at);
        }
        if (size < header_size)
            break;  // not a box: the demuxer will say what is wrong
        const auto present = static_cast<std::uint64_t>(file_size - at);
        if (size > present) {
            layout.truncated = "the file ends inside its '" + type + "' box, which declares " + std::to_string(size) +
                               " bytes (" + std::to_string(present) + " present)";
            layout.mdat = layout.mdat || type == "mdat";
            break;
        }
        layout.mdat = layout.mdat || type == "mdat";
        if (type == "moov" && size <= max_moov_bytes) {
            std::vector<std::uint8_t> moov(static_cast<std::size_t>(size - header_size));
            if (read(at + static_cast<std::int64_t>(header_size), moov) == moov.size()) {
                layout.moov = true;
                int version = 0;
                if (const auto mvhd = full_box(child(moov, "mvhd"), version); mvhd.size() >= (version == 1 ? 20u : 12u))
                    layout.movie_timescale = be32(mvhd.data() + (version == 1 ? 16 : 8));
                for (const Box& box : children(moov))
                    if (box.type == "trak")
                        layout.tracks.push_back(read_track(box.body));
            }
        }
        at += static_cast<std::int64_t>(size);
    }
    return layout;
}

std::optional<std::int64_t> presented_samples(const Mp4Layout& layout, const Mp4Track& track)
{
    const auto total = static_cast<std::int64_t>(track.sample_duration);
    if (track.edits.empty())
        return total;
    if (track.edits.size() != 1 || track.edits[0].media_time < 0 || layout.movie_timescale == 0 ||
        track.timescale == 0)
        return std::nullopt;
    const Mp4Edit& edit = track.edits[0];
    const std::int64_t in_table = total - edit.media_time;
    if (edit.segment_duration == 0)
        return in_table;  // no end given: to the end of the media
    // The edit's end in the track's time scale, and one movie tick in it.
    const long double end = static_cast<long double>(edit.segment_duration) * track.timescale / layout.movie_timescale;
    const long double tick = static_cast<long double>(track.timescale) / layout.movie_timescale;
    if (tick > 1 && in_table >= end - 1 && in_table < end + tick)
        return in_table;
    return std::min<std::int64_t>(in_table, std::llround(end));
}

}  // namespace tonearm::detail
