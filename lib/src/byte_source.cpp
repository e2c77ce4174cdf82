#include "byte_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

namespace tonearm::detail {

FileBytes::FileBytes(const std::filesystem::path& path)
    : owned_(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC))
{
    struct stat st {};
    if (owned_ && ::fstat(owned_.get(), &st) == 0 && S_ISREG(st.st_mode)) {
        fd_ = owned_.get();
        size_ = st.st_size;
    } else {
        owned_.reset();
    }
}

std::size_t FileBytes::read_into(std::int64_t offset, std::span<std::uint8_t> out)
{
    std::size_t got = 0;
    while (fd_ >= 0 && got < out.size()) {
        const ssize_t n = ::pread(fd_, out.data() + got, out.size() - got, offset + static_cast<std::int64_t>(got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    return got;
}

std::span<const std::uint8_t> FileBytes::read(std::int64_t offset, std::size_t count)
{
    if (offset < 0 || offset >= size_)
        return {};
    const bool in_window = offset >= window_start_ &&
                           offset + static_cast<std::int64_t>(count) <=
                               window_start_ + static_cast<std::int64_t>(window_.size());
    if (!in_window) {
        window_start_ = offset;
        window_.resize(std::max(count, window_bytes));
        window_.resize(read_into(offset, window_));
    }
    const auto start = static_cast<std::size_t>(offset - window_start_);
    return std::span<const std::uint8_t>(window_).subspan(start, std::min(count, window_.size() - start));
}

std::span<const std::uint8_t> MemoryBytes::read(std::int64_t offset, std::size_t count)
{
    if (offset < 0 || offset >= size())
        return {};
    const auto start = static_cast<std::size_t>(offset);
    return bytes_.subspan(start, std::min(count, bytes_.size() - start));
}

}  // namespace tonearm::detail
