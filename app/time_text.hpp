#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tonearm::cli {

// Accepts what mpv and ffmpeg users type: "90", "90.5", "1:30", "1:02:03.25", "1500ms", "2.5s".
std::optional<double> parse_time(std::string_view text);

// "3:07.250" or "1:02:03.250" (millis optional); negative or non-finite shows as "--:--".
std::string format_time(double seconds, bool millis = false);

}  // namespace tonearm::cli
