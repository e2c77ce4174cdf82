#include "tonearm/pulse_sink.hpp"

#include "tonearm/error.hpp"

#include <pulse/pulseaudio.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <optional>

namespace tonearm {
namespace {

struct MainloopDeleter {
    void operator()(pa_threaded_mainloop* loop) const noexcept { pa_threaded_mainloop_free(loop); }
};
struct ContextDeleter {
    void operator()(pa_context* context) const noexcept
    {
        pa_context_disconnect(context);
        pa_context_unref(context);
    }
};
struct StreamDeleter {
    void operator()(pa_stream* stream) const noexcept
    {
        pa_stream_disconnect(stream);
        pa_stream_unref(stream);
    }
};
struct ProplistDeleter {
    void operator()(pa_proplist* list) const noexcept { pa_proplist_free(list); }
};

class MainloopLock {
public:
    explicit MainloopLock(pa_threaded_mainloop* loop) : loop_(loop) { pa_threaded_mainloop_lock(loop_); }
    ~MainloopLock() { pa_threaded_mainloop_unlock(loop_); }
    MainloopLock(const MainloopLock&) = delete;
    MainloopLock& operator=(const MainloopLock&) = delete;

private:
    pa_threaded_mainloop* loop_;
};

// A connection to the server: a threaded mainloop and a ready context.
struct Connection {
    std::unique_ptr<pa_threaded_mainloop, MainloopDeleter> loop;
    std::unique_ptr<pa_context, ContextDeleter> context;

    Connection() = default;
    Connection(Connection&&) noexcept = default;
    Connection& operator=(Connection&&) noexcept = default;
    ~Connection()
    {
        if (loop)
            pa_threaded_mainloop_stop(loop.get());  // no callback runs while the context goes
        context.reset();
    }

    // Null when no server answers.
    static std::optional<Connection> open()
    {
        Connection connection;
        connection.loop.reset(pa_threaded_mainloop_new());
        if (!connection.loop)
            return std::nullopt;
        std::unique_ptr<pa_proplist, ProplistDeleter> properties(pa_proplist_new());
        pa_proplist_sets(properties.get(), PA_PROP_APPLICATION_NAME, "tonearm");
        pa_proplist_sets(properties.get(), PA_PROP_APPLICATION_ID, "tonearm");
        pa_proplist_sets(properties.get(), PA_PROP_APPLICATION_ICON_NAME, "audio-x-generic");
        pa_threaded_mainloop* loop = connection.loop.get();
        connection.context.reset(
            pa_context_new_with_proplist(pa_threaded_mainloop_get_api(loop), "tonearm", properties.get()));
        if (!connection.context)
            return std::nullopt;
        pa_context* context = connection.context.get();
        pa_context_set_state_callback(
            context, [](pa_context*, void* data) { pa_threaded_mainloop_signal(static_cast<pa_threaded_mainloop*>(data), 0); },
            loop);
        if (pa_context_connect(context, nullptr, PA_CONTEXT_NOFLAGS, nullptr) < 0)
            return std::nullopt;
        MainloopLock lock(loop);
        if (pa_threaded_mainloop_start(loop) < 0)
            return std::nullopt;
        while (true) {
            const pa_context_state_t state = pa_context_get_state(context);
            if (state == PA_CONTEXT_READY)
                return connection;
            if (!PA_CONTEXT_IS_GOOD(state))
                return std::nullopt;
            pa_threaded_mainloop_wait(loop);
        }
    }

    // Waits, with the loop locked, for an operation whose callback signals the loop.
    bool wait(pa_operation* operation) const
    {
        if (!operation)
            return false;
        while (pa_operation_get_state(operation) == PA_OPERATION_RUNNING)
            pa_threaded_mainloop_wait(loop.get());
        const bool done = pa_operation_get_state(operation) == PA_OPERATION_DONE;
        pa_operation_unref(operation);
        return done;
    }
};

void signal_loop(pa_threaded_mainloop* loop) { pa_threaded_mainloop_signal(loop, 0); }

std::uint32_t bytes_for(double seconds, const pa_sample_spec& spec)
{
    return static_cast<std::uint32_t>(pa_usec_to_bytes(static_cast<pa_usec_t>(seconds * 1e6), &spec));
}

}  // namespace

struct PulseSink::Impl {
    Connection connection;
    std::string sink_name;
    PulseBuffering buffering;
    pa_sample_spec spec{};
    std::unique_ptr<pa_stream, StreamDeleter> stream;
    std::string description = "sound server";

