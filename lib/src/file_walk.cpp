#include "tonearm/file_walk.hpp"

#include "tonearm/natural_order.hpp"
#include "tonearm/track.hpp"

#include <algorithm>
#include <sys/stat.h>

namespace tonearm {

struct FileWalker::Entry {
    std::string name;  // sorted on: a copy, so no comparison builds a path
    std::filesystem::path path;
    bool directory;
};

void FileWalker::walk(const std::filesystem::path& directory, const FileWalkVisitor& visit)
{
    struct stat st {};
    if (::stat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (visit.problem)
            visit.problem(directory, {}, "not a directory");
        return;
    }
    enter(directory, {}, {st.st_dev, st.st_ino}, visit);
}

void FileWalker::enter(const std::filesystem::path& directory, const std::filesystem::path& relative,
                       Identity identity, const FileWalkVisitor& visit)
{
    if (std::find(ancestors_.begin(), ancestors_.end(), identity) != ancestors_.end()) {
        if (visit.loop)
            visit.loop(directory);
        return;
    }
    if (!walked_.insert(identity).second)
        return;  // reached before another way: its files are found once
    ancestors_.push_back(identity);
    for (const Entry& entry : list(directory, relative, visit)) {
        const auto entry_relative = relative / entry.name;
        if (!entry.directory) {
            if (visit.file)
                visit.file(entry.path, entry_relative);
            continue;
        }
        struct stat st {};
        if (::stat(entry.path.c_str(), &st) == 0)
            enter(entry.path, entry_relative, {st.st_dev, st.st_ino}, visit);
        else if (visit.problem)
            visit.problem(entry.path, entry_relative, "cannot read the directory");
    }
    ancestors_.pop_back();
}

// The directory's visible entries in order. The type comes from the directory itself where it
// can (no stat per file); only symbolic links are followed to see what they point at.
std::vector<FileWalker::Entry> FileWalker::list(const std::filesystem::path& directory,
                                                const std::filesystem::path& relative,
                                                const FileWalkVisitor& visit) const
{
    std::vector<Entry> entries;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(directory, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().native();
        if (name.starts_with('.'))
            continue;
        std::error_code type_error;
        const bool is_directory = it->is_directory(type_error);  // follows links
        entries.push_back({std::move(name), it->path(), is_directory && !type_error});
    }
    if (ec && visit.problem)
        visit.problem(directory, relative, "cannot list the directory: " + ec.message());
    const bool natural = order_ == NameOrder::natural;
    std::sort(entries.begin(), entries.end(), [natural](const Entry& a, const Entry& b) {
        return natural ? natural_less(a.name, b.name) : a.name < b.name;
    });
    return entries;
}

FileWalk walk_files(const std::filesystem::path& directory, const FileWalkOptions& options)
{
    FileWalk walk;
    FileWalker walker(NameOrder::natural);
    walker.walk(directory, {
        .file = [&](const std::filesystem::path& path, const std::filesystem::path&) {
            if (!options.wanted || options.wanted(path))
                walk.files.push_back(path);
            else
                ++walk.skipped;
        },
        .problem = [&](const std::filesystem::path& path, const std::filesystem::path&, const std::string& cause) {
            walk.problems.emplace_back(ErrorKind::unreadable, printable_path(path), cause);
        },
        .loop = [&](const std::filesystem::path& path) { walk.loops.push_back(path); },
    });
    return walk;
}

}  // namespace tonearm
