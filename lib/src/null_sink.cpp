#include "tonearm/null_sink.hpp"

#include <chrono>
#include <cstring>
#include <vector>

namespace tonearm {

void SampleChecksum::add(std::span<const float> samples) noexcept
{
    for (float sample : samples) {
        std::uint32_t bits;
        std::memcpy(&bits, &sample, sizeof bits);
        hash_ = (hash_ ^ bits) * 0x100000001b3ull;
    }
}

NullSink::NullSink(Pacing pacing, std::size_t block_frames)
    : pacing_(pacing), block_frames_(block_frames)
{
}

NullSink::~NullSink() { stop(); }

StreamFormat NullSink::open(StreamFormat wanted)
{
    format_ = wanted;
    return wanted;
}

void NullSink::start(AudioSource& source)
{
    stopping_ = false;
    thread_ = std::thread([this, &source] { run(source); });
}

void NullSink::stop()
{
    stopping_ = true;
    if (thread_.joinable())
        thread_.join();
}

std::string NullSink::description() const
{
    return pacing_ == Pacing::realtime ? "null output (real-time)" : "null output (unpaced)";
}

void NullSink::run(AudioSource& source)
{
    using clock = std::chrono::steady_clock;
    const auto channels = static_cast<std::size_t>(format_.channels);
    std::vector<float> block(block_frames_ * channels);
    const auto block_duration = std::chrono::duration_cast<clock::duration>(
        std::chrono::duration<double>(static_cast<double>(block_frames_) / format_.sample_rate));
    SampleChecksum checksum;
    auto deadline = clock::now();

    while (!stopping_) {
        const std::size_t frames = source.render(block);
        checksum.add(std::span(block).first(frames * channels));
        checksum_.store(checksum.value(), std::memory_order_release);
        frames_.fetch_add(frames, std::memory_order_acq_rel);

        if (pacing_ == Pacing::realtime) {
            deadline += block_duration;
            std::this_thread::sleep_until(deadline);
        } else if (frames == 0) {
            if (source.exhausted())
                break;
            source.wait_for_audio();  // the decoder is behind
        }
    }
    source.sink_changed();
}

}  // namespace tonearm