    // Mainloop state: touched with the loop locked.
    AudioSource* source = nullptr;
    bool corked = true;    // streams start corked
    bool paused = false;   // what the player asked for
    bool draining = false;
    pa_usec_t last_latency = 0;
    // A flush (a seek, "next") went wrong two ways under load. Audio the write callback gave
    // the server while the flush was on its way was dropped by it, yet counted as heard (the
    // status line jumped ahead), and the server then asked for nothing more: playback stood
    // still. And after a flush the server holds the stream back until it has its prebuf
    // (= tlength, 2 s) again while libpulse's interpolated clock runs on, so the delay it
    // reported fell to nothing over a second of unplayed audio. So nothing is written until
    // the flush is done, and the refill starts the stream itself once it has minreq.
    bool flushing = false;           // flush() is waiting for the server
    bool refilling = false;             // flushed, and not started again yet
    std::uint64_t refilled_bytes = 0;   // written since the last flush
    std::optional<std::chrono::steady_clock::time_point> restarted;  // when the refill started

    std::atomic<bool> starved{false};
    std::atomic<bool> is_drained{false};
    std::atomic<bool> failed{false};
    std::atomic<std::uint64_t> underflows{0};

    pa_threaded_mainloop* loop() const { return connection.loop.get(); }
    pa_context* context() const { return connection.context.get(); }
    std::size_t frame_bytes() const { return pa_frame_size(&spec); }

