#include "tonearm/replay_gain.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace tonearm {
namespace {

constexpr double max_gain_db = 60;
constexpr double r128_to_replay_gain_db = 5;  // -23 LUFS (EBU R128) vs ReplayGain's -18 LUFS

std::optional<std::string> find_tag(const std::map<std::string, std::string>& tags, std::string_view key)
{
    for (const auto& [name, value] : tags)
        if (name.size() == key.size() &&
            std::equal(name.begin(), name.end(), key.begin(),
                       [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); }))
            return value;
    return std::nullopt;
}

// The number a tag value starts with ("-6.54 dB", "+3.1dB", " 0.98"); empty if there is none.
std::optional<double> leading_number(const std::string& text)
{
    const char* begin = text.c_str();
    char* end = nullptr;
    const double value = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::optional<double> gain_tag(const std::map<std::string, std::string>& tags, std::string_view key)
{
    const auto text = find_tag(tags, key);
    const auto gain = text ? leading_number(*text) : std::nullopt;
    return gain && std::abs(*gain) <= max_gain_db ? gain : std::nullopt;
}

std::optional<double> peak_tag(const std::map<std::string, std::string>& tags, std::string_view key)
{
    const auto text = find_tag(tags, key);
    const auto peak = text ? leading_number(*text) : std::nullopt;
    return peak && *peak > 0 ? peak : std::nullopt;
}

std::optional<double> r128_tag(const std::map<std::string, std::string>& tags, std::string_view key)
{
    const auto text = find_tag(tags, key);
    const auto q78 = text ? leading_number(*text) : std::nullopt;
    if (!q78 || *q78 != std::trunc(*q78))
        return std::nullopt;  // RFC 7845: an integer
    const double gain = *q78 / 256 + r128_to_replay_gain_db;
    return std::abs(gain) <= max_gain_db ? std::optional(gain) : std::nullopt;
}

}  // namespace

ReplayGainInfo replay_gain_from_tags(const std::map<std::string, std::string>& tags)
{
    ReplayGainInfo info;
    info.track_gain_db = gain_tag(tags, "replaygain_track_gain");
    info.track_peak = peak_tag(tags, "replaygain_track_peak");
    info.album_gain_db = gain_tag(tags, "replaygain_album_gain");
    info.album_peak = peak_tag(tags, "replaygain_album_peak");
    if (!info.track_gain_db)
        info.track_gain_db = r128_tag(tags, "r128_track_gain");
    if (!info.album_gain_db)
        info.album_gain_db = r128_tag(tags, "r128_album_gain");
    return info;
}

double replay_gain_factor(const ReplayGainInfo& info, ReplayGainMode mode)
{
    if (mode == ReplayGainMode::off)
        return 1.0;
    const bool album = mode == ReplayGainMode::album ? info.album_gain_db.has_value() : !info.track_gain_db;
    const auto gain_db = album ? info.album_gain_db : info.track_gain_db;
    if (!gain_db)
        return 1.0;
    const double peak = (album ? info.album_peak : info.track_peak).value_or(1.0);
    return std::min(std::pow(10.0, *gain_db / 20), 1.0 / peak);
}

}  // namespace tonearm
