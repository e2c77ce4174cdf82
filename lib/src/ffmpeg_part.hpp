#pragma once

// FFmpeg's part of tonearm: the decoder backend for what libsndfile cannot read
// (ffmpeg_decoder.cpp) and the tag reader (ffmpeg_tags.cpp), both on libavformat/libavcodec.
//
// Natively it is a plugin, tonearm-ffmpeg.so, loaded on first use. Linking Debian's FFmpeg
// libraries into the program would load 154 shared libraries at every start: about 60 ms of
// CPU before `tonearm --version` prints, for every command and every WAV or FLAC, though only
// M4A, WebM, ADTS and WMA files need them. The web build (its FFmpeg module) and the fuzz
// build link the part in instead; the caller cannot tell. Internal to the library.

#include "decoder_backend.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace tonearm::detail {

struct FfmpegPart {
    const char* version;  // TONEARM_VERSION of the build that made it: a plugin from another is refused
    std::unique_ptr<DecoderBackend> (*open_decoder)(StreamSource source, const std::string& name);
    std::map<std::string, std::string> (*read_tags)(const std::filesystem::path& path);
};

// The part, loaded once per process and never unloaded (the backends it opens run its code).
// Throws Error(unsupported, subject, why) when it cannot be loaded: not installed, or not
// this build's. The plugin is <prefix>/<libdir>/tonearm/tonearm-ffmpeg.so for
// <prefix>/bin/tonearm (libdir: lib, or lib/<multiarch> in Debian's /usr); the build tree
// mirrors that for the programs in build/X/app, tests and tools.
const FfmpegPart& ffmpeg_part(const std::string& subject);

// The part's own side (in the plugin, or linked in).
std::map<std::string, std::string> read_ffmpeg_tags(const std::filesystem::path& path);

}  // namespace tonearm::detail

// The plugin's one exported symbol.
extern "C" const tonearm::detail::FfmpegPart tonearm_ffmpeg_part;
