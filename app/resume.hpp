#pragma once

#include "tonearm/player.hpp"
#include "tonearm/resume_point.hpp"
#include "tonearm/track.hpp"

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tonearm::cli {

// Where play keeps its resume points: $XDG_STATE_HOME/tonearm, by default ~/.local/state/tonearm
// (the XDG base directory rules: an unset, empty or relative XDG_STATE_HOME means the default).
std::filesystem::path state_directory();

// The point `play --resume` continues from: the one kept for `arguments` (absolute), or with
// no arguments the last one saved. A damaged file is passed over with a warning, never fatal.
std::optional<ResumePoint> find_resume_point(const ResumeStore& store, std::span<const std::string> arguments);

// Where in `tracks` the point continues; nullopt (with a warning) when the playlist changed so
// that its track is no longer in it.
struct ResumeAt {
    std::size_t track = 0;
    double seconds = 0;
};
std::optional<ResumeAt> resume_at(const ResumePoint& point, std::span<const Track> tracks);

// Keeps where the listener stopped (what they heard last) for the next `play --resume`.
// A failure to write is a warning: the music was played, only the bookmark is lost.
void save_resume_point(const ResumeStore& store, ResumePoint point, const Player& player);

}  // namespace tonearm::cli
