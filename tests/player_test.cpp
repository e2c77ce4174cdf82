// The player's state machine against real sinks without hardware: NullSink (paced like a
// device, or as fast as possible) and FileSink. Checksums prove no frame is lost or doubled.
#include "support/fixtures.hpp"

#include "tonearm/decoder.hpp"
#include "tonearm/file_sink.hpp"
#include "tonearm/null_sink.hpp"
#include "tonearm/player.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <thread>

namespace tonearm::test {
namespace {

using namespace std::chrono_literals;
const int wav16 = SF_FORMAT_WAV | SF_FORMAT_PCM_16;

class PlayerTest : public ::testing::Test {
protected:
    TempDir dir;

    std::filesystem::path tone(const std::string& name, double seconds, int rate = 44100,
                               double start_phase = 0, int channels = 2)
    {
        Tone tone{.sample_rate = rate, .channels = channels, .seconds = seconds, .start_phase_seconds = start_phase};
        const auto path = dir / name;
        write_audio(path, wav16, rate, channels, synth(tone));
        return path;
    }

    static std::uint64_t checksum_of(const std::vector<float>& samples)
    {
        SampleChecksum checksum;
        checksum.add(samples);
        return checksum.value();
    }

    static void play_to_end(Player& player, std::chrono::milliseconds timeout = 20s)
    {
        player.start();
        ASSERT_TRUE(player.wait(timeout));
        player.finish();
    }
};

TEST_F(PlayerTest, DeliversEveryFrameOnceInOrder)
{
    const auto file = tone("a.wav", 3.0);
    NullSink sink(NullSink::Pacing::unpaced);
    Player player(sink, {file});
    play_to_end(player);
    EXPECT_EQ(sink.frames_received(), 3u * 44100);
    EXPECT_EQ(sink.checksum(), checksum_of(decode_all(file)));
    EXPECT_TRUE(player.status().finished);
    EXPECT_TRUE(player.track_errors().empty());
}

TEST_F(PlayerTest, PlaysTracksGaplessly)
{
    const auto a = tone("a.wav", 1.0);
    const auto b = tone("b.wav", 1.5, 44100, 1.0);
    NullSink sink(NullSink::Pacing::unpaced);
    Player player(sink, {a, b});
    play_to_end(player);
    auto both = decode_all(a);
    const auto tail = decode_all(b);
    both.insert(both.end(), tail.begin(), tail.end());
    EXPECT_EQ(sink.frames_received(), both.size() / 2);
    EXPECT_EQ(sink.checksum(), checksum_of(both));
}

TEST_F(PlayerTest, ConvertsATrackWithAnotherRateAndChannelCount)
{
    // The stream takes the first track's format; the mono 48 kHz second track is converted.
    const auto a = tone("a.wav", 1.0, 44100);
    const auto b = tone("b.wav", 1.0, 48000, 0, 1);
    const auto output = dir / "out.wav";
    {
        FileSink sink(output);
        Player player(sink, {a, b});
        play_to_end(player);
    }
    const auto rendered = decode_all(output);
    const auto frames = rendered.size() / 2;
    EXPECT_NEAR(static_cast<double>(frames), 2.0 * 44100, 64.0);
    const std::span<const float> second = std::span(rendered).subspan(44100 * 2 + 4410 * 2, 35280 * 2);
    EXPECT_NEAR(zero_crossing_frequency(second, 2, 0, 44100), 440.0, 0.5) << "mono copied to both channels, pitch kept";
    EXPECT_NEAR(zero_crossing_frequency(second, 2, 1, 44100), 440.0, 0.5);
}

TEST_F(PlayerTest, FileSinkWritesExactlyWhatWouldHaveBeenPlayed)
{
    const auto file = tone("a.wav", 2.0);
    const auto output = dir / "out.wav";
    {
        FileSink sink(output);
        Player player(sink, {file});
        play_to_end(player);
    }
    EXPECT_TRUE(same_samples(decode_all(output), decode_all(file)));
}

TEST_F(PlayerTest, StartsAtTheRequestedTime)
{
    const auto file = tone("a.wav", 2.0);
    NullSink sink(NullSink::Pacing::unpaced);
    Player player(sink, {file}, {.start_seconds = 0.5});
    play_to_end(player);
    auto rest = decode_all(file);
    rest.erase(rest.begin(), rest.begin() + 22050 * 2);
    EXPECT_EQ(sink.frames_received(), rest.size() / 2);
    EXPECT_EQ(sink.checksum(), checksum_of(rest));
}

TEST_F(PlayerTest, VolumeScalesEverySample)
{
    const auto file = tone("a.wav", 1.0);
    NullSink sink(NullSink::Pacing::unpaced);
    Player player(sink, {file}, {.volume = 0.5});
    play_to_end(player);
    auto scaled = decode_all(file);
    for (float& sample : scaled)
        sample *= 0.5f;
    EXPECT_EQ(sink.checksum(), checksum_of(scaled));
}

TEST_F(PlayerTest, SkipsFilesThatCannotBePlayedAndReportsThem)
{
    const auto good = tone("good.wav", 0.5);
    const auto missing = dir / "missing.flac";
    NullSink sink(NullSink::Pacing::unpaced);
    Player player(sink, {missing, good, missing});
    play_to_end(player);
    EXPECT_EQ(sink.frames_received(), 22050u);
    ASSERT_EQ(player.track_errors().size(), 2u);
    EXPECT_EQ(player.track_errors()[0].kind(), ErrorKind::not_found);
}

TEST_F(PlayerTest, NothingPlayableIsAnErrorAtStart)
{
    NullSink sink(NullSink::Pacing::unpaced);
    Player player(sink, {dir / "missing.wav"});
    EXPECT_THROW(player.start(), Error);
}

TEST_F(PlayerTest, LoopStartsOverUntilStopped)
{
    const auto file = tone("a.wav", 0.2);
    NullSink sink(NullSink::Pacing::unpaced);
    Player player(sink, {file}, {.loop = true});
    player.start();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (sink.frames_received() < 5 * 8820 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    EXPECT_FALSE(player.finished());
    player.finish();
    EXPECT_GE(sink.frames_received(), 5u * 8820);
}

// ---- in real time: the clocked null sink behaves like a device ------------------------------

TEST_F(PlayerTest, RealTimePlaybackHasNoUnderrunsAndTakesItsTime)
{
    const auto file = tone("a.wav", 1.0);
    NullSink sink(NullSink::Pacing::realtime);
    Player player(sink, {file});
    const auto begin = std::chrono::steady_clock::now();
    play_to_end(player);
    const auto elapsed = std::chrono::steady_clock::now() - begin;
    EXPECT_GE(elapsed, 950ms);
    EXPECT_EQ(player.status().underruns, 0u);
    EXPECT_EQ(sink.checksum(), checksum_of(decode_all(file)));
}

TEST_F(PlayerTest, PauseHoldsThePositionAndResumeContinues)
{
    const auto file = tone("a.wav", 3.0);
    NullSink sink(NullSink::Pacing::realtime);
    Player player(sink, {file});
    player.start();
    std::this_thread::sleep_for(300ms);
    // Under TSan on a busy machine the real-time sink can run dry while the first blocks are
    // decoded (a fresh-clone CI run saw one underrun here): this test counts only what the
    // pause and the resume cause.
    const auto underruns = player.status().underruns;
    player.set_paused(true);
    std::this_thread::sleep_for(50ms);  // a block in flight may still finish
    const double held = player.status().position;
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(player.status().paused);
    EXPECT_DOUBLE_EQ(player.status().position, held);
    player.set_paused(false);
    std::this_thread::sleep_for(200ms);
    EXPECT_GT(player.status().position, held + 0.1);
    EXPECT_EQ(player.status().underruns, underruns) << "pausing and resuming are not running dry";
    player.finish();
}

TEST_F(PlayerTest, SeekMovesThePositionAndPlaysFromThere)
{
    const auto file = tone("a.wav", 10.0);
    NullSink sink(NullSink::Pacing::realtime);
    Player player(sink, {file});
    player.start();
    player.seek(6.0);
    std::this_thread::sleep_for(200ms);
    const auto status = player.status();
    EXPECT_GE(status.position, 6.0);
    EXPECT_LT(status.position, 6.5);
    apply_command(player, {Command::Kind::seek_by, -5.0});
    std::this_thread::sleep_for(200ms);
    EXPECT_LT(player.status().position, 1.6);
    player.finish();
}

TEST_F(PlayerTest, NextMovesToTheNextTrackAndPastTheLastFinishes)
{
    const auto a = tone("a.wav", 5.0);
    const auto b = tone("b.wav", 5.0);
    NullSink sink(NullSink::Pacing::realtime);
    Player player(sink, {a, b});
    player.start();
    EXPECT_EQ(player.status().track, 0u);
    player.next();
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(player.status().track, 1u);
    EXPECT_LT(player.status().position, 0.5);
    player.next();
    EXPECT_TRUE(player.wait(2s)) << "next on the last track ends playback";
    player.finish();
}

TEST_F(PlayerTest, PreviousGoesBackATrackAndOnTheFirstRestartsIt)
{
    const auto a = tone("a.wav", 5.0);
    const auto b = tone("b.wav", 5.0);
    NullSink sink(NullSink::Pacing::realtime);
    Player player(sink, {a, b}, {.start_seconds = 2.0});
    player.start();
    player.previous();
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(player.status().track, 0u);
    EXPECT_LT(player.status().position, 0.5) << "the first track starts over";
    player.next();
    std::this_thread::sleep_for(200ms);
    ASSERT_EQ(player.status().track, 1u);
    player.seek(3.0);
    player.previous();
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(player.status().track, 0u);
    EXPECT_LT(player.status().position, 0.5);
    player.finish();
}

TEST_F(PlayerTest, PreviousOnTheFirstTrackWhenLoopingGoesToTheLast)
{
    const auto a = tone("a.wav", 5.0);
    const auto b = tone("b.wav", 5.0);
    NullSink sink(NullSink::Pacing::realtime);
    Player player(sink, {a, b}, {.loop = true});
    player.start();
    player.previous();
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(player.status().track, 1u);
    player.finish();
}

TEST_F(PlayerTest, SeekingPastTheEndGoesToTheNextTrack)
{
    const auto a = tone("a.wav", 2.0);
    const auto b = tone("b.wav", 2.0);
    NullSink sink(NullSink::Pacing::realtime);
    Player player(sink, {a, b});
    player.start();
    player.seek(60);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(player.status().track, 1u);
    player.finish();
}

}  // namespace
}  // namespace tonearm::test
