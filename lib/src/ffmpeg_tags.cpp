// The tag reader's FFmpeg side (see tonearm/tag_reader.hpp): libavformat reads every format's tags.
#include "ffmpeg_part.hpp"

#include "ffmpeg_log.hpp"
#include "tonearm/error.hpp"
#include "text.hpp"

extern "C" {
#include <libavformat/avformat.h>
}

#include <algorithm>

namespace tonearm::detail {

std::map<std::string, std::string> read_ffmpeg_tags(const std::filesystem::path& path)
{
    install_ffmpeg_log();
    FfmpegLog log;
    const FfmpegLog::Scope scope(log);
    AVFormatContext* format = avformat_alloc_context();
    if (!format)
        throw std::bad_alloc();
    format->opaque = &log;
    // avformat_open_input frees the context when it fails.
    if (const int rc = avformat_open_input(&format, path.c_str(), nullptr, nullptr); rc < 0) {
        char text[AV_ERROR_MAX_STRING_SIZE] = {};
        av_strerror(rc, text, sizeof text);
        throw Error(ErrorKind::unsupported, path.string(),
                    "cannot read its tags: " + (log.first_error.empty() ? std::string(text) : log.first_error));
    }
    std::map<std::string, std::string> tags;
    const auto add = [&](const AVDictionary* dict) {
        const AVDictionaryEntry* entry = nullptr;
        while ((entry = av_dict_get(dict, "", entry, AV_DICT_IGNORE_SUFFIX))) {
            std::string key = lower_case(entry->key);
            tags.emplace(std::move(key), entry->value);
        }
    };
    add(format->metadata);
    if (const int audio = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0); audio >= 0)
        add(format->streams[audio]->metadata);
    avformat_close_input(&format);
    return tags;
}

}  // namespace tonearm::detail
