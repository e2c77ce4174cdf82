// What the FFmpeg part hands to the library that loads (or links) it: see ffmpeg_part.hpp.
#include "ffmpeg_part.hpp"

extern "C" [[gnu::visibility("default")]] const tonearm::detail::FfmpegPart tonearm_ffmpeg_part{
    TONEARM_VERSION,
    &tonearm::detail::open_ffmpeg,
    &tonearm::detail::read_ffmpeg_tags,
};
