// `tonearm check` as scripts see it: exit codes, the four report formats, stable order
// whatever --jobs is, the progress bar only on a terminal. (The verdicts themselves are
// tested on the library in batch_check_test.cpp.)
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/pty_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sndfile.h>

#include <algorithm>
#include <unistd.h>

namespace tonearm::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// RFC 4180 rows: quoted fields may hold commas, doubled quotes and newlines.
std::vector<std::vector<std::string>> parse_csv(const std::string& text)
{
    std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                rows.back().back() += text[++i];
            else if (c == '"')
                quoted = false;
            else
                rows.back().back() += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().emplace_back();
        } else if (c == '\n') {
            rows.emplace_back(1);
        } else {
            rows.back().back() += c;
        }
    }
    if (rows.back() == std::vector<std::string>(1))
        rows.pop_back();
    return rows;
}

// A small tree: a good file of every format (one with a comma and quotes in its name), and
// four that fail.
class CheckCli : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = new TempDir;
        const fs::path good = *dir_ / "good", bad = *dir_ / "bad";
        fs::create_directories(good);
        fs::create_directories(bad);
        for (const auto& format : fixture_formats())
            write_fixture(good, format.name, format, Tone{.seconds = 0.5});
        fs::copy_file(good / "wav16.wav", good / "a, \"quoted\" name.wav");

        const auto wav = read_bytes(good / "wav16.wav");
        write_bytes(bad / "cut.wav", std::span(wav).first(wav.size() / 2));
        write_bytes(bad / "empty.flac", {});
        std::vector<std::byte> noise(3000);
        for (std::size_t i = 0; i < noise.size(); ++i)
            noise[i] = static_cast<std::byte>((i * 2654435761u) >> 13);
        write_bytes(bad / "noise.mp3", noise);
        auto flac = read_bytes(good / "flac16.flac");
        flac[30] ^= std::byte{0xFF};  // in the STREAMINFO MD5: the audio no longer matches it
        write_bytes(bad / "altered.flac", flac);
    }
    static void TearDownTestSuite() { delete dir_; }

    static fs::path root() { return dir_->path(); }
    static std::string good() { return (root() / "good").string(); }
    static std::string bad() { return (root() / "bad").string(); }
    static constexpr std::size_t good_files = 10, bad_files = 4;

private:
    static TempDir* dir_;
};
TempDir* CheckCli::dir_ = nullptr;

TEST_F(CheckCli, ExitsWithZeroOneOrTwo)
{
    const auto ok = run_tonearm({"check", good()});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    EXPECT_EQ(run_tonearm({"check", good(), bad()}).exit_code, 1);
    EXPECT_EQ(run_tonearm({"check", (root() / "missing.flac").string()}).exit_code, 1);
    EXPECT_EQ(run_tonearm({"check"}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"check", "--jobs", "0", good()}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"check", "--format", "xml", good()}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"check", "--frobnicate", good()}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"check", "--ext", "*,wav", good()}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"check", "--ext", ",", good()}).exit_code, 2);
}

TEST_F(CheckCli, ExtChoosesTheFilesTakenFromDirectories)
{
    const auto checked = [](std::vector<std::string> args) {
        args.insert(args.begin(), {"check", "--format", "json"});
        const auto result = run_tonearm(args);
        EXPECT_LE(result.exit_code, 1) << result.err;
        const auto report = json::parse(result.out);
        std::vector<std::string> names;
        for (const auto& file : report["files"])
            names.push_back(fs::path(file["path"].get<std::string>()).filename().string());
        std::sort(names.begin(), names.end());
        return std::pair{names, report["summary"]["skipped"].get<int>()};
    };
    EXPECT_EQ(checked({"--ext", "flac", good()}),
              std::pair(std::vector<std::string>{"flac16.flac", "flac24.flac"}, 8));
    // Any case, a leading dot or a trailing comma mean the same.
    EXPECT_EQ(checked({"--ext", "MP3,.opus,", good()}),
              std::pair(std::vector<std::string>{"mp3.mp3", "opus.opus"}, 8));
    // A file named on the command line is checked whatever its extension.
    EXPECT_EQ(checked({"--ext", "flac", (root() / "bad" / "noise.mp3").string()}).first,
              std::vector<std::string>{"noise.mp3"});
    fs::path other = root() / "other";
    fs::create_directories(other);
    fs::copy_file(root() / "good" / "wav16.wav", other / "tone.bin", fs::copy_options::overwrite_existing);
    EXPECT_EQ(checked({other.string()}).first, std::vector<std::string>{}) << ".bin is not audio by default";
    EXPECT_EQ(checked({"--ext", "*", other.string()}).first, std::vector<std::string>{"tone.bin"});
}

