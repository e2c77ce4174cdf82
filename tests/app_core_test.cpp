// The command line's parsing and formatting, below the binary: times, keys, the status line,
// exit codes, where the demo is found, and commands applied to a real player.
#include "support/fixtures.hpp"

#include "demo_path.hpp"
#include "exit_codes.hpp"
#include "key_parser.hpp"
#include "status_text.hpp"
#include "terminal.hpp"
#include "time_text.hpp"

#include "tonearm/null_sink.hpp"
#include "tonearm/player_controls.hpp"
#include "tonearm/player.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <thread>

namespace tonearm::cli {
namespace {

using namespace std::chrono_literals;
using Kind = Command::Kind;

// ---- TIME ------------------------------------------------------------------------------------

TEST(TimeText, EveryFormTheReadmeShowsParses)
{
    EXPECT_EQ(parse_time("90"), 90.0);
    EXPECT_EQ(parse_time("1:30"), 90.0);
    EXPECT_EQ(parse_time("1:02:03.5"), 3723.5);
    EXPECT_EQ(parse_time("1500ms"), 1.5);
    EXPECT_EQ(parse_time("2.5s"), 2.5);
}

TEST(TimeText, OtherFormsThatParse)
{
    EXPECT_EQ(parse_time("0"), 0.0);
    EXPECT_EQ(parse_time("90.25"), 90.25);
    EXPECT_EQ(parse_time("0:00:00.001"), 0.001);
    EXPECT_EQ(parse_time("2:00:00"), 7200.0);
    EXPECT_EQ(parse_time("0ms"), 0.0);
}

TEST(TimeText, NonsenseIsRejected)
{
    for (const char* text : {"", "-1", "+5", "abc", "10x", "1:2:3:4", "1.5:30", "1::30", ":30", "1:", "ms", "s",
                             "-5s", "1e999", "inf", "nan", "1:30ms", " 90", "90 "})
        EXPECT_FALSE(parse_time(text)) << "'" << text << "'";
}

TEST(TimeText, FormatsMinutesHoursAndMillis)
{
    EXPECT_EQ(format_time(0), "0:00");
    EXPECT_EQ(format_time(59.4), "0:59");
    EXPECT_EQ(format_time(187.25, true), "3:07.250");
    EXPECT_EQ(format_time(3723.5), "1:02:03");
    EXPECT_EQ(format_time(3723.5, true), "1:02:03.500");
    EXPECT_EQ(format_time(-1), "--:--");
    EXPECT_EQ(format_time(std::nan("")), "--:--");
}

// ---- keys ------------------------------------------------------------------------------------

std::vector<Command> commands_for(KeyParser& keys, std::string_view bytes)
{
    keys.feed(bytes);
    std::vector<Command> commands;
    while (auto command = keys.next())
        commands.push_back(*command);
    return commands;
}

TEST(KeyParser, SingleKeys)
{
    KeyParser keys;
    const std::vector<Command> expected = {
        {Kind::toggle_pause},           {Kind::previous},              {Kind::next}, {Kind::next},
        {Kind::previous},               {Kind::quit},                  {Kind::quit},
        {Kind::volume_by, volume_step}, {Kind::volume_by, volume_step}, {Kind::volume_by, -volume_step}};
    EXPECT_EQ(commands_for(keys, " pn><q\x03+=-"), expected);
}

TEST(KeyParser, ArrowKeysInBothModes)
{
    KeyParser keys;
    const std::vector<Command> expected = {{Kind::volume_by, volume_step},
                                           {Kind::volume_by, -volume_step},
                                           {Kind::seek_by, seek_step_seconds},
                                           {Kind::seek_by, -seek_step_seconds},
                                           {Kind::seek_by, seek_step_seconds}};
    EXPECT_EQ(commands_for(keys, "\x1b[A\x1b[B\x1b[C\x1b[D\x1bOC"), expected);
}

TEST(KeyParser, AnArrowSplitAcrossReadsWaitsForItsEnd)
{
    KeyParser keys;
    EXPECT_TRUE(commands_for(keys, "\x1b").empty());
    EXPECT_TRUE(commands_for(keys, "[").empty());
    EXPECT_EQ(commands_for(keys, "C"), (std::vector<Command>{{Kind::seek_by, seek_step_seconds}}));
}

TEST(KeyParser, ALoneEscapeIsDroppedWhenNothingFollows)
{
    KeyParser keys;
    EXPECT_TRUE(commands_for(keys, "\x1b").empty());
    keys.timed_out();
    EXPECT_EQ(commands_for(keys, "q"), (std::vector<Command>{{Kind::quit}})) << "not read as ESC q ...";
}

TEST(KeyParser, OtherKeysAndSequencesAreIgnored)
{
    KeyParser keys;
    EXPECT_EQ(commands_for(keys, "xyz\x1b[H\x1b[5~ "), (std::vector<Command>{{Kind::toggle_pause}}))
        << "unknown keys and sequences (Home, and the ~ of PgUp) pass without effect";
}

// ---- the status line ------------------------------------------------------------------------

TEST(StatusText, FillsTheWidthWithTitleBarTimeAndVolume)
{
    const PlayerStatus status{.position = 62, .duration = 187, .volume = 0.8};
    const auto text = status_text(status, "Tone - Tests", 80);
    EXPECT_EQ(text.size(), 79u) << "one column short of the width: no wrap at the edge";
    EXPECT_TRUE(text.starts_with("> Tone - Tests ")) << text;
    EXPECT_NE(text.find(" [######--------------] 1:02 / 3:07  vol 80%"), std::string::npos) << text;
}

TEST(StatusText, PausedShowsBothMarks)
{
    const PlayerStatus status{.position = 1, .duration = 2, .paused = true};
    const auto text = status_text(status, "x", 80);
    EXPECT_TRUE(text.starts_with("|| x")) << text;
    EXPECT_TRUE(text.ends_with("vol 100%  [paused]")) << text;
}

TEST(StatusText, LongTitlesAreCutAndNarrowTerminalsDropThem)
{
    const PlayerStatus status{.position = 0, .duration = 10};
    const auto cut = status_text(status, std::string(200, 't'), 60);
    EXPECT_EQ(cut.size(), 59u);
    EXPECT_NE(cut.find("tt..."), std::string::npos) << cut;
    EXPECT_EQ(status_text(status, "title", 30), "> 0:00 / 0:10  vol 100%");
}

TEST(StatusText, UnknownDurationShowsDashes)
{
    const PlayerStatus status{.position = 5, .duration = std::nan("")};
    EXPECT_NE(status_text(status, "x", 80).find("0:05 / --:--"), std::string::npos);
}

TEST(TrackTitle, TagsOrTheFileName)
{
    AudioInfo info;
    EXPECT_EQ(track_title(std::nullopt, "/music/a song.flac"), "a song.flac");
    EXPECT_EQ(track_title(info, "/music/a song.flac"), "a song.flac");
    info.tags["artist"] = "Someone";
    EXPECT_EQ(track_title(info, "/music/a song.flac"), "a song.flac") << "an artist alone is not a title";
    info.tags["title"] = "Song";
    EXPECT_EQ(track_title(info, "/music/a song.flac"), "Song - Someone");
    info.tags.erase("artist");
    EXPECT_EQ(track_title(info, "/music/a song.flac"), "Song");
}

// ---- exit codes ------------------------------------------------------------------------------

TEST(ExitCodes, EachErrorKindMapsToItsDocumentedCode)
{
    const auto code = [](ErrorKind kind) { return exit_code_for(Error(kind, "x", "y")); };
    EXPECT_EQ(code(ErrorKind::invalid_argument), 2);
    EXPECT_EQ(code(ErrorKind::no_device), 3);
    EXPECT_EQ(code(ErrorKind::interrupted), 130);
    for (const auto kind : {ErrorKind::not_found, ErrorKind::unreadable, ErrorKind::unsupported, ErrorKind::malformed,
                            ErrorKind::truncated, ErrorKind::non_finite, ErrorKind::md5_mismatch,
                            ErrorKind::write_failed, ErrorKind::device})
        EXPECT_EQ(code(kind), 1) << to_string(kind);
}

// ---- the demo --------------------------------------------------------------------------------

TEST(DemoPath, FoundFromTheBinarysOwnDirectory)
{
    EXPECT_EQ(installed_demo("/opt/tonearm/bin/tonearm"), "/opt/tonearm/share/tonearm/demo.flac");
    EXPECT_EQ(installed_demo("/home/u/.local/bin/tonearm"), "/home/u/.local/share/tonearm/demo.flac");
}

TEST(DemoPath, TheBuildTreeHasTheInstalledLayout)
{
    // This test program sits in build/X/tests/ as tonearm sits in build/X/app/: the demo the
    // build copied to build/X/share/tonearm is where a binary there looks.
    unsetenv("TONEARM_DEMO");
    const auto demo = demo_path();
    EXPECT_TRUE(std::filesystem::is_regular_file(demo)) << demo;
    EXPECT_EQ(demo.parent_path().filename(), "tonearm");
}

TEST(DemoPath, TheEnvironmentOverrides)
{
    setenv("TONEARM_DEMO", "/elsewhere/song.ogg", 1);
    EXPECT_EQ(demo_path(), "/elsewhere/song.ogg");
    setenv("TONEARM_DEMO", "", 1);
    EXPECT_NE(demo_path(), "") << "empty means unset";
    unsetenv("TONEARM_DEMO");
}

// ---- commands, applied to a real player ------------------------------------------------------

class Commands : public ::testing::Test {
protected:
    test::TempDir dir;
    std::filesystem::path tone(const std::string& name, double seconds)
    {
        const auto path = dir / name;
        test::write_audio(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2,
                          test::synth({.sample_rate = 44100, .seconds = seconds}));
        return path;
    }
};

TEST_F(Commands, EachKindReachesThePlayer)
{
    NullSink sink(NullSink::Pacing::realtime);
    Player player(sink, {tone("a.wav", 10), tone("b.wav", 10)});
    player.start();

    apply_command(player, {Kind::pause});
    EXPECT_TRUE(player.status().paused);
    apply_command(player, {Kind::pause});
    EXPECT_TRUE(player.status().paused) << "pause is not a toggle";
    apply_command(player, {Kind::play});
    EXPECT_FALSE(player.status().paused);
    apply_command(player, {Kind::toggle_pause});
    EXPECT_TRUE(player.status().paused);
    apply_command(player, {Kind::toggle_pause});

    apply_command(player, {Kind::set_volume, 0.5});
    EXPECT_DOUBLE_EQ(player.status().volume, 0.5);
    apply_command(player, {Kind::volume_by, -0.25});
    EXPECT_DOUBLE_EQ(player.status().volume, 0.25);
    apply_command(player, {Kind::volume_by, -1});
    EXPECT_EQ(player.status().volume, 0.0) << "no negative volume";
    apply_command(player, {Kind::set_volume, 9});
    EXPECT_EQ(player.status().volume, max_volume);

    apply_command(player, {Kind::seek_to, 6});
    std::this_thread::sleep_for(200ms);
    EXPECT_GE(player.status().position, 6.0);
    EXPECT_LT(player.status().position, 6.5);
    apply_command(player, {Kind::seek_by, -4});
    std::this_thread::sleep_for(200ms);
    EXPECT_GE(player.status().position, 2.0);
    EXPECT_LT(player.status().position, 2.9);

    apply_command(player, {Kind::next});
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(player.status().track, 1u);
    apply_command(player, {Kind::previous});
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(player.status().track, 0u);

    apply_command(player, {Kind::quit});
    EXPECT_FALSE(player.finished()) << "quit is the play loop's to act on";
    player.finish();
}

// ---- Controls: commands posted from another thread ------------------------------------------

TEST(Controls, APostFromAnotherThreadWakesTheWaitAtOnce)
{
    Controls controls(false);
    const auto start = std::chrono::steady_clock::now();
    std::thread poster([&] {
        std::this_thread::sleep_for(50ms);
        controls.post({Kind::seek_to, 20});
        controls.post({Kind::quit});
    });
    const auto first = controls.wait(10s);
    const auto waited = std::chrono::steady_clock::now() - start;
    poster.join();
    ASSERT_TRUE(first.command);
    EXPECT_EQ(*first.command, (Command{Kind::seek_to, 20}));
    EXPECT_LT(waited, 5s) << "woken by the post, not by the timeout";
    const auto second = controls.wait(0ms);
    ASSERT_TRUE(second.command) << "the second post is not lost";
    EXPECT_EQ(second.command->kind, Kind::quit);
    EXPECT_FALSE(controls.wait(0ms).command);
}

}  // namespace
}  // namespace tonearm::cli
