// The C surface the browser (and node) call: tonearm::Decoder over a byte source that the host
// JavaScript reads on demand, reading blocks deinterleaved into planar float channels so
// JavaScript can copy each channel with one typed-array set(). Thin on purpose: decoding is the
// library's job.
//
// Calling sequence (decode-worker.js): ta_open_source(source, size, name) → ta_info_json(h) →
// ta_read(h, planar, capacity)… → ta_close(h). The host installs Module.readSource(source,
// offset, pointer, count): it copies up to `count` bytes of its source `source` at `offset` to
// `pointer` in wasm memory and returns how many (fewer only at the end or on failure, never a
// throw). The page's Files are read that way slice by slice, so nothing holds a whole file.
// A failing call returns 0 or -1 and leaves "kind" and "message" in ta_error_kind() and
// ta_error_message() (ErrorKind names such as "unsupported", "malformed", "truncated").
#include "tonearm/byte_source.hpp"
#include "tonearm/decoder.hpp"
#include "tonearm/error.hpp"
#include "tonearm/report_schema.hpp"

#include <emscripten/emscripten.h>

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <vector>

// The host's Module.readSource (see above).
EM_JS(int, ta_host_read, (int source, double offset, std::uint8_t* out, int count), {
    return Module.readSource(source, offset, out, count);
});

namespace {

// One host source, read through a window: the decoders ask for a few KiB at a time, and each
// call out to JavaScript (a Blob slice, a Range request) costs far more than its bytes. Worker
// decode of a 60 s FLAC in Chromium (scripts/bench): 284× real time with a 256 KiB window,
// 761× with 2 MiB (the native loop: 1557–1783×); two decoders (play, waveform) hold 4 MiB.
class HostSource final : public tonearm::ByteSource {
public:
    HostSource(int source, std::int64_t size) : source_(source), size_(size) {}
    std::int64_t size() const noexcept override { return size_; }

    std::span<const std::uint8_t> read(std::int64_t offset, std::size_t count) override
    {
        if (offset < 0 || offset >= size_)
            return {};
        const auto window_end = window_start_ + static_cast<std::int64_t>(window_.size());
        if (offset < window_start_ || offset + static_cast<std::int64_t>(count) > window_end) {
            const auto wanted = std::min<std::int64_t>(static_cast<std::int64_t>(std::max(count, window_bytes)),
                                                       size_ - offset);
            window_.resize(static_cast<std::size_t>(wanted));
            const int got = ta_host_read(source_, static_cast<double>(offset), window_.data(), static_cast<int>(wanted));
            window_.resize(static_cast<std::size_t>(std::max(got, 0)));
            window_start_ = offset;
        }
        const auto start = static_cast<std::size_t>(offset - window_start_);
        if (start >= window_.size())
            return {};
        return std::span<const std::uint8_t>(window_).subspan(start, std::min(count, window_.size() - start));
    }

private:
    static constexpr std::size_t window_bytes = 2 << 20;
    int source_;
    std::int64_t size_;
    std::vector<std::uint8_t> window_;
    std::int64_t window_start_ = 0;
};

struct Stream {
    tonearm::Decoder decoder;
    std::vector<float> interleaved;  // one block as libsndfile delivers it
    std::string info_json;
};

std::map<int, std::unique_ptr<Stream>> streams;
int next_handle = 1;
std::string error_kind;
std::string error_message;

void set_error(std::string kind, std::string message)
{
    error_kind = std::move(kind);
    error_message = std::move(message);
}

// Runs `body`; an exception becomes the module's last error and `failed` is returned.
template <typename T, typename Body>
T guarded(T failed, Body body)
{
    try {
        return body();
    } catch (const tonearm::Error& e) {
        set_error(std::string(tonearm::to_string(e.kind())), e.what());
    } catch (const std::bad_alloc&) {
        set_error("out_of_memory", "not enough memory for this file");
    } catch (const std::exception& e) {
        set_error("internal", e.what());
    }
    return failed;
}

Stream* find(int handle)
{
    const auto it = streams.find(handle);
    if (it == streams.end()) {
        set_error("invalid_argument", "no open stream " + std::to_string(handle));
        return nullptr;
    }
    return it->second.get();
}

// The shared schema (report_schema.hpp: what `tonearm info --json` prints), named.
std::string describe(const tonearm::Decoder& decoder)
{
    tonearm::Json json = {{"name", decoder.name()}};
    json.update(tonearm::to_json(decoder.info(), decoder.length()));
    return tonearm::dump(json);
}

}  // namespace

