#pragma once

#include "pulse_server.hpp"

#include <string>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace tonearm::test {

// Records a PulseServer's monitor in this process, from the moment it is constructed, and
// knows when each frame was heard:
// the null sink plays on the system clock, so every recorded frame maps to a moment of
// std::chrono::steady_clock. That is what "heard 12 ms after the key" is measured against.
//
// After each short read the stream's latency says how long ago the next frame to read was
// played; the offsets this gives (clock time minus frames / rate) are the same up to
// scheduling noise, and their median pins the mapping.
//
// It also plays a silent low-latency stream meanwhile, as a desktop's other clients would:
// an idle null sink stops rendering (and its monitor stops delivering), then catches up
// with a rewind when a stream arrives — a quirk of the null sink that would decide what the
// recording shows of a player's first second. A running sink starts every player alike.
class Recorder {
public:
    using Clock = std::chrono::steady_clock;

    explicit Recorder(const PulseServer& server);
    // `server`: a PULSE_SERVER address; its null sink "capture" runs at `sample_rate`.
    Recorder(const std::string& server, int sample_rate);
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    // Interleaved stereo samples of everything heard until the call.
    std::vector<float> samples() const;
    // What has been recorded, without waiting for the recording to catch up.
    std::vector<float> samples_so_far() const;
    // When frame `frame` was heard.
    Clock::time_point time_of(std::size_t frame) const;
    // The first frame heard at or after `moment`.
    std::size_t frame_at(Clock::time_point moment) const;
    int sample_rate() const { return rate_; }
    // Waits until `frames` frames have been recorded (or the timeout).
    bool wait_for_frames(std::size_t frames, std::chrono::milliseconds timeout) const;

private:
    void run(std::string server);
    void keep_running(std::string server);
    Clock::duration offset() const;

    int rate_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> ready_{false};  // recording at the pace of the sink
    mutable std::mutex mutex_;
    std::vector<float> samples_;
    std::vector<Clock::duration> offsets_;  // clock time of frame 0, estimated after each read
    std::optional<std::string> failure_;
    std::thread thread_;
    std::thread keeper_;
};

}  // namespace tonearm::test
