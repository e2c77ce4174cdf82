// ReplayGain: tags to a linear factor, with clipping prevention. Pure arithmetic, so exact
// expectations: 10^(dB/20), capped at 1/peak.
#include "support/fixtures.hpp"
#include "support/process.hpp"

#include "tonearm/replay_gain.hpp"
#include "tonearm/error.hpp"
#include "tonearm/tag_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tonearm::test {
namespace {

double db(double decibels) { return std::pow(10.0, decibels / 20); }

TEST(ReplayGain, ReadsReplayGainTagsInAnyCaseAndSpelling)
{
    const auto info = replay_gain_from_tags({{"replaygain_track_gain", "-6.54 dB"},
                                             {"REPLAYGAIN_TRACK_PEAK", "0.988"},
                                             {"ReplayGain_Album_Gain", "+1.5dB"},
                                             {"replaygain_album_peak", " 0.5"}});
    EXPECT_DOUBLE_EQ(*info.track_gain_db, -6.54);
    EXPECT_DOUBLE_EQ(*info.track_peak, 0.988);
    EXPECT_DOUBLE_EQ(*info.album_gain_db, 1.5);
    EXPECT_DOUBLE_EQ(*info.album_peak, 0.5);
}

TEST(ReplayGain, R128GainsAreQ78RelativeToMinus23Lufs)
{
    const auto info = replay_gain_from_tags({{"r128_track_gain", "-1280"}, {"R128_ALBUM_GAIN", "256"}});
    EXPECT_DOUBLE_EQ(*info.track_gain_db, -5.0 + 5.0);
    EXPECT_DOUBLE_EQ(*info.album_gain_db, 1.0 + 5.0);
    EXPECT_FALSE(info.track_peak);
    // ReplayGain's own tags win over R128 when a file has both.
    EXPECT_DOUBLE_EQ(*replay_gain_from_tags({{"r128_track_gain", "-1280"}, {"replaygain_track_gain", "-3 dB"}})
                          .track_gain_db,
                     -3.0);
}

TEST(ReplayGain, IgnoresWhatDoesNotParseOrIsAbsurd)
{
    const auto info = replay_gain_from_tags({{"replaygain_track_gain", "loud"},
                                             {"replaygain_track_peak", "-1"},
                                             {"replaygain_album_gain", "-200 dB"},
                                             {"replaygain_album_peak", "nan"},
                                             {"r128_track_gain", "12.5"}});
    EXPECT_FALSE(info.track_gain_db);
    EXPECT_FALSE(info.track_peak);
    EXPECT_FALSE(info.album_gain_db);
    EXPECT_FALSE(info.album_peak);
    EXPECT_EQ(replay_gain_factor(info, ReplayGainMode::track), 1.0);
}

TEST(ReplayGain, OffOrUntaggedIsUnity)
{
    const ReplayGainInfo tagged{-6.0, 0.5, -3.0, 0.5};
    EXPECT_EQ(replay_gain_factor(tagged, ReplayGainMode::off), 1.0);
    EXPECT_EQ(replay_gain_factor({}, ReplayGainMode::track), 1.0);
    EXPECT_EQ(replay_gain_factor({}, ReplayGainMode::album), 1.0);
}

TEST(ReplayGain, TrackAndAlbumEachFallBackToTheOther)
{
    const ReplayGainInfo both{-6.0, 0.5, -3.0, 0.5};
    EXPECT_DOUBLE_EQ(replay_gain_factor(both, ReplayGainMode::track), db(-6.0));
    EXPECT_DOUBLE_EQ(replay_gain_factor(both, ReplayGainMode::album), db(-3.0));
    const ReplayGainInfo track_only{-6.0, 0.5, std::nullopt, std::nullopt};
    EXPECT_DOUBLE_EQ(replay_gain_factor(track_only, ReplayGainMode::album), db(-6.0));
    const ReplayGainInfo album_only{std::nullopt, std::nullopt, -3.0, 0.5};
    EXPECT_DOUBLE_EQ(replay_gain_factor(album_only, ReplayGainMode::track), db(-3.0));
}

TEST(ReplayGain, ClippingPreventionKeepsThePeakAtFullScale)
{
    // +6 dB on a track peaking at 0.8 would clip: the factor stops at 1 / 0.8.
    EXPECT_DOUBLE_EQ(replay_gain_factor({6.0, 0.8, {}, {}}, ReplayGainMode::track), 1.25);
    // +1 dB on the same peak fits (0.8 * 1.122 < 1): the full gain.
    EXPECT_DOUBLE_EQ(replay_gain_factor({1.0, 0.8, {}, {}}, ReplayGainMode::track), db(1.0));
    // The album's peak goes with the album's gain.
    EXPECT_DOUBLE_EQ(replay_gain_factor({6.0, 0.25, 6.0, 0.9}, ReplayGainMode::album), 1 / 0.9);
    // No peak: taken as full scale, so a positive gain is held at unity, as mpv does.
    EXPECT_DOUBLE_EQ(replay_gain_factor({6.0, {}, {}, {}}, ReplayGainMode::track), 1.0);
    EXPECT_DOUBLE_EQ(replay_gain_factor({-6.0, {}, {}, {}}, ReplayGainMode::track), db(-6.0));
    // A peak above full scale (a lossy decode overshoots) lowers even a 0 dB gain.
    EXPECT_DOUBLE_EQ(replay_gain_factor({0.0, 1.25, {}, {}}, ReplayGainMode::track), 0.8);
}

// The tags come from libavformat for every format, those libsndfile decodes included.
TEST(ReplayGain, TagsAreReadFromEveryFormat)
{
    TempDir dir;
    const auto source = write_fixture(dir.path(), "tone", fixture_format("wav16"), {.seconds = 0.5});
    for (const std::vector<std::string>& codec : {std::vector<std::string>{"out.flac"}, {"-c:a", "libvorbis", "out.ogg"},
                                                 {"-c:a", "libopus", "out.opus"}, {"-c:a", "libmp3lame", "out.mp3"},
                                                 {"-c:a", "aac", "-movflags", "use_metadata_tags", "out.m4a"},
                                                 {"-c:a", "libopus", "out.webm"}, {"-c:a", "wmav2", "out.wma"}}) {
        std::vector<std::string> args = {"-i", source.string(), "-metadata", "REPLAYGAIN_TRACK_GAIN=-7.25 dB",
                                         "-metadata", "REPLAYGAIN_TRACK_PEAK=0.75", "-metadata",
                                         "REPLAYGAIN_ALBUM_GAIN=-4.5 dB"};
        args.insert(args.end(), codec.begin(), codec.end() - 1);
        const auto path = dir / codec.back();
        args.push_back(path.string());
        run_ffmpeg(args);
        const auto info = replay_gain_from_tags(read_file_tags(path));
        EXPECT_EQ(info.track_gain_db, -7.25) << codec.back();
        EXPECT_EQ(info.track_peak, 0.75) << codec.back();
        EXPECT_EQ(info.album_gain_db, -4.5) << codec.back();
        EXPECT_FALSE(info.album_peak) << codec.back();
    }
}

TEST(ReplayGain, NoTagsNoGain)
{
    TempDir dir;
    const std::string text = "not audio\n";
    write_bytes(dir / "notes.flac", std::as_bytes(std::span(text)));
    // (libavformat may take a text file named .flac for one, by its name: it has no tags.)
    try {
        EXPECT_EQ(replay_gain_factor(replay_gain_from_tags(read_file_tags(dir / "notes.flac")), ReplayGainMode::album), 1.0);
    } catch (const Error&) {
    }
    EXPECT_THROW(read_file_tags(dir / "missing.flac"), Error);
}

// `tonearm play --replaygain` end to end: an album of two tagged tracks (a FLAC, which
// libsndfile decodes, and an M4A, which FFmpeg does) rendered to a file; every sample must be
// the decoded one times the factor for the mode, and gapless at the join.
TEST(ReplayGain, PlayAppliesEachTracksGain)
{
    TempDir dir;
    const auto source = write_fixture(dir.path(), "tone", fixture_format("wav16"), {.seconds = 1.0});
    const auto flac = dir / "one.flac";
    const auto m4a = dir / "two.m4a";
    run_ffmpeg({"-i", source.string(), "-metadata", "REPLAYGAIN_TRACK_GAIN=-6.00 dB", "-metadata",
                "REPLAYGAIN_TRACK_PEAK=0.5", "-metadata", "REPLAYGAIN_ALBUM_GAIN=-3.00 dB", flac.string()});
    run_ffmpeg({"-i", source.string(), "-c:a", "alac", "-movflags", "use_metadata_tags", "-metadata",
                "REPLAYGAIN_TRACK_GAIN=+9.00 dB", "-metadata", "REPLAYGAIN_TRACK_PEAK=0.5", "-metadata",
                "REPLAYGAIN_ALBUM_GAIN=-3.00 dB", m4a.string()});
    std::vector<float> album = decode_all(flac);
    const std::size_t first = album.size();
    const auto second = decode_all(m4a);
    album.insert(album.end(), second.begin(), second.end());

    const auto render = [&](const std::string& mode) {
        const auto out = dir / ("out-" + mode + ".wav");
        const auto result = run_tonearm({"play", "--replaygain", mode, "--output", out.string(), flac.string(), m4a.string()});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return decode_all(out);
    };
    const auto expect_gains = [&](const std::vector<float>& played, float one, float two, const std::string& mode) {
        ASSERT_EQ(played.size(), album.size()) << mode;
        for (std::size_t i = 0; i < played.size(); ++i)
            ASSERT_EQ(played[i], album[i] * (i < first ? one : two)) << mode << ": sample " << i;
    };
    expect_gains(render("off"), 1.0f, 1.0f, "off");
    // Track: -6 dB as tagged; +9 dB held to 1 / 0.5 (the peak) = +6.02 dB, no clipping.
    expect_gains(render("track"), static_cast<float>(std::pow(10.0, -6.0 / 20)), 2.0f, "track");
    // Album: both tracks at the album's -3 dB (no album peak: the factor is below 1 anyway).
    const auto album_gain = static_cast<float>(std::pow(10.0, -3.0 / 20));
    expect_gains(render("album"), album_gain, album_gain, "album");
    EXPECT_EQ(run_tonearm({"play", "--replaygain", "loud", "--null", flac.string()}).exit_code, 2);
}

}  // namespace
}  // namespace tonearm::test
