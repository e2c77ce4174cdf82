#include "tonearm/player.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace tonearm {
namespace {

constexpr std::size_t decode_block_frames = 4096;

}  // namespace

Player::Player(AudioSink& sink, std::vector<Track> playlist, PlayerOptions options)
    : sink_(sink), options_(std::move(options)),
      core_(std::move(playlist),
            {.loop = options_.loop,
             .start_track = options_.start_track,
             .start_seconds = options_.start_seconds,
             .track_gain = options_.track_gain}),
      infos_(core_.playlist().size())
{
    volume_.store(std::clamp(options_.volume, 0.0, max_volume));
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
    const StreamFormat wanted = core_.open();
    stream_format_ = sink_.open(wanted);
    core_.set_output_format(stream_format_);
    publish_core_state();
    for (std::size_t track = 0; track < infos_.size(); ++track)
        infos_[track] = core_.info(track);  // the first playable track's, before it plays

    const auto channels = static_cast<std::size_t>(stream_format_.channels);
    const auto frames = static_cast<std::size_t>(std::max(
        2.0 * decode_block_frames, std::ceil(options_.buffer_seconds * stream_format_.sample_rate)));
    ring_.emplace(frames * channels);
    // The decode thread sleeps until half the ring is free, then fills it: few, large refills.
    refill_frames_ = ring_->capacity() / channels / 2;
    clocked_sink_ = sink_.clocked();
    if (!sink_.set_volume(volume_.load()))
        soft_gain_.store(static_cast<float>(volume_.load()));
    applied_gain_ = soft_gain_.load();

    decode_thread_ = std::thread([this] { decode_loop(); });

    // Prime the ring so the output does not start with an underrun.
    std::unique_lock lock(wait_mutex_);
    state_cv_.wait_for(lock, std::chrono::seconds(2), [this] {
        return ring_->readable() >= ring_->capacity() / 2 || decoding_done_.load();
    });
    lock.unlock();
    sink_.start(*this);
}

// ---- the sink's side: render() may run on a real-time thread ------------------------------

std::size_t Player::render(std::span<float> out) noexcept
{
    const auto channels = static_cast<std::size_t>(stream_format_.channels);
    RingBuffer<float>& ring = *ring_;

    std::size_t samples = 0;
    if (!jump_in_flight_.load(std::memory_order_acquire)) {
        const std::uint64_t obsolete = discard_until_.load(std::memory_order_acquire);
        if (const std::uint64_t read = ring.total_read(); read < obsolete)
            ring.skip(static_cast<std::size_t>(obsolete - read));
        if (!soft_pause_.load(std::memory_order_relaxed))
            samples = ring.read(out);
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(samples), out.end(), 0.0f);
    const std::size_t frames = samples / channels;
    if (clocked_sink_ && samples < out.size() && !soft_pause_.load(std::memory_order_relaxed) &&
        !jump_in_flight_.load(std::memory_order_relaxed) && !decoding_done_.load(std::memory_order_acquire))
        underruns_.fetch_add(1, std::memory_order_relaxed);

    // Gain changes ramp over one block instead of jumping, which would click.
    const float target = soft_gain_.load(std::memory_order_relaxed);
    if (target != applied_gain_ && frames > 0) {
        const float step = (target - applied_gain_) / static_cast<float>(frames);
        for (std::size_t f = 0; f < frames; ++f) {
            const float gain = applied_gain_ + step * static_cast<float>(f + 1);
            for (std::size_t c = 0; c < channels; ++c)
                out[f * channels + c] *= gain;
        }
        applied_gain_ = target;
    } else if (target != 1.0f) {
        for (std::size_t i = 0; i < samples; ++i)
            out[i] *= target;
    }

    // Pairs with the fence in wait_for_work(): either it sees the room, or we see it waiting.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (decoder_waiting_.load(std::memory_order_relaxed) && ring.writable() >= refill_frames_ * channels &&
        decoder_waiting_.exchange(false))
        wake_decoder();
    return frames;
}

bool Player::exhausted() const noexcept
{
    const std::uint64_t written = ring_->total_written();
    return decoding_done_.load(std::memory_order_acquire) &&
           std::max(ring_->total_read(), discard_until_.load(std::memory_order_acquire)) >= written;
}

void Player::wait_for_audio() noexcept
{
    const std::uint64_t seen = produced_.load(std::memory_order_acquire);
    const bool ready = !jump_in_flight_.load() &&
                       ring_->total_written() > std::max(ring_->total_read(), discard_until_.load());
    if (ready || exhausted() || quit_.load())
        return;
    produced_.wait(seen, std::memory_order_acquire);
}

void Player::sink_changed() noexcept { notify_change(); }

// ---- the decode thread -------------------------------------------------------------------

