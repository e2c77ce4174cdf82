#pragma once

#include "tonearm/audio_writer.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace tonearm {

struct TranscodeOptions {
    std::optional<FileType> type;              // default: from the output's extension
    std::optional<SampleEncoding> encoding;    // default: lossless_encoding_for(input)
    double start_seconds = 0;
    std::optional<double> duration_seconds;    // default: to the end
    // Asked between blocks; true ends the work with Error(interrupted). (Not a std::stop_token:
    // the web build's libc++ has none.)
    std::function<bool()> stop_requested;
    // A cut input (Decoder::truncation) is an Error(truncated) and nothing is written, instead
    // of a copy of what is there plus TranscodeResult::truncation.
    bool strict = false;
};

struct TranscodeResult {
    AudioInfo input;
    OutputFormat output;      // the rate may differ from the input's (Opus: 48 kHz)
    std::int64_t frames = 0;  // written
    std::optional<std::string> truncation;  // the input is cut: how much of it there was
};

// Decodes `input` (or part of it) and writes it to `output`, block by block in flat memory.
// Integer PCM is copied as integers so lossless round trips are bit-exact; a rate the output
// type cannot encode is converted with soxr (Opus: 48 kHz). `output` appears
// only when complete (not after an error or a stop); it may not be the input file itself.
TranscodeResult transcode(const std::filesystem::path& input, const std::filesystem::path& output,
                          const TranscodeOptions& options = {});

}  // namespace tonearm
