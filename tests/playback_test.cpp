// Real playback: tonearm plays through RtAudio's PulseAudio path into a private daemon's null
// sink, and we record the sink's monitor. No mocks: what we capture is what a listener gets.
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/pty_process.hpp"
#include "support/pulse_server.hpp"
#include "support/control_latency.hpp"
#include "support/recorder.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sndfile.h>

#include <csignal>
#include <optional>
#include <sstream>
#include <thread>

namespace tonearm::test {
namespace {

constexpr int sink_rate = 48000;
const auto wav16 = SF_FORMAT_WAV | SF_FORMAT_PCM_16;

class Playback : public ::testing::Test {
protected:
    TempDir dir;
    PulseServer server{sink_rate};

    // A tone file; a silent lead-in keeps the first sound clear of the moment a fresh
    // stream joins the sink, where the monitor may miss a few milliseconds.
    std::filesystem::path tone_file(const std::string& name, double seconds, int format = wav16,
                                    int rate = sink_rate, double lead = 0.25)
    {
        const auto path = dir / name;
        Tone tone{.sample_rate = rate, .seconds = seconds, .lead_silence = lead, .phases = {0.3, 1.1}};
        write_audio(path, format, rate, 2, synth(tone));
        return path;
    }

    ProcessResult play(std::vector<std::string> args)
    {
        args.insert(args.begin(), {tonearm_cli(), "play"});
        return run_process(args, {.timeout = std::chrono::seconds(60), .env = server.env()});
    }

