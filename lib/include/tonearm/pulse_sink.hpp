#pragma once

#include "tonearm/audio_sink.hpp"
#include "tonearm/output_device.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tonearm {

// The sound server's own playback stream (PulseAudio, or PipeWire's pipewire-pulse), on
// libpulse's asynchronous API with a threaded mainloop, after mpv's ao_pulse:
//   pause  = cork (the server stops mixing the stream at once),
//   flush  = cork + flush + uncork (what the server holds is dropped, unheard),
//   volume = the stream's volume on the server (no re-rendering).
// Because controls no longer wait for the buffer, the buffer can be large: the server asks
// for audio rarely, and the process sleeps in between.
//
// The server asks for audio on the mainloop thread; the write callback copies what the
// player's ring holds. When the ring is short it writes what there is and marks itself
// starved; wake() (from the decode thread) writes the rest.
// How much the server holds for us. It starts playing (after a start, a flush or an
// underrun) only once it holds all of it: a sink that renders ahead (the server asks its
// device for target - 2 * request of latency) never runs dry on a half-filled stream.
struct PulseBuffering {
    double target_seconds = 2.0;   // what the server keeps queued (tlength = prebuf)
    double request_seconds = 0.5;  // how much it asks for at a time (minreq)
};

class PulseSink final : public AudioSink {
public:
    // Connects to the server; null when none answers. `sink`: a sink's name on the
    // server, or empty for the server's default.
    static std::unique_ptr<PulseSink> connect(std::string sink = {}, PulseBuffering buffering = {});
    ~PulseSink() override;

    StreamFormat open(StreamFormat wanted) override;
    void start(AudioSource& source) override;
    void stop() override;
    void check() const override;

    bool pause(bool paused) override;
    bool flush() override;
    bool set_volume(double gain) override;
    double delay() const override;
    bool drained() const override;
    void wake() override;

    bool clocked() const override { return false; }  // a short write waits; the server pauses on underflow
    std::uint64_t device_underruns() const override;
    std::string description() const override;

    struct Impl;

private:
    explicit PulseSink(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The server's sinks (its outputs), the default first; empty when no server answers.
std::vector<OutputDevice> list_pulse_sinks();

}  // namespace tonearm
