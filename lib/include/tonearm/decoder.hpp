#pragma once

#include "tonearm/audio_info.hpp"
#include "tonearm/byte_source.hpp"
#include "tonearm/stream_length.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tonearm {

// Decodes one audio stream, from a file, from bytes in memory or from any ByteSource (the web
// build has Files, not paths): with libsndfile for everything it reads (WAV, AIFF, FLAC, Ogg Vorbis/Opus, MP3, ...),
// with FFmpeg's libraries for the rest (AAC and ALAC in MP4/M4A, raw ADTS AAC, Opus and
// Vorbis in WebM/Matroska, WMA). Reads interleaved frames in caller-sized blocks and never
// holds more than the codec's own buffers, so any length of file decodes in flat memory.
// Frame numbers are sample-exact for every format: encoder delay and padding are trimmed as
// the container declares them (MP4 edit lists, Matroska's CodecDelay and DiscardPadding), so
// the pieces of a gapless album join without a gap, and seek() lands on the exact frame.
// Every failure throws tonearm::Error naming the path (or stream name) and the cause.
class Decoder {
public:
    static Decoder open(const std::filesystem::path& path);
    static Decoder from_memory(std::vector<std::byte> bytes, std::string name);
    // Reads `source` on demand (the web page's File, slice by slice): memory stays flat
    // whatever the file's size.
    static Decoder from_source(std::unique_ptr<ByteSource> source, std::string name);

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

    // What the container says about the stream's length, read when the file was opened (the
    // headers and the end of the file): the same look `check` takes.
    const StreamLength& length() const noexcept;
    // After read() returned 0: whether the file is shorter than its container says (see
    // shortfall() in stream_length.hpp), as one line; nothing when it is whole. A decoder
    // error at the place where the container shows the cut ends the stream instead of
    // throwing, so a cut file decodes to exactly what is there, then says so here.
    std::optional<std::string> truncation() const;
    // The same as an error: throws Error(truncated) with that line.
    void expect_complete() const;

    // Throws Error(invalid_argument) outside [0, info().frames] (an estimated length bounds
    // nothing: past the real end, the position is the end).
    void seek(std::int64_t frame);
    std::int64_t position() const noexcept;  // frames read (or sought to) so far

    // Like read(), but a NaN or infinite sample is an Error(non_finite): for consumers that
    // must never pass such samples on (a sound server, an encoder).
    std::size_t read_finite(std::span<float> out);

private:
    struct Impl;
    explicit Decoder(std::unique_ptr<Impl> impl);
    static Decoder from_source(std::unique_ptr<ByteSource> source, std::string name, std::vector<std::byte> memory);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tonearm
