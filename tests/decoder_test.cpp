#include "support/fixtures.hpp"

#include "tonearm/decoder.hpp"
#include "tonearm/error.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <iostream>

namespace tonearm::test {
namespace {

const std::map<int, std::string> tags = {
    {SF_STR_TITLE, "Test Tone"}, {SF_STR_ARTIST, "tonearm tests"}, {SF_STR_ALBUM, "Fixtures"}};

class DecoderFormats : public ::testing::TestWithParam<FixtureFormat> {
protected:
    TempDir dir;
    Tone tone{.seconds = 1.5};
    std::filesystem::path path = write_fixture(dir.path(), "tone", GetParam(), tone, tags);
    int rate = GetParam().sample_rate;
};

TEST_P(DecoderFormats, ReportsFormatAndLength)
{
    const Decoder decoder = Decoder::open(path);
    const AudioInfo& info = decoder.info();
    EXPECT_EQ(info.sample_rate, rate);
    EXPECT_EQ(info.channels, 2);
    EXPECT_EQ(info.lossless, GetParam().lossless);
    EXPECT_TRUE(info.seekable);
    // Vorbis, Opus and MP3 (with its LAME header) store their exact length too.
    EXPECT_EQ(info.frames, std::lround(1.5 * rate)) << info.codec;
    EXPECT_NEAR(info.duration_seconds(), 1.5, 1e-9);
}

TEST_P(DecoderFormats, ReadsTags)
{
    const AudioInfo info = Decoder::open(path).info();
    EXPECT_EQ(info.tags.at("title"), "Test Tone");
    EXPECT_EQ(info.tags.at("artist"), "tonearm tests");
    if (GetParam().name != "aiff16") {  // AIFF has NAME and AUTH chunks, but no album
        EXPECT_EQ(info.tags.at("album"), "Fixtures");
    }
}

TEST_P(DecoderFormats, DecodesTheSignalThatWasWritten)
{
    Tone at_rate = tone;
    at_rate.sample_rate = rate;
    const auto original = synth(at_rate);
    const auto decoded = decode_all(path);
    ASSERT_EQ(decoded.size(), original.size());
    if (GetParam().lossless) {
        const double step = GetParam().name.ends_with("16") ? 1.0 / 32768 : 1.0 / 8388608;
        for (std::size_t i = 0; i < decoded.size(); ++i)
            ASSERT_NEAR(decoded[i], original[i], GetParam().name == "wavfloat" ? 0.0 : step) << "sample " << i;
    } else {
        for (int c = 0; c < 2; ++c) {
            EXPECT_NEAR(rms(decoded, 2, c), rms(original, 2, c), 0.02) << "channel " << c;
            EXPECT_NEAR(zero_crossing_frequency(decoded, 2, c, rate), tone.frequencies[c], 2.0);
        }
    }
}

TEST_P(DecoderFormats, SeeksToTheExactFrame)
{
    const auto all = decode_all(path);
    for (const std::int64_t target : {std::int64_t{0}, std::int64_t{1234}, std::int64_t(rate) / 2 + 7,
                                      std::int64_t(rate) * 3 / 2 - 100}) {
        Decoder decoder = Decoder::open(path);
        decoder.seek(target);
        EXPECT_EQ(decoder.position(), target);
        std::vector<float> block(200);
        ASSERT_EQ(decoder.read(block), 100u);
        for (std::size_t i = 0; i < block.size(); ++i)
            ASSERT_EQ(block[i], all[static_cast<std::size_t>(target) * 2 + i]) << "frame " << target << " sample " << i;
    }
}

TEST_P(DecoderFormats, MemoryAndPathGiveIdenticalSamples)
{
    Decoder from_memory = Decoder::from_memory(read_bytes(path), "memory");
    EXPECT_EQ(from_memory.info().frames, Decoder::open(path).info().frames);
    std::vector<float> samples;
    std::vector<float> block(4096 * 2);
    while (const std::size_t frames = from_memory.read(block))
        samples.insert(samples.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(frames * 2));
    EXPECT_EQ(samples, decode_all(path));
}

// The web page's way in: a source that hands out slices on demand. The same samples, a seek
// that lands where the file's lands, and the file is never asked for whole.
TEST_P(DecoderFormats, ASourceReadInSlicesGivesTheSameSamplesAndSeeks)
{
    auto source = std::make_unique<SlicedFileSource>(path);
    const SlicedFileSource& seen = *source;
    Decoder decoder = Decoder::from_source(std::move(source), "sliced");
    std::vector<float> samples;
    std::vector<float> block(4096 * 2);
    while (const std::size_t frames = decoder.read(block))
        samples.insert(samples.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(frames * 2));
    EXPECT_EQ(samples, decode_all(path));
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
    EXPECT_TRUE(std::equal(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(got * 2), theirs.begin()));
}

// A source that stops answering halfway (a network gone, a File revoked): an Error naming the
// stream, or a stream that ends early and says it is cut; never a crash or a hang.
TEST_P(DecoderFormats, ASourceThatStopsAnsweringEndsInAnErrorOrACutStream)
{
    expect_error_or_cut_when_the_source_stops(path);
}

TEST_P(DecoderFormats, AgreesWithFfmpeg)
{
    const auto ours = decode_all(path);
    const auto theirs = ffmpeg_decode(path);
    if (GetParam().lossless) {
        EXPECT_EQ(ours, theirs);  // the oracle: bit for bit
        return;
    }
    ASSERT_EQ(ours.size(), theirs.size());
    float worst = 0;
    for (std::size_t i = 0; i < ours.size(); ++i)
        worst = std::max(worst, std::abs(ours[i] - theirs[i]));
    std::cout << GetParam().name << ": largest difference from ffmpeg " << worst << "\n";
    EXPECT_LT(worst, 1e-5) << "the same codec libraries, rounded differently at most";
}

INSTANTIATE_TEST_SUITE_P(AllFormats, DecoderFormats, ::testing::ValuesIn(fixture_formats()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(Decoder, IntegerReadsAreExactForIntegerSources)
{
    TempDir dir;
    const auto path = write_fixture(dir.path(), "tone", fixture_format("flac24"));
    const auto floats = decode_all(path);
    Decoder decoder = Decoder::open(path);
    std::vector<std::int32_t> ints(floats.size());
    ASSERT_EQ(decoder.read(std::span(ints)), floats.size() / 2);
    for (std::size_t i = 0; i < ints.size(); ++i) {
        ASSERT_EQ(ints[i] % 256, 0) << "24-bit samples are left-justified";
        ASSERT_EQ(static_cast<float>(ints[i] / 256) / 8388608.0f, floats[i]);
    }
}

struct BadInput {
    std::string name;
    ErrorKind kind;
};

void expect_error(const std::filesystem::path& path, ErrorKind kind, const std::string& cause_part)
{
    try {
        Decoder::open(path);
        FAIL() << "opened " << path;
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), kind) << error.what();
        EXPECT_EQ(error.subject(), path.string());
        EXPECT_NE(error.cause().find(cause_part), std::string::npos) << error.what();
        EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
    }
}

TEST(Decoder, RejectsWhatIsNotAudio)
{
    TempDir dir;
    expect_error(dir / "missing.wav", ErrorKind::not_found, "No such file");
    expect_error(dir.path(), ErrorKind::unreadable, "is a directory");
    write_bytes(dir / "empty.wav", {});
    expect_error(dir / "empty.wav", ErrorKind::malformed, "empty file");
    const std::string text = "this is not audio at all, just some text in a file\n";
    write_bytes(dir / "text.flac", std::as_bytes(std::span(text)));
    expect_error(dir / "text.flac", ErrorKind::unsupported, "");
}

TEST(Decoder, MemoryRejectsEmptyAndGarbage)
{
    EXPECT_THROW(Decoder::from_memory({}, "empty"), Error);
    std::vector<std::byte> garbage(1000, std::byte{0x5a});
    try {
        Decoder::from_memory(garbage, "garbage");
        FAIL();
    } catch (const Error& error) {
        EXPECT_EQ(error.subject(), "garbage");
        EXPECT_EQ(error.kind(), ErrorKind::unsupported);
    }
}

TEST(Decoder, SeekOutsideTheStreamIsAnError)
{
    TempDir dir;
    Decoder decoder = Decoder::open(write_fixture(dir.path(), "tone", fixture_format("wav16")));
    EXPECT_THROW(decoder.seek(-1), Error);
    EXPECT_THROW(decoder.seek(decoder.info().frames + 1), Error);
    decoder.seek(decoder.info().frames);
    std::vector<float> block(64);
    EXPECT_EQ(decoder.read(block), 0u);
}

}  // namespace
}  // namespace tonearm::test
