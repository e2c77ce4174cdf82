#pragma once

#include "tonearm/audio_sink.hpp"

#include <atomic>
#include <thread>

namespace tonearm {

// An ideal output that plays into nothing, after mpv's ao_null: either paced by a clock
// like a real device (so the Player's real-time path, underruns included, runs without
// hardware) or unpaced, as fast as the source can deliver (renders, soak tests, benchmarks).
// It counts the frames it received and checksums them, so tests can prove that nothing was
// lost or duplicated on the way.
class NullSink final : public AudioSink {
public:
    enum class Pacing { realtime, unpaced };
    explicit NullSink(Pacing pacing, std::size_t block_frames = 1024);
    ~NullSink() override;

    StreamFormat open(StreamFormat wanted) override;
    void start(AudioSource& source) override;
    void stop() override;
    bool clocked() const override { return pacing_ == Pacing::realtime; }
    std::string description() const override;

    std::uint64_t frames_received() const noexcept { return frames_.load(std::memory_order_acquire); }
    // FNV-1a over the bits of every stream sample received, in order.
    std::uint64_t checksum() const noexcept { return checksum_.load(std::memory_order_acquire); }

private:
    void run(AudioSource& source);

    Pacing pacing_;
    std::size_t block_frames_;
    StreamFormat format_;
    std::atomic<std::uint64_t> frames_{0};
    std::atomic<std::uint64_t> checksum_{0};
    std::atomic<bool> stopping_{false};
    std::thread thread_;  // not jthread: Emscripten's libc++ has none
};

// The checksum NullSink computes, for the other side of the comparison.
class SampleChecksum {
public:
    void add(std::span<const float> samples) noexcept;
    std::uint64_t value() const noexcept { return hash_; }

private:
    std::uint64_t hash_ = 0xcbf29ce484222325ull;
};

}  // namespace tonearm
