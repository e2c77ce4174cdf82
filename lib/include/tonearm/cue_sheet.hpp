#pragma once

#include "tonearm/error.hpp"
#include "tonearm/track.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tonearm {

// A cue sheet: an album kept as one audio file (or a few), with where each track starts.
// Times in a cue sheet are minutes:seconds:frames, 75 frames a second (a CD's sectors).

struct CueSheetTrack {
    int number = 0;
    std::string file;                   // the FILE its INDEX 01 is in, as written
    std::string title;                  // as written (bytes: the sheet may be Latin-1)
    std::string performer;              // the track's, else the sheet's
    std::optional<std::int64_t> start;  // INDEX 01 in cue frames; none when the sheet lacks it
    int line = 0;                       // of the TRACK command, for messages
};

struct CueSheet {
    std::string title;
    std::string performer;
    std::vector<CueSheetTrack> tracks;  // audio tracks only, in the sheet's order
};

// Reads a cue sheet's text (a UTF-8 byte order mark, CRLF line ends and unknown commands are
// fine). Throws Error(malformed, "cue sheet", "line N: ...") for text that is not one.
CueSheet parse_cue_sheet(std::string_view text);

// A cue time in samples at `sample_rate`: exact whenever the rate is a multiple of 75 (every
// common rate: 44.1 kHz is 588 samples a frame, 48 kHz 640), else the nearest sample.
std::int64_t cue_frames_to_samples(std::int64_t cue_frames, int sample_rate) noexcept;

// Where one track of a file starts, in samples of that file, and what it is called.
struct CueTrackStart {
    int number = 0;
    std::int64_t frame = 0;
    std::string title;      // UTF-8
    std::string performer;  // UTF-8
};

// Cuts `file` (of `file_frames` frames) into tracks at `starts`: each runs to the next one's
// start, the last to the end of the file, so consecutive tracks join sample for sample.
// A start that does not come after the previous one's, or that lies at or past the end of the
// file, is left out with one Error in `problems` (subject: `sheet`).
std::vector<Track> split_at_cue_starts(const std::filesystem::path& file, std::span<const CueTrackStart> starts,
                                       std::int64_t file_frames, int sample_rate, const std::string& sheet,
                                       std::vector<Error>& problems);

}  // namespace tonearm