// The report that started issue 13: a folder of AAC, ALAC, WebM and WMA files was "checked 0
// files ... 5 other files skipped" with exit 0. Every audio file is checked now; one that no
// backend reads fails; cover art and cue sheets are skipped and counted.
TEST_F(CheckCli, ALibraryOfEveryFormatIsCheckedNotSkipped)
{
    TempDir library;
    const auto tone = synth(Tone{.seconds = 0.5});
    for (const char* name : {"aac_m4a", "aac_adts", "alac16", "opus_webm", "vorbis_webm", "wmav2"})
        write_ffmpeg_fixture(library.path(), name, ffmpeg_fixture(name), tone);
    for (const auto& entry : fs::directory_iterator(library.path()))
        if (entry.path().string().ends_with(".source.wav"))
            fs::remove(entry.path());
    for (const char* name : {"cover.jpg", "album.cue", "rip.log"})
        write_bytes(library / name, {});
    const auto report = [&] {
        const auto result = run_tonearm({"check", "--format", "json", library.path().string()});
        return std::pair{result.exit_code, json::parse(result.out)};
    };
    auto [code, json_report] = report();
    EXPECT_EQ(code, 0) << json_report.dump(1);
    EXPECT_EQ(json_report["summary"]["files"], 6);
    EXPECT_EQ(json_report["summary"]["ok"], 6);
    EXPECT_EQ(json_report["summary"]["skipped"], 3);

    run_ffmpeg({"-i", (library / "aac_m4a.m4a").string(), "-c:a", "wavpack", (library / "lossless.wv").string()});
    std::tie(code, json_report) = report();
    EXPECT_EQ(code, 1);
    EXPECT_EQ(json_report["summary"]["files"], 7);
    EXPECT_EQ(json_report["summary"]["failed"], 1);
    for (const auto& file : json_report["files"]) {
        if (file["path"].get<std::string>().ends_with("lossless.wv")) {
            EXPECT_EQ(file["category"], "unsupported") << file.dump();
        }
    }
}

TEST_F(CheckCli, TextShowsOnlyFailuresAndASummary)
{
    const auto result = run_tonearm({"check", "--jobs", "2", good(), bad()});
    ASSERT_EQ(result.exit_code, 1) << result.err;
    const auto lines = split_lines(result.out);
    ASSERT_EQ(lines.size(), bad_files + 1) << result.out;
    const std::vector<std::string> wanted = {
        "FAIL " + bad() + "/altered.flac: md5_mismatch: ", "FAIL " + bad() + "/cut.wav: truncated: ",
        "FAIL " + bad() + "/empty.flac: truncated: empty file", "FAIL " + bad() + "/noise.mp3: unsupported: "};
    for (std::size_t i = 0; i < wanted.size(); ++i)
        EXPECT_TRUE(lines[i].starts_with(wanted[i])) << lines[i];
    const auto all = std::to_string(good_files + bad_files);
    EXPECT_TRUE(lines.back().starts_with("checked " + all + " files (")) << lines.back();
    EXPECT_NE(lines.back().find(": " + std::to_string(good_files) + " ok, " + std::to_string(bad_files) + " failed"),
              std::string::npos)
        << lines.back();

    const auto verbose = run_tonearm({"check", "-v", good()});
    ASSERT_EQ(verbose.exit_code, 0);
    const auto verbose_lines = split_lines(verbose.out);
    ASSERT_EQ(verbose_lines.size(), good_files + 1);
    for (std::size_t i = 0; i < good_files; ++i)
        EXPECT_TRUE(verbose_lines[i].starts_with("ok   " + good() + "/")) << verbose_lines[i];
}

TEST_F(CheckCli, JsonHasEveryFileAndASummary)
{
    const auto result = run_tonearm({"check", "--format", "json", good(), bad()});
    ASSERT_EQ(result.exit_code, 1);
    const json report = json::parse(result.out);
    ASSERT_EQ(report["files"].size(), good_files + bad_files);
    EXPECT_EQ(report["summary"]["files"], good_files + bad_files);
    EXPECT_EQ(report["summary"]["ok"], good_files);
    EXPECT_EQ(report["summary"]["failed"], bad_files);
    EXPECT_GT(report["summary"]["duration"].get<double>(), 4.9);
    for (const auto& file : report["files"]) {
        for (const char* key : {"path", "verdict", "category", "message", "container", "codec", "sample_rate",
                                "channels", "frames", "declared_frames", "duration", "peak", "clipped",
                                "non_finite", "md5", "seconds"})
            EXPECT_TRUE(file.contains(key)) << key << " in " << file;
        const bool ok = file["verdict"] == "ok";
        EXPECT_TRUE(ok || file["verdict"] == "fail");
        EXPECT_EQ(file["category"].is_null(), ok) << file;
        EXPECT_EQ(file["path"].get<std::string>().starts_with(good()), ok) << file;
    }
    const auto& flac = report["files"][2];  // bytewise order: "a, \"quoted\"...", aiff16, flac16
    EXPECT_EQ(report["files"][0]["path"], good() + "/a, \"quoted\" name.wav");
    EXPECT_EQ(flac["path"], good() + "/flac16.flac");
    EXPECT_EQ(flac["md5"], "ok");
    EXPECT_EQ(flac["frames"], 22050);
    EXPECT_EQ(flac["declared_frames"], 22050);
}

