#include "tonearm/transcode.hpp"

#include "tonearm/decoder.hpp"
#include "tonearm/error.hpp"
#include "tonearm/format_converter.hpp"

#include <cmath>
#include <system_error>
#include <type_traits>
#include <vector>

namespace tonearm {
namespace {

constexpr std::size_t block_frames = 8192;

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b)
{
    std::error_code ec;
    return std::filesystem::equivalent(a, b, ec) && !ec;
}

std::int64_t seconds_to_frame(double seconds, int rate, const std::string& what,
                              const std::string& subject)
{
    if (!std::isfinite(seconds) || seconds < 0)
        throw Error(ErrorKind::invalid_argument, subject, what + " must be a time >= 0");
    return std::llround(seconds * rate);
}

// Integer samples survive only when the output keeps at least the input's depth.
bool copy_as_integers(const AudioInfo& in, const OutputFormat& out)
{
    if (!in.lossless || in.floating_point || !in.bits_per_sample)
        return false;
    const int out_bits = out.encoding == SampleEncoding::pcm16   ? 16
                         : out.encoding == SampleEncoding::pcm24 ? 24
                         : out.encoding == SampleEncoding::pcm32 ? 32
                                                                 : 0;
    return out.type != FileType::ogg_vorbis && out.type != FileType::opus &&
           out.type != FileType::mp3 && out_bits >= *in.bits_per_sample;
}

// The rate the output type can take: Opus encodes only 8/12/16/24/48 kHz and MP3 nothing
// above 48 kHz, so those get 48 kHz (what ffmpeg picks too); everything else keeps its rate.
int output_rate(FileType type, int rate)
{
    if (type == FileType::opus && rate != 8000 && rate != 12000 && rate != 16000 && rate != 24000)
        return 48000;
    if (type == FileType::mp3 && rate > 48000)
        return 48000;
    return rate;
}

std::size_t read_block(Decoder& decoder, std::span<float> block) { return decoder.read_finite(block); }
std::size_t read_block(Decoder& decoder, std::span<std::int32_t> block) { return decoder.read(block); }

// Copies up to `limit` input frames; samples pass through `converter` when there is one.
// Returns whether the input ran out first.
template <typename Sample>
bool copy_frames(Decoder& decoder, AudioWriter& writer, std::int64_t limit, const std::function<bool()>& stop_requested,
                 FormatConverter* converter = nullptr)
{
    const auto channels = static_cast<std::size_t>(decoder.info().channels);
    std::vector<Sample> block(block_frames * channels);
    bool ran_dry = false;
    for (std::int64_t total = 0; total < limit && !ran_dry;) {
        if (stop_requested && stop_requested())
            throw Error(ErrorKind::interrupted, writer.destination().string(), "interrupted; nothing written");
        const auto wanted = static_cast<std::size_t>(
            std::min<std::int64_t>(static_cast<std::int64_t>(block_frames), limit - total));
        const std::size_t got = read_block(decoder, std::span(block.data(), wanted * channels));
        ran_dry = got == 0;
        const std::span<const Sample> samples(block.data(), got * channels);
        if constexpr (std::is_same_v<Sample, float>)
            writer.write(converter ? converter->process(samples) : samples);
        else
            writer.write(samples);
        total += static_cast<std::int64_t>(got);
    }
    if constexpr (std::is_same_v<Sample, float>)
        if (converter)
            writer.write(converter->flush());
    return ran_dry;
}

}  // namespace

TranscodeResult transcode(const std::filesystem::path& input, const std::filesystem::path& output,
                          const TranscodeOptions& options)
{
    const std::string out_name = output.string();
    const auto type = options.type ? options.type : file_type_from_path(output);
    if (!type)
        throw Error(ErrorKind::invalid_argument, out_name,
                    "cannot tell the output format from the extension (use wav, flac, aiff, ogg, "
                    "opus or mp3, or choose a format)");
    if (same_file(input, output))
        throw Error(ErrorKind::invalid_argument, out_name, "output is the input file");

    Decoder decoder = Decoder::open(input);
    const AudioInfo& info = decoder.info();
    const auto start = seconds_to_frame(options.start_seconds, info.sample_rate, "start", out_name);
    if (start > info.frames)
        throw Error(ErrorKind::invalid_argument, input.string(),
                    "start is past the end of the file");
    if (start > 0)
        decoder.seek(start);
    const std::int64_t limit =
        options.duration_seconds
            ? seconds_to_frame(*options.duration_seconds, info.sample_rate, "duration", out_name)
            : INT64_MAX;

    TranscodeResult result{info, {}, 0, std::nullopt};
    result.output = OutputFormat{*type, options.encoding.value_or(lossless_encoding_for(info, *type)),
                                 output_rate(*type, info.sample_rate), info.channels};
    AudioWriter writer(output, result.output, info.tags);
    bool ran_dry = false;
    if (result.output.sample_rate != info.sample_rate) {
        FormatConverter converter({info.sample_rate, info.channels},
                                  {result.output.sample_rate, info.channels});
        ran_dry = copy_frames<float>(decoder, writer, limit, options.stop_requested, &converter);
    } else if (copy_as_integers(info, result.output)) {
        ran_dry = copy_frames<std::int32_t>(decoder, writer, limit, options.stop_requested);
    } else {
        ran_dry = copy_frames<float>(decoder, writer, limit, options.stop_requested);
    }
    // Never a silently shortened copy: the caller says so, or (strict) nothing is written.
    if (ran_dry && (result.truncation = decoder.truncation()) && options.strict)
        throw Error(ErrorKind::truncated, input.string(), *result.truncation);
    result.frames = writer.frames_written();
    writer.commit();
    return result;
}

}  // namespace tonearm
