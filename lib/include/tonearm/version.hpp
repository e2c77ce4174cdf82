#pragma once

#include <string_view>

namespace tonearm {

// The library's version: the CMake project's ("0.1.0").
std::string_view version() noexcept;

}  // namespace tonearm