extern "C" {

// Opens the host's source `source` of `size` bytes (a double: JavaScript numbers carry exact
// integers to 2^53). Returns a handle > 0, or 0.
EMSCRIPTEN_KEEPALIVE int ta_open_source(int source, double size, const char* name)
{
    return guarded<int>(0, [&] {
        auto decoder = tonearm::Decoder::from_source(std::make_unique<HostSource>(source, static_cast<std::int64_t>(size)),
                                                     name ? name : "stream");
        auto stream = std::make_unique<Stream>(Stream{std::move(decoder), {}, {}});
        stream->info_json = describe(stream->decoder);
        const int handle = next_handle++;
        streams.emplace(handle, std::move(stream));
        return handle;
    });
}

// {"name", then tonearm info --json's fields: "container", "codec", "sample_rate", "channels",
// "frames", "bits_per_sample", "lossless", "seekable", "truncated", "tags", …} (report_schema.hpp)
EMSCRIPTEN_KEEPALIVE const char* ta_info_json(int handle)
{
    Stream* stream = find(handle);
    return stream ? stream->info_json.c_str() : nullptr;
}

// Decodes up to `capacity` frames into `planar`: channel c occupies planar[c * n, (c + 1) * n)
// where n is the returned frame count. Returns 0 at the end of a complete stream, -1 on an
// error (a corrupt stream, a truncated one, NaN or infinity in the output).
EMSCRIPTEN_KEEPALIVE int ta_read(int handle, float* planar, int capacity)
{
    Stream* stream = find(handle);
    if (!stream || !planar || capacity <= 0) {
        if (stream)
            set_error("invalid_argument", "ta_read needs a buffer and a capacity");
        return -1;
    }
    return guarded<int>(-1, [&] {
        const auto channels = static_cast<std::size_t>(stream->decoder.info().channels);
        stream->interleaved.resize(static_cast<std::size_t>(capacity) * channels);
        const std::size_t frames = stream->decoder.read_finite(stream->interleaved);
        if (frames == 0) {
            stream->decoder.expect_complete();
            return 0;
        }
        const float* in = stream->interleaved.data();
        for (std::size_t c = 0; c < channels; ++c) {
            float* out = planar + c * frames;
            for (std::size_t i = 0; i < frames; ++i)
                out[i] = in[i * channels + c];
        }
        return static_cast<int>(frames);
    });
}

// Moves to `frame` (a double: JavaScript numbers carry exact integers to 2^53).
EMSCRIPTEN_KEEPALIVE int ta_seek(int handle, double frame)
{
    Stream* stream = find(handle);
    if (!stream)
        return -1;
    return guarded<int>(-1, [&] {
        stream->decoder.seek(static_cast<std::int64_t>(frame));
        return 0;
    });
}

EMSCRIPTEN_KEEPALIVE double ta_position(int handle)
{
    Stream* stream = find(handle);
    return stream ? static_cast<double>(stream->decoder.position()) : -1.0;
}

EMSCRIPTEN_KEEPALIVE void ta_close(int handle) { streams.erase(handle); }

EMSCRIPTEN_KEEPALIVE const char* ta_error_kind() { return error_kind.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* ta_error_message() { return error_message.c_str(); }

}  // extern "C"
