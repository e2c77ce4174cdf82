#include "tonearm/playlist_file.hpp"

#include "text.hpp"
#include "tonearm/error.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>

namespace tonearm {
namespace {

std::string_view trim(std::string_view text)
{
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::optional<double> parse_seconds(std::string_view text)
{
    // strtod, not from_chars: Emscripten's libc++ has no floating-point from_chars. (The
    // program never sets a locale, so the decimal point is '.'.)
    const std::string copy(trim(text));
    char* end = nullptr;
    const double value = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size() || !(value >= 0))
        return std::nullopt;  // -1 means "unknown" in both formats
    return value;
}

// "#EXTINF:123 tvg-id=\"x\",Artist - Title": the duration, attributes we ignore, the title.
void read_extinf(std::string_view info, PlaylistFileEntry& next)
{
    const auto comma = info.find(',');
    std::string_view duration = info.substr(0, comma);
    duration = duration.substr(0, duration.find_first_of(" \t"));  // attributes follow a space
    next.duration = parse_seconds(duration);
    next.title = comma == std::string_view::npos ? std::string() : std::string(trim(info.substr(comma + 1)));
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = static_cast<char>(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

}  // namespace

std::optional<PlaylistFormat> playlist_format(std::string_view file_name) noexcept
{
    const auto dot = file_name.rfind('.');
    if (dot == std::string_view::npos)
        return std::nullopt;
    std::string ext(file_name.substr(dot + 1));
    ext = lower_case(std::move(ext));
    if (ext == "m3u" || ext == "m3u8")
        return PlaylistFormat::m3u;
    if (ext == "pls")
        return PlaylistFormat::pls;
    return std::nullopt;
}

std::vector<PlaylistFileEntry> parse_m3u(std::string_view text)
{
    std::vector<PlaylistFileEntry> entries;
    PlaylistFileEntry next;
    for (const std::string_view raw : split_lines(text)) {
        const std::string_view line = trim(raw);
        if (line.empty())
            continue;
        if (line.starts_with('#')) {
            if (line.starts_with("#EXTINF:"))
                read_extinf(line.substr(8), next);
            continue;  // #EXTM3U and every other directive
        }
        next.location = std::string(line);
        entries.push_back(std::move(next));
        next = {};
    }
    return entries;
}

std::vector<PlaylistFileEntry> parse_pls(std::string_view text)
{
    std::map<long, PlaylistFileEntry> numbered;
    bool in_playlist = false, seen_section = false;
    for (const std::string_view raw : split_lines(text)) {
        const std::string_view line = trim(raw);
        if (line.empty() || line.starts_with(';') || line.starts_with('#'))
            continue;
        if (line.starts_with('[')) {
            in_playlist = lower_case(std::string(line)) == "[playlist]";
            seen_section = seen_section || in_playlist;
            continue;
        }
        const auto equals = line.find('=');
        if (!in_playlist || equals == std::string_view::npos)
            continue;
        const std::string key = lower_case(std::string(trim(line.substr(0, equals))));
        const std::string_view value = trim(line.substr(equals + 1));
        const auto digits = key.find_first_of("0123456789");
        if (digits == std::string::npos)
            continue;  // NumberOfEntries, Version: the entries themselves say it all
        long number = 0;
        const auto [end, error] = std::from_chars(key.data() + digits, key.data() + key.size(), number);
        if (error != std::errc() || end != key.data() + key.size())
            continue;
        const std::string_view name = std::string_view(key).substr(0, digits);
        if (name == "file")
            numbered[number].location = std::string(value);
        else if (name == "title")
            numbered[number].title = std::string(value);
        else if (name == "length")
            numbered[number].duration = parse_seconds(value);
    }
    if (!seen_section)
        throw Error(ErrorKind::malformed, "playlist", "not a PLS playlist (no [playlist] section)");
    std::vector<PlaylistFileEntry> entries;
    for (auto& [number, entry] : numbered)
        if (!entry.location.empty())  // a title without a file is nothing to play
            entries.push_back(std::move(entry));
    return entries;
}

std::vector<PlaylistFileEntry> parse_playlist(PlaylistFormat format, std::string_view text)
{
    return format == PlaylistFormat::pls ? parse_pls(text) : parse_m3u(text);
}

bool is_url(std::string_view location) noexcept
{
    const auto colon = location.find("://");
    if (colon == std::string_view::npos || colon == 0)
        return false;
    const auto scheme = location.substr(0, colon);
    const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    return is_alpha(scheme.front()) && std::all_of(scheme.begin(), scheme.end(), [&](char c) {
               return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
           });
}

std::optional<std::string> file_url_path(std::string_view location)
{
    const std::string scheme = lower_case(std::string(location.substr(0, 7)));
    if (scheme != "file://")
        return std::nullopt;
    std::string_view rest = location.substr(7);
    if (rest.starts_with("localhost/"))
        rest.remove_prefix(9);
    if (!rest.starts_with('/'))
        return std::nullopt;  // file://host/...: another machine's file
    std::string path;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == '%' && i + 2 < rest.size() && hex_value(rest[i + 1]) >= 0 && hex_value(rest[i + 2]) >= 0) {
            path += static_cast<char>(hex_value(rest[i + 1]) * 16 + hex_value(rest[i + 2]));
            i += 2;
        } else {
            path += rest[i];
        }
    }
    return path;
}

}  // namespace tonearm
