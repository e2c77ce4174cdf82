#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace tonearm {

// What a decoder knows about a stream before decoding it, like libsndfile's SF_INFO
// plus names and tags. `frames` is what the header declares; decoding may find fewer.
struct AudioInfo {
    std::string container;  // "WAV", "FLAC", "Ogg", "MP3", "AIFF", ...
    std::string codec;      // "PCM s16", "PCM f32", "FLAC", "Vorbis", "Opus", "MP3", ...
    int sample_rate = 0;
    int channels = 0;
    std::int64_t frames = 0;
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
