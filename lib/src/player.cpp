#include "tonearm/player.hpp"

#include "tonearm/decoder.hpp"
#include "tonearm/format_converter.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace tonearm {
namespace {

constexpr std::size_t decode_block_frames = 4096;

}  // namespace

Player::Player(AudioSink& sink, std::vector<std::filesystem::path> playlist, PlayerOptions options)
    : sink_(sink), playlist_(std::move(playlist)), options_(options), infos_(playlist_.size())
{
    volume_.store(static_cast<float>(options.volume));
    applied_volume_ = static_cast<float>(options.volume);
}

Player::~Player()
{
    stop_decoding();
    try {
        sink_.stop();  // the sink must stop calling render() before *this goes away
    } catch (const Error&) {
        // Already reported by finish() or finished(); a destructor cannot report it again.
    }
}

void Player::start()
{
    std::optional<Decoder> first;
    std::size_t first_track = 0;
    for (; first_track < playlist_.size() && !first; ++first_track)
        first = open_track(first_track);
    if (!first) {
        std::lock_guard lock(mutex_);
        if (track_errors_.size() == 1)
            throw track_errors_.front();
        throw Error(ErrorKind::invalid_argument, "playlist", "no file could be played");
    }
    --first_track;

    const AudioInfo& info = first->info();
    stream_format_ = sink_.open({info.sample_rate, info.channels});
    const auto frames = static_cast<std::size_t>(
        std::max(4096.0, std::ceil(options_.buffer_seconds * stream_format_.sample_rate)));
    ring_.emplace(frames * static_cast<std::size_t>(stream_format_.channels));

    const auto start_frame = std::clamp<std::int64_t>(
        std::llround(std::max(0.0, options_.start_seconds) * info.sample_rate), 0, info.frames);
    realtime_sink_ = sink_.realtime();  // before the decode thread reads it
    decode_thread_ = std::thread([this, decoder = std::move(first), first_track, start_frame]() mutable {
        decode_loop(std::move(decoder), first_track, start_frame);
    });

    // Prime the ring so the output does not start with an underrun.
    const auto primed = ring_->capacity() / 2;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (ring_->readable() < primed && !decoding_done_ && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    sink_.start(*this);
}

// ---- the real-time side ------------------------------------------------------------------

std::size_t Player::render(std::span<float> out) noexcept
{
    const auto channels = static_cast<std::size_t>(stream_format_.channels);
    RingBuffer<float>& ring = *ring_;

    const std::uint64_t obsolete = discard_until_.load(std::memory_order_acquire);
    if (const std::uint64_t read = ring.total_read(); read < obsolete)
        ring.skip(static_cast<std::size_t>(obsolete - read));

    std::size_t samples = paused_.load(std::memory_order_relaxed) ? 0 : ring.read(out);
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(samples), out.end(), 0.0f);
    const std::size_t frames = samples / channels;
    if (frames * channels < out.size() && !paused_.load(std::memory_order_relaxed) &&
        realtime_sink_ && !decoding_done_.load(std::memory_order_acquire))
        underruns_.fetch_add(1, std::memory_order_relaxed);

    // Volume changes ramp over one block instead of jumping, which would click.
    const float target = volume_.load(std::memory_order_relaxed);
    if (target != applied_volume_ && frames > 0) {
        const float step = (target - applied_volume_) / static_cast<float>(frames);
        for (std::size_t f = 0; f < frames; ++f) {
            const float gain = applied_volume_ + step * static_cast<float>(f + 1);
            for (std::size_t c = 0; c < channels; ++c)
                out[f * channels + c] *= gain;
        }
        applied_volume_ = target;
    } else if (target != 1.0f) {
        for (std::size_t i = 0; i < samples; ++i)
            out[i] *= target;
    }
    return frames;
}

bool Player::exhausted() const noexcept
{
    return decoding_done_.load(std::memory_order_acquire) && ring_->readable() == 0;
}

// ---- the decode thread -------------------------------------------------------------------

