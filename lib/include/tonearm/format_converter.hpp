#pragma once

#include "tonearm/audio_sink.hpp"

#include <memory>
#include <span>
#include <vector>

struct soxr;  // libsoxr's resampler

namespace tonearm {

// Converts interleaved float audio from one StreamFormat to another: channel count first
// (mono is copied to every channel; more channels fold down by averaging into mono, or keep
// their first N), then the sample rate with libsoxr.
//
// Why soxr: it is the resampler of SoX and an option of ffmpeg/mpv, linear phase, and at its
// HQ setting (20-bit precision, passband to 91 % of Nyquist) its noise and aliasing sit near
// -120 dB, below any 16-bit source, at a small fraction of one core. Pulse resamples for us
// when the rate is one RtAudio offers it; soxr covers the rest (e.g. 88.2 kHz on a 48 kHz
// device, ALSA hardware with one fixed rate, and a playlist whose rates change mid-stream).
class FormatConverter {
public:
    FormatConverter(StreamFormat from, StreamFormat to);
    FormatConverter(FormatConverter&&) noexcept;
    FormatConverter& operator=(FormatConverter&&) noexcept;
    ~FormatConverter();

    bool passthrough() const noexcept { return from_ == to_; }

    // Converts whole frames of `from`. The result stays valid until the next call.
    std::span<const float> process(std::span<const float> input);
    // Input has ended: returns what the resampler still holds.
    std::span<const float> flush();
    // Forgets buffered input (after a seek).
    void reset();

private:
    struct SoxrDeleter {
        void operator()(::soxr* resampler) const noexcept;
    };

    std::span<const float> remix(std::span<const float> input);
    std::span<const float> resample(const float* input, std::size_t frames);

    StreamFormat from_;
    StreamFormat to_;
    std::unique_ptr<::soxr, SoxrDeleter> resampler_;
    std::vector<float> remixed_;
    std::vector<float> resampled_;
};

}  // namespace tonearm
