#pragma once

#include "tonearm/cue_sheet.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace tonearm {

// The cue sheet a FLAC file carries in its CUESHEET metadata block (flac --cuesheet,
// metaflac --import-cuesheet-from), read with libFLAC's metadata API: track starts in samples,
// exact. A CUESHEET block has no titles; when the file also keeps the cue sheet's text in a
// CUESHEET Vorbis comment (as foobar2000 and others write it), titles and performers come
// from there, matched by track number.
struct FlacCueSheet {
    int sample_rate = 0;
    std::int64_t frames = 0;  // STREAMINFO's total; 0 when unknown
    std::vector<CueTrackStart> tracks;
};

// nullopt when the file is not a FLAC stream, cannot be read, or has no cue sheet of at least
// two audio tracks (one track is the whole file: its own tags say more).
std::optional<FlacCueSheet> read_flac_cue_sheet(const std::filesystem::path& path);

}  // namespace tonearm
