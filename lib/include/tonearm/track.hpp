#pragma once

#include "tonearm/audio_info.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace tonearm {

// One playlist entry: a file, or a stretch of one (a cue sheet's track), with what a
// playlist says about it for display.
struct Track {
    Track(std::filesystem::path file) : path(std::move(file)) {}  // NOLINT: a file is a track
    Track(std::filesystem::path file, std::int64_t first, std::optional<std::int64_t> end)
        : path(std::move(file)), first_frame(first), end_frame(end) {}

    std::filesystem::path path;             // a file, or a name the opener understands
    std::int64_t first_frame = 0;           // where the track starts in the stream
    std::optional<std::int64_t> end_frame;  // one past its last frame; none: the stream's end
    std::string title;                      // from a cue sheet or #EXTINF (UTF-8); empty: ask the tags
    std::string performer;                  // from a cue sheet (UTF-8)
};

// What a listener sees for a track: the playlist's title, else the file's title tag, else
// its file name ("Title - Performer" when both are known). Always valid UTF-8.
// `info`: the track's info once it has been opened, for its tags.
std::string display_title(const Track& track, const std::optional<AudioInfo>& info);

// A path for messages and displays: as it is when it is valid UTF-8, otherwise with each
// byte that is not part of a valid UTF-8 sequence written as \xNN. File names on Linux are
// bytes; a terminal, a JSON document or a log must not get half a character.
std::string printable_path(const std::filesystem::path& path);

}  // namespace tonearm
