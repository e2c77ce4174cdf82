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
//
// The page's player is the library's PlayerCore (the playlist, gapless joins, seeks, format
// conversion) over host sources: ta_player_new() → ta_player_add(p, source, size, name)… →
// ta_player_open(p) → ta_player_render(p, planar, capacity)…, and ta_player_command(p, …) for
// what a key or a control asks (player_controls.hpp: the terminal's keys and steps). The page
// only relays the blocks and says what it hears.
//
// A failing call returns 0 or -1 and leaves "kind" and "message" in ta_error_kind() and
// ta_error_message() (ErrorKind names such as "unsupported", "malformed", "truncated").
#include "tonearm/byte_source.hpp"
#include "tonearm/decoder.hpp"
#include "tonearm/deinterleave.hpp"
#include "tonearm/error.hpp"
#include "tonearm/player_controls.hpp"
#include "tonearm/player_core.hpp"
#include "tonearm/report_schema.hpp"

#include <emscripten/emscripten.h>

#include <cstddef>
#include <algorithm>
#include <cmath>
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


// ---- the player ------------------------------------------------------------------------------

// PlayerCore driven by the worker: render() fills whole blocks, joining tracks and noting where
// each segment (a track, or the audio after a jump) begins in the block, so that the page
// can say what is heard. The page owns the output (pausing is its AudioContext's, the volume
// its gain node's), so commands come with what the page hears and return what it must do.
class WebPlayer final : public tonearm::PlayerControls {
public:
    struct Mark {
        std::size_t offset;  // frames into the block
        tonearm::Segment segment;
    };

    void add(int source, std::int64_t size, std::string name)
    {
        playlist_.emplace_back(name);
        sources_.push_back({source, size, std::move(name)});
    }

    tonearm::StreamFormat open()
    {
        core_.emplace(playlist_, tonearm::PlayerCoreOptions{}, [this](const tonearm::Track& track) { return open_track(track); });
        const tonearm::StreamFormat format = core_->open();
        core_->set_output_format(format);
        return format;
    }

    tonearm::PlayerCore& core() { return *core_; }
    const std::vector<Mark>& marks() const noexcept { return marks_; }

    // Up to `capacity` frames, planar; 0 at the playlist's end.
    int render(float* planar, std::size_t capacity)
    {
        const auto channels = static_cast<std::size_t>(core_->output_format().channels);
        interleaved_.resize(capacity * channels);
        marks_.clear();
        std::size_t done = 0;
        while (done < capacity && !core_->finished()) {
            const tonearm::Segment& segment = core_->segment();  // describes the next render()
            if (segment.id != last_segment_) {
                marks_.push_back({done, segment});
                last_segment_ = segment.id;
            }
            const std::size_t n = core_->render(std::span(interleaved_).subspan(done * channels));
            if (n == 0)
                break;
            done += n;
        }
        tonearm::deinterleave(std::span(interleaved_).first(done * channels), channels,
                              std::span(planar, done * channels));
        return static_cast<int>(done);
    }

    // Applies `command` to the player as heard now; jumped() says whether the audio moved.
    void apply(const tonearm::Command& command, std::size_t heard_track, double heard_seconds)
    {
        heard_track_ = heard_track;
        heard_seconds_ = heard_seconds;
        jumped_ = false;
        tonearm::apply_command(*this, command);
    }
    bool jumped() const noexcept { return jumped_; }
    void jump(std::size_t track, std::int64_t frame)
    {
        core_->seek(track, frame);
        jumped_ = true;
    }

    void set_paused(bool paused) override { paused_ = paused; }
    void set_volume(double volume) override { volume_ = std::clamp(volume, 0.0, tonearm::max_volume); }
    void seek(double seconds) override
    {
        if (const auto& info = track_info(heard_track_))
            jump(heard_track_, std::llround(std::max(0.0, seconds) * info->sample_rate));
    }
    void next() override { jump(heard_track_ + 1, 0); }
    void previous() override { jump(heard_track_ > 0 ? heard_track_ - 1 : 0, 0); }

    tonearm::PlayerStatus status() const override
    {
        tonearm::PlayerStatus status;
        status.track = heard_track_;
        status.position = heard_seconds_;
        if (const auto& info = track_info(heard_track_))
            status.duration = info->duration_seconds();
        status.paused = paused_;
        status.volume = volume_;
        return status;
    }

private:
    struct Source {
        int id;
        std::int64_t size;
        std::string name;
    };

