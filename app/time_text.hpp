#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tonearm::cli {

// For --help and the man page: the forms parse_time accepts.
inline constexpr const char* time_syntax_help =
    "TIME is seconds (90, 90.5), [h:]m:s (1:30, 1:02:03.5), or a number with a unit\n"
    "(1500ms, 2.5s).";

// Accepts what mpv and ffmpeg users type: "90", "90.5", "1:30", "1:02:03.25", "1500ms", "2.5s".
std::optional<double> parse_time(std::string_view text);

// "3:07.250" or "1:02:03.250" (millis optional); negative or non-finite shows as "--:--".
std::string format_time(double seconds, bool millis = false);

}  // namespace tonearm::cli
