// The hostile input table: every row is a kind of input a user (or an attacker) can hand
// tonearm. For each command that reads files, every row must give a clean one-line error
// with a documented exit code, within a time limit, and leave the input byte for byte as it was.
#include "support/fixtures.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <functional>
#include <limits>

namespace tonearm::test {
namespace {

// A cut file (`cut`) may keep a valid header: `info` then describes it and says it is cut,
// and `decode`/`play` take the part that is there, exactly, with one warning that says so
// (`decode --strict` fails instead). When even the header is cut they fail with one line.

// One row: a name for the test, the file it is about, and how to make that file.
struct Row {
    std::string name;
    std::string file;
    std::function<void(const std::filesystem::path&)> make;  // writes the file (path given)
    bool header_intact = false;  // `info` may describe it
    bool cut = false;            // a file cut short (see above)
    std::string whole = {};      // for cut rows made from a whole file: that file, next to it
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

std::vector<Row> table_rows()
{
    std::vector<Row> rows;
    const auto bytes_row = [&](std::string name, std::string file, std::vector<std::byte> bytes, bool header_intact = false) {
        rows.push_back({std::move(name), std::move(file),
                        [bytes = std::move(bytes)](const std::filesystem::path& path) { write_bytes(path, bytes); },
                        header_intact});
    };

    rows.push_back({"missing path", "does-not-exist.flac", [](const std::filesystem::path&) {}});
    rows.push_back({"directory", "a-directory.wav",
                    [](const std::filesystem::path& path) { std::filesystem::create_directory(path); }});
    bytes_row("empty file", "empty.wav", {});
    bytes_row("1-byte file", "one-byte.flac", {std::byte{0x66}});

    const auto noise = random_bytes(6 * 8192, 42);
    std::size_t offset = 0;
    for (const char* extension : {".wav", ".aiff", ".flac", ".ogg", ".opus", ".mp3"}) {
        const std::vector<std::byte> part(noise.begin() + offset, noise.begin() + offset + 8192);
        offset += 8192;
        bytes_row(std::string("random bytes as ") + (extension + 1), std::string("random") + extension, part);
    }

    for (const auto& format : fixture_formats()) {
        for (const int percent : {1, 30, 70}) {
            const std::string whole = "whole-" + format.name + format.extension;
            rows.push_back({format.name + " truncated at " + std::to_string(percent) + "%",
                            "truncated-" + std::to_string(percent) + "-" + format.name + format.extension,
                            [format, percent, whole](const std::filesystem::path& path) {
                                const auto dir = path.parent_path();
                                const auto bytes = read_bytes(write_fixture(dir, "whole-" + format.name, format, Tone{.seconds = 0.5}));
                                const auto size = std::max<std::size_t>(1, bytes.size() * static_cast<std::size_t>(percent) / 100);
                                write_bytes(path, std::span(bytes).first(size));
                            },
                            true, true, whole});
        }
    }

    bytes_row("WAV with 60000 channels", "channels.wav", wav_bytes(60000, 44100, 1024, 1024));
    bytes_row("WAV with 0 channels", "no-channels.wav", wav_bytes(0, 44100, 1024, 1024));
    bytes_row("WAV at 0 Hz", "zero-rate.wav", wav_bytes(2, 0, 1024, 1024));
    bytes_row("WAV at 4 GHz", "huge-rate.wav", wav_bytes(2, 4'000'000'000u, 1024, 1024));
    rows.push_back({"WAV declaring 4 GB of data", "huge-length.wav",
                    [](const std::filesystem::path& path) { write_bytes(path, wav_bytes(2, 44100, 0xfffffff0u, 4096)); },
                    true, true});

    rows.push_back({"float WAV with NaN and Inf", "nan-inf.wav",
                    [](const std::filesystem::path& path) {
                        std::vector<float> bad(2000, 0.25f);
                        bad[100] = std::numeric_limits<float>::quiet_NaN();
                        bad[901] = std::numeric_limits<float>::infinity();
                        write_audio(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, bad);
                    },
                    true});
    rows.push_back({"unreadable file", "unreadable.flac", [](const std::filesystem::path& path) {
                        write_fixture(path.parent_path(), "unreadable", fixture_format("flac16"));
                        std::filesystem::permissions(path, std::filesystem::perms::none);
                    }});
    rows.push_back({"FIFO", "fifo.wav", [](const std::filesystem::path& path) { mkfifo(path.c_str(), 0644); }});
    rows.push_back({"symlink loop", "loop-a.wav", [](const std::filesystem::path& path) {
                        std::filesystem::create_symlink("loop-b.wav", path);
                        std::filesystem::create_symlink("loop-a.wav", path.parent_path() / "loop-b.wav");
                    }});
    return rows;
}

const std::vector<Row>& rows()
{
    static const std::vector<Row> table = table_rows();
    return table;
}

std::string test_name(const ::testing::TestParamInfo<std::size_t>& info)
{
    std::string name;
    for (const char c : rows()[info.param].name)
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return name;
}

// Runs tonearm; as root, drops to nobody so that file permissions apply, like for a user.
ProcessResult tonearm(const std::vector<std::string>& args)
{
    std::vector<std::string> argv;
    if (geteuid() == 0)
        argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
    argv.push_back(tonearm_cli());
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {.timeout = std::chrono::seconds(20), .env = {{"NO_COLOR", "1"}}});
}

std::optional<std::vector<std::byte>> contents(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return std::nullopt;
    return read_bytes(path);
}

// The contract for one command on one input: no hang, no crash, an allowed exit code, stderr
// with `success_lines` lines on success (a cut file's warning) and one line on failure
// (`failure_lines`: check reports on stdout, so 0), and the input byte for byte as it was.
ProcessResult expect_clean_exit(const std::filesystem::path& input, const std::vector<std::string>& args,
                                std::initializer_list<int> exit_codes, std::size_t failure_lines = 1,
                                std::size_t success_lines = 0)
{
    const auto before = contents(input);
    const auto result = tonearm(args);
    EXPECT_FALSE(result.timed_out) << "hang";
    EXPECT_EQ(result.signal, 0) << "crashed";
    EXPECT_NE(std::find(exit_codes.begin(), exit_codes.end(), result.exit_code), exit_codes.end())
        << "exit " << result.exit_code << ": " << result.err;
    EXPECT_EQ(diagnostic_lines(result.err), result.exit_code == 0 ? success_lines : failure_lines) << result.err;
    EXPECT_EQ(result.err.find("terminate called"), std::string::npos);
    EXPECT_EQ(contents(input), before) << "the input changed";
    return result;
}

// A directory the unprivileged user can reach, with an `out` directory it may write into.
class HostileFixture {
protected:
    TempDir dir;
    std::filesystem::path out_dir = dir / "out";

    HostileFixture()
    {
        std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::others_read |
                                                     std::filesystem::perms::others_exec);
        std::filesystem::create_directories(out_dir);
        std::filesystem::permissions(out_dir, std::filesystem::perms::all);
    }
};

// One test per row and command; each makes its row's file in a directory of its own.
class HostileInput : public HostileFixture, public ::testing::TestWithParam<std::size_t> {
protected:
    const Row& row = rows()[GetParam()];
    std::filesystem::path path = dir / row.file;

