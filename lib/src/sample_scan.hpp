#pragma once

// The per-sample loops of `check`: peak, samples at full scale, non-finite samples. Built for
// AVX2 as well as the baseline, picked at run time. Internal to the library.

#include <cstddef>
#include <cstdint>

namespace tonearm::detail {

// Peak (as |v|) and the samples at or beyond `full_scale`, over one block of integers; `max_abs`
// carries the peak from block to block.
void scan_integer(const std::int32_t* samples, std::size_t count, std::uint32_t full_scale, std::uint32_t& max_abs,
                  std::uint32_t& clipped) noexcept;

// The same for floats (clipped: |x| >= 1), which may also be NaN or infinite.
void scan_float(const float* samples, std::size_t count, float& max_abs, std::uint32_t& clipped,
                std::uint32_t& non_finite) noexcept;

}  // namespace tonearm::detail
