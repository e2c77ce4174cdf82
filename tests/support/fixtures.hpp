#pragma once

#include "tonearm/byte_source.hpp"

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace tonearm::test {

// Sample-exact comparison that reports sizes and the first difference, not both vectors.
::testing::AssertionResult same_samples(std::span<const float> actual, std::span<const float> expected);

// A directory that exists for one test and is removed with everything in it afterwards.
class TempDir {
public:
    // In `parent` (default: the system's temporary directory).
    explicit TempDir(const std::filesystem::path& parent = {});
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// A stereo test signal: a different sine per channel (so swapped channels show), with an
// optional silent lead-in, fading in and out over 5 ms so no format has to code a click.
struct Tone {
    int sample_rate = 44100;
    int channels = 2;
    double seconds = 1.0;
    double lead_silence = 0.0;
    double frequencies[2] = {440.0, 660.0};
    double phases[2] = {0.0, 0.0};  // radians; non-zero phases avoid frames where both are 0
    double amplitude = 0.5;
    double start_phase_seconds = 0.0;  // continue a tone that began earlier (gapless pieces)
};
std::vector<float> synth(const Tone& tone);

// Where a test that makes a hundred thousand files makes them: a memory file system when
// the machine has one (/dev/shm), so it measures tonearm rather than a busy disk's journal.
std::filesystem::path memory_temp_parent();

// The formats the decoder tests cover: everything Debian's libsndfile writes here.
struct FixtureFormat {
    std::string name;       // "wav16", "flac24", "opus", ...
    std::string extension;  // ".wav"
    int sndfile_format;
    bool lossless;
    int sample_rate;        // Opus only does 48 kHz
};
const std::vector<FixtureFormat>& fixture_formats();
const FixtureFormat& fixture_format(const std::string& name);

// Writes interleaved float samples with libsndfile, in bounded blocks.
void write_audio(const std::filesystem::path& path, int sndfile_format, int sample_rate, int channels,
                 std::span<const float> samples, const std::map<int, std::string>& strings = {});
// Writes `tone` in `format` to dir/name<extension>; returns the path.
std::filesystem::path write_fixture(const std::filesystem::path& dir, const std::string& name,
                                    const FixtureFormat& format, Tone tone = {},
                                    const std::map<int, std::string>& strings = {});

// The formats tonearm decodes through FFmpeg, encoded by Debian's ffmpeg at test time from a
// libsndfile-written WAV: what an iTunes library, a podcast feed or a video site hands a user.
struct FfmpegFixture {
    std::string name;       // "aac_m4a", "alac24", "opus_webm", ...
    std::string extension;  // ".m4a"
    std::vector<std::string> codec_args;  // ffmpeg output options
    std::string container;  // what AudioInfo says
    std::string codec;
    bool lossless;
    int sample_rate;        // of the source and (Opus: 48 kHz) of the result
    int bits = 16;          // of the source WAV (ALAC keeps them)
};
inline void PrintTo(const FfmpegFixture& format, std::ostream* out) { *out << format.name; }
const std::vector<FfmpegFixture>& ffmpeg_fixtures();
const FfmpegFixture& ffmpeg_fixture(const std::string& name);
// Encodes `samples` (interleaved float, stereo) in `format` to dir/name<extension> with
// `metadata` (ffmpeg keys: title, artist, album, track, date...); returns the path. The PCM
// source it encoded stays next to it as dir/name.source.wav.
std::filesystem::path write_ffmpeg_fixture(const std::filesystem::path& dir, const std::string& name,
                                           const FfmpegFixture& format, std::span<const float> samples,
                                           const std::map<std::string, std::string>& metadata = {});
// Runs Debian's ffmpeg with these arguments after "-nostdin -v error -y"; throws on failure.
void run_ffmpeg(const std::vector<std::string>& args);
// The audio stream's length in its time base as ffprobe reports it (an MP4's edit list).
std::int64_t ffprobe_duration_ts(const std::filesystem::path& path);
// ffmpeg's decode as left-justified 32-bit integers (the oracle for integer reads).
std::vector<std::int32_t> ffmpeg_decode_s32(const std::filesystem::path& path);

// Every sample tonearm's Decoder produces for `path`.
std::vector<float> decode_all(const std::filesystem::path& path);
// Every sample Debian's ffmpeg produces for `path` as 32-bit float (the oracle).
std::vector<float> ffmpeg_decode(const std::filesystem::path& path);

std::vector<std::byte> read_bytes(const std::filesystem::path& path);

// A file read the way the web page reads a picked File: by offset, in slices (Blob.slice), never
// all at once. Counts what it was asked for; from `fail_after` bytes in, every read comes back
// short (a source that stops answering).
class SlicedFileSource final : public tonearm::ByteSource {
public:
    explicit SlicedFileSource(const std::filesystem::path& path, std::int64_t fail_after = -1);
    std::int64_t size() const noexcept override { return static_cast<std::int64_t>(bytes_.size()); }
    std::span<const std::uint8_t> read(std::int64_t offset, std::size_t count) override;

    std::size_t largest_read = 0;  // the most bytes asked for at once
    std::int64_t bytes_read = 0;   // all the bytes handed out

private:
    std::vector<std::uint8_t> bytes_;  // the test's copy of the file, handed out in slices
    std::int64_t fail_after_;
};

// Decodes `path` through a SlicedFileSource that stops answering halfway: an Error naming the
// stream, or fewer frames than the file holds.
void expect_error_or_cut_when_the_source_stops(const std::filesystem::path& path);
std::string read_text(const std::filesystem::path& path);
void write_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes);
// `count` bytes of noise, the same for the same seed.
std::vector<std::byte> random_bytes(std::size_t count, unsigned seed);
// Writes `text` as the whole of `path`, making its folders first; returns `path`.
std::filesystem::path write_text(const std::filesystem::path& path, std::string_view text);

// Signal measurements for comparing what was played with what was meant to be played.
std::size_t first_non_silent_frame(std::span<const float> samples, int channels, float threshold = 1e-4f);
std::size_t last_non_silent_frame(std::span<const float> samples, int channels, float threshold = 1e-4f);
// The stereo sound in a capture: from its first to its last non-silent frame (empty if none).
std::vector<float> stereo_sound(const std::vector<float>& capture);
double rms(std::span<const float> samples, int channels, int channel);
// Frequency of the strongest component of one channel, from zero crossings (good for sines).
double zero_crossing_frequency(std::span<const float> samples, int channels, int channel, int sample_rate);
// The longest run of silent frames (every channel at or below threshold).
struct FrameRun {
    std::size_t start = 0;
    std::size_t length = 0;
};
FrameRun longest_silence(std::span<const float> samples, int channels, float threshold = 1e-4f);

}  // namespace tonearm::test