void Player::decode_loop(std::optional<Decoder> decoder, std::size_t track, std::int64_t start_frame)
{
    std::size_t played_this_pass = 0;
    while (!quit_) {
        if (track >= playlist_.size()) {
            if (options_.loop && played_this_pass > 0) {
                track = 0;
                played_this_pass = 0;
                continue;
            }
            // Stay ready for a seek back while the last audio still plays.
            decoding_done_.store(true, std::memory_order_release);
            const auto jump = wait_for_jump();
            if (!jump)
                break;
            decoding_done_.store(false, std::memory_order_release);
            track = jump->track;
            start_frame = jump->frame;
            continue;
        }
        if (!decoder)
            decoder = open_track(track);
        if (!decoder) {
            ++track;
            continue;
        }
        ++played_this_pass;
        const auto jump = play_track(*decoder, track, start_frame);
        decoder.reset();
        track = jump ? jump->track : track + 1;
        start_frame = jump ? jump->frame : 0;
    }
    decoding_done_.store(true, std::memory_order_release);
}

std::optional<Player::Jump> Player::play_track(Decoder& decoder, std::size_t track,
                                               std::int64_t start_frame)
{
    const AudioInfo& info = decoder.info();
    const auto channels = static_cast<std::size_t>(info.channels);
    const double ratio = static_cast<double>(info.sample_rate) / stream_format_.sample_rate;
    FormatConverter converter({info.sample_rate, info.channels}, stream_format_);
    std::vector<float> block(decode_block_frames * channels);
    try {
        auto seek_to = [&](std::int64_t frame) {
            frame = std::clamp<std::int64_t>(frame, 0, info.frames);
            if (frame != decoder.position())
                decoder.seek(frame);
            converter.reset();
            begin_segment(track, frame, ratio);
        };
        seek_to(start_frame);
        while (!quit_) {
            if (auto jump = take_jump()) {
                if (jump->track != track)
                    return jump;
                seek_to(jump->frame);
                continue;
            }
            const std::size_t frames = decoder.read_finite(block);  // NaN never reaches the output
            if (frames == 0) {
                push(converter.flush());
                decoder.expect_complete();  // a cut file plays what it has, then says so
                return std::nullopt;
            }
            push(converter.process(std::span(block).first(frames * channels)));
        }
    } catch (const Error& error) {
        std::lock_guard lock(mutex_);
        track_errors_.push_back(error);
    }
    return std::nullopt;
}

// Writes whole frames, waiting while the ring is full. Gives up (returns false) when a
// jump or quit makes the rest pointless.
bool Player::push(std::span<const float> samples)
{
    const auto channels = static_cast<std::size_t>(stream_format_.channels);
    // A real-time output drains the ring at the audio clock: waking every eighth of it is
    // plenty (and each wake-up costs CPU: a player idles most of the time). A file or
    // unpaced output drains it as fast as we fill it, so check back soon.
    const auto ring_duration = std::chrono::duration<double>(
        static_cast<double>(ring_->capacity() / channels) / stream_format_.sample_rate);
    const auto poll = realtime_sink_
                          ? std::clamp(std::chrono::duration_cast<std::chrono::microseconds>(ring_duration / 8),
                                       std::chrono::microseconds(500), std::chrono::microseconds(100000))
                          : std::chrono::microseconds(100);
    while (!samples.empty()) {
        const std::size_t room = std::min(samples.size(), ring_->writable() / channels * channels);
        samples = samples.subspan(ring_->write(samples.first(room)));
        if (samples.empty())
            break;
        if (interrupted())
            return false;
        std::this_thread::sleep_for(poll);
    }
    return true;
}

void Player::begin_segment(std::size_t track, std::int64_t track_frame, double ratio)
{
    const auto channels = static_cast<std::uint64_t>(stream_format_.channels);
    const std::uint64_t ring_frame = ring_->total_written() / channels;
    const std::uint64_t played_frame = ring_->total_read() / channels;
    std::lock_guard lock(mutex_);
    // Segments wholly in the past are of no more use for positions.
    while (segments_.size() > 1 && segments_[1].ring_frame <= played_frame)
        segments_.erase(segments_.begin());
    segments_.push_back({ring_frame, track, track_frame, ratio});
}

