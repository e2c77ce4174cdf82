// AtomicFile: the output appears whole or not at all, with the mode any file the user creates
// gets, and without touching the process's umask (which other threads' files depend on).
#include "support/fixtures.hpp"

#include "tonearm/atomic_file.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace tonearm::test {
namespace {

mode_t mode_of(const std::filesystem::path& path)
{
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777;
}

// Sets the umask for one test and puts the old one back.
class Umask {
public:
    explicit Umask(mode_t mask) : saved_(::umask(mask)) {}
    ~Umask() { ::umask(saved_); }
    Umask(const Umask&) = delete;
    Umask& operator=(const Umask&) = delete;

private:
    mode_t saved_;
};

void write_text(const AtomicFile& file, std::string_view text)
{
    ASSERT_EQ(::write(file.fd(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

TEST(AtomicFile, CommittedFileHasTheModeTheUmaskGives)
{
    TempDir dir;
    const Umask umask(027);
    AtomicFile file(dir / "out.wav");
    write_text(file, "data");
    file.commit();
    EXPECT_EQ(mode_of(dir / "out.wav"), 0640u);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1) << "no temporary left";
}

TEST(AtomicFile, UncommittedFileLeavesTheDestinationAsItWas)
{
    TempDir dir;
    {
        AtomicFile first(dir / "out.wav");
        write_text(first, "old");
        first.commit();
    }
    {
        AtomicFile second(dir / "out.wav");
        write_text(second, "new, but abandoned");
    }
    EXPECT_EQ(read_text(dir / "out.wav"), "old");
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1) << "no temporary left";
}

// Files another thread creates while outputs are being opened keep the umask's mode: the
// umask was once set to 0 and back to read it, and a file made in between came out 0666.
TEST(AtomicFile, FilesOtherThreadsCreateMeanwhileKeepTheUmask)
{
    TempDir dir;
    const Umask umask(022);
    std::atomic<bool> done{false};
    std::thread outputs([&] {
        for (int i = 0; i < 3000; ++i)
            AtomicFile(dir / "out.wav");  // opened and discarded
        done = true;
    });
    int created = 0;
    int wrong = 0;
    while (!done || created < 100) {
        const auto path = dir / ("other" + std::to_string(created % 50));
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0666);
        ASSERT_GE(fd, 0);
        ::close(fd);
        wrong += mode_of(path) != 0644u;
        std::filesystem::remove(path);
        ++created;
    }
    outputs.join();
    EXPECT_EQ(wrong, 0) << "of " << created << " files created beside 3000 outputs";
}

}  // namespace
}  // namespace tonearm::test
