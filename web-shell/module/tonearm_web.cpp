// The C surface the browser (and node) call: tonearm::Decoder over bytes in wasm memory,
// reading blocks deinterleaved into planar float channels so JavaScript can copy each
// channel with one typed-array set(). Thin on purpose: decoding is the library's job.
//
// Calling sequence (decode-worker.js): ta_bytes(size) → write the file into the returned
// memory → ta_open(name) → ta_info_json(h) → ta_read(h, planar, capacity)… → ta_close(h).
// A failing call returns 0 or -1 and leaves "kind" and "message" in ta_error_kind() and
// ta_error_message() (ErrorKind names such as "unsupported", "malformed", "truncated").
#include "tonearm/decoder.hpp"
#include "tonearm/error.hpp"
#include "tonearm/report_schema.hpp"

#include <emscripten/emscripten.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Stream {
    tonearm::Decoder decoder;
    std::vector<float> interleaved;  // one block as libsndfile delivers it
    std::string info_json;
};

std::map<int, std::unique_ptr<Stream>> streams;
int next_handle = 1;
std::vector<std::byte> pending_bytes;  // the next open's file, filled by JavaScript
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

// Memory for the next file's bytes (any earlier pending bytes are dropped). Returns null if
// the allocation fails; a 0-byte file gets a valid pointer and fails in ta_open.
EMSCRIPTEN_KEEPALIVE std::byte* ta_bytes(std::size_t size)
{
    static std::byte nothing;
    return guarded<std::byte*>(nullptr, [size] {
        std::vector<std::byte>().swap(pending_bytes);
        pending_bytes.resize(size);
        return size ? pending_bytes.data() : &nothing;
    });
}

// Opens the pending bytes (they move into the decoder). Returns a handle > 0, or 0.
EMSCRIPTEN_KEEPALIVE int ta_open(const char* name)
{
    return guarded<int>(0, [name] {
        auto decoder = tonearm::Decoder::from_memory(std::move(pending_bytes), name ? name : "stream");
        pending_bytes = {};
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
