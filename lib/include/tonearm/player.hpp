#pragma once

#include "tonearm/audio_info.hpp"
#include "tonearm/audio_sink.hpp"
#include "tonearm/error.hpp"
#include "tonearm/player_controls.hpp"
#include "tonearm/player_core.hpp"
#include "tonearm/ring_buffer.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace tonearm {

struct PlayerOptions {
    double volume = 1.0;          // linear gain
    bool loop = false;            // start the playlist over after its last track
    std::size_t start_track = 0;  // the track to begin with (a resumed playlist)
    double start_seconds = 0;     // where in it to begin
    double buffer_seconds = 1.0;  // decoded audio kept ahead of the output
    // Each track's linear gain (ReplayGain): PlayerCoreOptions::track_gain, asked on the
    // decode thread as the track starts. Applied before the volume.
    std::function<float(const std::filesystem::path& track)> track_gain = {};
    // Called from the player's own threads (never the audio callback) when something a
    // user interface shows may have changed: a track or seek was decoded, a track failed,
    // the playlist ended, the output drained or failed. Must not block.
    std::function<void()> on_change = {};
};

// The threaded driver of a PlayerCore, for outputs with a clock of their own.
//
// A decode thread renders the core into a lock-free SPSC ring buffer; the sink pulls from
// the ring on its own thread (render() below: copy, gain, nothing else). Every thread waits
// on an event — the ring's room, a control, the end — and wakes only when there is work.
// Controls come from any thread: pause, seek and volume go to the sink when it can do them
// itself (a sound server corks, flushes and sets the stream's volume at once); otherwise
// the callback applies them. Positions are what is heard: the ring's read position minus
// the sink's delay, mapped back to (track, frame) through the core's segments.
class Player final : public PlayerControls, private AudioSource {
public:
    Player(AudioSink& sink, std::vector<Track> playlist, PlayerOptions options = {});
    ~Player();
    Player(const Player&) = delete;
    Player& operator=(const Player&) = delete;

    // Opens the first playable track and the sink, and starts playing once some audio is
    // buffered. Throws Error if no track can be opened or the sink cannot.
    void start();

    void set_paused(bool paused) override;
    void set_volume(double volume) override;
    void seek(double seconds) override;  // within the current track; past its end skips to the next
    void next() override;                // the next track now (finishes after the last unless looping)
    void previous() override;            // the previous track's start (the first track: its own
                                         // start, or the last track when looping)

    PlayerStatus status() const override;
    std::optional<AudioInfo> track_info(std::size_t track) const;
    const std::vector<Track>& playlist() const noexcept { return core_.playlist(); }  // const: any thread
    StreamFormat stream_format() const noexcept { return stream_format_; }

    // True when everything has been played and heard. Rethrows an output failure.
    bool finished() const;
    // How long until what is heard next changes by itself (a track boundary or the end
    // reaches the listener); nullopt when nothing is due (paused, or still decoding it).
    std::optional<std::chrono::milliseconds> time_to_next_change() const;
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
    struct Mark {  // where a segment of the core's output begins in the ring
        std::uint64_t ring_frame;
        Segment segment;
    };

    // AudioSource: the sink's side.
    std::size_t render(std::span<float> out) noexcept override;
    bool exhausted() const noexcept override;
    void wait_for_audio() noexcept override;
    void sink_changed() noexcept override;

    void decode_loop();
    void land(Jump jump);
    bool mark_segment();
    bool publish_core_state();
    void wait_for_work(std::uint32_t seen, bool for_room);
    void wake_decoder() noexcept;
    void announce_audio();
    void request_jump(Jump jump);
    std::optional<Jump> take_jump();
    void stop_decoding();
    std::uint64_t heard_frame() const;
    void notify_change() const;

    AudioSink& sink_;
    const PlayerOptions options_;
    PlayerCore core_;  // the decode thread's alone once started
    std::uint64_t marked_id_ = 0;       // the decode thread's: the last segment marked
    std::size_t published_errors_ = 0;  // the decode thread's: core errors copied out
    StreamFormat stream_format_;
    std::optional<RingBuffer<float>> ring_;

    // Shared with the render callback: atomics only.
    std::atomic<bool> paused_{false};
    std::atomic<bool> soft_pause_{false};           // the callback plays silence
    std::atomic<float> soft_gain_{1.0f};            // the callback's gain (1 when the sink has volume)
    std::atomic<bool> jump_in_flight_{false};       // the callback reads nothing until it lands
    std::atomic<std::uint64_t> discard_until_{0};   // ring samples the consumer must drop
    std::atomic<bool> decoding_done_{false};
    std::atomic<bool> decoder_waiting_{false};      // the decode thread sleeps until the ring has room
    std::atomic<std::uint32_t> decoder_wake_{0};    // bumped to wake the decode thread
    std::atomic<std::uint64_t> produced_{0};        // bumped after each write, for waiting sinks
    std::atomic<std::uint64_t> underruns_{0};
    float applied_gain_ = 1.0f;  // the callback's own state
    bool clocked_sink_ = false;  // set before the sink starts, then read-only
    std::size_t refill_frames_ = 0;

    // Shared between the controls and the decode thread.
    mutable std::mutex mutex_;
    std::atomic<double> volume_{1.0};
    std::optional<Jump> jump_;
    Jump in_flight_{0, 0};  // the last jump requested, until it lands
    std::vector<Mark> marks_;
    std::vector<std::optional<AudioInfo>> infos_;
    std::vector<Error> track_errors_;
    std::atomic<bool> jump_pending_{false};
    std::atomic<bool> quit_{false};

    // For threads that wait for the state to change (start(), wait()).
    mutable std::mutex wait_mutex_;
    mutable std::condition_variable state_cv_;

    std::thread decode_thread_;
};

}  // namespace tonearm
