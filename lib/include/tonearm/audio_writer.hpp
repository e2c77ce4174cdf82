#pragma once

#include "tonearm/atomic_file.hpp"
#include "tonearm/audio_info.hpp"
#include "tonearm/sndfile_handle.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tonearm {

enum class FileType { wav, aiff, flac, ogg_vorbis, opus, mp3 };
enum class SampleEncoding { pcm16, pcm24, pcm32, float32 };

struct OutputFormat {
    FileType type = FileType::wav;
    SampleEncoding encoding = SampleEncoding::float32;  // ignored by lossy types
    int sample_rate = 0;
    int channels = 0;
};

// "wav", "flac", "aiff"/"aif", "ogg", "opus", "mp3" (case-insensitive, leading dot allowed).
std::optional<FileType> file_type_from_name(std::string_view name);
std::optional<FileType> file_type_from_path(const std::filesystem::path& path);
std::string_view to_string(FileType type) noexcept;

// The sample encoding that keeps `source`'s samples exact in `type`, when `type` can:
// integer PCM stays at its depth, floats and lossy sources become float where the type has
// floats, else 24-bit.
SampleEncoding lossless_encoding_for(const AudioInfo& source, FileType type) noexcept;

// Encodes interleaved frames into a new file with libsndfile. The file appears at its
// destination only on commit() (see AtomicFile); on any error nothing is left behind.
class AudioWriter {
public:
    AudioWriter(const std::filesystem::path& destination, const OutputFormat& format,
                const std::map<std::string, std::string>& tags = {});
    AudioWriter(AudioWriter&&) noexcept;
    AudioWriter& operator=(AudioWriter&&) = delete;
    ~AudioWriter();

    void write(std::span<const float> interleaved);
    void write(std::span<const std::int32_t> interleaved);  // left-justified, as Decoder reads
    void commit();

    std::int64_t frames_written() const noexcept { return frames_written_; }
    const std::filesystem::path& destination() const noexcept { return file_.destination(); }

private:
    template <typename Sample, typename WriteFn>
    void write_blocks(std::span<const Sample> interleaved, WriteFn write_frames);

    AtomicFile file_;
    SndfileHandle sndfile_;
    int channels_;
    std::int64_t frames_written_ = 0;
};

}  // namespace tonearm
