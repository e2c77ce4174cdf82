#pragma once

// FFmpeg's log, for tonearm's uses of libavformat/libavcodec: what it says about one of our
// streams at error level becomes the cause of our Error (tonearm prints one line per error,
// not FFmpeg's chatter), and its warnings and notes about our streams ("Estimating duration
// from bitrate") are dropped. Messages about contexts that are not ours go to FFmpeg's default
// log. Internal to the library.

#include <string>

namespace tonearm::detail {

// Set an AVFormatContext's or AVCodecContext's `opaque` to one of these to collect its errors.
// Some parts of FFmpeg log without naming their context (libavformat's "Truncating packet",
// a parser through the demuxer's private codec context): while a Scope lives, those messages
// on its thread are this stream's too (FFmpeg logs on the thread that called it).
struct FfmpegLog {
    std::string first_error;  // the first error logged, "" if none

    class Scope {
    public:
        explicit Scope(FfmpegLog& log) noexcept;
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        FfmpegLog* outer_;
    };
};

// Installs the log callback (once per process; FFmpeg's log callback is process-wide).
void install_ffmpeg_log();

}  // namespace tonearm::detail