    // The core opens its own playlist's entries, so the entry's place there is its source's.
    tonearm::Decoder open_track(const tonearm::Track& track) const
    {
        const auto index = static_cast<std::size_t>(&track - core_->playlist().data());
        const Source& source = sources_.at(index);
        return tonearm::Decoder::from_source(std::make_unique<HostSource>(source.id, source.size), source.name);
    }

    std::optional<tonearm::AudioInfo> track_info(std::size_t track) const
    {
        return core_ && track < playlist_.size() ? core_->info(track) : std::nullopt;
    }

    std::vector<tonearm::Track> playlist_;
    std::vector<Source> sources_;
    std::optional<tonearm::PlayerCore> core_;
    std::vector<float> interleaved_;
    std::vector<Mark> marks_;
    std::optional<std::uint64_t> last_segment_;  // the segment the last block ended in
    std::size_t heard_track_ = 0;
    double heard_seconds_ = 0;
    bool paused_ = true;
    double volume_ = 1.0;
    bool jumped_ = false;
};

std::map<int, std::unique_ptr<WebPlayer>> players;
std::string player_json;  // what the last ta_player_*_json call returned

WebPlayer* find_player(int handle)
{
    const auto it = players.find(handle);
    if (it == players.end()) {
        set_error("invalid_argument", "no player " + std::to_string(handle));
        return nullptr;
    }
    return it->second.get();
}

const char* json_result(const tonearm::Json& json)
{
    player_json = tonearm::dump(json);
    return player_json.c_str();
}

tonearm::Json track_json(WebPlayer& player, std::size_t track)
{
    const auto& info = player.core().info(track);
    if (!info)
        return nullptr;
    tonearm::Json json = tonearm::to_json(*info, tonearm::StreamLength{});
    json["title"] = tonearm::display_title(player.core().playlist()[track], info);
    return json;
}

// What plays next: {"track", "seconds" into it, "info" of it}.
tonearm::Json next_json(WebPlayer& player)
{
    const tonearm::Segment& segment = player.core().segment();
    const auto& info = player.core().info(segment.track);
    const double seconds = info ? static_cast<double>(segment.frame) / info->sample_rate : 0.0;
    return {{"track", segment.track}, {"seconds", seconds}, {"info", track_json(player, segment.track)}};
}

