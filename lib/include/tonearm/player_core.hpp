#pragma once

#include "tonearm/audio_info.hpp"
#include "tonearm/audio_sink.hpp"
#include "tonearm/decoder.hpp"
#include "tonearm/error.hpp"
#include "tonearm/format_converter.hpp"
#include "tonearm/track.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace tonearm {

// Where the next rendered frame comes from. Frames run linearly within a segment: the
// n-th frame rendered after the segment began is frame `frame + n * ratio` of `track`.
struct Segment {
    std::uint64_t id = 0;    // changes whenever the audio jumps: a new track, or a seek
    std::size_t track = 0;
    std::int64_t frame = 0;  // in the track's own rate, from the track's start
    double ratio = 1;        // track frames per output frame
};

struct PlayerCoreOptions {
    bool loop = false;         // start the playlist over after its last track
    std::size_t start_track = 0;  // the track to begin with (a resumed playlist)
    double start_seconds = 0;     // where in it to begin
    // A linear gain for each track (ReplayGain, see replay_gain.hpp), asked as the track
    // starts; empty: none. Applied to the decoded samples, before conversion and the volume.
    std::function<float(const std::filesystem::path& track)> track_gain = {};
};

// The player without threads or an output: a playlist, rendered on demand into one stream
// of one format, gaplessly. Whoever owns the clock — a device's feeding thread, a file
// writer, a worker in a web page — calls render() when it wants audio.
//
// It opens each track in turn (a track that cannot be opened or decoded is recorded in
// errors() and skipped), converts it to the output format and hands out whole frames. One
// render() call never spans two tracks or a seek, so segment(), read before the call,
// describes everything it returns.
class PlayerCore {
public:
    using Opener = std::function<Decoder(const Track&)>;

    explicit PlayerCore(std::vector<Track> playlist, PlayerCoreOptions options = {}, Opener opener = {});

    // Opens the first track that plays and returns its format: what to ask the output for.
    // Throws Error when no track can be opened (that track's error when there is one).
    StreamFormat open();
    // The format render() produces from now on: what the output accepted.
    void set_output_format(StreamFormat format);
    StreamFormat output_format() const noexcept { return output_; }

    // Fills `out` (interleaved, whole frames) from the front; returns the frames written.
    // Fewer than asked means the current track or segment ended; 0 means the playlist has.
    std::size_t render(std::span<float> out);

    // Continues at `frame` of `track`; past the track's end means the next track's start,
    // past the playlist's end means the end (with loop: the start).
    void seek(std::size_t track, std::int64_t frame);

    bool finished() const noexcept { return finished_; }
    const Segment& segment() const noexcept { return segment_; }
    const std::vector<Track>& playlist() const noexcept { return playlist_; }
    // A track's info once it has been opened (lengths are the track's, not its file's).
    const std::optional<AudioInfo>& info(std::size_t track) const { return infos_.at(track); }
    // Tracks that failed, in the order they failed.
    const std::vector<Error>& errors() const noexcept { return errors_; }

private:
    struct Current {
        std::size_t track;
        Decoder decoder;
        FormatConverter converter;
        std::int64_t end;  // the decoder position where the track ends
        float gain = 1.0f; // options_.track_gain's answer for the track
    };

    bool start_track(std::size_t track, std::int64_t frame);
    std::optional<Decoder> open_track(std::size_t track);
    bool refill();
    void end_track();
    void advance();
    void fail(const Error& error);

    std::vector<Track> playlist_;
    PlayerCoreOptions options_;
    Opener opener_;
    StreamFormat output_;
    std::vector<std::optional<AudioInfo>> infos_;
    std::vector<Error> errors_;

    std::optional<Current> current_;
    std::optional<Decoder> opened_;  // the first track, between open() and the first render()
    std::vector<float> block_;         // decoded, in the track's format
    std::span<const float> pending_;   // converted, not yet rendered (in block_ or the converter)
    std::vector<float> tail_;          // what the converter held when its track ended
    std::size_t pending_offset_ = 0;
    Segment segment_;
    std::size_t next_track_ = 0;      // what advance() opens
    std::size_t played_this_pass_ = 0;
    bool finished_ = false;
};

}  // namespace tonearm
