#include "tonearm/atomic_file.hpp"

#include "tonearm/error.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace tonearm {

AtomicFile::AtomicFile(std::filesystem::path destination) : destination_(std::move(destination))
{
    auto pattern = destination_;
    pattern.replace_filename("." + destination_.filename().string() + ".tonearm-XXXXXX");
    std::string name = pattern.string();
    fd_ = ::mkstemp(name.data());
    if (fd_ < 0)
        throw Error(ErrorKind::write_failed, destination_.string(), std::strerror(errno));
    temporary_ = name;
    // mkstemp makes 0600; a finished output should look like any file the user creates.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd_, 0666 & ~mask);
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
