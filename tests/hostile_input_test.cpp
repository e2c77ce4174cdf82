// The hostile input table: every row is a kind of input a user (or an attacker) can hand
// tonearm. For each command that reads files, every row must give a clean one-line error
// with a documented exit code, within a time limit, and leave the input byte for byte as it was.
#include "support/fixtures.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <random>

namespace tonearm::test {
namespace {

struct Row {
    std::string name;
    std::filesystem::path path;
    // A cut file keeps a valid header: `info` may describe it, and `decode`/`play` may take
    // what is there when the header cannot show the cut (libsndfile shortens a cut WAV's
    // length to the bytes present); `tonearm check` is what inspects the container itself.
    bool header_intact = false;
    bool may_decode = false;
};

// A canonical 44-byte PCM WAV header followed by `data_bytes` of silence; every field can be
// made absurd.
std::vector<std::byte> wav_bytes(std::uint16_t channels, std::uint32_t rate, std::uint32_t declared_data,
                                 std::size_t data_bytes, std::uint16_t format = 1, std::uint16_t bits = 16)
{
    std::vector<std::byte> out;
    auto put = [&](std::uint32_t value, int size) {
        for (int i = 0; i < size; ++i)
            out.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xff));
    };
    auto tag = [&](const char* text) {
        for (int i = 0; i < 4; ++i)
            out.push_back(static_cast<std::byte>(text[i]));
    };
    const std::uint16_t block = static_cast<std::uint16_t>(channels * bits / 8);
    tag("RIFF"); put(36 + declared_data, 4); tag("WAVE");
    tag("fmt "); put(16, 4); put(format, 2); put(channels, 2); put(rate, 4);
    put(rate * block, 4); put(block, 2); put(bits, 2);
    tag("data"); put(declared_data, 4);
    out.resize(out.size() + data_bytes);
    return out;
}

class HostileInput : public ::testing::Test {
protected:
    static inline TempDir* dir = nullptr;
    static inline std::vector<Row> rows;

