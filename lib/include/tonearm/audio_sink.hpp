#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace tonearm {

struct StreamFormat {
    int sample_rate = 0;
    int channels = 0;
    friend bool operator==(const StreamFormat&, const StreamFormat&) = default;
};

// What a sink pulls audio from (the Player). render() runs on the output's own thread,
// often a real-time one: implementations never allocate, lock, log, throw or block in it.
class AudioSource {
public:
    // Fills all of `out` (interleaved, whole frames) and returns how many frames at its
    // start are stream audio; the rest is silence (paused, not decoded yet, or the end).
    virtual std::size_t render(std::span<float> out) noexcept = 0;
    // True once every frame of the stream has been rendered: nothing more will come.
    virtual bool exhausted() const noexcept = 0;
    // Blocks until render() has audio to give or exhausted() is true. Only for sinks that
    // may wait (a file writer); never on a real-time thread.
    virtual void wait_for_audio() noexcept = 0;
    // The sink's own state changed (it drained or failed); called from the sink's threads.
    virtual void sink_changed() noexcept = 0;

protected:
    ~AudioSource() = default;
};

// Where audio goes: a sound server, a device, a file, or nowhere at a chosen pace. Like
// mpv's ao drivers: each sink is one small class in its own file; buffering, timing and the
// playlist live in the player. A sink does natively what it can (pause, flush, volume)
// and says so; the player does the rest in software.
class AudioSink {
public:
    virtual ~AudioSink() = default;

    // Prepares the output; returns the format it will pull, which may differ from `wanted`
    // (a device that lacks the rate or the channels). Throws Error.
    virtual StreamFormat open(StreamFormat wanted) = 0;
    // Starts pulling from `source`, which must stay alive until stop() returns.
    virtual void start(AudioSource& source) = 0;
    // Lets what was pulled reach its destination (played, written), then stops pulling.
    // Throws Error if the output failed.
    virtual void stop() = 0;
    // Throws Error if the output has failed since start(); cheap.
    virtual void check() const {}

    // Native controls: each returns false when the sink cannot, and the player does it itself.
    virtual bool pause(bool /*paused*/) { return false; }  // stop and resume pulling, at once
    virtual bool flush() { return false; }                 // drop what was pulled, unheard
    virtual bool set_volume(double /*gain*/) { return false; }

    // Seconds of audio pulled but not heard yet: what lies between render() and the ear.
    virtual double delay() const { return 0; }
    // Everything pulled has been heard (a sink that buffers nothing is always drained).
    virtual bool drained() const { return true; }
    // The source has more audio (or reached its end). A sink that stopped asking because
    // render() came up short asks again. Called by the player, never from the callback.
    virtual void wake() {}

    // A clocked sink pulls at the audio clock and plays silence when render() comes up
    // short: an underrun a listener hears. Others wait for audio instead.
    virtual bool clocked() const = 0;
    // Underruns the output itself reported (e.g. the sound server ran dry).
    virtual std::uint64_t device_underruns() const { return 0; }
    virtual std::string description() const = 0;
};

}  // namespace tonearm
