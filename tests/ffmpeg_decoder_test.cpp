// The FFmpeg backend through tonearm::Decoder: files Debian's ffmpeg encodes at test time,
// decoded by tonearm and by the ffmpeg tool (the oracle).
//   samples:  identical to ffmpeg's (both are libavcodec 5.1 converting to f32 the same way)
//   lengths:  ffmpeg's, except that an MP4 ends where its edit list says (ffmpeg 5.1 keeps the
//             encoder's padding after it): the source's length, which ffprobe reports too
//   seeks:    land on the exact frame; ALAC's samples are then identical to a linear decode,
//             the lossy codecs' within kSeekTolerance (their decoders restart from a preroll)
//   gapless:  the pieces of a split album decode to exactly the album's length and samples
#include "support/fixtures.hpp"

#include "tonearm/decoder.hpp"
#include "tonearm/error.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <optional>

namespace tonearm::test {
namespace {

// After a seek, a lossy decoder restarts a second before the target, which gives it the same
// state as a linear decode (measured: Opus, Vorbis, WMA identical), except for AAC's
// perceptual noise substitution: bands coded as "noise of this energy" get noise from the
// decoder's random generator, which does not restart where a linear decode had it. ffmpeg's
// encoder uses PNS by default, most where these tones stop abruptly; samples there then differ
// by up to 0.011 (it is noise either way). So for AAC the test also asks that the block fits
// the linear decode clearly better in place than one frame off; without PNS, AAC seeks are
// identical too (tested below).
constexpr float kSeekTolerance = 1e-6f;
constexpr float kSeekToleranceAacPns = 0.03f;

const std::map<std::string, std::string> kMetadata = {
    {"title", "Test Tone"}, {"artist", "tonearm tests"}, {"album", "Fixtures"}, {"track", "3"}, {"date", "2024"}};

class FfmpegFormats : public ::testing::TestWithParam<FfmpegFixture> {
protected:
    FfmpegFormats()
    {
        tone.sample_rate = GetParam().sample_rate;
        source = synth(tone);
        path = write_ffmpeg_fixture(dir.path(), "tone", GetParam(), source, kMetadata);
    }

    bool is_mp4() const { return GetParam().container == "MP4"; }
    std::int64_t source_frames() const { return static_cast<std::int64_t>(source.size() / 2); }

