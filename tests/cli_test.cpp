// The command-line program as scripts see it: exit codes, one-line errors, JSON, files.
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/pty_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sndfile.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <thread>

namespace tonearm::test {
namespace {

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

class Cli : public ::testing::Test {
protected:
    TempDir dir;
    std::filesystem::path wav = write_fixture(dir.path(), "tone", fixture_format("wav16"), Tone{.seconds = 2.0},
                                              {{SF_STR_TITLE, "Tone"}, {SF_STR_ARTIST, "Tests"}});
};

TEST_F(Cli, HelpAndVersionSucceed)
{
    const auto help = run_tonearm({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    for (const char* word : {"play", "info", "decode", "check", "devices", "Exit codes"})
        EXPECT_NE(help.out.find(word), std::string::npos) << word;
    // play has its own footer (the keys), which must not hide the exit codes.
    for (const auto& args : {std::vector<std::string>{"--help"}, {"play", "--help"}}) {
        const auto text = run_tonearm(args).out;
        for (const char* line : {"0  success", "1  some file failed", "2  usage error", "3  no audio output"})
            EXPECT_NE(text.find(line), std::string::npos) << line << " in " << args.front() << ":\n" << text;
    }
    EXPECT_NE(run_tonearm({"play", "--help"}).out.find("p, <          previous"), std::string::npos);
    const auto version = run_tonearm({"--version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_NE(version.out.find("tonearm"), std::string::npos);
}

TEST_F(Cli, UsageErrorsExitWithTwo)
{
    EXPECT_EQ(run_tonearm({}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"frobnicate"}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"info"}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"info", "--no-such-flag", wav.string()}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"decode", wav.string()}).exit_code, 2) << "no -o";
    EXPECT_EQ(run_tonearm({"decode", wav.string(), "-o", (dir / "x.wav").string(), "--start", "soon"}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"play", "--volume", "900", wav.string()}).exit_code, 2);
}

TEST_F(Cli, InfoPrintsATable)
{
    const auto result = run_tonearm({"info", wav.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    for (const char* text : {"WAV", "PCM s16", "44100 Hz", "0:02.000", "88200 frames", "Tone", "Tests"})
        EXPECT_NE(result.out.find(text), std::string::npos) << text << " in\n" << result.out;
}

TEST_F(Cli, InfoJsonHasOneObjectPerFileWithTheFields)
{
    const auto flac = write_fixture(dir.path(), "tone24", fixture_format("flac24"));
    const auto result = run_tonearm({"info", "--json", wav.string(), flac.string(), (dir / "missing.ogg").string()});
    EXPECT_EQ(result.exit_code, 1) << "one file failed";
    EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
    ASSERT_EQ(lines(result.out), 3u);
    std::istringstream stream(result.out);
    std::string line;
    std::vector<nlohmann::json> objects;
    while (std::getline(stream, line))
        objects.push_back(nlohmann::json::parse(line));
    EXPECT_EQ(objects[0]["path"], wav.string());
    EXPECT_EQ(objects[0]["ok"], true);
    EXPECT_EQ(objects[0]["container"], "WAV");
    EXPECT_EQ(objects[0]["sample_rate"], 44100);
    EXPECT_EQ(objects[0]["channels"], 2);
    EXPECT_EQ(objects[0]["frames"], 88200);
    EXPECT_DOUBLE_EQ(objects[0]["duration"].get<double>(), 2.0);
    EXPECT_EQ(objects[0]["bits_per_sample"], 16);
    EXPECT_EQ(objects[0]["tags"]["title"], "Tone");
    EXPECT_EQ(objects[1]["codec"], "FLAC");
    EXPECT_EQ(objects[1]["bits_per_sample"], 24);
    EXPECT_EQ(objects[1]["sample_rate"], 96000);
    EXPECT_EQ(objects[2]["ok"], false);
    EXPECT_EQ(objects[2]["error"], "not_found");
}

TEST_F(Cli, InfoSaysWhetherTheContainerShowsACut)
{
    // The WAV declaring 4 GB with 4 KB there (its header is all that is needed), a FLAC cut in
    // half, and the whole files.
    const auto flac = write_fixture(dir.path(), "whole", fixture_format("flac16"));
    auto bytes = read_bytes(flac);
    bytes.resize(bytes.size() / 2);
    write_bytes(dir / "half.flac", bytes);
    std::vector<std::byte> header;
    for (const char c : std::string_view("RIFF\xff\xff\xff\xffWAVEfmt \x10\0\0\0\x01\0\x02\0\x44\xac\0\0"
                                         "\x10\xb1\x02\0\x04\0\x10\0data\xf0\xff\xff\xff", 44))
        header.push_back(static_cast<std::byte>(c));
    header.resize(44 + 4096);
    write_bytes(dir / "huge.wav", header);
    const auto info = [&](const std::filesystem::path& path) {
        const auto result = run_tonearm({"info", "--json", path.string()});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        EXPECT_EQ(result.err, "") << "info describes a cut file; it does not warn";
        return nlohmann::json::parse(result.out);
    };
    EXPECT_EQ(info(wav)["truncated"], false);
    EXPECT_EQ(info(flac)["truncated"], false);
    for (const auto& cut : {dir / "half.flac", dir / "huge.wav"}) {
        const auto json = info(cut);
        EXPECT_EQ(json["truncated"], true) << json;
        EXPECT_FALSE(json["truncation"].get<std::string>().empty());
    }
    EXPECT_NE(info(dir / "huge.wav")["truncation"].get<std::string>().find("4294967280 bytes"), std::string::npos);
    const auto table = run_tonearm({"info", (dir / "half.flac").string()});
    EXPECT_NE(table.out.find("truncated   yes: the file ends before the stream's final FLAC frame"), std::string::npos)
        << table.out;
}

TEST_F(Cli, DecodeAndPlayWarnAboutACutFileAndStrictFails)
{
    auto bytes = read_bytes(wav);
    bytes.resize(bytes.size() / 3);
    write_bytes(dir / "third.wav", bytes);
    const auto out = dir / "out.flac";
    const auto decoded = run_tonearm({"decode", (dir / "third.wav").string(), "-o", out.string()});
    EXPECT_EQ(decoded.exit_code, 0);
    EXPECT_EQ(diagnostic_lines(decoded.err), 1u) << decoded.err;
    EXPECT_NE(decoded.err.find("warning: " + (dir / "third.wav").string() + ": truncated: the data chunk declares"),
              std::string::npos)
        << decoded.err;
    EXPECT_NE(decoded.err.find("of 88200 frames decoded (33 %)"), std::string::npos) << decoded.err;
    EXPECT_TRUE(std::filesystem::exists(out));
    const auto played = run_tonearm({"play", "--null", (dir / "third.wav").string()});
    EXPECT_EQ(played.exit_code, 0);
    EXPECT_EQ(diagnostic_lines(played.err), 1u) << played.err;
    EXPECT_NE(played.err.find("warning: " + (dir / "third.wav").string() + ": truncated: "), std::string::npos);
    std::filesystem::remove(out);
    const auto strict = run_tonearm({"decode", "--strict", (dir / "third.wav").string(), "-o", out.string()});
    EXPECT_EQ(strict.exit_code, 1);
    EXPECT_EQ(diagnostic_lines(strict.err), 1u) << strict.err;
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(Cli, BadInputGetsOneLineAndExitOne)
{
    write_bytes(dir / "empty.flac", {});
    std::vector<std::byte> garbage(4096);
    for (std::size_t i = 0; i < garbage.size(); ++i)
        garbage[i] = static_cast<std::byte>((i * 7919) % 251);
    write_bytes(dir / "garbage.mp3", garbage);
    for (const auto& path : {dir / "missing.wav", dir / "empty.flac", dir / "garbage.mp3", dir.path()}) {
        const auto result = run_tonearm({"info", path.string()});
        EXPECT_EQ(result.exit_code, 1) << path;
        EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
        EXPECT_NE(result.err.find(path.string()), std::string::npos) << result.err;
        EXPECT_EQ(result.err.find("terminate"), std::string::npos);
    }
}

TEST_F(Cli, DecodeRoundTripsLosslessly)
{
    const auto flac = dir / "copy.flac";
    const auto back = dir / "back.wav";
    ASSERT_EQ(run_tonearm({"decode", wav.string(), "-o", flac.string()}).exit_code, 0);
    ASSERT_EQ(run_tonearm({"decode", flac.string(), "-o", back.string()}).exit_code, 0);
    EXPECT_TRUE(same_samples(decode_all(back), decode_all(wav)));
    const auto info = run_tonearm({"info", "--json", back.string()});
    EXPECT_EQ(nlohmann::json::parse(info.out)["bits_per_sample"], 16) << "depth kept";
    EXPECT_EQ(nlohmann::json::parse(info.out)["tags"]["title"], "Tone") << "tags carried over";
}

TEST_F(Cli, DecodeWritesEveryFormatItNames)
{
    for (const std::string extension : {"wav", "flac", "aiff", "ogg", "opus", "mp3"}) {
        const auto out = dir / ("out." + extension);
        const auto result = run_tonearm({"decode", wav.string(), "-o", out.string()});
        ASSERT_EQ(result.exit_code, 0) << extension << ": " << result.err;
        const auto decoded = decode_all(out);
        EXPECT_NEAR(static_cast<double>(decoded.size()) / 2, extension == "opus" ? 96000 : 88200, 1) << extension;
    }
}

TEST_F(Cli, DecodeStartAndDuration)
{
    const auto out = dir / "part.wav";
    ASSERT_EQ(run_tonearm({"decode", wav.string(), "-o", out.string(), "--start", "0.5", "--duration", "250ms"}).exit_code, 0);
    const auto all = decode_all(wav);
    const std::vector<float> expected(all.begin() + 22050 * 2, all.begin() + (22050 + 11025) * 2);
    EXPECT_TRUE(same_samples(decode_all(out), expected));
}

TEST_F(Cli, FailedDecodeLeavesNoOutputBehind)
{
    std::vector<std::byte> truncated = read_bytes(write_fixture(dir.path(), "t", fixture_format("flac16")));
    truncated.resize(truncated.size() / 2);
    write_bytes(dir / "truncated.flac", truncated);
    write_bytes(dir / "garbage.wav", std::vector<std::byte>(1000, std::byte{0x41}));
    for (const auto& input : {dir / "garbage.wav", dir / "missing.wav", dir / "truncated.flac"}) {
        const auto out = dir / "out.wav";
        // (Without --strict a cut file is decoded as far as it goes, with a warning.)
        const auto result = run_tonearm({"decode", "--strict", input.string(), "-o", out.string()});
        EXPECT_EQ(result.exit_code, 1) << input;
        EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
        EXPECT_FALSE(std::filesystem::exists(out)) << input;
    }
    const auto files = std::distance(std::filesystem::directory_iterator(dir.path()), {});
    EXPECT_EQ(files, 4) << "no temporary files left either";
}

TEST_F(Cli, InterruptedDecodeExits130AndLeavesNothingBehind)
{
    // Ten minutes into Opus takes seconds: time enough to interrupt it mid-write.
    const auto long_file = write_fixture(dir.path(), "long", fixture_format("flac16"),
                                         Tone{.sample_rate = 16000, .channels = 1, .seconds = 600});
    const auto out = dir / "out.opus";
    const auto has_temporary = [&] {
        for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
            if (entry.path().filename().string().starts_with(".out.opus"))
                return true;
        return false;
    };
    BackgroundProcess decode({tonearm_cli(), "decode", long_file.string(), "-o", out.string()},
                             (dir / "stdout.txt").string(), {{"NO_COLOR", "1"}});
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!has_temporary() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(has_temporary()) << "the decode started writing";
    const int status = decode.stop(SIGINT);
    ASSERT_TRUE(WIFEXITED(status)) << "a clean exit, not death by signal";
    EXPECT_EQ(WEXITSTATUS(status), 130);
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(has_temporary()) << "the temporary file is removed";
}

TEST_F(Cli, DecodeRefusesToOverwriteItsInput)
{
    const auto before = read_bytes(wav);
    const auto result = run_tonearm({"decode", wav.string(), "-o", wav.string()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_EQ(diagnostic_lines(result.err), 1u);
    EXPECT_EQ(read_bytes(wav), before);
    const auto alias = dir / "." / wav.filename();
    EXPECT_EQ(run_tonearm({"decode", wav.string(), "-o", alias.string()}).exit_code, 2);
    EXPECT_EQ(read_bytes(wav), before);
}

TEST_F(Cli, DecodeIntoAMissingDirectoryFailsCleanly)
{
    const auto result = run_tonearm({"decode", wav.string(), "-o", (dir / "no" / "such" / "dir.wav").string()});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "no"));
}

TEST_F(Cli, DecodeThatRunsOutOfSpaceLeavesNoPartialFile)
{
    // RLIMIT_FSIZE stands in for a full disk: writes past 64 KiB fail with EFBIG.
    const auto big = write_fixture(dir.path(), "big", fixture_format("flac16"), Tone{.seconds = 5.0});
    const auto out = dir / "out.wav";
    const auto result = run_process({"sh", "-c", "ulimit -f 64 && exec \"$0\" decode \"$1\" -o \"$2\"", tonearm_cli(),
                                     big.string(), out.string()});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 2) << "no temporary left";
}

TEST_F(Cli, DecodeNeedsAFormatItKnows)
{
    const auto result = run_tonearm({"decode", wav.string(), "-o", (dir / "out.xyz").string()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("extension"), std::string::npos);
}

TEST_F(Cli, DecodeFormatAndEncodingOverrideTheExtension)
{
    const auto codec_and_depth = [&](const std::filesystem::path& file) {
        const auto info = nlohmann::json::parse(run_tonearm({"info", "--json", file.string()}).out);
        return std::pair{info["codec"].get<std::string>(), info["bits_per_sample"].get<int>()};
    };
    for (const char* name : {"out.xyz", "really-flac.wav"}) {
        const auto out = dir / name;
        ASSERT_EQ(run_tonearm({"decode", wav.string(), "-o", out.string(), "--format", "flac"}).exit_code, 0) << name;
        EXPECT_EQ(codec_and_depth(out), std::pair(std::string("FLAC"), 16)) << name;
        EXPECT_TRUE(same_samples(decode_all(out), decode_all(wav))) << name;
    }
    const auto deep = dir / "deep.wav";
    ASSERT_EQ(run_tonearm({"decode", wav.string(), "-o", deep.string(), "--encoding", "24"}).exit_code, 0);
    EXPECT_EQ(codec_and_depth(deep).second, 24);
    EXPECT_TRUE(same_samples(decode_all(deep), decode_all(wav))) << "16 bits widen to 24 exactly";
    EXPECT_EQ(run_tonearm({"decode", wav.string(), "-o", deep.string(), "--encoding", "12"}).exit_code, 2);
}

TEST_F(Cli, PlayRendersToAFileAndToTheNullOutput)
{
    const auto out = dir / "render.wav";
    const auto rendered = run_tonearm({"play", "--output", out.string(), wav.string()});
    ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
    EXPECT_TRUE(same_samples(decode_all(out), decode_all(wav)));
    const auto null = run_tonearm({"play", "--null", wav.string(), wav.string()});
    EXPECT_EQ(null.exit_code, 0) << null.err;
    EXPECT_EQ(null.out, "") << "not a terminal: no status line";
}

TEST_F(Cli, PlayReportsFilesItSkippedAndExitsOne)
{
    const auto result = run_tonearm({"play", "--null", (dir / "missing.wav").string(), wav.string()});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
    EXPECT_NE(result.err.find("missing.wav"), std::string::npos);
}

TEST_F(Cli, LogLevelFlagsChooseWhatReachesStderr)
{
    TempDir empty;
    const auto warned = run_tonearm({"check", empty.path().string()});
    EXPECT_NE(warned.err.find("no files to check"), std::string::npos) << "a warning by default";
    EXPECT_EQ(run_tonearm({"-q", "check", empty.path().string()}).err, "");
    EXPECT_EQ(run_tonearm({"--log-level", "error", "check", empty.path().string()}).err, "");

    EXPECT_EQ(run_tonearm({"play", "--null", wav.string()}).err, "");
    const auto verbose = run_tonearm({"-v", "play", "--null", wav.string()});
    EXPECT_NE(verbose.err.find("underruns: 0"), std::string::npos) << verbose.err;
    EXPECT_NE(verbose.err.find("playing"), std::string::npos) << verbose.err;
    EXPECT_EQ(run_tonearm({"--log-level", "loud", "info", wav.string()}).exit_code, 2);
}

TEST_F(Cli, ErrorsAreColouredOnATerminalUnlessNoColor)
{
    // On a pipe there is never colour; on a terminal there is, until NO_COLOR is set.
    EXPECT_EQ(run_tonearm({"info", (dir / "missing.wav").string()}).err.find('\x1b'), std::string::npos);
    const auto on_terminal = [&](const std::string& no_color) {
        PtyProcess process({tonearm_cli(), "info", (dir / "missing.wav").string()}, {{"NO_COLOR", no_color}});
        EXPECT_EQ(process.wait(std::chrono::seconds(10)), 1);
        return process.output();
    };
    const auto coloured = on_terminal("");
    EXPECT_NE(coloured.find("\x1b["), std::string::npos) << "an empty NO_COLOR counts as unset: " << coloured;
    const auto plain = on_terminal("1");
    EXPECT_NE(plain.find("missing.wav"), std::string::npos) << plain;
    EXPECT_EQ(plain.find('\x1b'), std::string::npos) << plain;
}

}  // namespace
}  // namespace tonearm::test
