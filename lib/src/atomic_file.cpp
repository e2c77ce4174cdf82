#include "tonearm/atomic_file.hpp"

#include "tonearm/error.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <string_view>
#include <unistd.h>
#include <utility>

namespace tonearm {

namespace {

// Opens a new file named like `destination` with a random suffix, as mkstemp does, but with
// mode 0666 rather than 0600: the kernel then applies the umask as it does to any file the
// user creates. Reading the umask to apply it ourselves would mean setting it (umask() has no
// getter), and the process-wide mask would be 0 for a file another thread created meanwhile.
// Returns the descriptor (or -1 with errno set) and the name.
std::pair<int, std::filesystem::path> create_temporary(const std::filesystem::path& destination)
{
    constexpr std::string_view letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    constexpr int attempts = 100;
    std::random_device entropy;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        std::string suffix(8, ' ');
        for (char& c : suffix)
            c = letters[entropy() % letters.size()];
        auto name = destination;
        name.replace_filename("." + destination.filename().string() + ".tonearm-" + suffix);
        const int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return {fd, std::move(name)};
    }
    return {-1, {}};  // errno: EEXIST
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path destination) : destination_(std::move(destination))
{
    auto [fd, name] = create_temporary(destination_);
    if (fd < 0)
        throw Error(ErrorKind::write_failed, destination_.string(), std::strerror(errno));
    fd_ = fd;
    temporary_ = std::move(name);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : destination_(std::move(other.destination_)), temporary_(std::move(other.temporary_)),
      fd_(std::exchange(other.fd_, -1))
{
    other.temporary_.clear();
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::commit()
{
    const auto fail = [this](const char* step) {
        const int err = errno;
        discard();
        throw Error(ErrorKind::write_failed, destination_.string(),
                    std::string(step) + ": " + std::strerror(err));
    };
    if (::fsync(fd_) != 0)
        fail("cannot flush");
    if (::close(std::exchange(fd_, -1)) != 0)
        fail("cannot close");
    if (::rename(temporary_.c_str(), destination_.c_str()) != 0)
        fail("cannot rename into place");
    temporary_.clear();
}

void AtomicFile::discard() noexcept
{
    if (fd_ >= 0)
        ::close(std::exchange(fd_, -1));
    if (!temporary_.empty())
        ::unlink(temporary_.c_str());
    temporary_.clear();
}

}  // namespace tonearm
