#include "tonearm/player_core.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tonearm {
namespace {

constexpr std::size_t decode_block_frames = 4096;

Decoder open_file(const Track& track) { return Decoder::open(track.path); }

// The track's own length: the rest of its stream, or up to its end frame.
std::int64_t track_length(const Track& track, const AudioInfo& file)
{
    const std::int64_t end = track.end_frame ? std::min(*track.end_frame, file.frames) : file.frames;
    return std::max<std::int64_t>(0, end - track.first_frame);
}

}  // namespace

PlayerCore::PlayerCore(std::vector<Track> playlist, PlayerCoreOptions options, Opener opener)
    : playlist_(std::move(playlist)), options_(std::move(options)), opener_(opener ? std::move(opener) : Opener(open_file)),
      infos_(playlist_.size())
{
}

StreamFormat PlayerCore::open()
{
    for (std::size_t track = std::min(options_.start_track, playlist_.size()); track < playlist_.size(); ++track) {
        if (auto decoder = open_track(track)) {
            const AudioInfo& info = decoder->info();
            opened_ = std::move(decoder);
            next_track_ = track;
            return {info.sample_rate, info.channels};
        }
    }
    if (errors_.size() == 1)
        throw errors_.front();
    throw Error(ErrorKind::invalid_argument, "playlist", "no file could be played");
}

void PlayerCore::set_output_format(StreamFormat format)
{
    output_ = format;
    if (!current_ && !finished_)
        advance();  // the first track begins: segment() describes the first render()
}

std::size_t PlayerCore::render(std::span<float> out)
{
    const auto channels = static_cast<std::size_t>(output_.channels);
    const std::size_t wanted = out.size() / channels * channels;
    std::size_t written = 0;
    while (written < wanted) {
        if (pending_offset_ < pending_.size()) {
            const std::size_t count = std::min(wanted - written, pending_.size() - pending_offset_);
            std::copy_n(pending_.begin() + static_cast<std::ptrdiff_t>(pending_offset_), count,
                        out.begin() + static_cast<std::ptrdiff_t>(written));  // one copy, decoder to output
            pending_offset_ += count;
            written += count;
        } else if (current_) {
            if (!refill())
                end_track();
        } else if (written > 0 || finished_) {
            break;  // the next track starts with the next call
        } else {
            advance();
        }
    }
    // This call ended a track: the next one begins now, so segment() describes the next call.
    if (!current_ && pending_offset_ >= pending_.size() && !finished_ && written > 0)
        advance();
    return written / channels;
}

void PlayerCore::seek(std::size_t track, std::int64_t frame)
{
    pending_ = {};
    pending_offset_ = 0;
    opened_.reset();
    finished_ = false;
    frame = std::max<std::int64_t>(0, frame);
    if (track < playlist_.size() && infos_[track] && frame >= infos_[track]->frames) {
        ++track;
        frame = 0;
    }
    if (current_ && current_->track == track) {
        try {  // the open decoder is the quick way back in
            current_->decoder.seek(playlist_[track].first_frame + frame);
            current_->converter.reset();
            segment_ = {segment_.id + 1, track, frame, segment_.ratio};
            return;
        } catch (const Error& error) {
            fail(error);
        }
    }
    current_.reset();
    next_track_ = track + 1;  // after this track, or in its place when it cannot be played
    if (track < playlist_.size() && start_track(track, frame))
        return;
    advance();
}

// ---- tracks ------------------------------------------------------------------------------

std::optional<Decoder> PlayerCore::open_track(std::size_t track)
{
    try {
        Decoder decoder = opener_(playlist_[track]);
        AudioInfo info = decoder.info();
        info.frames = track_length(playlist_[track], info);
        infos_[track] = std::move(info);
        return decoder;
    } catch (const Error& error) {
        fail(error);
        return std::nullopt;
    }
}

bool PlayerCore::start_track(std::size_t track, std::int64_t frame)
{
    std::optional<Decoder> decoder = std::move(opened_);
    opened_.reset();
    if (decoder) {  // open() found it; the first track may start late
        const int rate = decoder->info().sample_rate;
        if (track == options_.start_track)
            frame = std::llround(std::max(0.0, options_.start_seconds) * rate);
    } else {
        decoder = open_track(track);
        if (!decoder)
            return false;
    }
    const AudioInfo& info = *infos_[track];
    const Track& entry = playlist_[track];
    frame = std::clamp<std::int64_t>(frame, 0, info.frames);
    try {
        if (entry.first_frame + frame != decoder->position())
            decoder->seek(entry.first_frame + frame);
        FormatConverter converter({info.sample_rate, info.channels}, output_);
        const float gain = options_.track_gain ? options_.track_gain(entry.path) : 1.0f;
        current_.emplace(
            Current{track, std::move(*decoder), std::move(converter), entry.first_frame + info.frames, gain});
    } catch (const Error& error) {
        fail(error);
        return false;
    }
    ++played_this_pass_;
    const double ratio = static_cast<double>(info.sample_rate) / output_.sample_rate;
    segment_ = {segment_.id + 1, track, frame, ratio};
    return true;
}

// Decodes the next block of the current track into pending_; false at the track's end.
bool PlayerCore::refill()
{
    Current& current = *current_;
    const auto channels = static_cast<std::size_t>(current.decoder.info().channels);
    const std::int64_t left = current.end - current.decoder.position();
    const auto frames = static_cast<std::size_t>(std::clamp<std::int64_t>(left, 0, decode_block_frames));
    block_.resize(decode_block_frames * channels);
    try {
        const std::size_t got = frames ? current.decoder.read_finite(std::span(block_).first(frames * channels)) : 0;
        if (got == 0) {
            if (!playlist_[current.track].end_frame)
                current.decoder.expect_complete();  // a cut file plays what it has, then says so
            return false;
        }
        const auto decoded = std::span(block_).first(got * channels);
        if (current.gain != 1.0f)
            std::transform(decoded.begin(), decoded.end(), decoded.begin(), [&](float x) { return x * current.gain; });
        pending_ = current.converter.process(decoded);
        pending_offset_ = 0;
        return true;
    } catch (const Error& error) {
        fail(error);
        return false;
    }
}

void PlayerCore::end_track()
{
    const auto tail = current_->converter.flush();
    tail_.assign(tail.begin(), tail.end());  // the converter goes with the track
    pending_ = tail_;
    pending_offset_ = 0;
    current_.reset();
}

void PlayerCore::advance()
{
    while (true) {
        if (next_track_ >= playlist_.size()) {
            if (!options_.loop || played_this_pass_ == 0) {
                finished_ = true;
                return;
            }
            next_track_ = 0;
            played_this_pass_ = 0;
        }
        if (start_track(next_track_++, 0))
            return;
    }
}

void PlayerCore::fail(const Error& error) { errors_.push_back(error); }

}  // namespace tonearm
