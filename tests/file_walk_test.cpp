// Walking a music library: the order people expect, hidden files, symlink loops, size.
#include "support/fixtures.hpp"

#include "tonearm/audio_extensions.hpp"
#include "tonearm/file_walk.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fcntl.h>
#include <unistd.h>

namespace tonearm::test {
namespace {

namespace fs = std::filesystem;

void touch(const fs::path& path)
{
    fs::create_directories(path.parent_path());
    write_bytes(path, {});
}

std::vector<std::string> relative(const FileWalk& walk, const fs::path& root)
{
    std::vector<std::string> names;
    for (const auto& file : walk.files)
        names.push_back(file.lexically_relative(root).string());
    return names;
}

const FileWalkOptions audio_only{.wanted = [](const fs::path& path) { return is_audio_file_name(path); }};

TEST(FileWalk, NaturalOrderDepthFirstHiddenSkipped)
{
    TempDir dir;
    for (const char* name : {"10 - ten.flac", "2 - two.flac", "1 - one.FLAC", "cover.jpg", ".hidden.flac",
                             "CD 10/1.wav", "CD 9/1.wav", "CD 9/.secret/x.wav", ".git/y.wav", "b side/3.ogg"})
        touch(dir / name);
    const FileWalk walk = walk_files(dir.path(), audio_only);
    EXPECT_EQ(relative(walk, dir.path()),
              (std::vector<std::string>{"1 - one.FLAC", "2 - two.flac", "10 - ten.flac", "b side/3.ogg", "CD 9/1.wav",
                                        "CD 10/1.wav"}));
    EXPECT_EQ(walk.skipped, 1u) << "cover.jpg";
    EXPECT_TRUE(walk.problems.empty());
    EXPECT_TRUE(walk.loops.empty());
}

TEST(FileWalk, SymlinkLoopsAreNotedAndNotFollowed)
{
    TempDir dir;
    touch(dir / "a/1.wav");
    touch(dir / "a/b/2.wav");
    fs::create_directory_symlink("../..", dir / "a/b/up");   // back to the root: a loop
    fs::create_directory_symlink("b", dir / "a/again");      // a second way into b: not a loop
    fs::create_symlink("1.wav", dir / "a/link.wav");         // a linked file is a file
    fs::create_symlink("nowhere.wav", dir / "a/dangling.wav");
    const FileWalk walk = walk_files(dir.path(), audio_only);
    EXPECT_EQ(relative(walk, dir.path()),
              (std::vector<std::string>{"a/1.wav", "a/again/2.wav", "a/dangling.wav", "a/link.wav"}))
        << "b is walked once, through the first name that reaches it";
    ASSERT_EQ(walk.loops.size(), 1u);
    EXPECT_EQ(walk.loops[0], dir / "a/again/up") << "where the walk first meets it";
}

TEST(FileWalk, ADirectoryThatLinksToItselfAndAnUnreadableOne)
{
    TempDir dir;
    fs::create_directory(dir / "self");
    fs::create_directory_symlink(".", dir / "self/me");
    touch(dir / "locked/x.wav");
    fs::permissions(dir / "locked", fs::perms::none);
    const FileWalk walk = walk_files(dir.path(), audio_only);
    EXPECT_EQ(walk.loops.size(), 1u);
    if (geteuid() != 0) {  // root reads everything
        ASSERT_EQ(walk.problems.size(), 1u);
        EXPECT_NE(walk.problems[0].what(), std::string()) << walk.problems[0].what();
    }
    const FileWalk missing = walk_files(dir / "nothing here", audio_only);
    EXPECT_TRUE(missing.files.empty());
    EXPECT_EQ(missing.problems.size(), 1u);
}

TEST(FileWalker, BytewiseOrderRelativePathsAndOneVisitPerDirectoryAcrossWalks)
{
    TempDir dir;
    for (const char* name : {"b/10.wav", "b/9.wav", "b/B.wav", "a/x.wav", ".hidden/y.wav"})
        touch(dir / name);
    std::vector<std::string> found;
    fs::path root;
    const FileWalkVisitor visit{.file = [&](const fs::path& path, const fs::path& relative) {
        EXPECT_EQ(path, root / relative);
        found.push_back(relative.string());
    }};
    FileWalker walker(NameOrder::bytewise);
    for (const fs::path& named : {dir / "b", dir.path(), dir / "a"}) {  // b again inside its parent, then a again
        root = named;
        walker.walk(named, visit);
    }
    EXPECT_EQ(found, (std::vector<std::string>{"10.wav", "9.wav", "B.wav", "a/x.wav"}));
}

TEST(FileWalk, AHundredThousandEntriesInOneDirectory)
{
    // Generated here: 100,000 empty files, named so that only a numeric order sorts them right.
    TempDir dir(memory_temp_parent());
    constexpr int count = 100000;
    for (int i = count; i >= 1; --i) {
        const auto path = dir / (std::to_string(i) + ".wav");
        const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        ASSERT_GE(fd, 0);
        ::close(fd);
    }
    const auto start = std::chrono::steady_clock::now();
    const FileWalk walk = walk_files(dir.path(), audio_only);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    RecordProperty("walk_seconds", std::to_string(seconds));
    ASSERT_EQ(walk.files.size(), static_cast<std::size_t>(count));
    for (int i = 0; i < count; i += 9973)
        EXPECT_EQ(walk.files[static_cast<std::size_t>(i)].filename(), std::to_string(i + 1) + ".wav");
    EXPECT_EQ(walk.files.back().filename(), std::to_string(count) + ".wav");
}

}  // namespace
}  // namespace tonearm::test