    void connect_stream(StreamFormat format);
    void write_available(std::size_t bytes);
    std::size_t copy_from_source(std::size_t bytes);
    void begin_drain();
    void restart_when_refilled();
    bool cork(bool on);
    void lost() noexcept;
};

// ---- the stream --------------------------------------------------------------------------

void PulseSink::Impl::connect_stream(StreamFormat format)
{
    spec = {PA_SAMPLE_FLOAT32NE, static_cast<std::uint32_t>(format.sample_rate),
            static_cast<std::uint8_t>(std::clamp(format.channels, 1, static_cast<int>(PA_CHANNELS_MAX)))};
    pa_channel_map map;
    pa_channel_map_init_extend(&map, spec.channels, PA_CHANNEL_MAP_DEFAULT);
    std::unique_ptr<pa_proplist, ProplistDeleter> properties(pa_proplist_new());
    pa_proplist_sets(properties.get(), PA_PROP_MEDIA_ROLE, "music");

    MainloopLock lock(loop());
    stream.reset(pa_stream_new_with_proplist(context(), "tonearm", &spec, &map, properties.get()));
    if (!stream)
        throw Error(ErrorKind::device, description, "the sound server refused the stream");
    pa_stream* s = stream.get();
    pa_stream_set_state_callback(s, [](pa_stream*, void* self) { signal_loop(static_cast<Impl*>(self)->loop()); }, this);
    pa_stream_set_write_callback(s, [](pa_stream*, std::size_t bytes, void* self) {
        static_cast<Impl*>(self)->write_available(bytes);
    }, this);
    pa_stream_set_underflow_callback(s, [](pa_stream*, void* self) {
        static_cast<Impl*>(self)->underflows.fetch_add(1, std::memory_order_relaxed);
    }, this);
    pa_context_set_state_callback(context(), [](pa_context* c, void* self) {
        auto& impl = *static_cast<Impl*>(self);
        if (pa_context_get_state(c) == PA_CONTEXT_FAILED)
            impl.lost();
        signal_loop(impl.loop());
    }, this);

    pa_buffer_attr attributes{};
    attributes.maxlength = static_cast<std::uint32_t>(-1);
    attributes.tlength = bytes_for(buffering.target_seconds, spec);
    attributes.prebuf = static_cast<std::uint32_t>(-1);  // = tlength
    attributes.minreq = bytes_for(buffering.request_seconds, spec);
    attributes.fragsize = static_cast<std::uint32_t>(-1);
    const auto flags = static_cast<pa_stream_flags_t>(PA_STREAM_START_CORKED | PA_STREAM_INTERPOLATE_TIMING |
                                                      PA_STREAM_AUTO_TIMING_UPDATE);
    if (pa_stream_connect_playback(s, sink_name.empty() ? nullptr : sink_name.c_str(), &attributes, flags,
                                   nullptr, nullptr) < 0)
        throw Error(ErrorKind::device, description, "the sound server refused the stream");
    while (true) {
        const pa_stream_state_t state = pa_stream_get_state(s);
        if (state == PA_STREAM_READY)
            break;
        if (!PA_STREAM_IS_GOOD(state))
            throw Error(sink_name.empty() ? ErrorKind::device : ErrorKind::invalid_argument, description,
                        "the sound server could not open a stream there");
        pa_threaded_mainloop_wait(loop());
    }
    pa_stream_set_state_callback(s, [](pa_stream* st, void* self) {
        auto& impl = *static_cast<Impl*>(self);
        if (pa_stream_get_state(st) == PA_STREAM_FAILED)  // not TERMINATED: that is our own stop()
            impl.lost();
        signal_loop(impl.loop());
    }, this);
    if (const char* device = pa_stream_get_device_name(s))
        description = std::string("pulse: ") + device;
}

// The server wants `bytes`: copy what the player has, never silence in its place.
void PulseSink::Impl::write_available(std::size_t bytes)
{
    if (!source || flushing) {
        // start() writes once there is a source, flush() once the server has flushed: audio
        // written while a flush is on its way would be dropped by it, unheard, and lost.
        starved = true;
        return;
    }
    bytes = copy_from_source(bytes);
    if (bytes >= frame_bytes()) {
        // Short of audio: say so, then look once more. A producer that added audio before
        // the flag was up is found by this look; one that adds it after sees the flag in
        // wake() and calls back. Setting the flag only after the look lost that wake-up
        // (the decode thread could fill the whole ring in between, then wait for room that
        // no one would make: playback stopped for good after a seek, under load).
        starved = true;
        std::atomic_thread_fence(std::memory_order_seq_cst);  // pairs with the one in wake()
        bytes = copy_from_source(bytes);
    }
    starved = bytes >= frame_bytes();
    if (source->exhausted() && !draining)
        begin_drain();
    else
        restart_when_refilled();
}

// Starts a refilled stream at once (see `refilling`).
void PulseSink::Impl::restart_when_refilled()
{
    if (!refilling || corked || refilled_bytes < bytes_for(buffering.request_seconds, spec))
        return;
    refilling = false;
    restarted = std::chrono::steady_clock::now();
    if (pa_operation* trigger = pa_stream_trigger(stream.get(), nullptr, nullptr))
        pa_operation_unref(trigger);
}

// Copies up to `bytes` from the source into the stream; returns how many it could not.
std::size_t PulseSink::Impl::copy_from_source(std::size_t bytes)
{
    const std::size_t frame = frame_bytes();
    while (bytes >= frame) {
        void* data = nullptr;
        std::size_t size = bytes;
        if (pa_stream_begin_write(stream.get(), &data, &size) < 0 || !data)
            break;
        size = std::min(size, bytes) / frame * frame;
        const std::size_t frames = source->render(std::span(static_cast<float*>(data), size / sizeof(float)));
        if (frames == 0) {
            pa_stream_cancel_write(stream.get());
            break;
        }
        pa_stream_write(stream.get(), data, frames * frame, nullptr, 0, PA_SEEK_RELATIVE);
        bytes -= frames * frame;
        refilled_bytes += frames * frame;
        if (frames * frame < size)
            break;
    }
    return bytes;
}

// The last audio is written: let the server play it out (and start it, if it was too
// short to reach the start threshold), and say so when it has.
void PulseSink::Impl::begin_drain()
{
    draining = true;
    is_drained = false;
    if (refilling) {  // the trigger below starts it
        refilling = false;
        restarted = std::chrono::steady_clock::now();
    }
    if (pa_operation* trigger = pa_stream_trigger(stream.get(), nullptr, nullptr))
        pa_operation_unref(trigger);
    // A flush answers a drain in flight before its own reply (the server keeps the order),
    // and flush() clears `draining` after that reply: a drain it cancelled reports nothing.
    pa_operation* drain = pa_stream_drain(stream.get(), [](pa_stream*, int, void* self) {
        Impl& impl = *static_cast<Impl*>(self);
        if (impl.draining) {
            impl.is_drained = true;
            if (impl.source)
                impl.source->sink_changed();
        }
        signal_loop(impl.loop());
    }, this);
    if (drain)
        pa_operation_unref(drain);
}

bool PulseSink::Impl::cork(bool on)
{
    if (corked == on)
        return true;
    corked = on;
    return connection.wait(pa_stream_cork(stream.get(), on ? 1 : 0, [](pa_stream*, int, void* self) {
        signal_loop(static_cast<Impl*>(self)->loop());
    }, this));
}

// The server went away or dropped the stream (mainloop thread).
void PulseSink::Impl::lost() noexcept
{
    if (failed.exchange(true))
        return;
    if (source)
        source->sink_changed();
}

// ---- AudioSink ---------------------------------------------------------------------------

std::unique_ptr<PulseSink> PulseSink::connect(std::string sink, PulseBuffering buffering)
{
    auto connection = Connection::open();
    if (!connection)
        return nullptr;
    auto impl = std::make_unique<Impl>();
    impl->connection = std::move(*connection);
    impl->sink_name = std::move(sink);
    impl->buffering = buffering;
    if (!impl->sink_name.empty())
        impl->description = "pulse: " + impl->sink_name;
    return std::unique_ptr<PulseSink>(new PulseSink(std::move(impl)));
}

PulseSink::PulseSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PulseSink::~PulseSink()
{
    if (impl_->stream) {
        MainloopLock lock(impl_->loop());
        impl_->stream.reset();
    }
    // The context and the loop go in that order (Connection's members).
}

StreamFormat PulseSink::open(StreamFormat wanted)
{
    impl_->connect_stream(wanted);
    return {static_cast<int>(impl_->spec.rate), impl_->spec.channels};
}

void PulseSink::start(AudioSource& source)
{
    MainloopLock lock(impl_->loop());
    impl_->source = &source;
    impl_->write_available(pa_stream_writable_size(impl_->stream.get()));
    if (!impl_->paused)
        impl_->cork(false);
}

void PulseSink::stop()
{
    if (!impl_->stream)
        return;
    {
        MainloopLock lock(impl_->loop());
        if (!impl_->failed && !impl_->corked && impl_->source) {
            if (!impl_->draining)
                impl_->begin_drain();
            while (!impl_->is_drained && !impl_->failed && impl_->draining)
                pa_threaded_mainloop_wait(impl_->loop());
        }
        impl_->source = nullptr;
        impl_->stream.reset();
    }
    check();
}

void PulseSink::check() const
{
    if (impl_->failed)
        throw Error(ErrorKind::device, "audio output", "the sound server went away");
}

bool PulseSink::pause(bool paused)
{
    MainloopLock lock(impl_->loop());
    impl_->paused = paused;
    if (impl_->stream && impl_->source && !impl_->failed) {
        impl_->cork(paused);
        impl_->restart_when_refilled();
    }
    return true;
}

bool PulseSink::flush()
{
    MainloopLock lock(impl_->loop());
    if (!impl_->stream || impl_->failed)
        return true;
    Impl& impl = *impl_;
    const bool was_corked = impl.corked;
    impl.flushing = true;
    impl.cork(true);  // "pa_stream_flush() works badly if not corked" (mpv's ao_pulse)
    impl.connection.wait(pa_stream_flush(impl.stream.get(), [](pa_stream*, int, void* self) {
        signal_loop(static_cast<Impl*>(self)->loop());
    }, &impl));
    // Fresh timing, so delay() drops at once to what the server still holds: nothing.
    impl.connection.wait(pa_stream_update_timing_info(impl.stream.get(), [](pa_stream*, int, void* self) {
        signal_loop(static_cast<Impl*>(self)->loop());
    }, &impl));
    impl.draining = false;
    impl.is_drained = false;
    impl.flushing = false;
    impl.refilling = true;
    impl.restarted.reset();
    impl.refilled_bytes = 0;
    if (impl.source)  // what the server asked for meanwhile
        impl.write_available(pa_stream_writable_size(impl.stream.get()));
    if (!was_corked && !impl.paused && impl.source) {
        impl.cork(false);
        impl.restart_when_refilled();
    }
    return true;
}

bool PulseSink::set_volume(double gain)
{
    MainloopLock lock(impl_->loop());
    if (!impl_->stream || impl_->failed)
        return true;
    pa_cvolume volume;
    pa_cvolume_set(&volume, impl_->spec.channels, pa_sw_volume_from_linear(gain));
    if (pa_operation* operation = pa_context_set_sink_input_volume(
            impl_->context(), pa_stream_get_index(impl_->stream.get()), &volume, nullptr, nullptr))
        pa_operation_unref(operation);
    return true;
}

double PulseSink::delay() const
{
    MainloopLock lock(impl_->loop());
    if (!impl_->stream || impl_->failed)
        return 0;
    const double refilled = static_cast<double>(impl_->refilled_bytes) / pa_bytes_per_second(&impl_->spec);
    if (impl_->refilling)  // nothing played since the flush
        return refilled;
    pa_usec_t latency = 0;
    int negative = 0;
    if (pa_stream_get_latency(impl_->stream.get(), &latency, &negative) == 0)
        impl_->last_latency = negative ? 0 : latency;
    const double reported = static_cast<double>(impl_->last_latency) / 1e6;
    if (!impl_->restarted)
        return reported;
    // Since the refill started the server has played at most the time gone by (less, if it
    // was paused or ran short): what it holds is never less than what was written beyond that.
    const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - *impl_->restarted).count();
    return std::max(reported, refilled - since);
}

