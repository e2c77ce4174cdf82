#pragma once

#include <string_view>

namespace tonearm {

// The order people expect of file names: runs of digits compare as numbers ("2 - x" before
// "10 - x"), letters without regard to ASCII case. Names equal that way ("01" and "1", "A"
// and "a") fall back to their bytes, so the order is total and the same on every machine
// (no locale).
bool natural_less(std::string_view a, std::string_view b) noexcept;

}  // namespace tonearm
