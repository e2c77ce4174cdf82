#pragma once

#include "tonearm/error.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tonearm {

// Verifying whole trees of audio files, like `flac -t` or `ffmpeg -v error -i F -f null -`
// for every file at once: every frame of every file is decoded, and what the container itself
// promises (lengths, checksums, an end-of-stream mark) is checked against what was decoded.

// Why a file failed. The names (to_string) are part of the CLI's output and stable.
enum class CheckCategory {
    none,          // the file passed
    open,          // cannot open or read it: missing, permissions, not a regular file
    unsupported,   // not an audio format this build decodes (or not all of it: see check_file)
    truncated,     // the file ends before the audio its header or container declares
    decode,        // corrupt: a header or frame does not decode, a container checksum fails
    non_finite,    // decoded samples contain NaN or infinity
    md5_mismatch,  // decodes, but the audio differs from the MD5 the file stores (FLAC)
};
std::string_view to_string(CheckCategory category) noexcept;
CheckCategory check_category(ErrorKind kind) noexcept;

// What the file stores about its own checksum, and whether the decoded audio matches it.
enum class Md5Status { not_applicable, absent, match, mismatch };
std::string_view to_string(Md5Status status) noexcept;  // "", "absent", "ok", "mismatch"

struct CheckResult {
    std::filesystem::path path;
    CheckCategory category = CheckCategory::none;
    std::string message;  // why it failed (one line); empty when it passed

    bool opened = false;  // the stream fields below are known
    std::string container;
    std::string codec;
    int sample_rate = 0;
    int channels = 0;
    std::int64_t frames = 0;                      // frames decoded
    std::optional<std::int64_t> declared_frames;  // what the header declares, if it does
    double peak = 0.0;                            // max |sample|, 1.0 is full scale
    std::int64_t clipped = 0;     // samples at full scale (integer) or at |x| >= 1 (float, lossy)
    std::int64_t non_finite = 0;  // NaN or infinite samples
    Md5Status md5 = Md5Status::not_applicable;
    double seconds = 0.0;  // time spent checking this file

    bool ok() const noexcept { return category == CheckCategory::none; }
    double duration() const noexcept
    {
        return sample_rate > 0 ? static_cast<double>(frames) / sample_rate : 0.0;
    }
};

// Decodes every frame of one file, in bounded blocks (flat memory for any length), and
// returns the verdict. Never throws for anything about the file; opens it read-only and
// never locks or modifies it.
//
// Besides decoding, it reads what the container says about itself, because libsndfile does
// not tell: it clamps a cut WAV/AIFF to the bytes present and skips Ogg pages whose CRC fails,
// both without an error. So, per format:
//   WAV, RF64, AIFF  truncated if the data (SSND) chunk or a header chunk runs past the end
//                    of the file; declared_frames from the data chunk size (COMM for AIFF).
//   FLAC             declared_frames from STREAMINFO; a decoder error counts as truncated
//                    when the file does not end with the stream's final frame (CRC-16 intact),
//                    else as decode. The audio's MD5 is checked against STREAMINFO's (skipped
//                    when that is all zero, like flac -t); on a mismatch, or without an MD5,
//                    every frame's CRC-16 is checked too, to tell corruption (decode) from
//                    audio that decodes cleanly but is not what the MD5 describes.
//   Ogg (Vorbis, Opus)  every page's CRC and sequence number (decode), and the end-of-stream
//                    page (truncated if missing or cut).
//   MP3              the last frame complete (truncated), the Xing/Info frame count. libsndfile
//                    never decodes past the length in the Xing header (or its estimate from the
//                    file size without one), so a file holding more frames than that is
//                    `unsupported`: it cannot be verified here.
CheckResult check_file(const std::filesystem::path& path);

// One entry of the work list: a file to check, or a problem found while listing
// (an unreadable directory), reported as a failed result in its place.
struct CheckInput {
    std::filesystem::path path;
    std::optional<Error> problem;
};

struct InputListOptions {
    // Extensions (without dot, any case) of files taken from directories; empty = every file.
    // Paths named explicitly are always checked, whatever their extension.
    std::vector<std::string> extensions = default_extensions();
    static std::vector<std::string> default_extensions();
};

struct InputList {
    std::vector<CheckInput> inputs;
    std::size_t skipped = 0;  // files in the walked directories that the extension filter left out
};

// Expands paths to the files to check, in a deterministic order: the arguments in the order
// given; a directory's entries sorted by name (bytewise) and walked depth-first. Names
// starting with '.' inside walked directories are skipped. Symlinks are followed (a link to
// a file is checked under the link's path), but each directory is walked at most once, keyed
// by (device, inode): a link back up the tree, or two links to one directory, cannot loop or
// check a file twice. Directories are always walked, whatever their names (`x.wav/` is a
// directory, not a broken file); other non-regular entries that pass the filter (FIFOs,
// sockets, dangling links) are listed and fail as `open`.
InputList list_inputs(std::span<const std::filesystem::path> paths,
                      const InputListOptions& options = {});

struct CheckAllOptions {
    unsigned jobs = 1;  // worker threads (at least 1)
    // Called on the calling thread, never concurrently: after each file (files done, total)...
    std::function<void(std::size_t done, std::size_t total)> on_progress;
    // ...and with each result, in input order, as soon as all earlier ones are done.
    std::function<void(std::size_t index, const CheckResult& result)> on_result;
};

// Checks every input on a fixed pool of threads; results are in input order whatever the
// number of jobs.
std::vector<CheckResult> check_all(std::span<const CheckInput> inputs, const CheckAllOptions& options);

}  // namespace tonearm
