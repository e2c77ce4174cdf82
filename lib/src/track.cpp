#include "tonearm/track.hpp"

#include "utf8_text.hpp"

namespace tonearm {

std::string display_title(const Track& track, const std::optional<AudioInfo>& info)
{
    const auto joined = [](const std::string& title, const std::string& performer) {
        return performer.empty() ? title : title + " - " + performer;
    };
    if (!track.title.empty())
        return utf8_or_latin1(joined(track.title, track.performer));
    if (info) {
        const auto title = info->tags.find("title");
        const auto artist = info->tags.find("artist");
        if (title != info->tags.end() && !title->second.empty())
            return utf8_or_latin1(joined(title->second, artist == info->tags.end() ? "" : artist->second));
    }
    return printable_path(track.path.filename());
}

std::string printable_path(const std::filesystem::path& path) { return escape_non_utf8(path.native()); }

}  // namespace tonearm
