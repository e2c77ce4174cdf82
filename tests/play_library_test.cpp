// `tonearm play` on a music library, end to end: folders, playlists, cue sheets, shuffle,
// previous/next and resume. Order and errors through --null and -v; gapless joins through
// --output and through real playback into a private PulseAudio null sink, recorded from its
// monitor; keys on a pseudo-terminal.
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/pty_process.hpp"
#include "support/pulse_server.hpp"
#include "support/recorder.hpp"

#include "tonearm/resume_point.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sndfile.h>

#include <algorithm>
#include <csignal>
#include <regex>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace tonearm::test {
namespace {

namespace fs = std::filesystem;
const int wav16 = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
constexpr int sink_rate = 48000;

// The titles `play --list` prints, in playing order (file names when there is no title).
std::vector<std::string> listed(const ProcessResult& result)
{
    std::vector<std::string> titles;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);)
        titles.push_back(nlohmann::json::parse(line).at("title").get<std::string>());
    return titles;
}

// A cue sheet cutting `file` into three tracks: 0-2 s, 2-4.49 s (INDEX 00 before it), the rest.
std::string three_track_sheet(const std::string& file)
{
    return "PERFORMER \"Band\"\nTITLE \"Album\"\nFILE \"" + file + "\" WAVE\n"
           "  TRACK 01 AUDIO\n    TITLE \"One\"\n    INDEX 01 00:00:00\n"
           "  TRACK 02 AUDIO\n    TITLE \"Two\"\n    INDEX 00 00:01:50\n    INDEX 01 00:02:00\n"
           "  TRACK 03 AUDIO\n    TITLE \"Three\"\n    INDEX 01 00:04:37\n";
}

class PlayLibrary : public ::testing::Test {
protected:
    TempDir dir;

    fs::path tone(const fs::path& relative, double seconds, int rate = sink_rate, double lead = 0.0,
                  double start_phase = 0.0)
    {
        const auto path = dir.path() / relative;
        fs::create_directories(path.parent_path());
        Tone t{.sample_rate = rate, .seconds = seconds, .lead_silence = lead, .phases = {0.3, 1.1},
               .start_phase_seconds = start_phase};
        write_audio(path, wav16, rate, 2, synth(t));
        return path;
    }
    fs::path text(const fs::path& relative, const std::string& content) { return write_text(dir.path() / relative, content); }
    std::map<std::string, std::string> state_env() const { return {{"XDG_STATE_HOME", (dir / "state").string()}}; }
};

TEST_F(PlayLibrary, AFolderPlaysInNaturalOrder)
{
    for (const char* name : {"album/10 - ten.wav", "album/2 - two.wav", "album/1 - one.wav"})
        tone(name, 10.0);  // long enough to be announced before --null has decoded it all
    text("album/cover.jpg", "");
    const auto list = run_tonearm({"play", "--list", (dir / "album").string()});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_EQ(listed(list), (std::vector<std::string>{"1 - one.wav", "2 - two.wav", "10 - ten.wav"})) << list.out;
    const auto first = nlohmann::json::parse(list.out.substr(0, list.out.find('\n')));
    EXPECT_EQ(first["track"], 1);
    EXPECT_EQ(first["path"], (dir / "album/1 - one.wav").string());
    EXPECT_EQ(first["first_frame"], 0);
    EXPECT_TRUE(first["end_frame"].is_null());
    const auto played = run_tonearm({"-v", "play", "--null", (dir / "album").string()});
    EXPECT_EQ(played.exit_code, 0) << played.err;
    EXPECT_NE(played.err.find("one.wav (track 1/3  1 - one.wav)"), std::string::npos) << played.err;
}

TEST_F(PlayLibrary, BadEntriesAreOneLineEachThePlaylistGoesOnAndTheExitIsOne)
{
    tone("a.wav", 0.05);
    tone("b.wav", 0.05);
    text("broken.wav", "RIFF, but not really");
    text("list.m3u", "a.wav\nhttp://radio.example.org/live\nmissing.wav\nlist.m3u\nbroken.wav\nb.wav\n");
    const auto result = run_tonearm({"-q", "play", "--null", (dir / "list.m3u").string()},
                                    {.timeout = std::chrono::seconds(30)});
    EXPECT_FALSE(result.timed_out);
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_EQ(diagnostic_lines(result.err), 4u) << "the URL, the self-include, the missing and the broken file:\n"
                                                 << result.err;
    for (const char* says : {"URL", "includes itself", "missing.wav", "broken.wav"})
        EXPECT_NE(result.err.find(says), std::string::npos) << says << " in\n" << result.err;
    const auto list = run_tonearm({"-q", "play", "--list", (dir / "list.m3u").string()});
    EXPECT_EQ(list.exit_code, 1) << "--list fails as play would";
    EXPECT_EQ(listed(list), (std::vector<std::string>{"a.wav", "missing.wav", "broken.wav", "b.wav"}));
}