bool PulseSink::drained() const { return impl_->is_drained || impl_->failed; }

void PulseSink::wake()
{
    std::atomic_thread_fence(std::memory_order_seq_cst);  // the audio written before is seen; see write_available()
    if (!impl_->starved.load())
        return;
    MainloopLock lock(impl_->loop());
    if (impl_->stream && impl_->source && !impl_->failed)
        impl_->write_available(pa_stream_writable_size(impl_->stream.get()));
}

std::uint64_t PulseSink::device_underruns() const { return impl_->underflows.load(); }

std::string PulseSink::description() const { return impl_->description; }

// ---- listing -----------------------------------------------------------------------------

std::vector<OutputDevice> list_pulse_sinks()
{
    auto connection = Connection::open();
    if (!connection)
        return {};
    struct Listing {
        pa_threaded_mainloop* loop;
        std::string default_sink;
        std::vector<OutputDevice> devices;
    } listing{connection->loop.get(), {}, {}};

    MainloopLock lock(listing.loop);
    connection->wait(pa_context_get_server_info(connection->context.get(), [](pa_context*, const pa_server_info* info, void* data) {
        auto& found = *static_cast<Listing*>(data);
        if (info && info->default_sink_name)
            found.default_sink = info->default_sink_name;
        signal_loop(found.loop);
    }, &listing));
    connection->wait(pa_context_get_sink_info_list(connection->context.get(), [](pa_context*, const pa_sink_info* info, int eol, void* data) {
        auto& found = *static_cast<Listing*>(data);
        if (eol == 0 && info) {
            OutputDevice device;
            device.api = "pulse";
            device.api_id = info->index;
            device.name = info->name;
            device.description = info->description ? info->description : "";
            device.is_default = device.name == found.default_sink;
            device.channels = info->sample_spec.channels;
            device.sample_rates = {info->sample_spec.rate};  // the server resamples any other rate
            device.preferred_rate = info->sample_spec.rate;
            found.devices.push_back(std::move(device));
        }
        signal_loop(found.loop);
    }, &listing));
    std::stable_partition(listing.devices.begin(), listing.devices.end(),
                          [](const OutputDevice& device) { return device.is_default; });
    return listing.devices;
}

}  // namespace tonearm