    static void SetUpTestSuite()
    {
        dir = new TempDir();
        const auto& d = *dir;
        auto add = [](std::string name, std::filesystem::path path, bool header_intact = false, bool may_decode = false) {
            rows.push_back({std::move(name), std::move(path), header_intact, may_decode});
        };
        auto bytes_row = [&](const std::string& name, const std::string& file, const std::vector<std::byte>& bytes,
                             bool header_intact = false, bool may_decode = false) {
            write_bytes(d / file, bytes);
            add(name, d / file, header_intact, may_decode);
        };

        add("missing path", d / "does-not-exist.flac");
        std::filesystem::create_directory(d / "a-directory.wav");
        add("directory", d / "a-directory.wav");
        bytes_row("empty file", "empty.wav", {});
        bytes_row("1-byte file", "one-byte.flac", {std::byte{0x66}});

        std::mt19937 random(42);
        for (const char* extension : {".wav", ".aiff", ".flac", ".ogg", ".opus", ".mp3"}) {
            std::vector<std::byte> noise(8192);
            for (auto& b : noise)
                b = static_cast<std::byte>(random());
            bytes_row(std::string("random bytes as ") + extension, std::string("random") + extension, noise);
        }

        for (const auto& format : fixture_formats()) {
            const auto whole = read_bytes(write_fixture(d.path(), "whole-" + format.name, format, Tone{.seconds = 0.5}));
            for (const double fraction : {0.01, 0.3, 0.7}) {
                auto cut = whole;
                cut.resize(std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(whole.size()) * fraction)));
                const auto name = "truncated-" + std::to_string(static_cast<int>(fraction * 100)) + "-" + format.name + format.extension;
                bytes_row(format.name + " truncated at " + std::to_string(static_cast<int>(fraction * 100)) + "%", name, cut,
                          true, true);
            }
        }

        bytes_row("WAV with 60000 channels", "channels.wav", wav_bytes(60000, 44100, 1024, 1024));
        bytes_row("WAV with 0 channels", "no-channels.wav", wav_bytes(0, 44100, 1024, 1024));
        bytes_row("WAV at 0 Hz", "zero-rate.wav", wav_bytes(2, 0, 1024, 1024));
        bytes_row("WAV at 4 GHz", "huge-rate.wav", wav_bytes(2, 4'000'000'000u, 1024, 1024));
        bytes_row("WAV declaring 4 GB of data", "huge-length.wav", wav_bytes(2, 44100, 0xfffffff0u, 4096), true, true);

        std::vector<float> bad(2000, 0.25f);
        bad[100] = std::numeric_limits<float>::quiet_NaN();
        bad[901] = std::numeric_limits<float>::infinity();
        write_audio(d / "nan-inf.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, bad);
        add("float WAV with NaN and Inf", d / "nan-inf.wav", true);

        write_fixture(d.path(), "unreadable", fixture_format("flac16"));
        std::filesystem::permissions(d / "unreadable.flac", std::filesystem::perms::none);
        add("unreadable file", d / "unreadable.flac");
        mkfifo((d / "fifo.wav").c_str(), 0644);
        add("FIFO", d / "fifo.wav");
        std::filesystem::create_symlink("loop-b.wav", d / "loop-a.wav");
        std::filesystem::create_symlink("loop-a.wav", d / "loop-b.wav");
        add("symlink loop", d / "loop-a.wav");
    }

    static void TearDownTestSuite()
    {
        delete dir;
        rows.clear();
    }

    // Runs tonearm; as root, drops to nobody so that file permissions apply, like for a user.
    static ProcessResult tonearm(const std::vector<std::string>& args)
    {
        std::vector<std::string> argv;
        if (geteuid() == 0)
            argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
        argv.push_back(tonearm_cli());
        argv.insert(argv.end(), args.begin(), args.end());
        return run_process(argv, {.timeout = std::chrono::seconds(20), .env = {{"NO_COLOR", "1"}}});
    }

    static std::optional<std::vector<std::byte>> contents(const std::filesystem::path& path)
    {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            return std::nullopt;
        return read_bytes(path);
    }

    // The contract for one row and one command.
    static void expect_clean_failure(const Row& row, const std::vector<std::string>& args,
                                     std::initializer_list<int> exit_codes)
    {
        const auto before = contents(row.path);
        const auto result = tonearm(args);
        SCOPED_TRACE(row.name);
        EXPECT_FALSE(result.timed_out) << "hang";
        EXPECT_EQ(result.signal, 0) << "crashed";
        EXPECT_NE(std::find(exit_codes.begin(), exit_codes.end(), result.exit_code), exit_codes.end())
            << "exit " << result.exit_code << ": " << result.err;
        EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
        EXPECT_EQ(result.err.find("terminate called"), std::string::npos);
        EXPECT_EQ(contents(row.path), before) << "the input changed";
    }

    void SetUp() override
    {
        // The temporary tree must be reachable by the unprivileged user.
        std::filesystem::permissions(dir->path(), std::filesystem::perms::owner_all | std::filesystem::perms::others_read |
                                                      std::filesystem::perms::others_exec);
        std::filesystem::create_directories(dir->path() / "out");
        std::filesystem::permissions(dir->path() / "out", std::filesystem::perms::all);
    }
};

TEST_F(HostileInput, InfoFailsCleanly)
{
    for (const auto& row : rows) {
        if (row.header_intact) {
            const auto result = tonearm({"info", row.path.string()});
            EXPECT_TRUE(result.exit_code == 0 || result.exit_code == 1) << row.name << ": " << result.err;
            EXPECT_LE(diagnostic_lines(result.err), 1u) << row.name << ": " << result.err;
            continue;
        }
        expect_clean_failure(row, {"info", row.path.string()}, {1});
    }
}

TEST_F(HostileInput, DecodeFailsCleanlyAndWritesNothing)
{
    for (const auto& row : rows) {
        const auto out = dir->path() / "out" / "decoded.wav";
        std::filesystem::remove(out);
        if (row.may_decode && tonearm({"decode", row.path.string(), "-o", out.string()}).exit_code == 0)
            continue;
        std::filesystem::remove(out);
        expect_clean_failure(row, {"decode", row.path.string(), "-o", out.string()}, {1});
        EXPECT_FALSE(std::filesystem::exists(out)) << row.name;
    }
    const auto leftovers = std::distance(std::filesystem::directory_iterator(dir->path() / "out"), {});
    EXPECT_LE(leftovers, 1) << "no temporary files";
}

TEST_F(HostileInput, PlayFailsCleanly)
{
    for (const auto& row : rows) {
        if (row.may_decode && tonearm({"play", "--null", row.path.string()}).exit_code == 0)
            continue;
        expect_clean_failure(row, {"play", "--null", row.path.string()}, {1});
    }
}

TEST_F(HostileInput, CheckFailsEveryRowWithOneReportLine)
{
    // check's verdicts are its report (stdout), one FAIL line per file, like `flac -t` says
    // what failed; stderr stays empty.
    for (const auto& row : rows) {
        if (row.name == "directory")
            continue;  // a directory is walked, not checked (see batch_check.hpp)
        SCOPED_TRACE(row.name);
        const auto before = contents(row.path);
        const auto result = tonearm({"check", row.path.string()});
        EXPECT_FALSE(result.timed_out);
        EXPECT_EQ(result.signal, 0);
        EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
        EXPECT_EQ(diagnostic_lines(result.err), 0u) << result.err;
        EXPECT_NE(result.out.find("FAIL " + row.path.string() + ": "), std::string::npos) << result.out;
        EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 2) << "FAIL line + summary:\n" << result.out;
        EXPECT_EQ(contents(row.path), before);
    }
}

TEST_F(HostileInput, PathsWithSpacesAndNonAsciiWork)
{
    const auto path = dir->path() / "a file with spaces – ünïcødé 音.flac";
    write_fixture(dir->path(), "plain", fixture_format("flac16"));
    std::filesystem::copy_file(dir->path() / "plain.flac", path);
    const auto info = tonearm({"info", path.string()});
    EXPECT_EQ(info.exit_code, 0) << info.err;
    EXPECT_NE(info.out.find("ünïcødé"), std::string::npos);
    const auto json = tonearm({"info", "--json", path.string()});
    EXPECT_NE(json.out.find("\"path\":\"" + path.string() + "\""), std::string::npos) << json.out;
    const auto out = dir->path() / "out" / "sortie déçue.wav";
    EXPECT_EQ(tonearm({"decode", path.string(), "-o", out.string()}).exit_code, 0);
    EXPECT_TRUE(std::filesystem::exists(out));
}

TEST_F(HostileInput, OutputProblemsFailCleanly)
{
    const auto input = write_fixture(dir->path(), "source", fixture_format("wav16"));
    const Row row{"output problems", input};
    expect_clean_failure(row, {"decode", input.string(), "-o", (dir->path() / "no" / "dir" / "x.wav").string()}, {1});
    expect_clean_failure(row, {"decode", input.string(), "-o", input.string()}, {2});
    expect_clean_failure(row, {"play", "--output", (dir->path() / "no" / "dir" / "x.wav").string(), input.string()}, {1});
}

}  // namespace
}  // namespace tonearm::test
