#pragma once

#include "tonearm/audio_sink.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

class RtAudio;

namespace tonearm {

struct OutputDevice {
    std::size_t index = 0;  // position in list_output_devices(), what --device takes
    std::string api;        // "pulse", "alsa", "jack", "core", "wasapi", ...
    unsigned api_id = 0;    // RtAudio's device id within that api
    std::string name;
    bool is_default = false;
    unsigned channels = 0;
    std::vector<unsigned> sample_rates;
    unsigned preferred_rate = 0;
};

// Every output RtAudio can see, sound servers first (PulseAudio, then ALSA, then JACK when a
// JACK server appears to run; CoreAudio/WASAPI where RtAudio was built with them).
std::vector<OutputDevice> list_output_devices();

// Plays through the sound server or device with RtAudio. RtAudio's callback thread calls
// the source's render() directly: nothing here allocates, locks or logs on that thread.
class DeviceSink final : public AudioSink {
public:
    // `selector`: empty for the default output; an index from list_output_devices(); an api
    // name ("pulse", "alsa", "jack"); or part of a device name (case-insensitive).
    // `latency_seconds`: the output's buffer, which pause and seek also wait for. Measured
    // through PulseAudio with both cores of a 2-core VM busy (a 3 s tone, the sink's monitor
    // recorded, gaps counted): 150 ms in 2 periods glitched in ~60 % of runs, 200 ms in 8
    // periods in 3/8, 300 ms in 6 periods in 2/16 — and none in 16 runs once the feeding
    // thread ran SCHED_RR (which it asks for). paplay glitched in none: it buffers 2 s.
    explicit DeviceSink(std::string selector = {}, double latency_seconds = 0.25);
    ~DeviceSink() override;

    // Tries the candidate outputs in order. Throws Error(no_device) when none opens and
    // Error(invalid_argument) when the selector matches no device.
    StreamFormat open(StreamFormat wanted) override;
    void start(AudioSource& source) override;
    void stop() override;
    bool realtime() const override { return true; }
    std::uint64_t device_underruns() const override { return device_underruns_.load(); }
    std::string description() const override { return description_; }

private:
    static int callback(void* output, void* input, unsigned frames, double time,
                        unsigned status, void* self) noexcept;
    bool try_open(const OutputDevice& device, StreamFormat wanted, std::string& failure);

    std::string selector_;
    double latency_seconds_;
    std::unique_ptr<RtAudio> audio_;
    StreamFormat format_;
    std::string description_ = "audio device";
    AudioSource* source_ = nullptr;
    std::atomic<std::uint64_t> device_underruns_{0};
};

}  // namespace tonearm
