#pragma once

#include <filesystem>

namespace tonearm {

// A file that appears at its destination complete or not at all: it is written under a
// temporary name in the destination's directory and renamed over it on commit(). Destroyed
// without commit() (an error, an exception), the temporary is removed and the destination
// is left exactly as it was.
class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path destination);
    AtomicFile(AtomicFile&&) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    ~AtomicFile();

    int fd() const noexcept { return fd_; }
    const std::filesystem::path& destination() const noexcept { return destination_; }

    // Flushes to disk and renames into place. Throws Error(write_failed) on failure.
    void commit();

private:
    void discard() noexcept;

    std::filesystem::path destination_;
    std::filesystem::path temporary_;
    int fd_ = -1;
};

}  // namespace tonearm