    TempDir dir;
    Tone tone{.seconds = 2.5, .phases = {0.3, 1.1}};
    std::vector<float> source;
    std::filesystem::path path;
};

TEST_P(FfmpegFormats, ReportsFormatAndTags)
{
    const Decoder decoder = Decoder::open(path);
    const AudioInfo& info = decoder.info();
    EXPECT_EQ(info.container, GetParam().container);
    EXPECT_EQ(info.codec, GetParam().codec);
    EXPECT_EQ(info.sample_rate, GetParam().sample_rate);
    EXPECT_EQ(info.channels, 2);
    EXPECT_EQ(info.lossless, GetParam().lossless);
    EXPECT_EQ(info.bits_per_sample, GetParam().lossless ? std::optional<int>(GetParam().bits) : std::nullopt);
    EXPECT_TRUE(info.seekable);
    EXPECT_EQ(info.frames_estimated, !is_mp4()) << "only MP4 declares a sample-exact length";
    EXPECT_NEAR(info.duration_seconds(), 2.5, 0.1);
    EXPECT_EQ(info.tags.at("title"), "Test Tone");
    EXPECT_EQ(info.tags.at("artist"), "tonearm tests");
    if (GetParam().container != "ASF") {  // ffmpeg's ASF muxer writes title and author only
        EXPECT_EQ(info.tags.at("album"), "Fixtures");
        EXPECT_EQ(info.tags.at("date"), "2024");
        EXPECT_EQ(info.tags.at("tracknumber"), "3");
    }
    EXPECT_EQ(info.tags.count("major_brand"), 0u) << "container bookkeeping is not a tag";
}

TEST_P(FfmpegFormats, SamplesAreFfmpegs)
{
    const auto ours = decode_all(path);
    const auto theirs = ffmpeg_decode(path);
    if (is_mp4()) {
        // ffmpeg 5.1 keeps the encoder's padding after the edit list's end; tonearm does not.
        ASSERT_EQ(static_cast<std::int64_t>(ours.size() / 2), ffprobe_duration_ts(path));
        ASSERT_LE(ours.size(), theirs.size());
        EXPECT_TRUE(same_samples(ours, std::span(theirs).first(ours.size())));
        std::cout << GetParam().name << ": ffmpeg adds " << (theirs.size() - ours.size()) / 2
                  << " frames of padding after the edit list\n";
    } else {
        EXPECT_TRUE(same_samples(ours, theirs));
    }
}

TEST_P(FfmpegFormats, LengthIsDeclaredOrDecoded)
{
    Decoder decoder = Decoder::open(path);
    std::vector<float> block(4096 * 2);
    std::int64_t frames = 0;
    while (const std::size_t got = decoder.read(block))
        frames += static_cast<std::int64_t>(got);
    EXPECT_EQ(decoder.position(), frames);
    EXPECT_NO_THROW(decoder.expect_complete());
    if (is_mp4()) {
        // The edit list trims the AAC priming and padding: exactly the source's frames.
        EXPECT_EQ(frames, source_frames());
        EXPECT_EQ(decoder.info().frames, frames);
    } else {
        EXPECT_NEAR(static_cast<double>(decoder.info().frames), static_cast<double>(frames), 0.05 * tone.sample_rate)
            << "an estimate, near the truth";
    }
}

class FfmpegLossless : public FfmpegFormats {};

TEST_P(FfmpegLossless, DecodesTheSourceExactly)
{
    EXPECT_TRUE(same_samples(decode_all(path), decode_all(dir / "tone.source.wav")));
    Decoder decoder = Decoder::open(path);
    std::vector<std::int32_t> ints(static_cast<std::size_t>(source_frames()) * 2);
    ASSERT_EQ(decoder.read(std::span(ints)), static_cast<std::size_t>(source_frames()));
    EXPECT_EQ(ints, ffmpeg_decode_s32(path)) << "integer reads are ffmpeg's s32, left-justified";
    const int spare_bits = 32 - GetParam().bits;
    EXPECT_TRUE(std::all_of(ints.begin(), ints.end(), [&](std::int32_t v) { return v % (1 << spare_bits) == 0; }));
}

TEST_P(FfmpegFormats, SeeksToTheExactFrame)
{
    const auto all = decode_all(path);
    const auto frames = static_cast<std::int64_t>(all.size() / 2);
    const bool pns = GetParam().codec == "AAC";
    float worst = 0;
    // One decoder for every seek: forward and back, near and far, as a listener would.
    Decoder decoder = Decoder::open(path);
    for (const std::int64_t target : {std::int64_t{1234}, frames / 2 + 7, frames - 3000, std::int64_t{0},
                                      frames * 3 / 4, std::int64_t{5000}, frames / 3, frames - 100}) {
        decoder.seek(target);
        ASSERT_EQ(decoder.position(), target);
        std::vector<float> block(200);
        ASSERT_EQ(decoder.read(block), 100u) << "at " << target;
        EXPECT_EQ(decoder.position(), target + 100);
        // RMS difference from the linear decode, the block taken `shift` frames off.
        const auto misfit = [&](std::int64_t shift) {
            double sum = 0;
            for (std::size_t i = 0; i < block.size(); ++i) {
                const auto at = std::clamp<std::int64_t>(target * 2 + shift * 2 + static_cast<std::int64_t>(i), 0,
                                                         frames * 2 - 1);
                sum += std::pow(block[i] - all[static_cast<std::size_t>(at)], 2);
            }
            return std::sqrt(sum / static_cast<double>(block.size()));
        };
        for (std::size_t i = 0; i < block.size(); ++i) {
            const float difference = std::abs(block[i] - all[static_cast<std::size_t>(target) * 2 + i]);
            worst = std::max(worst, difference);
            ASSERT_LE(difference, pns ? kSeekToleranceAacPns : GetParam().lossless ? 0.0f : kSeekTolerance)
                << "frame " << target << " sample " << i;
        }
        // (Where the tone plays: ADTS and Matroska keep the encoder's padding, silence, at the end.)
        const std::vector<float> expected(all.begin() + target * 2, all.begin() + target * 2 + 200);
        if (pns && rms(expected, 2, 0) > 0.1) {
            EXPECT_LT(misfit(0) * 3, std::min(misfit(-1), misfit(1))) << "not at the exact frame: " << target;
        }
    }
    std::cout << GetParam().name << ": largest difference after a seek " << worst << "\n";
    decoder.seek(0);
    std::vector<float> again;
    std::vector<float> block(4096 * 2);
    while (const std::size_t got = decoder.read(block))
        again.insert(again.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(got * 2));
    EXPECT_TRUE(same_samples(again, all)) << "back at 0, the decode is the first one again";
}

TEST_P(FfmpegFormats, MemoryAndPathGiveIdenticalSamples)
{
    Decoder from_memory = Decoder::from_memory(read_bytes(path), "memory");
    EXPECT_EQ(from_memory.info().frames, Decoder::open(path).info().frames);
    EXPECT_EQ(from_memory.info().codec, GetParam().codec);
    std::vector<float> samples;
    std::vector<float> block(4096 * 2);
    while (const std::size_t frames = from_memory.read(block))
        samples.insert(samples.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(frames * 2));
    EXPECT_TRUE(same_samples(samples, decode_all(path)));
}

// The web page's way in: a source that hands out slices on demand. The same samples, a seek
// that lands where the file's lands, and the file is never asked for whole.
TEST_P(FfmpegFormats, ASourceReadInSlicesGivesTheSameSamplesAndSeeks)
{
    auto source = std::make_unique<SlicedFileSource>(path);
    const SlicedFileSource& seen = *source;
    Decoder decoder = Decoder::from_source(std::move(source), "sliced");
    std::vector<float> samples;
    std::vector<float> block(4096 * 2);
    while (const std::size_t frames = decoder.read(block))
        samples.insert(samples.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(frames * 2));
    EXPECT_TRUE(same_samples(samples, decode_all(path)));
    const auto size = static_cast<std::int64_t>(std::filesystem::file_size(path));
    EXPECT_LE(seen.largest_read, std::size_t{256} << 10) << "a slice, not the file";
    EXPECT_LE(seen.bytes_read, 3 * size + (256 << 10)) << "each byte fetched a few times at most";

    Decoder file = Decoder::open(path);
    const std::int64_t middle = file.info().frames / 2;
    decoder.seek(middle);
    file.seek(middle);
    std::vector<float> theirs(block.size());
    const std::size_t got = decoder.read(block);
    ASSERT_EQ(got, file.read(theirs));
    // AAC's noise substitution (PNS) draws from a generator whose state depends on what was
    // decoded before: the two decoders came to this frame by different ways.
    const float tolerance = GetParam().codec == "AAC" ? kSeekToleranceAacPns : GetParam().lossless ? 0.0f : kSeekTolerance;
    for (std::size_t i = 0; i < got * 2; ++i)
        ASSERT_LE(std::abs(block[i] - theirs[i]), tolerance) << "sample " << i;
}

// A source that stops answering halfway (a network gone, a File revoked): an Error naming the
// stream, or a stream that ends early and says it is cut; never a crash or a hang.
TEST_P(FfmpegFormats, ASourceThatStopsAnsweringEndsInAnErrorOrACutStream)
{
    expect_error_or_cut_when_the_source_stops(path);
}

// The one truncation rule (stream_length.hpp) for these containers too: a file cut at 60 %
// decodes to every frame before the cut, in any block size, then says it is cut in the
// container's words; an M4A whose index ('moov') came after the audio cannot open, and says
// why in the same words.
TEST_P(FfmpegFormats, ACutFileDecodesWhatIsThereThenSaysSo)
{
    const auto bytes = read_bytes(path);
    const auto cut = dir / ("cut" + GetParam().extension);
    write_bytes(cut, std::span(bytes).first(bytes.size() * 6 / 10));
    const Decoder probe = Decoder::open(path);
    ASSERT_FALSE(probe.length().shows_cut()) << *probe.length().cut;
    std::optional<Decoder> opened;
    try {
        opened.emplace(Decoder::open(cut));
    } catch (const Error& e) {
        ASSERT_TRUE(is_mp4()) << e.what();
        EXPECT_EQ(e.kind(), ErrorKind::truncated) << e.what();
        EXPECT_NE(e.cause().find("'mdat' box"), std::string::npos) << e.what();
        return;
    }
    ASSERT_TRUE(opened->length().shows_cut()) << "the container shows no cut at 60 %";
    const auto whole = decode_all(path);
    std::optional<std::size_t> decoded;
    for (const std::size_t block_frames : {std::size_t{1000}, std::size_t{4096}, std::size_t{16384}}) {
        Decoder decoder = Decoder::open(cut);
        std::vector<float> samples;
        std::vector<float> block(block_frames * 2);
        while (const std::size_t got = decoder.read(block))
            samples.insert(samples.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(got * 2));
        ASSERT_GT(samples.size(), 0u);
        ASSERT_LT(samples.size(), whole.size());
        EXPECT_EQ(samples.size(), decoded.value_or(samples.size())) << "in blocks of " << block_frames;
        decoded = samples.size();
        EXPECT_TRUE(same_samples(samples, std::span(whole).first(samples.size()))) << "in blocks of " << block_frames;
        const auto truncation = decoder.truncation();
        ASSERT_TRUE(truncation);
        EXPECT_EQ(truncation->rfind(*decoder.length().cut, 0), 0u) << *truncation;
        EXPECT_THROW(decoder.expect_complete(), Error);
    }
}

INSTANTIATE_TEST_SUITE_P(FfmpegFormats, FfmpegFormats, ::testing::ValuesIn(ffmpeg_fixtures()),
                         [](const auto& param_info) { return param_info.param.name; });
INSTANTIATE_TEST_SUITE_P(Alac, FfmpegLossless, ::testing::Values(ffmpeg_fixture("alac16"), ffmpeg_fixture("alac24")),
                         [](const auto& param_info) { return param_info.param.name; });

// An album cut into tracks at arbitrary frames (not codec frame boundaries), each encoded on
// its own: decoded back to back, the tracks must be the album, with no gap and no overlap.
class GaplessAlbum : public ::testing::TestWithParam<std::string> {};

TEST_P(GaplessAlbum, TracksJoinExactly)
{
    TempDir dir;
    const FfmpegFixture& format = ffmpeg_fixture(GetParam());
    Tone tone{.sample_rate = format.sample_rate, .seconds = 6.0, .phases = {0.3, 1.1}};
    const auto album = synth(tone);
    const std::vector<std::size_t> cuts = {0, 88200 + 317, 176400 + 911, album.size() / 2};
    std::vector<float> joined;
    std::vector<float> album_pcm;  // the album as the encoder got it (PCM, quantised)
    for (std::size_t t = 0; t + 1 < cuts.size(); ++t) {
        const auto piece = std::span(album).subspan(cuts[t] * 2, (cuts[t + 1] - cuts[t]) * 2);
        const auto track = write_ffmpeg_fixture(dir.path(), "track" + std::to_string(t), format, piece);
        const auto decoded = decode_all(track);
        EXPECT_EQ(decoded.size(), piece.size()) << "track " << t;
        joined.insert(joined.end(), decoded.begin(), decoded.end());
        const auto pcm = decode_all(dir / ("track" + std::to_string(t) + ".source.wav"));
        album_pcm.insert(album_pcm.end(), pcm.begin(), pcm.end());
    }
    ASSERT_EQ(joined.size(), album.size());
    if (format.lossless) {
        EXPECT_TRUE(same_samples(joined, album_pcm));
        return;
    }
    // AAC is not the album sample for sample (ffmpeg's encoder is off by up to 0.02 on these
    // sines, and more in the first frame of each track). What a gap or an overlap would do is
    // shift the tracks after it: the joined decode must line up with the album at offset 0,
    // and fit it clearly worse one frame either way.
    constexpr std::size_t window = 16384;  // frames compared: the search tries 4097 shifts of it
    for (std::size_t t = 0; t + 1 < cuts.size(); ++t) {
        // RMS difference over the track's middle, the decode shifted by `shift` frames.
        const std::size_t first = cuts[t] + 4096, end = std::min(cuts[t + 1] - 4096, first + window);
        const auto misfit = [&](std::ptrdiff_t shift) {
            double sum = 0;
            for (std::size_t f = first; f < end; ++f)
                for (std::size_t c = 0; c < 2; ++c) {
                    const auto from = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(f) + shift) * 2 + c;
                    const double d = joined[from] - album_pcm[f * 2 + c];
                    sum += d * d;
                }
            return std::sqrt(sum / static_cast<double>(2 * (end - first)));
        };
        std::ptrdiff_t best = 0;
        double best_misfit = misfit(0);
        for (std::ptrdiff_t shift = -2048; shift <= 2048; ++shift)
            if (const double m = misfit(shift); m < best_misfit) {
                best = shift;
                best_misfit = m;
            }
        std::cout << GetParam() << " track " << t << ": RMS difference from the album " << misfit(0)
                  << " in place, " << misfit(-1) << " and " << misfit(1) << " one frame off\n";
        EXPECT_EQ(best, 0) << "track " << t << " is shifted against the album";
        EXPECT_LT(misfit(0) * 2, std::min(misfit(-1), misfit(1)));
    }
}

INSTANTIATE_TEST_SUITE_P(M4A, GaplessAlbum, ::testing::Values("aac_m4a", "alac16"));

TEST(FfmpegDecoder, AacWithoutNoiseSubstitutionSeeksIdentically)
{
    TempDir dir;
    FfmpegFixture format = ffmpeg_fixture("aac_m4a");
    format.codec_args.insert(format.codec_args.end(), {"-aac_pns", "0"});
    const auto path = write_ffmpeg_fixture(dir.path(), "tone", format, synth({.seconds = 2.5, .phases = {0.3, 1.1}}));
    const auto all = decode_all(path);
    Decoder decoder = Decoder::open(path);
    for (const std::int64_t target : {std::int64_t{70001}, std::int64_t{1000}, std::int64_t{109000}}) {
        decoder.seek(target);
        std::vector<float> block(2048 * 2);
        const std::size_t got = decoder.read(block);
        ASSERT_GT(got, 0u);
        EXPECT_TRUE(same_samples(std::span(block).first(got * 2),
                                 std::span(all).subspan(static_cast<std::size_t>(target) * 2, got * 2)))
            << "at " << target;
    }
}

// A container the backend reads, holding what it does not decode: `unsupported`, saying what.
void expect_unsupported(const std::filesystem::path& path, const std::string& cause_part)
{
    try {
        Decoder::open(path);
        FAIL() << "opened " << path;
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::unsupported) << error.what();
        EXPECT_NE(error.cause().find(cause_part), std::string::npos) << error.what();
    }
}

TEST(FfmpegDecoder, UnsupportedCodecInAKnownContainer)
{
    TempDir dir;
    const auto source = write_fixture(dir.path(), "tone", fixture_format("wav16"));
    run_ffmpeg({"-i", source.string(), "-c:a", "libmp3lame", (dir / "mp3.mp4").string()});
    expect_unsupported(dir / "mp3.mp4", "mp3 audio in MP4");
}

TEST(FfmpegDecoder, AContainerWithoutAudio)
{
    TempDir dir;
    run_ffmpeg({"-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=1", "-c:v", "mpeg4",
                (dir / "video.mp4").string()});
    expect_unsupported(dir / "video.mp4", "no audio stream");
}

}  // namespace
}  // namespace tonearm::test
