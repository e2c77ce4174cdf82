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

// Names the rules behind every verdict: a verdict cache decodes again what other rules judged.
std::string_view check_rules_version() noexcept;

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
    bool cached = false;   // the verdict came from a verdict cache: the file was not decoded again

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
// The container is told from the file's first bytes, and each has a verifier of its own that
// checks what the container promises, besides decoding (libsndfile does not: it clamps a cut
// WAV/AIFF to the bytes present and ends an Ogg stream at its last whole page, both silently):
//   WAV, RF64, AIFF  truncated if the data (SSND) chunk or a header chunk runs past the end
//                    of the file; declared_frames from the data chunk size (COMM for AIFF).
//   FLAC             decoded by libFLAC, as `flac -t` does: every frame's CRC (decode), the
//                    audio's MD5 against STREAMINFO's (md5_mismatch; skipped when that is all
//                    zero), truncated when the file ends before the stream's final frame.
//   Ogg (Vorbis, Opus)  every page's CRC and sequence number through libogg (decode), and the
//                    end-of-stream page (truncated if missing or cut).
//   MP3              the last frame complete (truncated), the Xing/Info frame count. libsndfile
//                    never decodes past the length in the Xing header (or its estimate from the
//                    file size without one), so a file holding more frames than that is
//                    `unsupported`: it cannot be verified here.
//   MP4/M4A, Matroska/WebM, ADTS AAC, ASF (decoded through FFmpeg)  truncated if a top-level
//                    box/element/object or the last ADTS frame runs past the end of the file, or
//                    an MP4 has its audio but no 'moov' index after it; an MP4 also declares its
//                    length (sample table and edit list). Anything FFmpeg logs as an error while
//                    decoding fails the file (decode), as `ffmpeg -v error` would show it.
//   anything else    what the decoder makes of it.
// The truncation rule is StreamLength's (stream_length.hpp), the one `decode` and `play` use.
CheckResult check_file(const std::filesystem::path& path);

// One entry of the work list: a file to check, or a problem found while listing
// (an unreadable directory), reported as a failed result in its place.
struct CheckInput {
    std::filesystem::path path;
    std::optional<Error> problem;
    // The path relative to the argument it was found under (its file name if it was named
    // itself): what shards are drawn by, so a tree mounted anywhere splits the same way.
    std::filesystem::path relative;
};

// Shard K of N (1 <= K <= N): a fixed part of every listing, for running one check as N
// processes or jobs anywhere. A file belongs to shard shard_of(relative path, N).
struct Shard {
    unsigned index = 1;
    unsigned count = 1;
};
// 1 + (FNV-1a 64 of the relative path's bytes, '/'-separated, mixed by splitmix64's finaliser)
// mod count. Part of the interface: the same path lands in the same shard in every version.
unsigned shard_of(const std::filesystem::path& relative, unsigned count) noexcept;

struct InputListOptions {
    // Extensions (without dot, any case) of files taken from directories; empty = every file.
    // Paths named explicitly are always checked, whatever their extension.
    std::vector<std::string> extensions = default_extensions();
    static std::vector<std::string> default_extensions();
    // Only this shard's files (and skipped files) are listed.
    Shard shard{};
};

struct InputList {
    std::vector<CheckInput> inputs;
    std::size_t skipped = 0;  // files in the walked directories that the extension filter left out
};

// Expands paths to the files to check (those of options.shard), in a deterministic order: the
// arguments in the order given, each directory walked by a FileWalker (file_walk.hpp) in
// bytewise order, one walker for all of them, so no file is checked twice. Directories are
// always walked, whatever their names (`x.wav/` is a directory, not a broken file); other
// non-regular entries that pass the filter (FIFOs, sockets, dangling links) are listed and
// fail as `open`; a directory that cannot be listed is an input with its problem.
InputList list_inputs(std::span<const std::filesystem::path> paths,
                      const InputListOptions& options = {});

struct CheckAllOptions {
    unsigned jobs = 1;  // worker threads (at least 1)
    // Called on the calling thread, never concurrently: after each file (files done, total)...
    std::function<void(std::size_t done, std::size_t total)> on_progress;
    // ...and with each result, in input order, as soon as all earlier ones are done.
    std::function<void(std::size_t index, const CheckResult& result)> on_result;
    // How one input is checked, on a worker thread (default: check_file(input.path)). A verdict
    // cache answers for unchanged files through it; tests count the files really decoded.
    std::function<CheckResult(std::size_t index, const CheckInput& input)> check;
};

// Checks every input on a fixed pool of threads; results are in input order whatever the
// number of jobs.
std::vector<CheckResult> check_all(std::span<const CheckInput> inputs, const CheckAllOptions& options);

}  // namespace tonearm
