#pragma once

#include "tonearm/audio_info.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tonearm {

// Decodes one audio stream with libsndfile, from a file or from bytes in memory (the web
// build has bytes, not paths). Reads interleaved frames in caller-sized blocks and never
// holds more than libsndfile's own buffers, so any length of file decodes in flat memory.
// Every failure throws tonearm::Error naming the path (or stream name) and the cause.
class Decoder {
public:
    static Decoder open(const std::filesystem::path& path);
    static Decoder from_memory(std::vector<std::byte> bytes, std::string name);

    Decoder(Decoder&&) noexcept;
    Decoder& operator=(Decoder&&) noexcept;
    ~Decoder();

    const AudioInfo& info() const noexcept;
    const std::string& name() const noexcept;  // the path or the name given with the bytes

    // Reads up to out.size() / channels frames; returns frames read, 0 at the end.
    // Integer sources come out as v / 2^(bits-1), like ffmpeg's f32 decode.
    std::size_t read(std::span<float> out);
    // Integer samples, left-justified to 32 bits, exact for integer sources
    // (what lossless round trips and FLAC's MD5 need).
    std::size_t read(std::span<std::int32_t> out);

    // After read() returned 0: throws Error(truncated) if the stream ended before the length
    // its header declares. (libsndfile shortens a cut WAV/AIFF's length to the bytes present,
    // so those pass; `tonearm check` inspects the container itself.)
    void expect_complete() const;

    void seek(std::int64_t frame);
    std::int64_t position() const noexcept;  // frames read (or sought to) so far

    // Like read(), but a NaN or infinite sample is an Error(non_finite): for consumers that
    // must never pass such samples on (a sound server, an encoder).
    std::size_t read_finite(std::span<float> out);

private:
    struct Impl;
    explicit Decoder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tonearm
