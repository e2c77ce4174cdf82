#include "fixtures.hpp"

#include "process.hpp"

#include "tonearm/decoder.hpp"
#include "tonearm/error.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numbers>
#include <random>
#include <stdexcept>
#include <unistd.h>

namespace tonearm::test {

::testing::AssertionResult same_samples(std::span<const float> actual, std::span<const float> expected)
{
    const std::size_t common = std::min(actual.size(), expected.size());
    const auto mismatch = std::mismatch(actual.begin(), actual.begin() + static_cast<std::ptrdiff_t>(common), expected.begin());
    const auto index = static_cast<std::size_t>(mismatch.first - actual.begin());
    if (index == common && actual.size() == expected.size())
        return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure() << actual.size() << " samples vs " << expected.size() << " expected";
    if (index < common)
        failure << "; first difference at sample " << index << ": " << actual[index] << " vs " << expected[index];
    return failure;
}

TempDir::TempDir(const std::filesystem::path& parent)
{
    const auto where = parent.empty() ? std::filesystem::temp_directory_path() : parent;
    std::string pattern = (where / "tonearm-test-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir()
{
    std::error_code ec;
    // Tests make files unreadable on purpose; give permissions back before removing them.
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path memory_temp_parent()
{
    std::error_code ec;
    if (std::filesystem::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0)
        return "/dev/shm";
    return std::filesystem::temp_directory_path();
}

std::vector<float> synth(const Tone& tone)
{
    const auto lead = static_cast<std::size_t>(std::lround(tone.lead_silence * tone.sample_rate));
    const auto frames = static_cast<std::size_t>(std::lround(tone.seconds * tone.sample_rate));
    const auto fade = static_cast<std::size_t>(tone.sample_rate / 200);
    std::vector<float> samples((lead + frames) * static_cast<std::size_t>(tone.channels), 0.0f);
    for (std::size_t f = 0; f < frames; ++f) {
        const double t = tone.start_phase_seconds + static_cast<double>(f) / tone.sample_rate;
        double gain = tone.amplitude;
        if (tone.start_phase_seconds == 0 && f < fade)
            gain *= static_cast<double>(f) / fade;
        for (int c = 0; c < tone.channels; ++c) {
            const double frequency = tone.frequencies[std::min(c, 1)];
            samples[(lead + f) * static_cast<std::size_t>(tone.channels) + static_cast<std::size_t>(c)] =
                static_cast<float>(gain * std::sin(2 * std::numbers::pi * frequency * t + tone.phases[std::min(c, 1)]));
        }
    }
    return samples;
}

const std::vector<FixtureFormat>& fixture_formats()
{
    static const std::vector<FixtureFormat> formats = {
        {"wav16", ".wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, true, 44100},
        {"wav24", ".wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, true, 44100},
        {"wavfloat", ".wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, true, 44100},
        {"aiff16", ".aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, true, 44100},
        {"flac16", ".flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, true, 44100},
        {"flac24", ".flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, true, 96000},
        {"vorbis", ".ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, false, 44100},
        {"opus", ".opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, false, 48000},
        {"mp3", ".mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, false, 44100},
    };
    return formats;
}

namespace {

template <typename Format>
const Format& named(const std::vector<Format>& formats, const std::string& name)
{
    for (const auto& format : formats)
        if (format.name == name)
            return format;
    throw std::runtime_error("no fixture format " + name);
}

}  // namespace

const FixtureFormat& fixture_format(const std::string& name) { return named(fixture_formats(), name); }

void write_audio(const std::filesystem::path& path, int sndfile_format, int sample_rate, int channels,
                 std::span<const float> samples, const std::map<int, std::string>& strings)
{
    SF_INFO info{};
    info.samplerate = sample_rate;
    info.channels = channels;
    info.format = sndfile_format;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!file)
        throw std::runtime_error("cannot write " + path.string() + ": " + sf_strerror(nullptr));
    for (const auto& [id, text] : strings)
        sf_set_string(file, id, text.c_str());
    const auto frames = static_cast<sf_count_t>(samples.size() / static_cast<std::size_t>(channels));
    for (sf_count_t done = 0; done < frames;) {
        const sf_count_t count = std::min<sf_count_t>(4096, frames - done);
        if (sf_writef_float(file, samples.data() + done * channels, count) != count)
            throw std::runtime_error("write failed: " + std::string(sf_strerror(file)));
        done += count;
    }
    sf_close(file);
}

std::filesystem::path write_fixture(const std::filesystem::path& dir, const std::string& name,
                                    const FixtureFormat& format, Tone tone,
                                    const std::map<int, std::string>& strings)
{
    tone.sample_rate = format.sample_rate;
    const auto path = dir / (name + format.extension);
    write_audio(path, format.sndfile_format, tone.sample_rate, tone.channels, synth(tone), strings);
    return path;
}

const std::vector<FfmpegFixture>& ffmpeg_fixtures()
{
    // The encoders Debian's ffmpeg has: its own AAC (in MP4 with an edit list for the priming,
    // raw as ADTS, in Matroska), ALAC, WMA, and libopus/libvorbis in WebM.
    static const std::vector<FfmpegFixture> formats = {
        {"aac_m4a", ".m4a", {"-c:a", "aac", "-b:a", "160k"}, "MP4", "AAC", false, 44100},
        {"aac_adts", ".aac", {"-c:a", "aac", "-b:a", "128k", "-f", "adts", "-write_id3v2", "1"}, "ADTS", "AAC", false, 44100},
        {"aac_mka", ".mka", {"-c:a", "aac", "-b:a", "128k"}, "Matroska", "AAC", false, 48000},
        {"alac16", ".m4a", {"-c:a", "alac"}, "MP4", "ALAC", true, 44100},
        {"alac24", ".m4a", {"-c:a", "alac"}, "MP4", "ALAC", true, 96000, 24},
        {"opus_webm", ".webm", {"-c:a", "libopus", "-b:a", "96k"}, "WebM", "Opus", false, 48000},
        {"vorbis_webm", ".webm", {"-c:a", "libvorbis", "-q:a", "4"}, "WebM", "Vorbis", false, 44100},
        {"wmav2", ".wma", {"-c:a", "wmav2", "-b:a", "128k"}, "ASF", "WMA v2", false, 44100},
        {"wmav1", ".wma", {"-c:a", "wmav1", "-b:a", "128k"}, "ASF", "WMA v1", false, 44100},
    };
    return formats;
}

const FfmpegFixture& ffmpeg_fixture(const std::string& name) { return named(ffmpeg_fixtures(), name); }

void run_ffmpeg(const std::vector<std::string>& args)
{
    std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error", "-y"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto result = run_process(argv);
    if (result.exit_code != 0)
        throw std::runtime_error("ffmpeg failed: " + result.err);
}

std::filesystem::path write_ffmpeg_fixture(const std::filesystem::path& dir, const std::string& name,
                                           const FfmpegFixture& format, std::span<const float> samples,
                                           const std::map<std::string, std::string>& metadata)
{
    const auto source = dir / (name + ".source.wav");
    write_audio(source, SF_FORMAT_WAV | (format.bits == 24 ? SF_FORMAT_PCM_24 : SF_FORMAT_PCM_16),
                format.sample_rate, 2, samples);
    const auto path = dir / (name + format.extension);
    std::vector<std::string> args = {"-i", source.string()};
    args.insert(args.end(), format.codec_args.begin(), format.codec_args.end());
    for (const auto& [key, value] : metadata)
        args.insert(args.end(), {"-metadata", key + "=" + value});
    args.push_back(path.string());
    run_ffmpeg(args);
    return path;
}

std::int64_t ffprobe_duration_ts(const std::filesystem::path& path)
{
    const auto result = run_process({"ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                                     "stream=duration_ts", "-of", "default=nw=1:nk=1", path.string()});
    if (result.exit_code != 0)
        throw std::runtime_error("ffprobe failed on " + path.string() + ": " + result.err);
    return std::stoll(result.out);
}

std::vector<std::int32_t> ffmpeg_decode_s32(const std::filesystem::path& path)
{
    const auto result = run_process({"ffmpeg", "-nostdin", "-v", "error", "-i", path.string(), "-f", "s32le", "-"});
    if (result.exit_code != 0)
        throw std::runtime_error("ffmpeg failed on " + path.string() + ": " + result.err);
    std::vector<std::int32_t> samples(result.out.size() / sizeof(std::int32_t));
    if (!samples.empty())
        std::memcpy(samples.data(), result.out.data(), samples.size() * sizeof(std::int32_t));
    return samples;
}

std::vector<float> decode_all(const std::filesystem::path& path)
{
    Decoder decoder = Decoder::open(path);
    const auto channels = static_cast<std::size_t>(decoder.info().channels);
    std::vector<float> all;
    std::vector<float> block(4096 * channels);
    while (const std::size_t frames = decoder.read(block))
        all.insert(all.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(frames * channels));
    return all;
}

std::vector<float> ffmpeg_decode(const std::filesystem::path& path)
{
    const auto result = run_process({"ffmpeg", "-nostdin", "-v", "error", "-i", path.string(), "-f", "f32le", "-"});
    if (result.exit_code != 0)
        throw std::runtime_error("ffmpeg failed on " + path.string() + ": " + result.err);
    std::vector<float> samples(result.out.size() / sizeof(float));
    if (!samples.empty())  // memcpy from an empty string's data() is undefined
        std::memcpy(samples.data(), result.out.data(), samples.size() * sizeof(float));
    return samples;
}

std::string read_text(const std::filesystem::path& path)
{
    const auto bytes = read_bytes(path);
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::vector<std::byte> read_bytes(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::transform(chars.begin(), chars.end(), bytes.begin(), [](char c) { return static_cast<std::byte>(c); });
    return bytes;
}

SlicedFileSource::SlicedFileSource(const std::filesystem::path& path, std::int64_t fail_after)
    : fail_after_(fail_after)
{
    const auto bytes = read_bytes(path);
    bytes_.resize(bytes.size());
    std::memcpy(bytes_.data(), bytes.data(), bytes.size());
}

std::span<const std::uint8_t> SlicedFileSource::read(std::int64_t offset, std::size_t count)
{
    largest_read = std::max(largest_read, count);
    if (offset < 0 || offset >= size())
        return {};
    std::int64_t end = std::min<std::int64_t>(size(), offset + static_cast<std::int64_t>(count));
    if (fail_after_ >= 0)
        end = std::min(end, std::max(offset, fail_after_));
    bytes_read += end - offset;
    return std::span<const std::uint8_t>(bytes_).subspan(static_cast<std::size_t>(offset),
                                                         static_cast<std::size_t>(end - offset));
}

void expect_error_or_cut_when_the_source_stops(const std::filesystem::path& path)
{
    const auto size = static_cast<std::int64_t>(std::filesystem::file_size(path));
    try {
        tonearm::Decoder decoder = tonearm::Decoder::from_source(std::make_unique<SlicedFileSource>(path, size / 2), "failing");
        std::vector<float> block(4096 * 2);
        std::int64_t frames = 0;
        while (const std::size_t got = decoder.read(block))
            frames += static_cast<std::int64_t>(got);
        EXPECT_LT(frames, tonearm::Decoder::open(path).info().frames);
    } catch (const tonearm::Error& error) {
        EXPECT_EQ(error.subject(), "failing");
    }
}

void write_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::byte> random_bytes(std::size_t count, unsigned seed)
{
    std::mt19937 generator(seed);
    std::vector<std::byte> bytes(count);
    for (auto& byte : bytes)
        byte = static_cast<std::byte>(generator() & 0xFF);
    return bytes;
}

std::filesystem::path write_text(const std::filesystem::path& path, std::string_view text)
{
    std::filesystem::create_directories(path.parent_path());
    write_bytes(path, std::as_bytes(std::span<const char>(text.data(), text.size())));
    return path;
}

namespace {

bool frame_is_silent(std::span<const float> samples, int channels, std::size_t frame, float threshold)
{
    for (int c = 0; c < channels; ++c)
        if (std::abs(samples[frame * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)]) > threshold)
            return false;
    return true;
}

}  // namespace

std::size_t first_non_silent_frame(std::span<const float> samples, int channels, float threshold)
{
    const std::size_t frames = samples.size() / static_cast<std::size_t>(channels);
    for (std::size_t f = 0; f < frames; ++f)
        if (!frame_is_silent(samples, channels, f, threshold))
            return f;
    return frames;
}

std::size_t last_non_silent_frame(std::span<const float> samples, int channels, float threshold)
{
    for (std::size_t f = samples.size() / static_cast<std::size_t>(channels); f-- > 0;)
        if (!frame_is_silent(samples, channels, f, threshold))
            return f;
    return 0;
}

std::vector<float> stereo_sound(const std::vector<float>& capture)
{
    const auto first = first_non_silent_frame(capture, 2);
    const auto last = last_non_silent_frame(capture, 2);
    if (capture.empty() || first > last)
        return {};
    return {capture.begin() + static_cast<std::ptrdiff_t>(first * 2),
            capture.begin() + static_cast<std::ptrdiff_t>((last + 1) * 2)};
}

double rms(std::span<const float> samples, int channels, int channel)
{
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t i = static_cast<std::size_t>(channel); i < samples.size(); i += static_cast<std::size_t>(channels), ++count)
        sum += static_cast<double>(samples[i]) * samples[i];
    return count ? std::sqrt(sum / static_cast<double>(count)) : 0.0;
}

double zero_crossing_frequency(std::span<const float> samples, int channels, int channel, int sample_rate)
{
    std::size_t crossings = 0;
    std::size_t first = 0;
    std::size_t last = 0;
    const auto step = static_cast<std::size_t>(channels);
    for (std::size_t i = static_cast<std::size_t>(channel) + step; i < samples.size(); i += step) {
        if (samples[i - step] < 0 && samples[i] >= 0) {
            if (crossings == 0)
                first = i / step;
            last = i / step;
            ++crossings;
        }
    }
    if (crossings < 2)
        return 0.0;
    return static_cast<double>(crossings - 1) * sample_rate / static_cast<double>(last - first);
}

FrameRun longest_silence(std::span<const float> samples, int channels, float threshold)
{
    FrameRun longest;
    FrameRun run;
    const std::size_t frames = samples.size() / static_cast<std::size_t>(channels);
    for (std::size_t f = 0; f < frames; ++f) {
        bool silent = true;
        for (int c = 0; c < channels; ++c)
            silent = silent && std::abs(samples[f * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)]) <= threshold;
        run = silent ? FrameRun{run.length ? run.start : f, run.length + 1} : FrameRun{};
        if (run.length > longest.length)
            longest = run;
    }
    return longest;
}

}  // namespace tonearm::test
