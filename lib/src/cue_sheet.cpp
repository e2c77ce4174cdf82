#include "tonearm/cue_sheet.hpp"

#include "text.hpp"
#include "utf8_text.hpp"

#include <charconv>
#include <cstdio>

namespace tonearm {
namespace {

constexpr std::int64_t cue_frames_per_second = 75;

[[noreturn]] void malformed(int line, const std::string& what)
{
    throw Error(ErrorKind::malformed, "cue sheet", "line " + std::to_string(line) + ": " + what);
}

// The words of a command line: bare words, or "quoted strings" (which may hold spaces).
std::vector<std::string> words(std::string_view line)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        if (i == line.size())
            break;
        if (line[i] == '"') {
            const auto close = line.find('"', i + 1);
            out.emplace_back(line.substr(i + 1, close == std::string_view::npos ? close : close - i - 1));
            i = close == std::string_view::npos ? line.size() : close + 1;
        } else {
            const auto end = line.find_first_of(" \t", i);
            out.emplace_back(line.substr(i, end == std::string_view::npos ? end : end - i));
            i = end == std::string_view::npos ? line.size() : end;
        }
    }
    return out;
}

std::optional<long> number(std::string_view text)
{
    long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0)
        return std::nullopt;
    return value;
}

// "mm:ss:ff" (minutes may exceed 99) in cue frames.
std::optional<std::int64_t> cue_time(std::string_view text)
{
    const auto first = text.find(':');
    const auto second = text.find(':', first == std::string_view::npos ? first : first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos)
        return std::nullopt;
    const auto minutes = number(text.substr(0, first));
    const auto seconds = number(text.substr(first + 1, second - first - 1));
    const auto frames = number(text.substr(second + 1));
    if (!minutes || !seconds || !frames || *seconds >= 60 || *frames >= cue_frames_per_second || *minutes > 100000)
        return std::nullopt;
    return (*minutes * 60 + *seconds) * cue_frames_per_second + *frames;
}

std::string time_text(std::int64_t frame, int sample_rate)
{
    const double seconds = static_cast<double>(frame) / sample_rate;
    const auto minutes = static_cast<long>(seconds / 60);
    char text[32];
    std::snprintf(text, sizeof text, "%ld:%06.3f", minutes, seconds - 60.0 * static_cast<double>(minutes));
    return text;
}

}  // namespace

CueSheet parse_cue_sheet(std::string_view text)
{
    CueSheet sheet;
    std::string file;
    CueSheetTrack* track = nullptr;  // the audio track being read; null in the header or a data track
    bool in_track = false;
    int line_number = 0;
    for (const std::string_view line : split_lines(text)) {
        ++line_number;
        const auto parts = words(line);
        if (parts.empty())
            continue;
        const std::string command = lower_case(parts[0]);
        const auto argument = [&](std::size_t i) -> const std::string& {
            if (parts.size() <= i)
                malformed(line_number, escape_non_utf8(parts[0]) + " without its argument");
            return parts[i];
        };
        if (command == "file") {
            file = argument(1);
        } else if (command == "track") {
            const auto n = number(argument(1));
            if (!n || *n > 99)
                malformed(line_number, "TRACK number \"" + escape_non_utf8(parts[1]) + "\" is not 0-99");
            in_track = true;
            track = nullptr;
            if (parts.size() > 2 && lower_case(parts[2]) != "audio")
                continue;  // a data track of a mixed-mode CD: nothing to play
            sheet.tracks.push_back({static_cast<int>(*n), file, "", sheet.performer, std::nullopt, line_number});
            track = &sheet.tracks.back();
        } else if (command == "title" || command == "performer") {
            if (in_track && !track)
                continue;  // a data track's
            const bool title = command == "title";
            std::string& field = track ? (title ? track->title : track->performer)
                                       : (title ? sheet.title : sheet.performer);
            field = argument(1);
        } else if (command == "index") {
            const auto n = number(argument(1));
            const auto at = cue_time(argument(2));
            if (!n || !at)
                malformed(line_number, "INDEX wants a number and mm:ss:ff, not \"" + escape_non_utf8(line) + "\"");
            if (!in_track)
                malformed(line_number, "INDEX before any TRACK");
            if (track && *n == 1) {
                track->start = *at;
                track->file = file;  // the file the track's audio begins in
            }
        }
        // REM, FLAGS, ISRC, CATALOG, SONGWRITER, PREGAP, POSTGAP, CDTEXTFILE: nothing to play.
    }
    if (sheet.tracks.empty())
        throw Error(ErrorKind::malformed, "cue sheet", "no audio TRACK in it");
    return sheet;
}

std::int64_t cue_frames_to_samples(std::int64_t cue_frames, int sample_rate) noexcept
{
    return (cue_frames * sample_rate + cue_frames_per_second / 2) / cue_frames_per_second;
}

std::vector<Track> split_at_cue_starts(const std::filesystem::path& file, std::span<const CueTrackStart> starts,
                                       std::int64_t file_frames, int sample_rate, const std::string& sheet,
                                       std::vector<Error>& problems)
{
    std::vector<const CueTrackStart*> kept;
    for (const CueTrackStart& start : starts) {
        const std::string which = "track " + std::to_string(start.number) + " starts at " +
                                  time_text(start.frame, sample_rate);
        if (!kept.empty() && start.frame <= kept.back()->frame)
            problems.emplace_back(ErrorKind::malformed, sheet,
                                  which + ", not after track " + std::to_string(kept.back()->number) + " (" +
                                      time_text(kept.back()->frame, sample_rate) + "); left out");
        else if (start.frame >= file_frames)
            problems.emplace_back(ErrorKind::malformed, sheet,
                                  which + ", past the end of " + printable_path(file.filename()) + " (" +
                                      time_text(file_frames, sample_rate) + "); left out");
        else
            kept.push_back(&start);
    }
    std::vector<Track> tracks;
    for (std::size_t i = 0; i < kept.size(); ++i) {
        const std::optional<std::int64_t> end =
            i + 1 < kept.size() ? std::optional(kept[i + 1]->frame) : std::nullopt;
        Track track(file, kept[i]->frame, end);
        track.title = kept[i]->title;
        track.performer = kept[i]->performer;
        tracks.push_back(std::move(track));
    }
    return tracks;
}

}  // namespace tonearm
