// The pull core on its own: no threads, no output, the caller owns the clock. What it
// renders is compared sample for sample with the decoder's own output.
#include "support/fixtures.hpp"

#include "tonearm/player_core.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

namespace tonearm::test {
namespace {

const int wav16 = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
const int flac16 = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;

class PlayerCoreTest : public ::testing::Test {
protected:
    TempDir dir;

    std::filesystem::path tone(const std::string& name, double seconds, int format = wav16, int rate = 44100,
                               double start_phase = 0, int channels = 2)
    {
        Tone tone{.sample_rate = rate, .channels = channels, .seconds = seconds, .start_phase_seconds = start_phase};
        const auto path = dir / name;
        write_audio(path, format, rate, channels, synth(tone));
        return path;
    }

    // Opens the core at the first track's own format and renders it all in `block` frames,
    // noting where each segment began.
    struct Rendered {
        std::vector<float> samples;
        std::vector<std::pair<std::size_t, Segment>> segments;  // (first frame, segment)
    };
    static Rendered render_all(PlayerCore& core, std::size_t block = 1000)
    {
        core.set_output_format(core.open());
        const auto channels = static_cast<std::size_t>(core.output_format().channels);
        Rendered rendered;
        std::vector<float> buffer(block * channels);
        while (true) {
            const Segment segment = core.segment();
            const std::size_t frames = core.render(buffer);
            if (frames == 0)
                break;
            if (rendered.segments.empty() || rendered.segments.back().second.id != segment.id)
                rendered.segments.emplace_back(rendered.samples.size() / channels, segment);
            rendered.samples.insert(rendered.samples.end(), buffer.begin(),
                                    buffer.begin() + static_cast<std::ptrdiff_t>(frames * channels));
        }
        EXPECT_TRUE(core.finished());
        return rendered;
    }

