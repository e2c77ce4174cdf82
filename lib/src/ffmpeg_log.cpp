#include "ffmpeg_log.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace tonearm::detail {
namespace {

// The stream whose FFmpeg calls are running on this thread (see FfmpegLog::Scope).
thread_local FfmpegLog* active_log = nullptr;

// The FfmpegLog a context's `opaque` points at, if the context is one FFmpeg hands to logging
// as itself (AVFormatContext and AVCodecContext are; their class names say so), else the
// active stream's.
FfmpegLog* our_log(void* context)
{
    const AVClass* cls = context ? *static_cast<const AVClass* const*>(context) : nullptr;
    void* opaque = nullptr;
    if (cls && std::strcmp(cls->class_name, "AVFormatContext") == 0)
        opaque = static_cast<AVFormatContext*>(context)->opaque;
    else if (cls && std::strcmp(cls->class_name, "AVCodecContext") == 0)
        opaque = static_cast<AVCodecContext*>(context)->opaque;
    return opaque ? static_cast<FfmpegLog*>(opaque) : active_log;
}

void log_callback(void* context, int level, const char* format, va_list args)
{
    FfmpegLog* log = our_log(context);
    if (!log) {
        av_log_default_callback(context, level, format, args);
        return;
    }
    if (level > AV_LOG_ERROR || !log->first_error.empty())
        return;
    char line[512];
    std::vsnprintf(line, sizeof line, format, args);
    log->first_error = line;
    while (!log->first_error.empty() && (log->first_error.back() == '\n' || log->first_error.back() == ' '))
        log->first_error.pop_back();
}

}  // namespace

FfmpegLog::Scope::Scope(FfmpegLog& log) noexcept : outer_(active_log) { active_log = &log; }
FfmpegLog::Scope::~Scope() { active_log = outer_; }

void install_ffmpeg_log()
{
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_callback(log_callback); });
}

}  // namespace tonearm::detail
