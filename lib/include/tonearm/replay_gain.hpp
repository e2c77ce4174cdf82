#pragma once

#include <map>
#include <optional>
#include <string>

namespace tonearm {

// ReplayGain: playing every track (or every album) at the same loudness, from gains a tagger
// measured and wrote into the file. Off by default, as in mpv.
enum class ReplayGainMode { off, track, album };

// What a file's tags say about its loudness: ReplayGain 2 tags (REPLAYGAIN_TRACK_GAIN
// "-6.54 dB", REPLAYGAIN_TRACK_PEAK "0.98", and the album's) or, as Opus files carry it
// (RFC 7845), R128_TRACK_GAIN / R128_ALBUM_GAIN (Q7.8 dB relative to -23 LUFS, taken to
// ReplayGain's -18 LUFS reference by adding 5 dB, as mpv does). ReplayGain tags win when both
// are there. Values that do not parse, or are absurd (beyond ±60 dB, a peak <= 0), are absent.
struct ReplayGainInfo {
    std::optional<double> track_gain_db;
    std::optional<double> track_peak;  // linear, 1.0 is full scale
    std::optional<double> album_gain_db;
    std::optional<double> album_peak;
};

// `tags` as AudioInfo has them (lower-case keys); the keys are matched in any case.
ReplayGainInfo replay_gain_from_tags(const std::map<std::string, std::string>& tags);

// The linear factor to multiply a track's samples by in `mode`: the track's gain in track mode,
// the album's in album mode, each falling back to the other when missing (1 without either).
// Clipping prevention: the factor is lowered so that the peak that goes with the gain stays at
// or below full scale; a missing peak counts as full scale (mpv does the same).
double replay_gain_factor(const ReplayGainInfo& info, ReplayGainMode mode);

}  // namespace tonearm
