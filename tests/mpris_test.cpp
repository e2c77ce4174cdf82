// Media keys: tonearm play as an MPRIS player on a private session bus, driven by Debian's
// playerctl as a desktop's sound menu would, playing through a private PulseAudio whose null
// sink's monitor we record. What a listener hears is checked, not only what the bus says.
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/pty_process.hpp"
#include "support/pulse_server.hpp"
#include "support/recorder.hpp"
#include "support/session_bus.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <thread>

namespace tonearm::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int sink_rate = 48000;

class Mpris : public ::testing::Test {
protected:
    TempDir dir;
    PulseServer pulse{sink_rate};
    SessionBus bus;
    int started = 0;

    std::map<std::string, std::string> env() const
    {
        auto env = pulse.env();
        env.insert(bus.env().begin(), bus.env().end());
        return env;
    }

    std::filesystem::path tone(const std::string& name, double seconds, const std::string& title)
    {
        const auto path = dir / name;
        write_audio(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, sink_rate, 2,
                    synth({.sample_rate = sink_rate, .seconds = seconds, .lead_silence = 0.25, .phases = {0.3, 1.1}}),
                    {{SF_STR_TITLE, title}, {SF_STR_ARTIST, "Tests"}});
        return path;
    }

    std::unique_ptr<BackgroundProcess> start(const std::vector<std::filesystem::path>& files)
    {
        std::vector<std::string> argv = {tonearm_cli(), "play"};
        for (const auto& file : files)
            argv.push_back(file.string());
        const auto n = std::to_string(started++);
        return std::make_unique<BackgroundProcess>(argv, (dir / ("out" + n)).string(), env(),
                                                   (dir / ("err" + n)).string());
    }

    std::string stderr_of(int n) const { return std::string(as_text(read_bytes(dir / ("err" + std::to_string(n))))); }
    static std::string as_text(const std::vector<std::byte>& bytes)
    {
        return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
    }

    ProcessResult run_playerctl(std::vector<std::string> args) const
    {
        args.insert(args.begin(), "playerctl");
        return run_process(args, {.timeout = 20s, .env = env()});
    }

    // playerctl's answer, without the trailing newline.
    std::string playerctl(std::vector<std::string> args) const
    {
        auto result = run_playerctl(std::move(args));
        while (!result.out.empty() && result.out.back() == '\n')
            result.out.pop_back();
        return result.out;
    }

    // What the bus says about the player, for a failure message.
    std::string bus_view() const
    {
        return "status " + playerctl({"-p", "tonearm", "status"}) + ", metadata:\n" +
               playerctl({"-p", "tonearm", "metadata"}) + "\ntonearm's stderr:\n" + stderr_of(0);
    }

