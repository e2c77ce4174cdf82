#pragma once

#include "tonearm/batch_check.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tonearm {

// What identifies one state of a file without reading it. ctime cannot be set by users (a
// copy, `touch -r` or an rsync that keeps mtime still changes it), so a file rewritten in
// place with the same size and mtime still looks changed.
struct FileStamp {
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    bool operator==(const FileStamp&) const = default;
};
std::optional<FileStamp> stamp_file(const std::filesystem::path& path);  // stat(), links followed

struct CacheOptions {
    // Verdicts recorded longer ago than this are decoded again (none: kept while the file is unchanged).
    std::optional<std::chrono::seconds> recheck_after;
};

// `check --cache FILE`: each file's verdict, kept in an SQLite database with the file's stamp,
// the time it was checked and the version of the rules that gave it (check_rules_version()).
// A file whose stamp, or the rules, changed since is decoded again. Several processes on one
// machine can use one cache at once: WAL journal, writes in short IMMEDIATE transactions, a
// busy timeout. (WAL's shared memory does not cross machines: shards on several hosts keep a
// cache each; a shard always gets the same files, so its cache stays as useful.)
class VerdictCache {
public:
    // Opens FILE, creating it when missing (or empty). Throws Error(invalid_argument) naming
    // FILE when it cannot be used: not an SQLite database, another program's database, damaged
    // (quick_check), or written by a newer tonearm. Such a file is left exactly as it was.
    static VerdictCache open(const std::filesystem::path& file);
    VerdictCache(VerdictCache&&) noexcept;
    VerdictCache& operator=(VerdictCache&&) noexcept;
    ~VerdictCache();

    // The verdict recorded for `path` if it was given to a file with this stamp, by these
    // rules, and (with max_age) not longer ago than that.
    std::optional<CheckResult> find(const std::filesystem::path& path, const FileStamp& stamp,
                                    std::optional<std::chrono::seconds> max_age);
    // Records a verdict (in batches: flush() writes what is pending).
    void store(const std::filesystem::path& path, const CheckResult& result, const FileStamp& stamp);
    void flush();

    std::size_t entries();

private:
    struct Impl;
    explicit VerdictCache(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// check_all with a cache: every input is looked up first (so an unreadable cache fails before
// anything is reported), unchanged files get their recorded verdict (cached = true) without
// being decoded, and every new verdict is recorded.
std::vector<CheckResult> check_all(std::span<const CheckInput> inputs, const CheckAllOptions& options,
                                   VerdictCache& cache, const CacheOptions& cache_options);

}  // namespace tonearm
