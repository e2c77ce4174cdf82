#pragma once

// What tonearm::Decoder asks of a decoding library. One backend per library, each in its own
// file: libsndfile (sndfile_decoder.cpp) for everything it reads, FFmpeg (ffmpeg_decoder.cpp)
// for the rest. Decoder (decoder.cpp) tries them in that order and keeps the position; its
// callers never learn which one decoded. Internal to the library.

#include "tonearm/audio_info.hpp"
#include "tonearm/byte_source.hpp"
#include "tonearm/stream_length.hpp"
#include "unique_fd.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace tonearm::detail {

// The stream's bytes: an open regular file (checked by the caller), or a source that outlives
// the backend (bytes in memory, a web page's File read slice by slice).
struct StreamSource {
    UniqueFd fd;                  // a file, when valid
    ByteSource* bytes = nullptr;  // otherwise these bytes
};

class DecoderBackend {
public:
    virtual ~DecoderBackend() = default;

    virtual const AudioInfo& info() const noexcept = 0;

    // Up to out.size() / channels interleaved frames; 0 at the end. Throws Error.
    virtual std::size_t read(std::span<float> out) = 0;
    virtual std::size_t read(std::span<std::int32_t> out) = 0;

    // Makes the next read start at `frame` (>= 0, and within info().frames unless the length
    // is only estimated). Returns the frame it stands at: `frame`, or the end of the stream
    // when that comes first.
    virtual std::int64_t seek(std::int64_t frame) = 0;
};

// libsndfile: throws Error(unsupported) when it does not recognise the format (the next
// backend may), any other Error for a stream it recognises but cannot decode. Where `length`
// shows a cut, a failed open is Error(truncated) and a read error ends the stream.
std::unique_ptr<DecoderBackend> open_sndfile(StreamSource source, const std::string& name,
                                             const StreamLength& length);
// FFmpeg, for the containers and codecs libsndfile lacks (MP4/M4A: AAC, ALAC; Matroska/WebM:
// Opus, Vorbis, AAC; ADTS AAC; ASF: WMA). Null when none of those containers recognises the
// bytes; Error for a stream it recognises but cannot decode (an unsupported codec included).
std::unique_ptr<DecoderBackend> open_ffmpeg(StreamSource source, const std::string& name);

}  // namespace tonearm::detail
