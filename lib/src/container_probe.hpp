#pragma once

// What an audio file's container says about itself, read without libsndfile: libsndfile
// clamps a cut WAV/AIFF to the bytes present and skips Ogg pages that fail their CRC, both
// without an error, so `check` needs its own look at the bytes to tell complete, cut and
// corrupt files apart. Internal to the library (used by batch_check.cpp).

#include "md5.hpp"
#include "unique_fd.hpp"

#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace tonearm::detail {

// ---------------------------------------------------------------------------------------
// Reading bytes for the container checks: read-only, through a window, bounded memory.

class FileReader {
public:
    explicit FileReader(const std::filesystem::path& path)
        // O_NONBLOCK: never wait on a FIFO; the descriptor is only kept for regular files.
        : fd_(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC))
    {
        struct stat st {};
        if (fd_ && ::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode))
            size_ = st.st_size;
        else
            fd_.reset();
    }

    bool ok() const noexcept { return static_cast<bool>(fd_); }
    std::int64_t size() const noexcept { return size_; }

    // Bytes [offset, offset + count), fewer at the end of the file; valid until the next call.
    std::span<const std::uint8_t> read(std::int64_t offset, std::size_t count)
    {
        if (offset < 0 || offset >= size_)
            return {};
        const auto in_window = [&] {
            return offset >= window_start_ &&
                   offset + static_cast<std::int64_t>(count) <=
                       window_start_ + static_cast<std::int64_t>(window_.size());
        };
        if (!in_window()) {
            window_start_ = offset;
            window_.resize(std::max<std::size_t>(count, window_bytes));
            std::size_t got = 0;
            while (got < window_.size()) {
                const ssize_t n = ::pread(fd_.get(), window_.data() + got, window_.size() - got,
                                          offset + static_cast<std::int64_t>(got));
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                got += static_cast<std::size_t>(n);
            }
            window_.resize(got);
        }
        const auto start = static_cast<std::size_t>(offset - window_start_);
        return std::span<const std::uint8_t>(window_).subspan(start, std::min(count, window_.size() - start));
    }

private:
    static constexpr std::size_t window_bytes = 64 << 10;
    UniqueFd fd_;
    std::int64_t size_ = 0;
    std::vector<std::uint8_t> window_;
    std::int64_t window_start_ = 0;
};

// What the container says about itself, read independently of libsndfile, which clamps a
// cut WAV/AIFF to the bytes present without an error, and skips Ogg pages that fail their
// CRC without an error.

struct FlacStreamInfo {
    std::uint32_t min_blocksize = 0;
    std::uint32_t max_blocksize = 0;
    std::uint32_t max_framesize = 0;
    int bits_per_sample = 0;
    std::uint64_t total_samples = 0;  // 0: not stored
    Md5::Digest md5{};
};

struct ContainerFacts {
    std::optional<std::int64_t> declared_frames;  // from our own parse (WAV, AIFF)
    std::string truncated;                        // non-empty: how the container shows a cut
    std::string corrupt;                          // non-empty: a container checksum or sequence fails
    std::optional<FlacStreamInfo> flac;
    std::int64_t flac_frames_offset = 0;
};

struct MpegStream {
    bool length_header = false;  // Xing, Info (LAME) or VBRI: the stream declares its length
    std::optional<std::int64_t> declared_frames;  // MPEG frames, from a Xing/Info header
    std::int64_t frames = 0;     // MPEG frames found (the Xing/Info frame included)
    std::int64_t samples = 0;    // frames found times samples per frame
    std::string truncated;
};

ContainerFacts probe_container(FileReader& file);
// Offset of the first byte after any ID3v2 tags at the start (MP3s have them, some FLACs too).
std::int64_t skip_id3v2(FileReader& file);
std::optional<MpegStream> walk_mpeg(FileReader& file);
// Whether the file ends with the stream's final frame, complete (its CRC-16 holds): scans
// back from the end for the last frame header. Only consulted after decoding failed, to tell
// "the file was cut" (truncated) from "a frame in the middle is corrupt" (decode).
// The first FLAC frame whose CRC-16 fails, if any. libFLAC replaces such a frame with silence
// and libsndfile (1.2.0) goes on reading without an error, so the decoded length is right and
// only the audio differs; this tells that corruption (decode) from audio that decodes cleanly
// but is not what the MD5 describes (md5_mismatch). Frames are found by their sync code, a
// valid header and the sample number that must come next.
bool flac_ends_with_final_frame(FileReader& file, const FlacStreamInfo& info, std::int64_t frames_offset);
std::string flac_first_corrupt_frame(FileReader& file, const FlacStreamInfo& info, std::int64_t frames_offset);

inline std::string plural(std::int64_t count, std::string_view noun)
{
    return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

}  // namespace tonearm::detail
