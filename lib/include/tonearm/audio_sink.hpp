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

// What a sink pulls audio from (the Player). render() runs on the output's real-time
// thread: implementations never allocate, lock, log, throw or block in it.
class AudioSource {
public:
    // Fills all of `out` (interleaved, whole frames) and returns how many frames at its
    // start are stream audio; the rest is silence (paused, not decoded yet, or the end).
    virtual std::size_t render(std::span<float> out) noexcept = 0;
    // True once every frame of the stream has been rendered: nothing more will come.
    virtual bool exhausted() const noexcept = 0;

protected:
    ~AudioSource() = default;
};

// Where audio goes: a device, a file, or nowhere at a chosen pace. Like mpv's ao drivers:
// each sink is one small class in its own file; buffering and timing live in the Player.
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
    // Throws Error if the output has failed since start(); cheap, called periodically.
    virtual void check() const {}

    // A real-time sink pulls at the audio clock: running dry there is an audible underrun.
    // Other sinks (files, unpaced null) wait for audio instead.
    virtual bool realtime() const = 0;
    // Underruns the output itself reported (e.g. the sound server ran dry).
    virtual std::uint64_t device_underruns() const { return 0; }
    virtual std::string description() const = 0;
};

}  // namespace tonearm
