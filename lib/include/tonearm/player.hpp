#pragma once

#include "tonearm/audio_info.hpp"
#include "tonearm/audio_sink.hpp"
#include "tonearm/error.hpp"
#include "tonearm/ring_buffer.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace tonearm {

class Decoder;
class FormatConverter;

struct PlayerOptions {
    double volume = 1.0;         // linear gain
    bool loop = false;           // start the playlist over after its last track
    double start_seconds = 0;    // where the first track starts
    double buffer_seconds = 0.5; // decoded audio kept ahead of the output
};

struct PlayerStatus {
    std::size_t track = 0;  // index into the playlist
    double position = 0;    // seconds into that track
    double duration = 0;    // of that track
    bool paused = false;
    double volume = 1.0;
    bool finished = false;  // everything played (or stopped)
    std::uint64_t underruns = 0;         // the output ran dry while playing
    std::uint64_t device_underruns = 0;  // the sink reported running dry
};

// Plays a playlist into an AudioSink, gaplessly.
//
// A decode thread reads each track in blocks, converts it to the sink's format and writes
// it into a lock-free SPSC ring buffer; the sink's real-time callback (render) only copies
// out of the ring, applies the volume and counts underruns. Controls (pause, seek, next,
// volume) come from any other thread and reach the callback only as atomics. A seek does
// not touch the ring from the producer side: it asks the consumer to drop everything
// written before the seek point, so the callback stays the ring's only reader.
class Player final : private AudioSource {
public:
    Player(AudioSink& sink, std::vector<std::filesystem::path> playlist, PlayerOptions options = {});
    ~Player();
    Player(const Player&) = delete;
    Player& operator=(const Player&) = delete;

    // Opens the first playable track, the sink, and starts playing once some audio is
    // buffered. Throws Error if no track can be opened or the sink cannot.
    void start();

    void set_paused(bool paused) noexcept;
    void toggle_pause() noexcept { set_paused(!paused_.load()); }
    void set_volume(double volume) noexcept;
    void seek(double seconds);     // within the current track; past its end skips to the next
    void seek_by(double seconds);  // relative to the current position
    void next();                   // the next track now (finishes after the last unless looping)

    PlayerStatus status() const;
    std::optional<AudioInfo> track_info(std::size_t track) const;
    const std::vector<std::filesystem::path>& playlist() const noexcept { return playlist_; }
    StreamFormat stream_format() const noexcept { return stream_format_; }

    // True when everything has been played. Rethrows an output failure.
    bool finished() const;
    // Blocks until finished() or `timeout`; returns finished().
    bool wait(std::chrono::milliseconds timeout) const;
    // Lets the sink play out what it holds and stops everything. Throws if the output failed.
    void finish();
    // Tracks that could not be played (skipped), in the order they failed.
    std::vector<Error> track_errors() const;

private:
    struct Jump {
        std::size_t track;
        std::int64_t frame;  // in the track's own rate
    };
    struct Segment {  // where a run of one track's audio begins in the ring
        std::uint64_t ring_frame;
        std::size_t track;
        std::int64_t track_frame;
        double ratio;  // track frames per stream frame
    };

    std::size_t render(std::span<float> out) noexcept override;
    bool exhausted() const noexcept override;

    void decode_loop(std::optional<Decoder> decoder, std::size_t track, std::int64_t start_frame);
    std::optional<Jump> play_track(Decoder& decoder, std::size_t track, std::int64_t start_frame);
    bool push(std::span<const float> samples);
    void begin_segment(std::size_t track, std::int64_t track_frame, double ratio);
    std::optional<Decoder> open_track(std::size_t track);
    std::optional<Jump> take_jump();
    std::optional<Jump> wait_for_jump();
    void request_jump(Jump jump);
    bool interrupted() const noexcept;
    void stop_decoding();

    AudioSink& sink_;
    const std::vector<std::filesystem::path> playlist_;
    const PlayerOptions options_;
    StreamFormat stream_format_;
    std::optional<RingBuffer<float>> ring_;

    // Shared with the render callback: atomics only.
    std::atomic<bool> paused_{false};
    std::atomic<float> volume_{1.0f};
    std::atomic<std::uint64_t> discard_until_{0};  // ring samples the consumer must drop
    std::atomic<bool> decoding_done_{false};
    std::atomic<std::uint64_t> underruns_{0};
    float applied_volume_ = 1.0f;  // the callback's own state
    bool realtime_sink_ = false;   // set before the sink starts, then read-only

    // Shared between the control thread and the decode thread.
    mutable std::mutex mutex_;
    std::optional<Jump> jump_;
    std::vector<Segment> segments_;
    std::vector<std::optional<AudioInfo>> infos_;
    std::vector<Error> track_errors_;
    std::atomic<bool> jump_pending_{false};
    std::atomic<bool> quit_{false};

    std::thread decode_thread_;
};

}  // namespace tonearm
