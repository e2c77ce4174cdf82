#include "status_text.hpp"

#include "time_text.hpp"

#include <algorithm>
#include <cmath>

namespace tonearm::cli {

std::string track_title(const std::optional<AudioInfo>& info, const std::filesystem::path& path)
{
    if (!info)
        return path.filename().string();
    const auto title = info->tags.find("title");
    const auto artist = info->tags.find("artist");
    if (title == info->tags.end())
        return path.filename().string();
    return artist == info->tags.end() ? title->second : title->second + " - " + artist->second;
}

std::string status_text(const PlayerStatus& status, const std::string& title_text, int width)
{
    std::string right = " " + format_time(status.position) + " / " + format_time(status.duration);
    const int volume = static_cast<int>(std::lround(status.volume * 100));
    std::string tail = "  vol " + std::to_string(volume) + "%" + (status.paused ? "  [paused]" : "");

    std::string title = (status.paused ? "|| " : "> ") + title_text;
    const int bar_width = std::clamp(width / 4, 0, 30);
    const int room = width - 1 - static_cast<int>(right.size() + tail.size()) - (bar_width + 3);
    if (room < 10)
        return (status.paused ? "|| " : "> ") + right.substr(1) + tail;
    if (static_cast<int>(title.size()) > room)
        title = title.substr(0, static_cast<std::size_t>(room - 3)) + "...";
    title.resize(static_cast<std::size_t>(room), ' ');

    const double fraction = status.duration > 0 ? std::clamp(status.position / status.duration, 0.0, 1.0) : 0;
    const int filled = static_cast<int>(fraction * bar_width);
    std::string bar = " [" + std::string(static_cast<std::size_t>(filled), '#') +
                      std::string(static_cast<std::size_t>(bar_width - filled), '-') + "]";
    return title + bar + right + tail;
}

}  // namespace tonearm::cli
