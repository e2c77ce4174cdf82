#pragma once

#include "tonearm/error.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace tonearm {

// How a directory's entries are ordered: as a person reads them (natural_order.hpp, for
// play), or by their bytes (for check: the order `LC_ALL=C ls` and other tools agree on).
enum class NameOrder { natural, bytewise };

// What a walk finds, told in walk order. Each callback may be left empty.
struct FileWalkVisitor {
    // A file (or anything that is not a directory). `relative`: its path below the directory
    // the walk began at.
    std::function<void(const std::filesystem::path& path, const std::filesystem::path& relative)> file = {};
    // A directory that could not be read or listed; `cause` says why.
    std::function<void(const std::filesystem::path& path, const std::filesystem::path& relative,
                       const std::string& cause)>
        problem = {};
    // A symbolic link back to a directory above it: not followed.
    std::function<void(const std::filesystem::path& path)> loop = {};
};

// Walks directory trees, depth-first, each directory's entries in `order`, a subdirectory's
// files where its name sorts. Names starting with '.' are hidden and skipped. Symbolic links
// are followed (a linked file is found under the link's path), but each directory is walked
// once per FileWalker, known by (device, inode): a link back up the tree is a loop, told and
// not followed; a second way to a directory already walked — another link, or the same
// directory named twice — is passed over. Never throws for what it finds on disk.
class FileWalker {
public:
    explicit FileWalker(NameOrder order = NameOrder::natural) : order_(order) {}

    // Walks `directory` (told as a problem if it is not one).
    void walk(const std::filesystem::path& directory, const FileWalkVisitor& visit);

private:
    using Identity = std::pair<dev_t, ino_t>;
    struct Entry;

    void enter(const std::filesystem::path& directory, const std::filesystem::path& relative, Identity identity,
               const FileWalkVisitor& visit);
    std::vector<Entry> list(const std::filesystem::path& directory, const std::filesystem::path& relative,
                            const FileWalkVisitor& visit) const;

    NameOrder order_;
    std::vector<Identity> ancestors_;
    std::set<Identity> walked_;
};

// ---- one directory, as a list --------------------------------------------------------------

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

// The files under `directory`, in the order a person would read them (FileWalker, natural
// order). Entries that are neither files nor directories (dangling links, FIFOs) are listed
// when `wanted`: whoever opens them says what they are.
FileWalk walk_files(const std::filesystem::path& directory, const FileWalkOptions& options = {});

}  // namespace tonearm
