#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace tonearm {

// What a decoder knows about a stream before decoding it, like libsndfile's SF_INFO
// plus names and tags. `frames` is what the header declares; decoding may find fewer.
struct AudioInfo {
    std::string container;  // "WAV", "FLAC", "Ogg", "MPEG", "AIFF", "MP4", "WebM", "ADTS", "ASF", ...
    std::string codec;      // "PCM s16", "PCM f32", "FLAC", "Vorbis", "Opus", "MP3", "AAC", "ALAC", ...
    int sample_rate = 0;
    int channels = 0;
    std::int64_t frames = 0;
    // `frames` is an estimate (from a duration in milliseconds or the bit rate), not a length
    // the container declares: raw ADTS AAC, Matroska/WebM, ASF. Decoding may find more or fewer.
    bool frames_estimated = false;
    std::optional<int> bits_per_sample;  // only for PCM-like codecs; lossy codecs have none
    bool lossless = false;               // decoded samples are the encoder's input, bit for bit
    bool floating_point = false;         // samples are stored as floats (may exceed [-1, 1])
    bool seekable = false;
    std::map<std::string, std::string> tags;  // lower-case keys: title, artist, album, ...

    double duration_seconds() const
    {
        return sample_rate > 0 ? static_cast<double>(frames) / sample_rate : 0.0;
    }
};

}  // namespace tonearm
