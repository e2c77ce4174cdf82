#pragma once

#include "tonearm/error.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <vector>

namespace tonearm {

struct FileWalkOptions {
    // Which files to list, by path; null: every file. Directories are always walked.
    std::function<bool(const std::filesystem::path&)> wanted;
};

struct FileWalk {
    std::vector<std::filesystem::path> files;  // depth-first, each directory in natural order
    std::vector<Error> problems;               // directories that could not be listed
    std::vector<std::filesystem::path> loops;  // symbolic links back up the tree, not followed
    std::size_t skipped = 0;                   // files `wanted` left out
};

// Lists the files under `directory`, recursively, in the order a person would read them:
// each directory's entries in natural order (natural_order.hpp), a subdirectory's files where
// its name sorts. Names starting with '.' are hidden and skipped. Symbolic links are followed
// (a linked file is listed under the link's path), but each directory is walked once: a link
// back up the tree is a loop, noted in `loops` and not followed; a second link to
// a directory already walked is passed over. Entries that are neither files nor directories
// (dangling links, FIFOs) are listed when `wanted`: whoever opens them says what they are.
// Never throws for what it finds on disk.
FileWalk walk_files(const std::filesystem::path& directory, const FileWalkOptions& options = {});

}  // namespace tonearm
