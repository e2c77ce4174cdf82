#include "tonearm/file_walk.hpp"

#include "tonearm/natural_order.hpp"
#include "tonearm/track.hpp"

#include <algorithm>
#include <set>
#include <sys/stat.h>
#include <utility>

namespace tonearm {
namespace {

using Identity = std::pair<dev_t, ino_t>;

struct Entry {
    std::string name;  // sorted on: a copy, so no comparison builds a path
    std::filesystem::path path;
    bool directory;
};

class Walker {
public:
    Walker(const FileWalkOptions& options, FileWalk& walk) : options_(options), walk_(walk) {}

    void walk(const std::filesystem::path& directory)
    {
        struct stat st {};
        if (::stat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
            return problem(directory, "not a directory");
        enter(directory, {st.st_dev, st.st_ino});
    }

private:
    void enter(const std::filesystem::path& directory, Identity identity)
    {
        if (std::find(ancestors_.begin(), ancestors_.end(), identity) != ancestors_.end())
            return walk_.loops.push_back(directory);
        if (!walked_.insert(identity).second)
            return;  // reached before through another link: its files are listed once
        ancestors_.push_back(identity);
        for (Entry& entry : list(directory)) {
            if (entry.directory)
                descend(entry.path);
            else if (!options_.wanted || options_.wanted(entry.path))
                walk_.files.push_back(std::move(entry.path));
            else
                ++walk_.skipped;
        }
        ancestors_.pop_back();
    }

    void descend(const std::filesystem::path& directory)
    {
        struct stat st {};
        if (::stat(directory.c_str(), &st) != 0)
            return problem(directory, "cannot read it");
        enter(directory, {st.st_dev, st.st_ino});
    }

    // The directory's visible entries in natural order. The type comes from the directory
    // itself where it can (no stat per file); only symbolic links are followed to see what
    // they point at.
    std::vector<Entry> list(const std::filesystem::path& directory)
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
        if (ec)
            problem(directory, "cannot list it: " + ec.message());
        std::sort(entries.begin(), entries.end(),
                  [](const Entry& a, const Entry& b) { return natural_less(a.name, b.name); });
        return entries;
    }

    void problem(const std::filesystem::path& path, std::string cause)
    {
        walk_.problems.emplace_back(ErrorKind::unreadable, printable_path(path), std::move(cause));
    }

    const FileWalkOptions& options_;
    FileWalk& walk_;
    std::vector<Identity> ancestors_;
    std::set<Identity> walked_;
};

}  // namespace

FileWalk walk_files(const std::filesystem::path& directory, const FileWalkOptions& options)
{
    FileWalk walk;
    Walker(options, walk).walk(directory);
    return walk;
}

}  // namespace tonearm
