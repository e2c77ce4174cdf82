#include "tonearm/resume_point.hpp"

#include "text.hpp"
#include "tonearm/atomic_file.hpp"
#include "tonearm/playlist_file.hpp"
#include "tonearm/track.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace tonearm {
namespace {

constexpr std::string_view header = "tonearm resume 1";
constexpr std::string_view extension = ".resume";

std::string escape(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else
            out += c;
    }
    return out;
}

std::string unescape(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        if (++i == text.size())
            throw Error(ErrorKind::malformed, "resume point", "a line ends in a lone backslash");
        switch (text[i]) {
        case '\\': out += '\\'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        default: throw Error(ErrorKind::malformed, "resume point", "an unknown escape");
        }
    }
    return out;
}

template <typename Integer>
Integer integer(std::string_view text, std::string_view what)
{
    Integer value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        throw Error(ErrorKind::malformed, "resume point", "its " + std::string(what) + " is not a number");
    return value;
}

double seconds(std::string_view text)
{
    const std::string copy(text);
    char* end = nullptr;
    const double value = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size() || !(value >= 0) || value > 1e9)
        throw Error(ErrorKind::malformed, "resume point", "its position is not a time");
    return value;
}

// FNV-1a 64 of the arguments, each ended by a NUL (no two lists collide by concatenation).
std::string key(std::span<const std::string> arguments)
{
    std::uint64_t hash = 0xcbf29ce484222325u;
    const auto mix = [&](unsigned char byte) {
        hash ^= byte;
        hash *= 0x100000001b3u;
    };
    for (const std::string& argument : arguments) {
        for (const char c : argument)
            mix(static_cast<unsigned char>(c));
        mix(0);
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::unreadable, printable_path(path), std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::vector<std::string> absolute_arguments(std::span<const std::string> arguments)
{
    std::vector<std::string> out;
    for (const std::string& argument : arguments) {
        if (is_url(argument)) {
            out.push_back(argument);
            continue;
        }
        std::error_code ec;
        const auto absolute = std::filesystem::absolute(argument, ec);
        out.push_back(ec ? argument : absolute.lexically_normal().native());
    }
    return out;
}

std::string format_resume_point(const ResumePoint& point)
{
    std::string text(header);
    text += '\n';
    for (const std::string& argument : point.arguments)
        text += "argument " + escape(argument) + "\n";
    if (point.shuffle_seed)
        text += "shuffle " + std::to_string(*point.shuffle_seed) + "\n";
    text += "track " + std::to_string(point.track) + "\n";
    text += "path " + escape(point.track_path) + "\n";
    text += "first_frame " + std::to_string(point.track_first_frame) + "\n";
    char position[64];
    std::snprintf(position, sizeof position, "%.6f", point.position);
    text += "position " + std::string(position) + "\n";
    text += "end\n";  // a file cut short is told from a complete one
    return text;
}

ResumePoint parse_resume_point(std::string_view text)
{
    const auto lines = split_lines(text);
    if (lines.empty() || lines.front() != header)
        throw Error(ErrorKind::malformed, "resume point", "not a tonearm resume point");
    ResumePoint point;
    bool track = false, path = false, position = false, end = false;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        if (end)
            throw Error(ErrorKind::malformed, "resume point", "text after its end");
        const auto space = line.find(' ');
        const std::string_view name = line.substr(0, space);
        const std::string_view value = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
        if (name == "argument")
            point.arguments.push_back(unescape(value));
        else if (name == "shuffle")
            point.shuffle_seed = integer<std::uint64_t>(value, "shuffle seed");
        else if (name == "track")
            point.track = integer<std::size_t>(value, "track"), track = true;
        else if (name == "path")
            point.track_path = unescape(value), path = true;
        else if (name == "first_frame")
            point.track_first_frame = integer<std::int64_t>(value, "first frame");
        else if (name == "position")
            point.position = seconds(value), position = true;
        else if (name == "end")
            end = true;
        else
            throw Error(ErrorKind::malformed, "resume point", "an unknown line");
    }
    if (point.arguments.empty() || !track || !path || !position || !end)
        throw Error(ErrorKind::malformed, "resume point", "incomplete (cut short?)");
    return point;
}

std::filesystem::path ResumeStore::file_for(std::span<const std::string> arguments) const
{
    return directory_ / ("playlist-" + key(arguments) + std::string(extension));
}

void ResumeStore::save(const ResumePoint& point) const
{
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    if (ec)
        throw Error(ErrorKind::write_failed, printable_path(directory_), ec.message());
    AtomicFile file(file_for(point.arguments));
    const std::string text = format_resume_point(point);
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(file.fd(), text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw Error(ErrorKind::write_failed, printable_path(file.destination()), std::strerror(errno));
        written += static_cast<std::size_t>(n);
    }
    file.commit();
}

void ResumeStore::forget(std::span<const std::string> arguments) const
{
    std::error_code ec;
    std::filesystem::remove(file_for(arguments), ec);
}

std::optional<ResumePoint> ResumeStore::load(std::span<const std::string> arguments) const
{
    const auto path = file_for(arguments);
    if (::access(path.c_str(), F_OK) != 0)
        return std::nullopt;
    try {
        ResumePoint point = parse_resume_point(read_file(path));
        if (!std::equal(point.arguments.begin(), point.arguments.end(), arguments.begin(), arguments.end()))
            throw Error(ErrorKind::malformed, "resume point", "kept for other arguments");
        return point;
    } catch (const Error& e) {
        throw Error(ErrorKind::malformed, printable_path(path), e.cause());
    }
}

std::optional<ResumePoint> ResumeStore::latest(std::vector<Error>& damaged) const
{
    std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> files;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(directory_, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (it->path().extension() != extension)
            continue;
        std::error_code time_error;
        const auto time = it->last_write_time(time_error);
        if (!time_error)
            files.emplace_back(time, it->path());
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [time, path] : files) {
        try {
            return parse_resume_point(read_file(path));
        } catch (const Error& e) {
            damaged.emplace_back(ErrorKind::malformed, printable_path(path), e.cause());
        }
    }
    return std::nullopt;
}

}  // namespace tonearm
