#pragma once

#include "tonearm/audio_sink.hpp"
#include "tonearm/output_device.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class RtAudio;

namespace tonearm {

// What RtAudio sees of the hardware when no sound server answers: ALSA, then JACK when a
// JACK server appears to run (CoreAudio/WASAPI where RtAudio was built with them).
std::vector<OutputDevice> list_rtaudio_devices();

// Plays through a device with RtAudio. RtAudio's callback thread calls the source's
// render() directly: nothing here allocates, locks or logs on that thread. RtAudio cannot
// cork or flush, so pause and seek are heard once its buffer has played.
class RtAudioSink final : public AudioSink {
public:
    // `device`: one from list_rtaudio_devices(), or none for the first api's default.
    // `latency_seconds`: the output's buffer (see the README's benchmark notes for why 250 ms).
    explicit RtAudioSink(std::optional<OutputDevice> device = {}, double latency_seconds = 0.25);
    ~RtAudioSink() override;

    // Throws Error(no_device) when no output opens.
    StreamFormat open(StreamFormat wanted) override;
    void start(AudioSource& source) override;
    void stop() override;
    double delay() const override;
    bool clocked() const override { return true; }
    std::uint64_t device_underruns() const override { return device_underruns_.load(); }
    std::string description() const override { return description_; }

private:
    static int callback(void* output, void* input, unsigned frames, double time,
                        unsigned status, void* self) noexcept;
    bool try_open(const OutputDevice& device, StreamFormat wanted, std::string& failure);

    std::optional<OutputDevice> device_;
    double latency_seconds_;
    std::unique_ptr<RtAudio> audio_;
    StreamFormat format_;
    std::string description_ = "audio device";
    AudioSource* source_ = nullptr;
    std::atomic<std::uint64_t> device_underruns_{0};
};

}  // namespace tonearm