    void SetUp() override { row.make(path); }

    // A command that succeeded on a cut file: one warning line naming it and saying how much
    // is there, and (when the uncut file is known) exactly that part of it in `output`.
    void expect_cut_file_handled(const ProcessResult& result, const std::filesystem::path& output)
    {
        EXPECT_NE(result.err.find("warning: " + path.string() + ": truncated: "), std::string::npos) << result.err;
        EXPECT_NE(result.err.find(" decoded"), std::string::npos) << result.err;
        if (!row.whole.empty())
            expect_leading_part_of_whole(output);
    }

    // What a cut file may give when decoded anyway: the uncut file's first samples, exactly.
    void expect_leading_part_of_whole(const std::filesystem::path& decoded)
    {
        const auto part = decode_all(decoded);
        const auto whole = decode_all(dir / row.whole);
        ASSERT_LT(part.size(), whole.size()) << "a cut file decoded to the whole";
        EXPECT_TRUE(same_samples(part, std::span(whole).first(part.size())));
    }
};

INSTANTIATE_TEST_SUITE_P(Table, HostileInput, ::testing::Range<std::size_t>(0, rows().size()), test_name);

// The cut rows again, for what only they are about.
class HostileCut : public HostileInput {};

std::vector<std::size_t> cut_rows()
{
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < rows().size(); ++i)
        if (rows()[i].cut)
            indices.push_back(i);
    return indices;
}

INSTANTIATE_TEST_SUITE_P(Table, HostileCut, ::testing::ValuesIn(cut_rows()), test_name);

TEST_P(HostileInput, Info)
{
    if (!row.header_intact) {
        expect_clean_exit(path, {"info", path.string()}, {1});
        return;
    }
    const auto result = expect_clean_exit(path, {"info", path.string()}, {0, 1});
    if (result.exit_code != 0)
        return;
    // Every container in the table can tell from its headers and its end.
    EXPECT_NE(result.out.find(row.cut ? "truncated   yes: " : "truncated   no"), std::string::npos) << result.out;
}

TEST_P(HostileInput, Decode)
{
    const auto out = out_dir / "decoded.wav";
    const auto result = expect_clean_exit(path, {"decode", path.string(), "-o", out.string()},
                                          row.cut ? std::initializer_list<int>{0, 1} : std::initializer_list<int>{1}, 1,
                                          1);
    if (result.exit_code == 0)
        expect_cut_file_handled(result, out);
    else
        EXPECT_FALSE(std::filesystem::exists(out)) << "no partial output";
    std::filesystem::remove(out);
    EXPECT_TRUE(std::filesystem::is_empty(out_dir)) << "no temporary file left";
}

TEST_P(HostileCut, DecodeStrictFails)
{
    const auto out = out_dir / "decoded.wav";
    const auto result = expect_clean_exit(path, {"decode", "--strict", path.string(), "-o", out.string()}, {1});
    EXPECT_NE(result.err.find(path.string()), std::string::npos) << result.err;
    EXPECT_TRUE(std::filesystem::is_empty(out_dir)) << "no output, no temporary file";
}

TEST_P(HostileInput, Play)
{
    // Rendered to a file, so what a cut file plays can be compared with the uncut one.
    const auto rendered = out_dir / "played.wav";
    const auto result = expect_clean_exit(path, {"play", "--output", rendered.string(), path.string()},
                                          row.cut ? std::initializer_list<int>{0, 1} : std::initializer_list<int>{1}, 1,
                                          1);
    if (result.exit_code == 0)
        expect_cut_file_handled(result, rendered);
}

TEST_P(HostileInput, CheckFailsItWithOneReportLine)
{
    // check's verdicts are its report (stdout), one FAIL line per file, like `flac -t` says
    // what failed; stderr stays empty.
    if (row.name == "directory")
        GTEST_SKIP() << "a directory is walked, not checked (see batch_check.hpp)";
    const auto result = expect_clean_exit(path, {"check", path.string()}, {1}, 0);
    EXPECT_NE(result.out.find("FAIL " + path.string() + ": "), std::string::npos) << result.out;
    EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 2) << "FAIL line + summary:\n" << result.out;
}

// ---- rows about paths and outputs ------------------------------------------------------------

class HostilePaths : public HostileFixture, public ::testing::Test {};

TEST_F(HostilePaths, SpacesAndNonAsciiWork)
{
    const auto path = dir / "a file with spaces – ünïcødé 音.flac";
    write_fixture(dir.path(), "plain", fixture_format("flac16"));
    std::filesystem::copy_file(dir / "plain.flac", path);
    const auto info = tonearm({"info", path.string()});
    EXPECT_EQ(info.exit_code, 0) << info.err;
    EXPECT_NE(info.out.find("ünïcødé"), std::string::npos);
    const auto json = tonearm({"info", "--json", path.string()});
    EXPECT_NE(json.out.find("\"path\":\"" + path.string() + "\""), std::string::npos) << json.out;
    const auto out = out_dir / "sortie déçue.wav";
    EXPECT_EQ(tonearm({"decode", path.string(), "-o", out.string()}).exit_code, 0);
    EXPECT_TRUE(same_samples(decode_all(out), decode_all(path)));
}

TEST_F(HostilePaths, OutputInAMissingDirectoryOrOnTheInputFailsCleanly)
{
    const auto input = write_fixture(dir.path(), "source", fixture_format("wav16"));
    const auto nowhere = (dir / "no" / "dir" / "x.wav").string();
    expect_clean_exit(input, {"decode", input.string(), "-o", nowhere}, {1});
    expect_clean_exit(input, {"decode", input.string(), "-o", input.string()}, {2});
    expect_clean_exit(input, {"play", "--output", nowhere, input.string()}, {1});
    EXPECT_FALSE(std::filesystem::exists(dir / "no"));
}

}  // namespace
}  // namespace tonearm::test