void Player::decode_loop()
{
    const auto channels = static_cast<std::size_t>(stream_format_.channels);
    std::vector<float> block(decode_block_frames * channels);
    while (!quit_.load()) {
        const std::uint32_t seen = decoder_wake_.load(std::memory_order_acquire);
        if (auto jump = take_jump()) {
            land(*jump);
            continue;
        }
        if (core_.finished()) {
            if (!decoding_done_.exchange(true)) {
                announce_audio();
                notify_change();  // the end is now due
            }
            wait_for_work(seen, false);
            continue;
        }
        const std::size_t room = ring_->writable() / channels;
        if (room < decode_block_frames) {
            wait_for_work(seen, true);
            continue;
        }
        const bool new_segment = mark_segment();
        const std::size_t frames = core_.render(std::span(block).first(decode_block_frames * channels));
        ring_->write(std::span<const float>(block).first(frames * channels));
        const bool new_errors = publish_core_state();
        announce_audio();
        if (new_segment || new_errors)
            notify_change();
    }
    decoding_done_.store(true);
    announce_audio();
}

// Continues at the jump's target; everything in the ring from before it is obsolete.
void Player::land(Jump jump)
{
    core_.seek(jump.track, jump.frame);
    decoding_done_.store(false);
    discard_until_.store(ring_->total_written(), std::memory_order_release);
    // The target's mark goes in before the jump stops being in flight: until the sink has
    // skipped the obsolete audio there is no room to decode into, and a status() taken
    // meanwhile would find only the old segment's mark (the old track, at a made-up position),
    // and a key pressed then (n, p) would count from the wrong track.
    mark_segment();
    {
        std::lock_guard lock(mutex_);
        if (!jump_)  // no newer jump is on its way
            jump_in_flight_.store(false, std::memory_order_release);
    }
    publish_core_state();
    announce_audio();  // the sink may drop the obsolete audio now and make room
    notify_change();
}

// Sleeps until there is work: room in the ring (when `for_room`), a jump, or quit.
void Player::wait_for_work(std::uint32_t seen, bool for_room)
{
    const auto channels = static_cast<std::size_t>(stream_format_.channels);
    if (for_room) {
        decoder_waiting_.store(true);
        std::atomic_thread_fence(std::memory_order_seq_cst);  // see render()
        if (ring_->writable() >= refill_frames_ * channels) {
            decoder_waiting_.store(false);
            return;
        }
    }
    if (!jump_pending_.load() && !quit_.load())
        decoder_wake_.wait(seen, std::memory_order_acquire);
    decoder_waiting_.store(false);
}

void Player::wake_decoder() noexcept
{
    decoder_wake_.fetch_add(1, std::memory_order_release);
    decoder_wake_.notify_one();
}

// After each write: whoever waits for audio (a file writer, start(), a starved sink) looks.
// Cheap when nobody waits: no system call.
void Player::announce_audio()
{
    produced_.fetch_add(1, std::memory_order_release);
    produced_.notify_all();
    state_cv_.notify_all();
    sink_.wake();
}

// A new segment (a track began, or a seek landed) starts at the ring's write position.
// Returns whether there was one.
bool Player::mark_segment()
{
    const Segment& segment = core_.segment();
    if (segment.id == marked_id_)
        return false;
    marked_id_ = segment.id;
    const std::uint64_t heard = heard_frame();  // asks the sink: before taking our lock
    const auto channels = static_cast<std::uint64_t>(stream_format_.channels);
    std::lock_guard lock(mutex_);
    while (marks_.size() > 1 && marks_[1].ring_frame <= heard)
        marks_.erase(marks_.begin());  // wholly heard: of no more use for positions
    marks_.push_back({ring_->total_written() / channels, segment});
    infos_[segment.track] = core_.info(segment.track);
    return true;
}

// Errors of failed tracks, for the other threads; returns whether there are new ones.
bool Player::publish_core_state()
{
    const auto& errors = core_.errors();
    if (errors.size() == published_errors_)
        return false;
    std::lock_guard lock(mutex_);
    for (; published_errors_ < errors.size(); ++published_errors_)
        track_errors_.push_back(errors[published_errors_]);
    return true;
}

// ---- controls ----------------------------------------------------------------------------

void Player::request_jump(Jump jump)
{
    {
        std::lock_guard lock(mutex_);
        jump_ = jump;
        in_flight_ = jump;
        jump_pending_.store(true);
        jump_in_flight_.store(true);  // from now on the callback reads nothing obsolete
    }
    wake_decoder();
    sink_.flush();  // what the sink holds is obsolete too: drop it, unheard
}

std::optional<Player::Jump> Player::take_jump()
{
    if (!jump_pending_.load(std::memory_order_acquire))
        return std::nullopt;
    std::lock_guard lock(mutex_);
    jump_pending_.store(false);
    return std::exchange(jump_, std::nullopt);
}

void Player::set_paused(bool paused)
{
    paused_.store(paused);
    if (!sink_.pause(paused))
        soft_pause_.store(paused);
    notify_change();
}

