#include "time_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace tonearm::cli {
namespace {

std::optional<double> parse_number(std::string_view text)
{
    if (text.empty() || text.front() == '-' || text.front() == '+')
        return std::nullopt;
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

}  // namespace

std::optional<double> parse_time(std::string_view text)
{
    if (text.ends_with("ms")) {
        auto value = parse_number(text.substr(0, text.size() - 2));
        return value ? std::optional(*value / 1000) : std::nullopt;
    }
    if (text.ends_with('s'))
        return parse_number(text.substr(0, text.size() - 1));

    double total = 0;
    int fields = 0;
    for (;;) {
        const auto colon = text.find(':');
        const auto field = parse_number(text.substr(0, colon));
        if (!field || ++fields > 3)
            return std::nullopt;
        if (colon == std::string_view::npos)
            return total * 60 + *field;
        if (*field != std::floor(*field))
            return std::nullopt;  // only the seconds may have a fraction
        total = total * 60 + *field;
        text.remove_prefix(colon + 1);
    }
}

std::string format_time(double seconds, bool millis)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "--:--";
    const auto total_ms = static_cast<long long>(std::llround(seconds * 1000));
    const long long ms = total_ms % 1000;
    const long long s = total_ms / 1000 % 60;
    const long long m = total_ms / 60000 % 60;
    const long long h = total_ms / 3600000;
    char text[48];
    if (h > 0)
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", h, m, s);
    else
        std::snprintf(text, sizeof text, "%lld:%02lld", m, s);
    std::string result = text;
    if (millis) {
        std::snprintf(text, sizeof text, ".%03lld", ms);
        result += text;
    }
    return result;
}

}  // namespace tonearm::cli
