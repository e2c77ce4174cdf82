#pragma once

#include "tonearm/error.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tonearm {

// Where a listener stopped a playlist: enough to build the same playlist again and continue
// at the moment they last heard.
struct ResumePoint {
    std::vector<std::string> arguments;         // what the playlist was built from, as absolute paths
    std::optional<std::uint64_t> shuffle_seed;  // the order, when it was shuffled
    std::size_t track = 0;                      // the track playing, as an index into the playlist
    std::string track_path;                     // its file, to notice a playlist that changed since
    std::int64_t track_first_frame = 0;         // and where it starts in that file (a cue sheet's track)
    double position = 0;                        // seconds into the track, as heard
};

// The arguments as a resume point keeps them: paths made absolute (so the same list typed in
// another folder is another list), URLs as they are.
std::vector<std::string> absolute_arguments(std::span<const std::string> arguments);

// A resume point as a small text file, and back. Any byte may appear in a path (names are
// bytes on Linux): backslash, newline and carriage return are escaped. Throws
// Error(malformed) for text that is not a complete resume point.
std::string format_resume_point(const ResumePoint& point);
ResumePoint parse_resume_point(std::string_view text);

// Resume points in one directory ($XDG_STATE_HOME/tonearm for the CLI), one file per argument
// list, each written atomically.
class ResumeStore {
public:
    explicit ResumeStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

    // Replaces the point kept for point.arguments. Throws Error(write_failed).
    void save(const ResumePoint& point) const;
    // Forgets the point kept for `arguments` (absolute), if any: the playlist played to its end.
    void forget(std::span<const std::string> arguments) const;
    // The point kept for `arguments` (absolute); nullopt when there is none. Throws
    // Error(malformed) when its file is damaged.
    std::optional<ResumePoint> load(std::span<const std::string> arguments) const;
    // The point saved last, whatever its arguments. Damaged files are passed over, each
    // noted in `damaged`.
    std::optional<ResumePoint> latest(std::vector<Error>& damaged) const;

    std::filesystem::path file_for(std::span<const std::string> arguments) const;

private:
    std::filesystem::path directory_;
};

}  // namespace tonearm
