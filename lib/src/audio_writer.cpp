#include "tonearm/audio_writer.hpp"

#include "sndfile_tags.hpp"
#include "text.hpp"
#include "tonearm/error.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace tonearm {
namespace {

// Debian's libsndfile 1.2.0 crashed when a single call handed millions of frames to the
// MP3/Opus encoders; bounded blocks avoid that and keep memory flat for every type.
constexpr std::int64_t block_frames = 4096;

int major_format(FileType type)
{
    switch (type) {
    case FileType::wav: return SF_FORMAT_WAV;
    case FileType::aiff: return SF_FORMAT_AIFF;
    case FileType::flac: return SF_FORMAT_FLAC;
    case FileType::ogg_vorbis: return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    case FileType::opus: return SF_FORMAT_OGG | SF_FORMAT_OPUS;
    case FileType::mp3: return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    }
    return 0;
}

bool is_lossy(FileType type)
{
    return type == FileType::ogg_vorbis || type == FileType::opus || type == FileType::mp3;
}

int sndfile_format(const OutputFormat& format)
{
    if (is_lossy(format.type))
        return major_format(format.type);
    switch (format.encoding) {
    case SampleEncoding::pcm16: return major_format(format.type) | SF_FORMAT_PCM_16;
    case SampleEncoding::pcm24: return major_format(format.type) | SF_FORMAT_PCM_24;
    case SampleEncoding::pcm32: return major_format(format.type) | SF_FORMAT_PCM_32;
    case SampleEncoding::float32: return major_format(format.type) | SF_FORMAT_FLOAT;
    }
    return 0;
}

void write_tags(SNDFILE* file, const std::map<std::string, std::string>& tags)
{
    // Tags are a courtesy: a format that cannot hold one is not a failed decode.
    for (auto [id, key] : detail::sndfile_tags)
        if (auto it = tags.find(key); it != tags.end())
            sf_set_string(file, id, it->second.c_str());
}

}  // namespace

std::optional<FileType> file_type_from_name(std::string_view name)
{
    if (!name.empty() && name.front() == '.')
        name.remove_prefix(1);
    const std::string lower = lower_case(std::string(name));
    if (lower == "wav" || lower == "wave") return FileType::wav;
    if (lower == "aiff" || lower == "aif") return FileType::aiff;
    if (lower == "flac") return FileType::flac;
    if (lower == "ogg" || lower == "oga" || lower == "vorbis") return FileType::ogg_vorbis;
    if (lower == "opus") return FileType::opus;
    if (lower == "mp3") return FileType::mp3;
    return std::nullopt;
}

std::optional<FileType> file_type_from_path(const std::filesystem::path& path)
{
    return file_type_from_name(path.extension().string());
}

std::string_view to_string(FileType type) noexcept
{
    switch (type) {
    case FileType::wav: return "wav";
    case FileType::aiff: return "aiff";
    case FileType::flac: return "flac";
    case FileType::ogg_vorbis: return "ogg";
    case FileType::opus: return "opus";
    case FileType::mp3: return "mp3";
    }
    return "unknown";
}

SampleEncoding lossless_encoding_for(const AudioInfo& source, FileType type) noexcept
{
    const bool has_float = type == FileType::wav || type == FileType::aiff;
    if (source.lossless && !source.floating_point && source.bits_per_sample) {
        const int bits = *source.bits_per_sample;
        if (bits <= 16) return SampleEncoding::pcm16;
        if (bits <= 24 || type == FileType::flac) return SampleEncoding::pcm24;
        return SampleEncoding::pcm32;
    }
    return has_float ? SampleEncoding::float32 : SampleEncoding::pcm24;
}

AudioWriter::AudioWriter(const std::filesystem::path& destination, const OutputFormat& format,
                         const std::map<std::string, std::string>& tags)
    : file_(destination), channels_(format.channels)
{
    SF_INFO info{};
    info.samplerate = format.sample_rate;
    info.channels = format.channels;
    info.format = sndfile_format(format);
    if (!sf_format_check(&info))
        throw Error(ErrorKind::invalid_argument, destination.string(),
                    std::string("cannot write ") + std::string(to_string(format.type)) + " with " +
                        std::to_string(format.channels) + " channels at " +
                        std::to_string(format.sample_rate) + " Hz");
    // libsndfile gets its own descriptor and closes it on every path: with SF_FALSE, 1.2.0
    // still closes it when the open fails, and AtomicFile would then close a number that
    // another thread may have reused meanwhile.
    const int descriptor = ::dup(file_.fd());
    if (descriptor < 0)
        throw Error(ErrorKind::write_failed, destination.string(), std::strerror(errno));
    sndfile_.reset(sf_open_fd(descriptor, SFM_WRITE, &info, SF_TRUE));
    if (!sndfile_)
        throw Error(ErrorKind::write_failed, destination.string(), sf_strerror(nullptr));
    // Floats beyond full scale saturate instead of wrapping around in integer outputs.
    sf_command(sndfile_.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
    write_tags(sndfile_.get(), tags);
}

AudioWriter::AudioWriter(AudioWriter&&) noexcept = default;
AudioWriter::~AudioWriter() = default;

template <typename Sample, typename WriteFn>
void AudioWriter::write_blocks(std::span<const Sample> interleaved, WriteFn write_frames)
{
    const auto frames = static_cast<std::int64_t>(interleaved.size()) / channels_;
    for (std::int64_t done = 0; done < frames;) {
        const auto count = std::min(block_frames, frames - done);
        const auto written = write_frames(sndfile_.get(), interleaved.data() + done * channels_, count);
        if (written != count)
            throw Error(ErrorKind::write_failed, file_.destination().string(),
                        sf_strerror(sndfile_.get()));
        done += count;
    }
    frames_written_ += frames;
}

void AudioWriter::write(std::span<const float> interleaved)
{
    write_blocks(interleaved, sf_writef_float);
}

void AudioWriter::write(std::span<const std::int32_t> interleaved)
{
    write_blocks(interleaved, sf_writef_int);
}

void AudioWriter::commit()
{
    // sf_close writes the final header (sizes, FLAC's MD5); only then is the file complete.
    if (const int error = sf_close(sndfile_.release()); error != SF_ERR_NO_ERROR)
        throw Error(ErrorKind::write_failed, file_.destination().string(), sf_error_number(error));
    file_.commit();
}

}  // namespace tonearm