TEST_F(PlayLibrary, NothingToPlayIsOneLineAndExitOne)
{
    text("empty/readme.txt", "");
    const auto result = run_tonearm({"play", "--null", (dir / "empty").string()});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;  // why nothing plays, once
    EXPECT_NE(result.err.find("error: " + (dir / "empty").string() + ": no audio files in it"), std::string::npos)
        << result.err;
}

TEST_F(PlayLibrary, ADamagedResumePointIsOneWarningAndPlaysFromTheStart)
{
    tone("book/chapter.wav", 0.05);
    const std::vector<std::string> arguments{(dir / "book").string()};
    const auto kept = ResumeStore(dir / "state" / "tonearm").file_for(arguments);
    for (const std::string damage : {"\xFF\x00 not a resume point", "tonearm resume 1\nargument \\q\n",
                                     "tonearm resume 1\nargument /x\ntrack 0\n"}) {
        text(kept.lexically_relative(dir.path()), damage);
        const auto result = run_tonearm({"play", "--null", "--resume", arguments[0]}, {.env = state_env()});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
        EXPECT_NE(result.err.find("ignored"), std::string::npos) << result.err;
        EXPECT_EQ(read_bytes(kept).size(), damage.size()) << "left as it was: --null keeps no position";
    }
}

TEST_F(PlayLibrary, ShuffleIsReproducibleWithASeed)
{
    std::vector<std::string> natural;
    for (int i = 1; i <= 8; ++i) {
        tone("album/" + std::to_string(i) + ".wav", 0.02);
        natural.push_back(std::to_string(i) + ".wav");
    }
    const auto order = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"-v", "play", "--list"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back((dir / "album").string());
        const auto result = run_tonearm(args);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return listed(result);
    };
    EXPECT_EQ(order({}), natural);
    const auto first = order({"--shuffle", "--seed", "12345"});
    EXPECT_EQ(order({"--shuffle", "--seed", "12345"}), first);
    EXPECT_NE(first, natural);
    auto sorted = first;
    std::sort(sorted.begin(), sorted.end());
    auto expected = natural;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(sorted, expected) << "each track once";
    EXPECT_NE(order({"--shuffle", "--seed", "54321"}), first);
    // Without a seed it says which one it drew, so a good order can be played again.
    const auto drawn = run_tonearm({"-v", "play", "--list", "--shuffle", (dir / "album").string()});
    std::smatch seed;
    ASSERT_TRUE(std::regex_search(drawn.err, seed, std::regex("--seed (\\d+)"))) << drawn.err;
    EXPECT_EQ(order({"--shuffle", "--seed", seed[1]}), listed(drawn));

    const auto usage = run_tonearm({"play", "--null", "--seed", "5", (dir / "album").string()});
    EXPECT_EQ(usage.exit_code, 2) << usage.err;
}

