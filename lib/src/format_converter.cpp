#include "tonearm/format_converter.hpp"

#include "tonearm/error.hpp"

#include <soxr.h>

#include <algorithm>
#include <cmath>

namespace tonearm {

void FormatConverter::SoxrDeleter::operator()(soxr* resampler) const noexcept
{
    soxr_delete(resampler);
}

FormatConverter::FormatConverter(StreamFormat from, StreamFormat to) : from_(from), to_(to)
{
    if (from.sample_rate == to.sample_rate)
        return;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    soxr_error_t error = nullptr;
    resampler_.reset(soxr_create(from.sample_rate, to.sample_rate,
                                 static_cast<unsigned>(to.channels), &error, &io, &quality, nullptr));
    if (error)
        throw Error(ErrorKind::invalid_argument, "resampler", error);
}

FormatConverter::FormatConverter(FormatConverter&&) noexcept = default;
FormatConverter& FormatConverter::operator=(FormatConverter&&) noexcept = default;
FormatConverter::~FormatConverter() = default;

std::span<const float> FormatConverter::process(std::span<const float> input)
{
    if (passthrough())
        return input;
    const auto remixed = remix(input);
    if (!resampler_)
        return remixed;
    return resample(remixed.data(), remixed.size() / static_cast<std::size_t>(to_.channels));
}

std::span<const float> FormatConverter::flush()
{
    if (!resampler_)
        return {};
    return resample(nullptr, 0);
}

void FormatConverter::reset()
{
    if (resampler_)
        soxr_clear(resampler_.get());
}

std::span<const float> FormatConverter::remix(std::span<const float> input)
{
    const auto in_channels = static_cast<std::size_t>(from_.channels);
    const auto out_channels = static_cast<std::size_t>(to_.channels);
    if (in_channels == out_channels)
        return input;
    const std::size_t frames = input.size() / in_channels;
    remixed_.resize(frames * out_channels);
    for (std::size_t f = 0; f < frames; ++f) {
        const float* in = input.data() + f * in_channels;
        float* out = remixed_.data() + f * out_channels;
        if (out_channels == 1) {
            float sum = 0;
            for (std::size_t c = 0; c < in_channels; ++c)
                sum += in[c];
            out[0] = sum / static_cast<float>(in_channels);
        } else {
            for (std::size_t c = 0; c < out_channels; ++c)
                out[c] = in_channels == 1 ? in[0] : c < in_channels ? in[c] : 0.0f;
        }
    }
    return remixed_;
}

// `input == nullptr` tells soxr the input has ended, so it releases its tail.
std::span<const float> FormatConverter::resample(const float* input, std::size_t frames)
{
    const auto channels = static_cast<std::size_t>(to_.channels);
    const double ratio = static_cast<double>(to_.sample_rate) / from_.sample_rate;
    std::size_t produced = 0;
    std::size_t consumed = 0;
    for (;;) {
        const std::size_t room =
            static_cast<std::size_t>(std::ceil(static_cast<double>(frames - consumed) * ratio)) + 256;
        resampled_.resize((produced + room) * channels);
        std::size_t used = 0;
        std::size_t made = 0;
        if (const soxr_error_t error = soxr_process(
                resampler_.get(), input ? input + consumed * channels : nullptr, frames - consumed,
                &used, resampled_.data() + produced * channels, room, &made))
            throw Error(ErrorKind::malformed, "resampler", error);
        consumed += used;
        produced += made;
        // Done when all input went in and soxr had room to spare (nothing left to drain).
        if (consumed == frames && made < room)
            break;
    }
    return std::span<const float>(resampled_.data(), produced * channels);
}

}  // namespace tonearm