TEST_F(CheckCli, JsonLinesHasOneObjectPerLine)
{
    const auto result = run_tonearm({"check", "--format", "jsonl", bad(), good()});
    const auto lines = split_lines(result.out);
    ASSERT_EQ(lines.size(), good_files + bad_files);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const json object = json::parse(lines[i]);
        EXPECT_EQ(object["verdict"], i < bad_files ? "fail" : "ok") << lines[i];  // input order
    }
    EXPECT_EQ(json::parse(lines[0])["category"], "md5_mismatch");
    EXPECT_TRUE(json::parse(lines[2])["container"].is_null());  // empty.flac never opened
}

TEST_F(CheckCli, CsvHasAHeaderAndOneQuotedRowPerFile)
{
    const auto result = run_tonearm({"check", "--format", "csv", good(), bad()});
    const auto rows = parse_csv(result.out);
    ASSERT_EQ(rows.size(), 1 + good_files + bad_files) << result.out;
    EXPECT_EQ(rows[0], (std::vector<std::string>{"path", "verdict", "category", "message", "container", "codec",
                                                 "sample_rate", "channels", "frames", "declared_frames", "duration",
                                                 "peak", "clipped", "non_finite", "md5", "cached", "seconds"}));
    for (const auto& row : rows)
        EXPECT_EQ(row.size(), rows[0].size());
    EXPECT_EQ(rows[1][0], good() + "/a, \"quoted\" name.wav");
    EXPECT_EQ(rows[1][1], "ok");
    EXPECT_EQ(rows[1][6], "44100");
    EXPECT_EQ(rows.back()[0], bad() + "/noise.mp3");
    EXPECT_EQ(rows.back()[1], "fail");
    EXPECT_EQ(rows.back()[2], "unsupported");
}

// Every report with the time fields removed.
std::string without_times(const std::string& format, const std::string& out)
{
    if (format == "json") {
        json report = json::parse(out);
        for (auto& file : report["files"])
            file.erase("seconds");
        report["summary"].erase("seconds");
        return report.dump();
    }
    std::string text;
    for (const auto& line : split_lines(out)) {
        if (format == "jsonl") {
            json object = json::parse(line);
            object.erase("seconds");
            text += object.dump() + '\n';
        } else if (format == "csv") {
            text += line.substr(0, line.rfind(',')) + '\n';
        } else if (!line.starts_with("checked ")) {
            text += line + '\n';
        }
    }
    return text;
}

TEST_F(CheckCli, OneJobAndFourJobsGiveIdenticalReports)
{
    for (const std::string format : {"jsonl", "json", "csv", "text"}) {
        const auto one = run_tonearm({"check", "--jobs", "1", "--format", format, root().string()});
        const auto four = run_tonearm({"check", "--jobs", "4", "--format", format, root().string()});
        ASSERT_EQ(one.exit_code, 1);
        ASSERT_EQ(four.exit_code, 1);
        EXPECT_EQ(without_times(format, one.out), without_times(format, four.out)) << format;
        EXPECT_FALSE(without_times(format, one.out).empty());
    }
}

TEST_F(CheckCli, DrawsAProgressBarOnlyOnATerminal)
{
    const auto piped = run_tonearm({"check", good()});
    EXPECT_EQ(piped.err.find(" files"), std::string::npos) << piped.err;
    EXPECT_EQ(piped.err.find('\r'), std::string::npos);

    PtyProcess terminal({tonearm_cli(), "check", good()}, {{"NO_COLOR", "1"}});
    EXPECT_EQ(terminal.wait(std::chrono::seconds(30)), 0);
    const auto good_count = std::to_string(good_files);
    EXPECT_TRUE(terminal.wait_for_output("checked " + good_count + " files", std::chrono::seconds(1))) << terminal.output();
    EXPECT_NE(terminal.output().find("] "), std::string::npos) << terminal.output();
    EXPECT_NE(terminal.output().find("/" + good_count + " files"), std::string::npos) << terminal.output();
    EXPECT_NE(terminal.output().find("\r\x1b[K"), std::string::npos) << "the bar is cleared";
}

TEST_F(CheckCli, ReportsAnUnreadableFileEvenAsRoot)
{
    const auto path = root() / "unreadable.wav";
    fs::copy_file(root() / "good" / "wav16.wav", path, fs::copy_options::overwrite_existing);
    fs::permissions(path, fs::perms::none);
    std::vector<std::string> argv = {"check", path.string()};
    if (::geteuid() == 0) {
        // Root reads anything while it holds CAP_DAC_OVERRIDE; run the CLI without it.
        if (run_process({"setpriv", "--version"}).exit_code != 0)
            GTEST_SKIP() << "running as root and no setpriv to drop CAP_DAC_OVERRIDE";
        argv = {"--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search",
                tonearm_cli(), "check", path.string()};
        argv.insert(argv.begin(), "setpriv");
    } else {
        argv.insert(argv.begin(), tonearm_cli());
    }
    const auto result = run_process(argv);
    fs::remove(path);
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.out.find(": open: Permission denied"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace tonearm::test
