#pragma once
// Interleaved frames → planar channels (what a Web Audio AudioBuffer takes): channel c of frame
// i goes to planar[c * frames + i]. The page's module makes every block planar with it, and the
// benchmark's native twin of that loop does the same work.
#include <cstddef>
#include <span>

namespace tonearm {

inline void deinterleave(std::span<const float> interleaved, std::size_t channels, std::span<float> planar)
{
    const std::size_t frames = channels ? interleaved.size() / channels : 0;
    const float* in = interleaved.data();
    float* out = planar.data();
    if (channels == 2) {  // most music: one pass over the block instead of one per channel
        float* left = out;
        float* right = out + frames;
        for (std::size_t i = 0; i < frames; ++i) {
            left[i] = in[2 * i];
            right[i] = in[2 * i + 1];
        }
        return;
    }
    for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < frames; ++i)
            out[c * frames + i] = in[i * channels + c];
}

}  // namespace tonearm