    // Polls `read` until it returns `wanted` (a player's state takes a moment to follow a call).
    template <typename Read>
    bool eventually(Read read, const std::string& wanted, std::chrono::milliseconds timeout = 10s) const
    {
        const auto until = Clock::now() + timeout;
        while (read() != wanted) {
            if (Clock::now() > until)
                return false;
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }

    bool listed(const std::string& name) const
    {
        const auto until = Clock::now() + 10s;
        while (Clock::now() < until) {
            const auto players = "\n" + playerctl({"--list-all"}) + "\n";
            if (players.find("\n" + name + "\n") != std::string::npos)
                return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

    double position(const std::string& player = "tonearm") const
    {
        const auto text = playerctl({"-p", player, "position"});
        return text.empty() ? -1 : std::stod(text);
    }
};

TEST_F(Mpris, PlayerctlReadsPausesResumesSeeksSkipsAndStops)
{
    const auto first = tone("first.wav", 30, "First Tone");
    const auto second = tone("second.wav", 10, "Second Tone");
    Recorder recorder(pulse);
    auto player = start({first, second});
    ASSERT_TRUE(listed("tonearm")) << stderr_of(0);

    EXPECT_EQ(playerctl({"-p", "tonearm", "metadata", "title"}), "First Tone");
    EXPECT_EQ(playerctl({"-p", "tonearm", "metadata", "artist"}), "Tests");
    EXPECT_EQ(playerctl({"-p", "tonearm", "metadata", "mpris:length"}), "30250000");
    EXPECT_EQ(playerctl({"-p", "tonearm", "status"}), "Playing");
    ASSERT_TRUE(eventually([&] { return position() >= 1.0 ? "sounding" : ""; }, "sounding"));

    // Pause, then resume a second later: the sink hears that second as silence.
    EXPECT_EQ(playerctl({"-p", "tonearm", "pause"}), "");
    const auto paused_at = Clock::now();
    EXPECT_TRUE(eventually([&] { return playerctl({"-p", "tonearm", "status"}); }, "Paused"));
    const double held = position();
    std::this_thread::sleep_for(1s);
    EXPECT_NEAR(position(), held, 0.01) << "the position holds while paused";
    playerctl({"-p", "tonearm", "play"});
    const double pause_seconds = std::chrono::duration<double>(Clock::now() - paused_at).count();
    EXPECT_TRUE(eventually([&] { return playerctl({"-p", "tonearm", "status"}); }, "Playing"));

    // Seek to 20 s: the first position read after the jump is there.
    playerctl({"-p", "tonearm", "position", "20"});
    double landed = 0;
    EXPECT_TRUE(eventually([&] { return (landed = position()) >= 15 ? "jumped" : ""; }, "jumped", 5s));
    EXPECT_NEAR(landed, 20.0, 0.5);

    // playerctl sends nothing, and exits 1, when the player says CanGoNext is false.
    const ProcessResult next = run_playerctl({"-p", "tonearm", "next"});
    EXPECT_EQ(next.exit_code, 0) << next.err << bus_view();
    EXPECT_TRUE(eventually([&] { return playerctl({"-p", "tonearm", "metadata", "title"}); }, "Second Tone"))
        << bus_view();
    EXPECT_LT(position(), 1.0);

    playerctl({"-p", "tonearm", "stop"});
    EXPECT_EQ(player->wait(10s), 0) << "stop ends tonearm as q does\n" << stderr_of(0);
    EXPECT_EQ(diagnostic_lines(stderr_of(0)), 0u) << stderr_of(0);

    // Pausing renders silence; the tones have no run of exact zeros, so the longest is the pause.
    const auto played = stereo_sound(recorder.samples());
    const FrameRun gap = longest_silence(played, 2, 0.0f);
    EXPECT_GT(static_cast<double>(gap.length) / sink_rate, pause_seconds - 0.3)
        << "heard: " << static_cast<double>(gap.length) / sink_rate << " s of silence for a " << pause_seconds
        << " s pause";
}

TEST_F(Mpris, VolumeAndPreviousOverTheBus)
{
    const auto first = tone("first.wav", 20, "First Tone");
    const auto second = tone("second.wav", 20, "Second Tone");
    auto player = start({first, second});
    ASSERT_TRUE(listed("tonearm")) << stderr_of(0);
    EXPECT_EQ(playerctl({"-p", "tonearm", "volume"}), "1.000000");
    playerctl({"-p", "tonearm", "volume", "0.25"});
    EXPECT_TRUE(eventually([&] { return playerctl({"-p", "tonearm", "volume"}); }, "0.250000"));
    playerctl({"-p", "tonearm", "next"});
    EXPECT_TRUE(eventually([&] { return playerctl({"-p", "tonearm", "metadata", "title"}); }, "Second Tone"));
    playerctl({"-p", "tonearm", "previous"});
    EXPECT_TRUE(eventually([&] { return playerctl({"-p", "tonearm", "metadata", "title"}); }, "First Tone"));
    // A relative seek (MPRIS Seek) from near the start of the first track: 8 s on from where
    // it was when the call arrived, somewhere between the two readings around it.
    const auto asked_at = Clock::now();
    const double before = position();
    playerctl({"-p", "tonearm", "position", "8+"});
    double landed = 0;
    EXPECT_TRUE(eventually([&] { return (landed = position()) >= before + 5 ? "jumped" : ""; }, "jumped", 5s));
    const double since = std::chrono::duration<double>(Clock::now() - asked_at).count();
    EXPECT_GE(landed, before + 8 - 0.1);
    EXPECT_LE(landed, before + 8 + since + 0.1);
    playerctl({"-p", "tonearm", "stop"});
    EXPECT_EQ(player->wait(10s), 0) << stderr_of(0);
}

TEST_F(Mpris, KeysOnTheTerminalAreSignalledToTheBus)
{
    const auto file = tone("tone.wav", 20, "Tone");
    PtyProcess player({tonearm_cli(), "play", file.string()}, env());
    ASSERT_TRUE(player.wait_for_output("vol 100%", 10s)) << player.output();
    ASSERT_TRUE(listed("tonearm"));
    // playerctl --follow prints what PropertiesChanged signals say, as a sound menu sees it.
    BackgroundProcess follow({"playerctl", "-p", "tonearm", "--follow", "status"}, (dir / "follow").string(), env());
    const auto followed = [&] { return as_text(read_bytes(dir / "follow")); };
    EXPECT_TRUE(eventually([&] { return followed(); }, "Playing\n"));
    player.type(" ");
    EXPECT_TRUE(eventually([&] { return followed(); }, "Playing\nPaused\n")) << followed();
    player.type(" ");
    EXPECT_TRUE(eventually([&] { return followed(); }, "Playing\nPaused\nPlaying\n")) << followed();
    player.type("q");
    EXPECT_EQ(player.wait(10s), 0);
}

TEST_F(Mpris, TwoPlayersGetDistinctNamesAndAreControlledApart)
{
    const auto file = tone("tone.wav", 20, "Tone");
    auto one = start({file});
    ASSERT_TRUE(listed("tonearm")) << stderr_of(0);
    auto two = start({file});
    const std::string second_name = "tonearm.instance" + std::to_string(two->pid());
    ASSERT_TRUE(listed(second_name)) << playerctl({"--list-all"}) << "\n" << stderr_of(1);

    playerctl({"-p", second_name, "pause"});
    EXPECT_TRUE(eventually([&] { return playerctl({"-p", second_name, "status"}); }, "Paused"));
    EXPECT_EQ(playerctl({"-p", "tonearm", "status"}), "Playing") << "the first is left alone";
    playerctl({"-p", second_name, "stop"});
    EXPECT_EQ(two->wait(10s), 0) << stderr_of(1);
    playerctl({"-p", "tonearm", "stop"});
    EXPECT_EQ(one->wait(10s), 0) << stderr_of(0);
}

TEST_F(Mpris, WithoutASessionBusPlaysAsBefore)
{
    const auto file = tone("tone.wav", 1.5, "Tone");
    for (const char* address : {"", "unix:path=/nonexistent/bus"}) {
        Recorder recorder(pulse);
        auto environment = pulse.env();
        environment["DBUS_SESSION_BUS_ADDRESS"] = address;
        const auto result = run_process({tonearm_cli(), "play", file.string()}, {.timeout = 60s, .env = environment});
        EXPECT_EQ(result.exit_code, 0) << address << ": " << result.err;
        EXPECT_EQ(diagnostic_lines(result.err), 0u) << "not a word about the bus: " << result.err;
        EXPECT_TRUE(same_samples(stereo_sound(recorder.samples()), stereo_sound(decode_all(file)))) << address;
    }
}

}  // namespace
}  // namespace tonearm::test
