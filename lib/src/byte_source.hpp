#pragma once

// Byte sources of the library's own (tonearm/byte_source.hpp): a file read through a window
// (bounded memory whatever the file's size), or bytes already in memory. Read-only. Internal
// to the library.

#include "tonearm/byte_source.hpp"
#include "unique_fd.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace tonearm::detail {

// The container parsers' name for it (they predate the public interface).
using tonearm::ByteSource;

class FileBytes final : public ByteSource {
public:
    // Opens `path` read-only; ok() is false unless it is a regular file that could be opened
    // (O_NONBLOCK: a FIFO never blocks the open).
    explicit FileBytes(const std::filesystem::path& path);
    // Reads through `fd` (not owned, not moved: pread only) whose file is `size` bytes.
    FileBytes(int fd, std::int64_t size) noexcept : fd_(fd), size_(size) {}

    bool ok() const noexcept { return fd_ >= 0; }
    std::int64_t size() const noexcept override { return size_; }
    std::span<const std::uint8_t> read(std::int64_t offset, std::size_t count) override;
    std::size_t read_into(std::int64_t offset, std::span<std::uint8_t> out) override;  // no window: pread

private:
    static constexpr std::size_t window_bytes = 64 << 10;
    UniqueFd owned_;
    int fd_ = -1;
    std::int64_t size_ = 0;
    std::vector<std::uint8_t> window_;
    std::int64_t window_start_ = 0;
};

class MemoryBytes final : public ByteSource {
public:
    explicit MemoryBytes(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}
    std::int64_t size() const noexcept override { return static_cast<std::int64_t>(bytes_.size()); }
    std::span<const std::uint8_t> read(std::int64_t offset, std::size_t count) override;

private:
    std::span<const std::uint8_t> bytes_;
};

}  // namespace tonearm::detail