    // The played sound: the capture from its first to its last non-silent frame.
    static std::vector<float> sound(const std::vector<float>& capture) { return stereo_sound(capture); }
    static std::vector<float> sound_of(const std::filesystem::path& file, std::size_t skip_frames = 0)
    {
        auto samples = decode_all(file);
        samples.erase(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(skip_frames * 2));
        return sound(samples);
    }
};

TEST_F(Playback, LosslessFileArrivesBitExact)
{
    const auto file = tone_file("tone.wav", 1.5);
    Recorder recorder(server);
    const auto result = play({file.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto played = sound(recorder.samples());
    const auto expected = sound_of(file);
    EXPECT_TRUE(same_samples(played, expected));
    // Not a terminal: no status line, no escape codes, nothing on stdout, no log line.
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(diagnostic_lines(result.err), 0u) << result.err;
    EXPECT_EQ(result.err.find('\r'), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find('\x1b'), std::string::npos) << result.err;
}

TEST_F(Playback, LossyFileAtAnotherRateKeepsPitchLevelAndLength)
{
    // Ogg Vorbis at 44.1 kHz: the sound server resamples to the sink's 48 kHz.
    const auto file = tone_file("tone.ogg", 2.0, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100);
    Recorder recorder(server);
    ASSERT_EQ(play({file.string()}).exit_code, 0);
    const auto played = sound(recorder.samples());
    const auto expected = sound_of(file);
    const double played_seconds = static_cast<double>(played.size() / 2) / sink_rate;
    const double file_seconds = static_cast<double>(expected.size() / 2) / 44100;
    EXPECT_NEAR(played_seconds, file_seconds, 0.01);
    // Pitch from the steady middle: codec ringing at the ends adds stray zero crossings.
    const std::span<const float> middle = std::span(played).subspan(played.size() / 10 / 2 * 2, played.size() * 8 / 10 / 2 * 2);
    for (int c = 0; c < 2; ++c) {
        EXPECT_NEAR(zero_crossing_frequency(middle, 2, c, sink_rate), (c ? 660.0 : 440.0), 0.5);
        EXPECT_NEAR(rms(played, 2, c) / rms(expected, 2, c), 1.0, 0.03);
    }
}

TEST_F(Playback, StartSkipsExactlyThatMuch)
{
    // Playback starts mid-tone, where the monitor may miss the first few milliseconds of a
    // fresh stream; so compare from the end: what was heard must be exactly the file's last
    // (2.0 - 0.75) s, give or take that unobservable start (which bounds the check to 80 ms).
    const auto file = tone_file("tone.wav", 2.0, wav16, sink_rate, 0.0);
    Recorder recorder(server);
    ASSERT_EQ(play({"--start", "0.75", file.string()}).exit_code, 0);
    const auto played = sound(recorder.samples());
    const auto expected = sound_of(file, 36000);  // 0.75 s at 48 kHz
    ASSERT_LE(played.size(), expected.size()) << "more than the rest of the file played";
    // The monitor misses up to a third of tonearm's 150 ms output buffer at a stream's start.
    EXPECT_LT(expected.size() - played.size(), 2u * sink_rate * 80 / 1000) << "more than 80 ms missing";
    EXPECT_TRUE(std::equal(played.rbegin(), played.rend(), expected.rbegin()));
}

TEST_F(Playback, TwoFilesPlayGaplessly)
{
    // One continuous tone cut in two files: any gap or overlap breaks the sine.
    Tone first{.sample_rate = sink_rate, .seconds = 1.0, .lead_silence = 0.25};
    Tone second{.sample_rate = sink_rate, .seconds = 1.0, .start_phase_seconds = 1.0};
    write_audio(dir / "a.wav", wav16, sink_rate, 2, synth(first));
    write_audio(dir / "b.wav", wav16, sink_rate, 2, synth(second));
    Recorder recorder(server);
    ASSERT_EQ(play({(dir / "a.wav").string(), (dir / "b.wav").string()}).exit_code, 0);
    const auto played = sound(recorder.samples());

    auto both = decode_all(dir / "a.wav");
    const auto tail = decode_all(dir / "b.wav");
    both.insert(both.end(), tail.begin(), tail.end());
    const auto expected = sound(both);
    EXPECT_TRUE(same_samples(played, expected));
}

TEST_F(Playback, NoSoundServerMeansExitThreeAndOneLine)
{
    const auto file = tone_file("tone.wav", 0.5);
    server.stop();
    const auto result = play({file.string()});
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_NE(result.err.find("no audio output"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("--output"), std::string::npos) << result.err;
    EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
}

TEST_F(Playback, TheSoundServerGoingAwayEndsPlaybackWithOneLineAtOnce)
{
    const auto file = tone_file("tone.wav", 20.0);
    Recorder recorder(server);
    const auto stderr_path = dir / "stderr.txt";
    auto env = server.env();
    BackgroundProcess player({"sh", "-c", "exec \"$0\" play \"$1\" 2>\"$2\"", tonearm_cli(), file.string(),
                              stderr_path.string()},
                             (dir / "stdout.txt").string(), env);
    // Playing for a second (the tone starts after its 0.25 s lead-in)...
    ASSERT_TRUE(recorder.wait_for_frames(sink_rate * 3 / 2, std::chrono::seconds(10)));
    ASSERT_GT(first_non_silent_frame(recorder.samples(), 2), 0u) << "sound reached the sink";
    // ...when the server dies without a word.
    const int pid = std::stoi(read_text(env.at("XDG_RUNTIME_DIR") + "/pulse/pid"));
    const auto killed = std::chrono::steady_clock::now();
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    const auto code = player.wait(std::chrono::seconds(5));
    const auto after = std::chrono::steady_clock::now() - killed;
    EXPECT_LT(after, std::chrono::seconds(1)) << "noticed within a second";
    EXPECT_EQ(code, 1);
    const std::string err = read_text(stderr_path);
    EXPECT_EQ(diagnostic_lines(err), 1u) << err;
    EXPECT_NE(err.find("sound server"), std::string::npos) << err;
    for (const char* internal : {"pa_", "PulseAudio", "RtAudio", "Connection terminated"})
        EXPECT_EQ(err.find(internal), std::string::npos) << "internal wording: " << err;
}

TEST_F(Playback, DevicesListsTheSoundServerAndPlayPlaysThroughTheOneNamed)
{
    const auto listed = run_process({tonearm_cli(), "devices", "--json"}, {.env = server.env()});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    std::istringstream lines(listed.out);
    std::string line;
    std::optional<nlohmann::json> pulse;
    std::vector<std::string> apis;
    std::size_t expected_index = 0;
    while (std::getline(lines, line)) {
        const auto device = nlohmann::json::parse(line);
        apis.push_back(device["api"]);
        EXPECT_EQ(device["index"], expected_index++) << "indexes count from 0 in list order";
        for (const char* field : {"api", "name", "default", "channels", "sample_rates", "preferred_rate"})
            EXPECT_TRUE(device.contains(field)) << field << " in " << line;
        if (device["api"] == "pulse" && device["default"] == true)
            pulse = device;
    }
    ASSERT_TRUE(pulse) << "the sound server is listed first, as a default output:\n" << listed.out;
    EXPECT_EQ(apis.front(), "pulse") << "sound servers come first";
    EXPECT_GE((*pulse)["channels"].get<int>(), 2);
    EXPECT_FALSE((*pulse)["sample_rates"].empty());

    const auto text = run_process({tonearm_cli(), "devices"}, {.env = server.env()});
    EXPECT_EQ(text.exit_code, 0);
    EXPECT_NE(text.out.find((*pulse)["name"].get<std::string>()), std::string::npos) << text.out;

    const auto file = tone_file("tone.wav", 1.0);
    Recorder recorder(server);
    const auto index = std::to_string((*pulse)["index"].get<int>());
    ASSERT_EQ(play({"--device", index, file.string()}).exit_code, 0);
    EXPECT_TRUE(same_samples(sound(recorder.samples()), sound_of(file)));
    const auto unknown = play({"--device", "no such device", file.string()});
    EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
    EXPECT_EQ(diagnostic_lines(unknown.err), 1u) << unknown.err;
}

// ---- keys, through a pseudo-terminal -------------------------------------------------------

class Keys : public Playback {
protected:
    std::unique_ptr<PtyProcess> start(const std::filesystem::path& file)
    {
        auto process = std::make_unique<PtyProcess>(std::vector<std::string>{tonearm_cli(), "play", file.string()},
                                                    server.env());
        EXPECT_TRUE(process->wait_for_output("vol 100%", std::chrono::seconds(10))) << process->output();
        return process;
    }
    static void expect_terminal_restored(const PtyProcess& process)
    {
        const termios settings = process.terminal_settings();
        EXPECT_TRUE(settings.c_lflag & ICANON);
        EXPECT_TRUE(settings.c_lflag & ECHO);
        EXPECT_TRUE(settings.c_lflag & ISIG);
    }
};

TEST_F(Keys, SpacePausesAndResumesWithNothingLost)
{
    const auto file = tone_file("tone.wav", 2.0);
    Recorder recorder(server);
    auto player = start(file);
    // Wait until sound flows (a null sink that was idle can hold a new stream back ~1 s).
    ASSERT_TRUE(player->wait_for_output("0:01 /", std::chrono::seconds(5))) << player->output();
    player->type(" ");
    EXPECT_TRUE(player->wait_for_output("[paused]", std::chrono::seconds(2)));
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    player->type(" ");
    EXPECT_EQ(player->wait(std::chrono::seconds(20)), 0) << player->output();
    expect_terminal_restored(*player);

    const auto played = sound(recorder.samples());
    // Pausing renders exact zeros; the tone has no run of them, so the longest is the pause.
    const FrameRun gap = longest_silence(played, 2, 0.0f);
    EXPECT_GT(gap.length, sink_rate * 8 / 10) << "the pause shows as a gap in the sound";
    // Before the gap is the file's start and after it the file's rest, sample for sample,
    // with nothing lost between. The server silences a cork at once by rewinding what its
    // sink had rendered ahead; a device never plays that again, but the null sink's monitor
    // has already passed it on, so it may show the last few milliseconds twice. The rewind
    // also reaches the monitor's own recording queue, and once in CI the recording missed
    // 38 frames (0.8 ms) at the cut with both halves bit-exact: tonearm only corks there and
    // never drops what it wrote, so a sliver either way is the monitor's view of the rewind.
    const auto expected = sound_of(file);
    const auto gap_end = static_cast<std::ptrdiff_t>((gap.start + gap.length) * 2);
    const std::span<const float> before(played.data(), gap.start * 2);
    const std::span<const float> after(played.data() + gap_end, played.size() - static_cast<std::size_t>(gap_end));
    ASSERT_LE(before.size(), expected.size());
    ASSERT_LE(after.size(), expected.size());
    EXPECT_TRUE(same_samples(before, std::span(expected).first(before.size())));
    EXPECT_TRUE(same_samples(after, std::span(expected).last(after.size())));
    const auto heard = static_cast<std::ptrdiff_t>(before.size() + after.size());
    const auto twice = heard - static_cast<std::ptrdiff_t>(expected.size());
    EXPECT_GE(twice, -2 * sink_rate * 2 / 1000) << "nothing lost beyond the monitor's rewind";
    EXPECT_LE(twice, 2 * sink_rate * 20 / 1000) << "at most the sink's rewind shown twice";
}

TEST_F(Keys, RightArrowSkipsFiveSeconds)
{
    const auto file = tone_file("tone.wav", 9.0);
    Recorder recorder(server);
    auto player = start(file);
    ASSERT_TRUE(player->wait_for_output("0:01 /", std::chrono::seconds(5))) << player->output();
    player->type("\x1b[C");
    EXPECT_TRUE(player->wait_for_output("0:06 /", std::chrono::seconds(2))) << player->output();
    EXPECT_EQ(player->wait(std::chrono::seconds(20)), 0);
    const double played = static_cast<double>(sound(recorder.samples()).size() / 2) / sink_rate;
    EXPECT_NEAR(played, 4.0, 0.3) << "9 s of tone, 5 of them skipped";
}

TEST_F(Keys, LeftSeeksBackUpDownSetTheVolumeAndNSkipsToTheNextFile)
{
    const auto first = tone_file("first.wav", 9.0);
    const auto second = tone_file("second.wav", 2.0);
    auto player = std::make_unique<PtyProcess>(
        std::vector<std::string>{tonearm_cli(), "play", first.string(), second.string()}, server.env());
    ASSERT_TRUE(player->wait_for_output("0:01 / 0:09", std::chrono::seconds(10))) << player->output();
    player->type("\x1b[C");
    ASSERT_TRUE(player->wait_for_output("0:06 / 0:09", std::chrono::seconds(2))) << player->output();

    const std::size_t before_left = player->output().size();
    player->type("\x1b[D");
    bool back = false;
    for (int attempt = 0; attempt < 20 && !back; ++attempt)
        back = player->wait_for_output("0:01 / 0:09", std::chrono::milliseconds(50), before_left) ||
               player->wait_for_output("0:02 / 0:09", std::chrono::milliseconds(50), before_left);
    EXPECT_TRUE(back) << "left arrow goes back 5 s:\n" << player->output().substr(before_left);

    player->type("\x1b[A");
    EXPECT_TRUE(player->wait_for_output("vol 105%", std::chrono::seconds(2))) << player->output();
    const std::size_t before_down = player->output().size();
    player->type("\x1b[B\x1b[B");
    EXPECT_TRUE(player->wait_for_output("vol 95%", std::chrono::seconds(2), before_down)) << player->output();

    const std::size_t before_next = player->output().size();
    player->type("n");
    EXPECT_TRUE(player->wait_for_output("second.wav", std::chrono::seconds(2), before_next)) << player->output();
    EXPECT_EQ(player->wait(std::chrono::seconds(10)), 0) << "the second file plays to its end";
    expect_terminal_restored(*player);
}

TEST_F(Keys, PauseResumeSeekAndVolumeAreHeardAtOnce)
{
    // Heard = played at the sink, from its monitor: what a listener gets, not our counters.
    const auto file = dir / "staircase.wav";
    write_staircase(file, sink_rate, 15);
    const ControlLatencies heard = measure_control_latency({tonearm_cli(), "play", file.string()}, server.env(), sink_rate);
    RecordProperty("heard_ms", std::to_string(heard.pause_ms) + " " + std::to_string(heard.resume_ms) + " " +
                                   std::to_string(heard.seek_ms) + " " + std::to_string(heard.volume_ms));
    // The bound is for the real build. Under a sanitizer every thread runs several
    // times slower (47 ms for a volume key once, under ASan on a loaded machine): there the
    // test still demands each effect, within a bound that only says "at once, not buffered".
#ifdef TONEARM_SANITIZED
    constexpr double bound_ms = 150;
#else
    constexpr double bound_ms = 20;
#endif
    EXPECT_LE(heard.pause_ms, bound_ms);
    EXPECT_LE(heard.resume_ms, bound_ms);
    EXPECT_LE(heard.seek_ms, bound_ms);
    EXPECT_LE(heard.volume_ms, bound_ms);
    for (double ms : {heard.pause_ms, heard.resume_ms, heard.seek_ms, heard.volume_ms})
        EXPECT_GE(ms, -5.0) << "heard before the key: the recording's clock is off";
}

TEST_F(Keys, QuitStopsAtOnceAndRestoresTheTerminal)
{
    const auto file = tone_file("tone.wav", 30.0);
    auto player = start(file);
    player->type("q");
    EXPECT_EQ(player->wait(std::chrono::seconds(3)), 0);
    expect_terminal_restored(*player);
}

TEST_F(Keys, SigintStopsCleanlyWithTheTerminalRestored)
{
    const auto file = tone_file("tone.wav", 10.0);
    auto player = start(file);
    player->signal(SIGINT);
    EXPECT_EQ(player->wait(std::chrono::seconds(5)), 130);
    expect_terminal_restored(*player);
}

}  // namespace
}  // namespace tonearm::test
