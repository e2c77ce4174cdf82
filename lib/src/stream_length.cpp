#include "tonearm/stream_length.hpp"

#include <cstdio>

namespace tonearm {

std::optional<std::int64_t> StreamLength::expected(std::optional<std::int64_t> decoder_frames) const noexcept
{
    if (declared)
        return declared;
    if (decoder_length_is_estimate)
        return std::nullopt;
    return decoder_frames;
}

std::optional<std::string> shortfall(const StreamLength& length, std::int64_t decoded,
                                     std::optional<std::int64_t> decoder_frames)
{
    const auto expected = length.expected(decoder_frames);
    const bool short_of_declared = expected && decoded < *expected;
    if (!length.shows_cut() && !short_of_declared)
        return std::nullopt;
    std::string text = length.shows_cut() ? *length.cut + ": " : "the stream ends early: ";
    if (expected && *expected > 0) {
        char percent[16];
        std::snprintf(percent, sizeof percent, "%.0f", 100.0 * static_cast<double>(decoded) / static_cast<double>(*expected));
        text += std::to_string(decoded) + " of " + std::to_string(*expected) + " frames decoded (" + percent + " %)";
    } else {
        text += std::to_string(decoded) + (decoded == 1 ? " frame" : " frames") + " decoded";
    }
    return text;
}

}  // namespace tonearm