std::optional<Decoder> Player::open_track(std::size_t track)
{
    try {
        Decoder decoder = Decoder::open(playlist_[track]);
        std::lock_guard lock(mutex_);
        infos_[track] = decoder.info();
        return decoder;
    } catch (const Error& error) {
        std::lock_guard lock(mutex_);
        track_errors_.push_back(error);
        return std::nullopt;
    }
}

// ---- controls ----------------------------------------------------------------------------

void Player::request_jump(Jump jump)
{
    std::lock_guard lock(mutex_);
    jump_ = jump;
    jump_pending_.store(true, std::memory_order_release);
}

// Taking a jump makes everything already in the ring obsolete: the consumer drops it.
std::optional<Player::Jump> Player::take_jump()
{
    if (!jump_pending_.load(std::memory_order_acquire))
        return std::nullopt;
    std::lock_guard lock(mutex_);
    jump_pending_.store(false, std::memory_order_release);
    discard_until_.store(ring_->total_written(), std::memory_order_release);
    return std::exchange(jump_, std::nullopt);
}

std::optional<Player::Jump> Player::wait_for_jump()
{
    while (!quit_) {
        if (auto jump = take_jump())
            return jump;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::nullopt;
}

bool Player::interrupted() const noexcept
{
    return quit_.load(std::memory_order_relaxed) || jump_pending_.load(std::memory_order_relaxed);
}

void Player::set_paused(bool paused) noexcept { paused_.store(paused); }

void Player::set_volume(double volume) noexcept
{
    volume_.store(static_cast<float>(std::clamp(volume, 0.0, 4.0)));
}

void Player::seek(double seconds)
{
    const PlayerStatus now = status();
    const auto info = track_info(now.track);
    if (!info)
        return;
    const auto frame = std::llround(std::max(0.0, seconds) * info->sample_rate);
    if (frame >= info->frames)
        request_jump({now.track + 1, 0});
    else
        request_jump({now.track, frame});
}

void Player::seek_by(double seconds) { seek(status().position + seconds); }

void Player::next() { request_jump({status().track + 1, 0}); }

// ---- observers ---------------------------------------------------------------------------

PlayerStatus Player::status() const
{
    PlayerStatus status;
    status.paused = paused_.load();
    status.volume = volume_.load();
    status.underruns = underruns_.load();
    status.device_underruns = sink_.device_underruns();
    if (!ring_)
        return status;
    status.finished = exhausted();
    const auto played = ring_->total_read() / static_cast<std::uint64_t>(stream_format_.channels);

    std::lock_guard lock(mutex_);
    auto segment = std::find_if(segments_.rbegin(), segments_.rend(),
                                [played](const Segment& s) { return s.ring_frame <= played; });
    if (segment == segments_.rend())
        return status;
    status.track = segment->track;
    if (const auto& info = infos_[segment->track]) {
        const double frame = static_cast<double>(segment->track_frame) +
                             static_cast<double>(played - segment->ring_frame) * segment->ratio;
        status.position = std::min(frame, static_cast<double>(info->frames)) / info->sample_rate;
        status.duration = info->duration_seconds();
    }
    return status;
}

std::optional<AudioInfo> Player::track_info(std::size_t track) const
{
    std::lock_guard lock(mutex_);
    return track < infos_.size() ? infos_[track] : std::nullopt;
}

std::vector<Error> Player::track_errors() const
{
    std::lock_guard lock(mutex_);
    return track_errors_;
}

bool Player::finished() const
{
    sink_.check();
    return ring_ && exhausted();
}

bool Player::wait(std::chrono::milliseconds timeout) const
{
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!finished() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return finished();
}

void Player::finish()
{
    if (ring_ && !exhausted())
        paused_.store(true);  // stopping early: silence from here on, not the buffered rest
    stop_decoding();
    sink_.stop();
}

void Player::stop_decoding()
{
    quit_.store(true);
    if (decode_thread_.joinable())
        decode_thread_.join();
}

}  // namespace tonearm
