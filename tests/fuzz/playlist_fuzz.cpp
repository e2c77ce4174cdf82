// libFuzzer target: arbitrary text through the parsers `play` runs on what a user hands it —
// M3U/M3U8, PLS and cue sheets — and a parsed cue sheet's times through the cutter that turns
// them into tracks. Each may reject its input with tonearm::Error; anything else (a crash, a
// hang, another exception) is a bug. Tracks that come out must tile the file in order.
#include "tonearm/cue_sheet.hpp"
#include "tonearm/error.hpp"
#include "tonearm/playlist_file.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace {

void parse_playlists(std::string_view text)
{
    for (const auto format : {tonearm::PlaylistFormat::m3u, tonearm::PlaylistFormat::pls}) {
        try {
            for (const auto& entry : tonearm::parse_playlist(format, text))
                if (tonearm::is_url(entry.location))
                    (void)tonearm::file_url_path(entry.location);
        } catch (const tonearm::Error&) {
        }
    }
}

void cut_cue_sheet(std::string_view text)
{
    tonearm::CueSheet sheet;
    try {
        sheet = tonearm::parse_cue_sheet(text);
    } catch (const tonearm::Error&) {
        return;
    }
    std::vector<tonearm::CueTrackStart> starts;
    for (const auto& track : sheet.tracks)
        if (track.start)
            starts.push_back({track.number, tonearm::cue_frames_to_samples(*track.start, 44100), track.title,
                              track.performer});
    constexpr std::int64_t file_frames = 44100LL * 60 * 80;  // a full CD
    std::vector<tonearm::Error> problems;
    const auto tracks = tonearm::split_at_cue_starts("album.flac", starts, file_frames, 44100, "album.cue", problems);
    std::int64_t previous_end = -1;
    for (const auto& track : tracks) {
        if (track.first_frame < 0 || (track.end_frame && *track.end_frame <= track.first_frame) ||
            track.first_frame < previous_end)
            __builtin_trap();  // tracks come out in order, each non-empty, none overlapping
        previous_end = track.end_frame.value_or(file_frames);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    parse_playlists(text);
    cut_cue_sheet(text);
    return 0;
}
