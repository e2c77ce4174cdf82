#include "resume.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace tonearm::cli {

std::filesystem::path state_directory()
{
    const char* state = std::getenv("XDG_STATE_HOME");
    if (state && *state && std::filesystem::path(state).is_absolute())
        return std::filesystem::path(state) / "tonearm";
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home && *home ? home : "/") / ".local" / "state" / "tonearm";
}

std::optional<ResumePoint> find_resume_point(const ResumeStore& store, std::span<const std::string> arguments)
{
    if (arguments.empty()) {
        std::vector<Error> damaged;
        auto point = store.latest(damaged);
        for (const Error& error : damaged)
            spdlog::warn("{}: ignored ({})", error.subject(), error.cause());
        if (!point)
            spdlog::warn("nothing to resume: no playlist was quit before");
        return point;
    }
    try {
        auto point = store.load(arguments);
        if (!point)
            spdlog::info("nothing to resume for these arguments: playing from the start");
        return point;
    } catch (const Error& error) {
        spdlog::warn("{}: ignored ({})", error.subject(), error.cause());
        return std::nullopt;
    }
}

std::optional<ResumeAt> resume_at(const ResumePoint& point, std::span<const Track> tracks)
{
    const auto same = [&](const Track& track) {
        return track.path.native() == point.track_path && track.first_frame == point.track_first_frame;
    };
    if (point.track < tracks.size() && same(tracks[point.track]))
        return ResumeAt{point.track, point.position};
    for (std::size_t i = 0; i < tracks.size(); ++i)  // the playlist grew or shrank around it
        if (same(tracks[i]))
            return ResumeAt{i, point.position};
    spdlog::warn("cannot resume: {} is no longer in the playlist; playing from the start",
                 printable_path(point.track_path));
    return std::nullopt;
}

void save_resume_point(const ResumeStore& store, ResumePoint point, const Player& player)
{
    const PlayerStatus status = player.status();
    const auto& playlist = player.playlist();
    if (status.track >= playlist.size())
        return;
    point.track = status.track;
    point.track_path = playlist[status.track].path.native();
    point.track_first_frame = playlist[status.track].first_frame;
    point.position = status.position;
    try {
        store.save(point);
    } catch (const Error& error) {
        spdlog::warn("cannot keep the position for --resume: {}", error.what());
    }
}

}  // namespace tonearm::cli