tonearm::Json error_json(const tonearm::Error& error)
{
    return {{"kind", tonearm::to_string(error.kind())}, {"file", error.subject()}, {"message", error.cause()}};
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
        tonearm::deinterleave(std::span(stream->interleaved).first(frames * channels), channels,
                              std::span(planar, frames * channels));
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

// ---- the player (see the top of this file) ---------------------------------------------------

EMSCRIPTEN_KEEPALIVE int ta_player_new()
{
    const int handle = next_handle++;
    players.emplace(handle, std::make_unique<WebPlayer>());
    return handle;
}

// Appends the host's source `source` of `size` bytes to the playlist.
EMSCRIPTEN_KEEPALIVE int ta_player_add(int handle, int source, double size, const char* name)
{
    WebPlayer* player = find_player(handle);
    if (!player)
        return -1;
    return guarded<int>(-1, [&] {
        player->add(source, static_cast<std::int64_t>(size), name ? name : "stream");
        return 0;
    });
}

// Opens the first track that plays. Returns {"sample_rate", "channels"} of what render() makes
// (the first track's format: later tracks are converted to it) and next_json's fields, or null.
EMSCRIPTEN_KEEPALIVE const char* ta_player_open(int handle)
{
    WebPlayer* player = find_player(handle);
    if (!player)
        return nullptr;
    return guarded<const char*>(nullptr, [&] {
        const tonearm::StreamFormat format = player->open();
        tonearm::Json json = next_json(*player);
        json["sample_rate"] = format.sample_rate;
        json["channels"] = format.channels;
        return json_result(json);
    });
}

// Renders up to `capacity` frames into `planar` (channel c at planar[c * n, (c + 1) * n) for
// the n returned); 0 at the playlist's end, -1 on an error. Tracks that fail are skipped (see
// ta_player_errors_json).
EMSCRIPTEN_KEEPALIVE int ta_player_render(int handle, float* planar, int capacity)
{
    WebPlayer* player = find_player(handle);
    if (!player || !planar || capacity <= 0)
        return -1;
    return guarded<int>(-1, [&] { return player->render(planar, static_cast<std::size_t>(capacity)); });
}

// Where segments begin in the last rendered block: [{"offset", "track", "frame", "ratio",
// "info"}], "frame" in the track's own frames, "ratio" its frames per rendered frame.
EMSCRIPTEN_KEEPALIVE const char* ta_player_marks_json(int handle)
{
    WebPlayer* player = find_player(handle);
    if (!player)
        return nullptr;
    return guarded<const char*>(nullptr, [&] {
        tonearm::Json marks = tonearm::Json::array();
        for (const auto& mark : player->marks()) {
            marks.push_back({{"offset", mark.offset}, {"track", mark.segment.track}, {"frame", mark.segment.frame},
                             {"ratio", mark.segment.ratio}, {"info", track_json(*player, mark.segment.track)}});
        }
        return json_result(marks);
    });
}

// The tracks that failed, from the `from`-th on: [{"kind", "file", "message"}].
EMSCRIPTEN_KEEPALIVE const char* ta_player_errors_json(int handle, int from)
{
    WebPlayer* player = find_player(handle);
    if (!player)
        return nullptr;
    return guarded<const char*>(nullptr, [&] {
        tonearm::Json errors = tonearm::Json::array();
        const auto& all = player->core().errors();
        for (std::size_t i = static_cast<std::size_t>(std::max(from, 0)); i < all.size(); ++i)
            errors.push_back(error_json(all[i]));
        return json_result(errors);
    });
}

// Applies the command `kind` (player_controls.hpp's names) with `value` while the page hears
// `seconds` into track `track`. Returns {"volume", "paused", "jumped"} and, after a jump, what
// plays next (next_json): a jump means what was rendered before is to be dropped.
EMSCRIPTEN_KEEPALIVE const char* ta_player_command(int handle, const char* kind, double value, int track, double seconds)
{
    WebPlayer* player = find_player(handle);
    if (!player)
        return nullptr;
    return guarded<const char*>(nullptr, [&] {
        const std::string_view name = kind ? kind : "";
        std::optional<tonearm::Command> command;
        for (int k = 0; k <= static_cast<int>(tonearm::Command::Kind::quit); ++k) {
            const auto candidate = static_cast<tonearm::Command::Kind>(k);
            if (tonearm::to_string(candidate) == name)
                command = tonearm::Command{candidate, value};
        }
        if (!command)
            throw tonearm::Error(tonearm::ErrorKind::invalid_argument, "command", "no command " + std::string(name));
        player->apply(*command, static_cast<std::size_t>(std::max(track, 0)), seconds);
        const tonearm::PlayerStatus status = player->status();
        tonearm::Json json = player->jumped() ? next_json(*player) : tonearm::Json::object();
        json.update({{"volume", status.volume}, {"paused", status.paused}, {"jumped", player->jumped()}});
        return json_result(json);
    });
}

// Continues at the start of track `track` (one picked from the list, or the first after the
// end); returns next_json's fields, or null.
EMSCRIPTEN_KEEPALIVE const char* ta_player_jump(int handle, int track)
{
    WebPlayer* player = find_player(handle);
    if (!player)
        return nullptr;
    return guarded<const char*>(nullptr, [&] {
        player->jump(static_cast<std::size_t>(std::max(track, 0)), 0);
        return json_result(next_json(*player));
    });
}

// The controls, as player_controls.hpp has them: {"keys": [{"key", "command", "value"}],
// "max_volume"}.
EMSCRIPTEN_KEEPALIVE const char* ta_controls_json()
{
    tonearm::Json keys = tonearm::Json::array();
    for (const auto& binding : tonearm::key_bindings())
        keys.push_back({{"key", binding.key}, {"command", tonearm::to_string(binding.command.kind)}, {"value", binding.command.value}});
    return json_result({{"keys", keys}, {"max_volume", tonearm::max_volume}});
}

EMSCRIPTEN_KEEPALIVE void ta_player_close(int handle) { players.erase(handle); }

EMSCRIPTEN_KEEPALIVE const char* ta_error_kind() { return error_kind.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* ta_error_message() { return error_message.c_str(); }

}  // extern "C"
