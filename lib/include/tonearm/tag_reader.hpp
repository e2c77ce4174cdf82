#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace tonearm {

// Every tag a file carries, read with libavformat: the container's and the audio stream's
// metadata, under lower-case keys, for every format (FLAC and Ogg comments, ID3v2 and APE,
// MP4 atoms, Matroska and ASF tags). Decoder's AudioInfo::tags has only what its backend
// exposes (libsndfile knows ten fixed tags, not a FLAC's REPLAYGAIN_*).
//
// Measured against TagLib 1.13 (Debian's libtag1-dev) on the same files tagged by ffmpeg:
// both read FLAC, Ogg Vorbis, Opus and MP3 REPLAYGAIN_* tags, in well under a millisecond
// except libavformat on Ogg/Opus/WMA (about 4 ms: it reads the end of the file for the
// duration); TagLib 1.13 found none in the M4A (freeform atoms) or the WMA and cannot open
// WebM at all. One read per track is nothing next to playing it, so libavformat: it reads them
// all and tonearm's FFmpeg part has it already. Native builds only (the web build has no use
// for it). Throws Error when libavformat cannot read the file, or the FFmpeg part cannot load.
std::map<std::string, std::string> read_file_tags(const std::filesystem::path& path);

}  // namespace tonearm
