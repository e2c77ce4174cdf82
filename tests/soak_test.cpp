// Soak: two hours of audio through the whole player (decode thread, ring buffer, format
// path, render callback) into the unpaced null sink, with both cores busy with other work.
// Every frame must arrive exactly once, in order (count + checksum against a direct decode),
// and memory must stay flat however long the file.
#include "support/fixtures.hpp"
#include "support/process.hpp"

#include "tonearm/decoder.hpp"
#include "tonearm/null_sink.hpp"
#include "tonearm/player.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <fstream>
#include <thread>

namespace tonearm::test {
namespace {

using namespace std::chrono_literals;

long resident_kib()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Two hours of 44.1 kHz stereo 16-bit WAV, written a minute at a time so that writing it
// needs no more memory than playing it. Each minute has its own level, so a dropped,
// repeated or reordered block changes the checksum.
std::filesystem::path two_hour_file(const TempDir& dir)
{
    const auto path = dir / "two-hours.wav";
    SF_INFO info{};
    info.samplerate = 44100;
    info.channels = 2;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    const auto minute = synth(Tone{.seconds = 60.0, .frequencies = {220.0, 330.0}, .amplitude = 1.0});
    std::vector<float> scaled(minute.size());
    for (int m = 0; m < 120; ++m) {
        const auto gain = static_cast<float>(0.2 + 0.005 * m);
        std::transform(minute.begin(), minute.end(), scaled.begin(), [gain](float x) { return x * gain; });
        sf_write_float(file, scaled.data(), static_cast<sf_count_t>(scaled.size()));
    }
    sf_close(file);
    return path;
}

std::pair<std::uint64_t, std::uint64_t> direct_frames_and_checksum(const std::filesystem::path& path)
{
    Decoder decoder = Decoder::open(path);
    std::vector<float> block(8192 * 2);
    SampleChecksum checksum;
    std::uint64_t frames = 0;
    while (const std::size_t got = decoder.read(block)) {
        checksum.add(std::span(block).first(got * 2));
        frames += got;
    }
    return {frames, checksum.value()};
}

TEST(Soak, TwoHoursUnderLoadLoseNothingAndKeepMemoryFlat)
{
    TempDir dir;
    const auto file = two_hour_file(dir);
    const auto [frames, checksum] = direct_frames_and_checksum(file);
    ASSERT_EQ(frames, 120u * 60 * 44100);

    // A CPU hog per core competes with the decode thread and the sink for the whole run.
    std::vector<std::unique_ptr<BackgroundProcess>> hogs;
    for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i)
        hogs.push_back(std::make_unique<BackgroundProcess>(std::vector<std::string>{"sh", "-c", "while :; do :; done"},
                                                           "/dev/null"));

    NullSink sink(NullSink::Pacing::unpaced);
    Player player(sink, {file});
    player.start();
    long early_kib = 0;
    long late_kib = 0;
    while (!player.wait(50ms)) {
        const double done = static_cast<double>(sink.frames_received()) / static_cast<double>(frames);
        if (done > 0.1 && early_kib == 0)
            early_kib = resident_kib();
        if (done > 0.9 && late_kib == 0)
            late_kib = resident_kib();
    }
    player.finish();
    hogs.clear();

    EXPECT_EQ(sink.frames_received(), frames) << "frames lost or duplicated";
    EXPECT_EQ(sink.checksum(), checksum) << "frames changed, reordered, lost or duplicated";
    EXPECT_TRUE(player.track_errors().empty());
    ASSERT_GT(early_kib, 0);
    ASSERT_GT(late_kib, 0);
    std::cout << "resident memory at 10 %: " << early_kib << " KiB, at 90 %: " << late_kib << " KiB\n";
    EXPECT_LT(late_kib - early_kib, 4 * 1024) << "memory grew while playing";
}

}  // namespace
}  // namespace tonearm::test