TEST_F(PlayLibrary, ACueSplitFileRendersAsTheWholeFileBitExact)
{
    const auto file = tone("album/album.wav", 6.0, 44100);
    text("album/album.cue", three_track_sheet("album.wav"));
    const auto out = dir / "out.wav";
    const auto result = run_tonearm({"play", "--output", out.string(), (dir / "album/album.cue").string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(same_samples(decode_all(out), decode_all(file)));
}

TEST_F(PlayLibrary, NonUtf8NamesPlayAndAreShownEscaped)
{
    tone("caf\xE9/caf\xE9.wav", 10.0);  // long enough to be announced before it ends
    const auto result = run_tonearm({"-v", "play", "--null", (dir / "caf\xE9").string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("caf\\xE9/caf\\xE9.wav (caf\\xE9.wav)"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find('\xE9'), std::string::npos) << "no raw Latin-1 byte reaches the terminal";
}

// ---- through the sound server ----------------------------------------------------------------

class PlayLibraryHeard : public PlayLibrary {
protected:
    PulseServer server{sink_rate};

    std::map<std::string, std::string> env() const
    {
        auto env = server.env();
        env["XDG_STATE_HOME"] = (dir / "state").string();
        return env;
    }
    ProcessResult play(std::vector<std::string> args)
    {
        args.insert(args.begin(), {tonearm_cli(), "play"});
        return run_process(args, {.timeout = std::chrono::seconds(60), .env = env()});
    }
    static std::vector<float> sound(const std::vector<float>& capture) { return stereo_sound(capture); }
    std::optional<ResumePoint> saved() const
    {
        std::vector<Error> damaged;
        return ResumeStore(dir / "state" / "tonearm").latest(damaged);
    }
};

TEST_F(PlayLibraryHeard, CueSplitTracksJoinBitExactAtTheSink)
{
    // External cue sheet and the same sheet embedded by `flac --cuesheet`: three tracks in a
    // row must sound exactly like the whole file, every join the file's own samples.
    const auto file = tone("album/album.wav", 6.0, sink_rate, 0.25);
    text("album/album.cue", three_track_sheet("album.wav"));
    std::vector<std::vector<std::string>> cases{{(dir / "album/album.cue").string()}};
    const auto flac = dir / "image/album.flac";
    fs::create_directories(flac.parent_path());
    if (run_process({"flac", "-s", "--cuesheet=" + (dir / "album/album.cue").string(), file.string(), "-o",
                     flac.string()}).exit_code == 0)
        cases.push_back({flac.string()});
    ASSERT_EQ(cases.size(), 2u) << "flac could not embed the cue sheet";
    for (const auto& args : cases) {
        Recorder recorder(server);
        const auto result = play(args);
        ASSERT_EQ(result.exit_code, 0) << result.err;
        EXPECT_TRUE(same_samples(sound(recorder.samples()), sound(decode_all(file)))) << args[0];
    }
}

TEST_F(PlayLibraryHeard, NextAndPreviousOnTheTerminalAcrossFilesAndCueTracks)
{
    tone("first.wav", 8.0);
    tone("album.wav", 30.0);
    text("album.cue", "FILE \"album.wav\" WAVE\n"
                      "TRACK 01 AUDIO\nTITLE \"Alpha\"\nPERFORMER \"Band\"\nINDEX 01 00:00:00\n"
                      "TRACK 02 AUDIO\nTITLE \"Beta\"\nINDEX 01 00:10:00\n"
                      "TRACK 03 AUDIO\nTITLE \"Gamma\"\nINDEX 01 00:20:00\n");
    PtyProcess player({tonearm_cli(), "play", (dir / "first.wav").string(), (dir / "album.cue").string()}, env());
    ASSERT_TRUE(player.wait_for_output("track 1/4  first.wav", std::chrono::seconds(10))) << player.output();
    const auto after = [&](const std::string& keys, const std::string& shown) {
        const std::size_t from = player.output().size();
        player.type(keys);
        // Returns as soon as it shows; 3 s was once too short with the whole suite running
        // beside it on 2 loaded cores (the line stopped after track 2; alone it passes).
        return player.wait_for_output(shown, std::chrono::seconds(10), from);
    };
    EXPECT_TRUE(after("n", "track 2/4  Alpha - Band")) << player.output();
    EXPECT_TRUE(after("n", "track 3/4  Beta")) << player.output();
    EXPECT_TRUE(after("n", "track 4/4  Gamma")) << player.output();
    EXPECT_TRUE(after("<", "track 3/4  Beta")) << player.output();
    EXPECT_TRUE(after("<", "track 2/4  Alpha")) << player.output();
    const std::size_t back_at = player.output().size();
    EXPECT_TRUE(after("<", "track 1/4  first.wav")) << player.output();
    // A second or more into it (a loaded machine may draw 0:02 without ever drawing 0:01).
    const auto played_a_second = [&] {
        for (const char* shown : {"0:01 / 0:08", "0:02 / 0:08", "0:03 / 0:08"})
            if (player.output().find(shown, back_at) != std::string::npos)
                return true;
        return false;
    };
    for (int i = 0; i < 100 && !played_a_second(); ++i)
        player.wait_for_output("0:01 / 0:08", std::chrono::milliseconds(100), back_at);
    ASSERT_TRUE(played_a_second()) << player.output();
    EXPECT_TRUE(after("<", "0:00 / 0:08")) << "previous on the first track restarts it:\n" << player.output().substr(back_at);
    player.type("q");
    EXPECT_EQ(player.wait(std::chrono::seconds(5)), 0);
}

TEST_F(PlayLibraryHeard, ResumeAfterQuitContinuesWhereItWasHeard)
{
    const auto file = tone("book/chapter.wav", 20.0);
    {
        PtyProcess player({tonearm_cli(), "play", (dir / "book").string()}, env());
        ASSERT_TRUE(player.wait_for_output("0:03 /", std::chrono::seconds(10))) << player.output();
        player.type("q");
        ASSERT_EQ(player.wait(std::chrono::seconds(5)), 0);
    }
    const auto point = saved();
    ASSERT_TRUE(point) << "a resume point in $XDG_STATE_HOME/tonearm";
    EXPECT_GE(point->position, 3.0);
    EXPECT_LT(point->position, 4.5);
    EXPECT_EQ(point->arguments, std::vector<std::string>{(dir / "book").string()});

    // `play --resume` alone picks the last playlist; rendered, it is the file from that moment on.
    const auto out = dir / "rest.wav";
    const auto rendered = run_tonearm({"play", "--resume", "--output", out.string()}, {.env = state_env()});
    ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
    const auto whole = decode_all(file);
    const auto skip = static_cast<std::size_t>(std::llround(point->position * sink_rate)) * 2;
    EXPECT_TRUE(same_samples(decode_all(out), std::span(whole).subspan(skip)));

    // And with the same arguments, on the terminal, it starts there.
    PtyProcess again({tonearm_cli(), "play", "--resume", (dir / "book").string()}, env());
    EXPECT_TRUE(again.wait_for_output("0:0" + std::to_string(static_cast<int>(point->position)) + " /",
                                      std::chrono::seconds(3)))
        << again.output();
    EXPECT_EQ(again.output().find("0:00 /"), std::string::npos) << again.output();
    again.type("q");
    EXPECT_EQ(again.wait(std::chrono::seconds(5)), 0);
}

TEST_F(PlayLibraryHeard, ResumeAfterSigtermContinuesFromTheLastSampleHeard)
{
    const double lead = 0.25;
    const auto file = tone("mix.wav", 12.0, sink_rate, lead);
    fs::path heard_until;
    std::vector<float> first_part;
    {
        Recorder recorder(server);
        BackgroundProcess player({tonearm_cli(), "play", file.string()}, (dir / "out.txt").string(), env());
        // A few seconds of sound, then the signal.
        ASSERT_TRUE(recorder.wait_for_frames(sink_rate * 4, std::chrono::seconds(15)));
        const int status = player.stop(SIGTERM);
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 130);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        first_part = sound(recorder.samples());
    }
    const auto point = saved();
    ASSERT_TRUE(point);
    const double heard = lead + static_cast<double>(first_part.size() / 2) / sink_rate;
    EXPECT_NEAR(point->position, heard, 0.06) << "the position kept is the last one heard";

    Recorder recorder(server);
    const auto result = play({"--resume", file.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto rest = sound(recorder.samples());
    const auto whole = sound(decode_all(file));
    const auto from = static_cast<std::size_t>(std::llround((point->position - lead) * sink_rate));
    ASSERT_LT(from * 2, whole.size());
    const std::span<const float> expected = std::span(whole).subspan(from * 2);
    // A stream joining the sink mid-sound may lose its first milliseconds at the monitor, and
    // under load the server's rewind can show a frame or so twice there (seen once: 1 frame):
    // the lengths agree within that, and the common tail is the file's, sample for sample.
    const auto difference = static_cast<std::ptrdiff_t>(expected.size()) - static_cast<std::ptrdiff_t>(rest.size());
    EXPECT_LT(difference, 2 * sink_rate * 80 / 1000);
    EXPECT_GT(difference, -2 * sink_rate * 20 / 1000);
    const std::size_t common = std::min(rest.size(), expected.size());
    EXPECT_TRUE(same_samples(std::span(rest).last(common), expected.last(common)));
    EXPECT_FALSE(saved()) << "played to the end: nothing left to resume";
}

TEST_F(PlayLibraryHeard, AHundredThousandFilesStartAtOnceAndStepOnTheTerminal)
{
    // Generated here: 100,000 hard links to one short file (no space taken, every name a file).
    TempDir big(memory_temp_parent());
    const auto one = big / "one.wav";
    write_audio(one, wav16, sink_rate, 2, synth({.sample_rate = sink_rate, .seconds = 4.0}));
    fs::create_directories(big / "tracks");
    for (int i = 1; i <= 100000; ++i)
        fs::create_hard_link(one, big / "tracks" / (std::to_string(i) + ".wav"));
    PtyProcess player({tonearm_cli(), "play", (big / "tracks").string()}, env());
    ASSERT_TRUE(player.wait_for_output("track 1/100000  1.wav", std::chrono::seconds(30))) << player.output();
    const std::size_t from = player.output().size();
    player.type("n");
    EXPECT_TRUE(player.wait_for_output("track 2/100000  2.wav", std::chrono::seconds(3), from)) << player.output();
    player.type("q");
    EXPECT_EQ(player.wait(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace tonearm::test
