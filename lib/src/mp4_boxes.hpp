#pragma once

// The few boxes of an MP4/M4A that say how long its audio is and whether the file is whole,
// read without FFmpeg: libavformat applies an edit list's end rounded to the movie's time
// scale (ffmpeg writes milliseconds), so the length of an M4A that ffmpeg encoded comes out a
// few samples short of what its sample table holds, and a gapless album would lose them at
// every join. Internal to the library (ffmpeg_decoder.cpp, containers/mp4.cpp).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tonearm::detail {

// Reads up to out.size() bytes at `offset` into `out`; returns how many (fewer at the end).
using ReadAt = std::function<std::size_t(std::int64_t offset, std::span<std::uint8_t> out)>;

struct Mp4Edit {
    std::uint64_t segment_duration = 0;  // in the movie's time scale
    std::int64_t media_time = 0;         // in the track's; -1: an empty edit (a pause)
};

struct Mp4Track {
    std::uint32_t id = 0;                // tkhd's track ID (libavformat's AVStream::id)
    std::string handler;                 // "soun", "vide", ...
    std::uint32_t timescale = 0;         // mdhd
    std::uint64_t sample_count = 0;      // stts
    std::uint64_t sample_duration = 0;   // stts: every sample's duration added up
    std::vector<Mp4Edit> edits;
};

struct Mp4Layout {
    std::uint32_t movie_timescale = 0;  // mvhd
    bool moov = false;
    bool mdat = false;
    std::vector<Mp4Track> tracks;
    std::string truncated;  // non-empty: a top-level box runs past the end of the file
};

Mp4Layout read_mp4_layout(const ReadAt& read, std::int64_t file_size);

// How many samples (in the track's time scale) the track presents: its sample table's length
// less the priming the edit list skips, cut where the edit list ends. An edit list end given
// in a coarser time scale than the track's (ffmpeg's milliseconds) is taken as the rounding
// it is when the sample table ends within one tick after it. Empty when the edits are more
// than one plain cut.
std::optional<std::int64_t> presented_samples(const Mp4Layout& layout, const Mp4Track& track);

}  // namespace tonearm::detail