void Player::set_volume(double volume)
{
    volume = std::clamp(volume, 0.0, max_volume);
    volume_.store(volume);
    if (!ring_ || !sink_.set_volume(volume))
        soft_gain_.store(static_cast<float>(volume));
    notify_change();
}

void Player::seek(double seconds)
{
    const PlayerStatus now = status();
    const auto info = track_info(now.track);
    if (!info)
        return;
    request_jump({now.track, std::llround(std::max(0.0, seconds) * info->sample_rate)});
}

void Player::next() { request_jump({status().track + 1, 0}); }

void Player::previous()
{
    const std::size_t track = status().track;
    if (track > 0)
        request_jump({track - 1, 0});
    else
        request_jump({options_.loop ? core_.playlist().size() - 1 : 0, 0});
}

// ---- observers ---------------------------------------------------------------------------

// The ring frame being heard now. Whatever a seek discarded will never be heard, so
// right after one the answer is where the new audio starts.
std::uint64_t Player::heard_frame() const
{
    const auto channels = static_cast<std::uint64_t>(stream_format_.channels);
    const auto read = static_cast<std::int64_t>(ring_->total_read() / channels);
    const auto unheard = std::llround(sink_.delay() * stream_format_.sample_rate);
    const auto discarded = static_cast<std::int64_t>(discard_until_.load() / channels);
    return static_cast<std::uint64_t>(std::max<std::int64_t>(discarded, read - unheard));
}

PlayerStatus Player::status() const
{
    PlayerStatus status;
    status.paused = paused_.load();
    status.volume = volume_.load();
    status.underruns = underruns_.load();
    status.device_underruns = sink_.device_underruns();
    if (!ring_)
        return status;
    status.finished = exhausted() && sink_.drained();
    const std::uint64_t heard = heard_frame();  // asks the sink: before taking our lock

    std::lock_guard lock(mutex_);
    if (jump_in_flight_.load()) {  // what will be heard next is where the seek goes
        const auto& info = infos_[std::min(in_flight_.track, infos_.size() - 1)];
        status.track = std::min(in_flight_.track, infos_.size() - 1);
        if (info && in_flight_.track < infos_.size()) {
            status.position = std::min(in_flight_.frame, info->frames) / static_cast<double>(info->sample_rate);
            status.duration = info->duration_seconds();
        }
        return status;
    }
    const auto mark = std::find_if(marks_.rbegin(), marks_.rend(),
                                   [heard](const Mark& m) { return m.ring_frame <= heard; });
    if (mark == marks_.rend())
        return status;
    status.track = mark->segment.track;
    if (const auto& info = infos_[mark->segment.track]) {
        const double frame = static_cast<double>(mark->segment.frame) +
                             static_cast<double>(heard - mark->ring_frame) * mark->segment.ratio;
        status.position = std::min(frame, static_cast<double>(info->frames)) / info->sample_rate;
        status.duration = info->duration_seconds();
    }
    return status;
}

std::optional<std::chrono::milliseconds> Player::time_to_next_change() const
{
    if (!ring_ || paused_.load())
        return std::nullopt;
    const std::uint64_t heard = heard_frame();
    std::optional<std::uint64_t> due;
    {
        std::lock_guard lock(mutex_);
        for (const Mark& mark : marks_)
            if (mark.ring_frame > heard) {
                due = mark.ring_frame;
                break;
            }
    }
    if (!due && decoding_done_.load())
        due = ring_->total_written() / static_cast<std::uint64_t>(stream_format_.channels);
    if (!due)
        return std::nullopt;
    const double seconds = static_cast<double>(*due - std::min(*due, heard)) / stream_format_.sample_rate;
    return std::chrono::milliseconds(static_cast<long>(std::ceil(seconds * 1000)) + 1);
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
    return ring_ && exhausted() && sink_.drained();
}

bool Player::wait(std::chrono::milliseconds timeout) const
{
    using clock = std::chrono::steady_clock;
    const auto until = clock::now() + timeout;
    std::unique_lock lock(wait_mutex_);
    while (!finished()) {
        const auto now = clock::now();
        if (now >= until)
            return false;
        auto step = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
        if (const auto due = time_to_next_change())
            step = std::clamp(*due, std::chrono::milliseconds(1), step);
        state_cv_.wait_for(lock, step);
    }
    return true;
}

void Player::finish()
{
    if (ring_ && !(exhausted() && sink_.drained())) {
        set_paused(true);  // stopping early: silence from here on, not the buffered rest
        sink_.flush();
    }
    stop_decoding();
    sink_.stop();
}

void Player::stop_decoding()
{
    quit_.store(true);
    wake_decoder();
    if (decode_thread_.joinable())
        decode_thread_.join();
}

void Player::notify_change() const
{
    state_cv_.notify_all();
    if (options_.on_change)
        options_.on_change();
}

}  // namespace tonearm