    static std::vector<float> concatenated(const std::vector<std::filesystem::path>& files)
    {
        std::vector<float> all;
        for (const auto& file : files) {
            const auto samples = decode_all(file);
            all.insert(all.end(), samples.begin(), samples.end());
        }
        return all;
    }
};

TEST_F(PlayerCoreTest, RendersEveryFrameOnceInOrder)
{
    const auto file = tone("a.flac", 1.3, flac16);
    PlayerCore core({file});
    EXPECT_TRUE(same_samples(render_all(core, 333).samples, decode_all(file)));
    EXPECT_TRUE(core.errors().empty());
}

TEST_F(PlayerCoreTest, TracksJoinWithoutAGapAndEachCallStaysInOneTrack)
{
    const auto a = tone("a.wav", 0.5);
    const auto b = tone("b.flac", 0.7, flac16, 44100, 0.5);
    PlayerCore core({a, b});
    const auto rendered = render_all(core, 4096);
    EXPECT_TRUE(same_samples(rendered.samples, concatenated({a, b})));
    // The second track begins exactly where the first one's frames end.
    ASSERT_EQ(rendered.segments.size(), 2u);
    EXPECT_EQ(rendered.segments[1].first, 22050u);
    EXPECT_EQ(rendered.segments[1].second.track, 1u);
    EXPECT_EQ(rendered.segments[1].second.frame, 0);
}

TEST_F(PlayerCoreTest, StretchesOfOneFileJoinIntoTheWholeFileBitExact)
{
    // A cue sheet's tracks: three stretches of one file, the last to its end.
    const auto file = tone("album.flac", 2.0, flac16);
    PlayerCore core({Track(file, 0, 30000), Track(file, 30000, 61234), Track(file, 61234, std::nullopt)});
    const auto rendered = render_all(core, 4096);
    EXPECT_TRUE(same_samples(rendered.samples, decode_all(file)));
    ASSERT_EQ(rendered.segments.size(), 3u);
    EXPECT_EQ(rendered.segments[1].first, 30000u);
    EXPECT_EQ(rendered.segments[2].first, 61234u);
    EXPECT_EQ(core.info(2)->frames, 88200 - 61234) << "a track's length is its own, not its file's";
}

TEST_F(PlayerCoreTest, SeekContinuesAtExactlyThatFrame)
{
    const auto a = tone("a.flac", 1.0, flac16);
    const auto b = tone("b.wav", 1.0);
    PlayerCore core({a, b});
    core.set_output_format(core.open());
    std::vector<float> buffer(1000 * 2);
    ASSERT_EQ(core.render(buffer), 1000u);

    core.seek(0, 12345);
    EXPECT_EQ(core.segment().track, 0u);
    EXPECT_EQ(core.segment().frame, 12345);
    ASSERT_EQ(core.render(buffer), 1000u);
    const auto whole = decode_all(a);
    EXPECT_TRUE(same_samples(buffer, std::span(whole).subspan(12345 * 2, 2000)));

    core.seek(1, 500);  // another track
    ASSERT_EQ(core.render(buffer), 1000u);
    const auto other = decode_all(b);
    EXPECT_TRUE(same_samples(buffer, std::span(other).subspan(500 * 2, 2000)));

    core.seek(0, 10 * 44100);  // past the track's end: the next one's start
    EXPECT_EQ(core.segment().track, 1u);
    EXPECT_EQ(core.segment().frame, 0);

    core.seek(2, 0);  // past the playlist's end
    EXPECT_EQ(core.render(buffer), 0u);
    EXPECT_TRUE(core.finished());
}

// A jump to another track (n, p, a seek) goes on from there: after that track, the one that
// follows it, not the same track again.
TEST_F(PlayerCoreTest, AfterAJumpToAnotherTrackPlayGoesOnWithTheNextOne)
{
    const auto a = tone("a.wav", 0.3);
    const auto b = tone("b.wav", 0.4, wav16, 44100, 0.3);
    const auto c = tone("c.wav", 0.5, wav16, 44100, 0.7);
    PlayerCore core({a, b, c});
    core.set_output_format(core.open());
    std::vector<float> buffer(1000 * 2);
    ASSERT_EQ(core.render(buffer), 1000u);

    core.seek(1, 0);
    std::vector<float> played;
    std::vector<std::size_t> tracks;  // one entry a segment
    std::uint64_t last_id = 0;
    while (true) {
        const Segment segment = core.segment();
        const std::size_t frames = core.render(buffer);
        if (frames == 0)
            break;
        if (tracks.empty() || segment.id != last_id)
            tracks.push_back(segment.track);
        last_id = segment.id;
        played.insert(played.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(frames * 2));
    }
    EXPECT_EQ(tracks, (std::vector<std::size_t>{1, 2}));
    EXPECT_TRUE(same_samples(played, concatenated({b, c})));
}

TEST_F(PlayerCoreTest, StartsTheFirstTrackAtTheRequestedTime)
{
    const auto file = tone("a.wav", 1.0);
    PlayerCore core({file}, {.start_seconds = 0.25});
    const auto rendered = render_all(core);
    auto rest = decode_all(file);
    rest.erase(rest.begin(), rest.begin() + 11025 * 2);
    EXPECT_TRUE(same_samples(rendered.samples, rest));
}

TEST_F(PlayerCoreTest, ConvertsLaterTracksToTheOutputFormat)
{
    const auto a = tone("a.wav", 0.5, wav16, 48000);
    const auto b = tone("b.wav", 0.5, wav16, 44100, 0, 1);  // mono, another rate
    PlayerCore core({a, b});
    const auto rendered = render_all(core, 4096);
    EXPECT_EQ(core.output_format(), (StreamFormat{48000, 2}));
    EXPECT_NEAR(static_cast<double>(rendered.samples.size() / 2), 48000.0, 64.0);
    EXPECT_NEAR(rendered.segments[1].second.ratio, 44100.0 / 48000, 1e-12);
}

TEST_F(PlayerCoreTest, SkipsWhatCannotBePlayedAndSaysWhy)
{
    const auto good = tone("good.wav", 0.25);
    PlayerCore core({dir / "missing.flac", good, dir / "missing.wav"});
    EXPECT_TRUE(same_samples(render_all(core).samples, decode_all(good)));
    ASSERT_EQ(core.errors().size(), 2u);
    EXPECT_EQ(core.errors()[0].kind(), ErrorKind::not_found);
}

TEST_F(PlayerCoreTest, NothingPlayableIsAnError)
{
    PlayerCore one({dir / "missing.wav"});
    EXPECT_THROW(one.open(), Error);
    PlayerCore none({});
    EXPECT_THROW(none.open(), Error);
}

TEST_F(PlayerCoreTest, LoopStartsOverAndAnUnplayableListDoesNotSpin)
{
    const auto file = tone("a.wav", 0.1);
    PlayerCore core({file}, {.loop = true});
    core.set_output_format(core.open());
    std::vector<float> buffer(4410 * 2);
    std::size_t frames = 0;
    for (int i = 0; i < 10; ++i)
        frames += core.render(buffer);
    EXPECT_EQ(frames, 10u * 4410) << "a 0.1 s file played five times over";
    EXPECT_FALSE(core.finished());
}

TEST_F(PlayerCoreTest, ACutFilePlaysWhatItHasThenSaysSo)
{
    const auto file = tone("a.flac", 1.0, flac16);
    auto bytes = read_bytes(file);
    bytes.resize(bytes.size() / 2);
    const auto cut = dir / "cut.flac";
    write_bytes(cut, bytes);
    const auto after = tone("b.wav", 0.1);
    PlayerCore core({cut, after});
    const auto rendered = render_all(core);
    EXPECT_GT(rendered.samples.size(), 4410u * 2);
    ASSERT_EQ(core.errors().size(), 1u);
    const ErrorKind kind = core.errors()[0].kind();  // libFLAC finds the cut mid-frame
    EXPECT_TRUE(kind == ErrorKind::truncated || kind == ErrorKind::malformed) << core.errors()[0].what();
    EXPECT_EQ(rendered.segments.back().second.track, 1u) << "the next track still plays";
}

}  // namespace
}  // namespace tonearm::test
