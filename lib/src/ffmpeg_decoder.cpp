// The FFmpeg backend of tonearm::Decoder (libavformat + libavcodec): the containers and codecs
// libsndfile lacks. Only these, natively and in the web build alike, so both decode the same
// files to the same samples: MP4/M4A (AAC, ALAC), Matroska/WebM (Opus, Vorbis, AAC), raw
// ADTS AAC, ASF (WMA v1/v2).
//
// Sample positions. libavcodec trims what the packets say to trim (skip_samples from an MP4
// edit list or Matroska's CodecDelay, DiscardPadding at the end), exactly as the ffmpeg tool
// does. An MP4 also declares where the audio ends (the edit list's duration: the last packet
// is shorter than a codec frame), which ffmpeg 5.1 leaves as padding; it is trimmed here, or
// the joins of a gapless album would click. Positions are counted in decoded frames from the
// start. After a container seek they are recovered from the frame timestamps: in an MP4 these
// count samples; in Matroska, ADTS and ASF they are milliseconds or estimates, so a seek there
// lands on a frame whose position was seen while decoding (a checkpoint) or decodes forward.
#include "decoder_backend.hpp"
#include "ffmpeg_log.hpp"
#include "mp4_boxes.hpp"
#include "text.hpp"

#include "tonearm/error.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <string_view>
#include <sys/stat.h>
#include <type_traits>
#include <unistd.h>
#include <utility>
#include <vector>

namespace tonearm::detail {
namespace {

constexpr int max_channels = 1024;
constexpr int max_sample_rate = 1'536'000;
constexpr int io_buffer_bytes = 64 << 10;

// The containers and codecs this backend takes; the wasm build compiles exactly these. (An Ogg
// stream comes here only when libsndfile does not read it: Vorbis, in the page's Ogg module.)
constexpr std::array<std::string_view, 5> accepted_demuxers = {"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "aac",
                                                               "asf", "ogg"};
constexpr std::array<AVCodecID, 6> accepted_codecs = {AV_CODEC_ID_AAC,    AV_CODEC_ID_ALAC,  AV_CODEC_ID_OPUS,
                                                      AV_CODEC_ID_VORBIS, AV_CODEC_ID_WMAV1, AV_CODEC_ID_WMAV2};

std::string av_error_text(int code)
{
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return text;
}

// ---- reading bytes: a file descriptor or a ByteSource, behind an AVIOContext -------------------

struct ByteReader {
    StreamSource source;
    std::int64_t size = 0;
    std::int64_t offset = 0;

    // Up to `count` bytes at `at` into `out`; bytes read, 0 at the end, -errno on failure.
    std::int64_t read_at(std::int64_t at, std::uint8_t* out, std::size_t count) const
    {
        if (at >= size)
            return 0;
        count = static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(count), size - at));
        if (!source.fd) {
            // A source reads short before its end only when it could not read (EIO).
            const std::size_t got = source.bytes->read_into(at, {out, count});
            return got == count ? static_cast<std::int64_t>(got) : -EIO;
        }
        for (;;) {
            const ssize_t n = ::pread(source.fd.get(), out, count, at);
            if (n >= 0)
                return n;
            if (errno != EINTR)
                return -errno;
        }
    }

    static int read(void* self, std::uint8_t* out, int count)
    {
        auto& reader = *static_cast<ByteReader*>(self);
        const std::int64_t n = reader.read_at(reader.offset, out, static_cast<std::size_t>(count));
        if (n < 0)
            return AVERROR(static_cast<int>(-n));
        if (n == 0)
            return AVERROR_EOF;
        reader.offset += n;
        return static_cast<int>(n);
    }

    static std::int64_t seek(void* self, std::int64_t offset, int whence)
    {
        auto& reader = *static_cast<ByteReader*>(self);
        if (whence & AVSEEK_SIZE)
            return reader.size;
        whence &= ~AVSEEK_FORCE;
        const std::int64_t base = whence == SEEK_CUR ? reader.offset : whence == SEEK_END ? reader.size : 0;
        if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
            return AVERROR(EINVAL);
        if (base + offset < 0)
            return AVERROR(EINVAL);
        reader.offset = base + offset;
        return reader.offset;
    }
};

struct IoDeleter {
    void operator()(AVIOContext* io) const noexcept
    {
        if (io)
            av_freep(&io->buffer);
        avio_context_free(&io);
    }
};
struct FormatDeleter {
    void operator()(AVFormatContext* format) const noexcept { avformat_close_input(&format); }
};
struct CodecDeleter {
    void operator()(AVCodecContext* codec) const noexcept { avcodec_free_context(&codec); }
};
struct PacketDeleter {
    void operator()(AVPacket* packet) const noexcept { av_packet_free(&packet); }
};
struct FrameDeleter {
    void operator()(AVFrame* frame) const noexcept { av_frame_free(&frame); }
};
using IoHandle = std::unique_ptr<AVIOContext, IoDeleter>;
using FormatHandle = std::unique_ptr<AVFormatContext, FormatDeleter>;
using CodecHandle = std::unique_ptr<AVCodecContext, CodecDeleter>;
using PacketHandle = std::unique_ptr<AVPacket, PacketDeleter>;
using FrameHandle = std::unique_ptr<AVFrame, FrameDeleter>;

// ---- describing the stream ------------------------------------------------------------------

std::string container_name(const AVInputFormat* format, const ByteReader& reader)
{
    const std::string_view name = format->name;
    if (name.starts_with("mov"))
        return "MP4";
    if (name == "aac")
        return "ADTS";
    if (name == "asf")
        return "ASF";
    if (name == "ogg")
        return "Ogg";
    // Matroska and WebM share a demuxer; the EBML header's DocType tells them apart.
    std::uint8_t head[64] = {};
    const auto n = static_cast<std::size_t>(std::max<std::int64_t>(0, reader.read_at(0, head, sizeof head)));
    const std::string_view bytes(reinterpret_cast<const char*>(head), n);
    return bytes.find("\x42\x82\x84webm") != std::string_view::npos ? "WebM" : "Matroska";
}

std::string codec_name(const AVCodecParameters& par)
{
    switch (par.codec_id) {
    case AV_CODEC_ID_AAC:
        return par.profile == FF_PROFILE_AAC_HE ? "HE-AAC" : par.profile == FF_PROFILE_AAC_HE_V2 ? "HE-AACv2" : "AAC";
    case AV_CODEC_ID_ALAC: return "ALAC";
    case AV_CODEC_ID_OPUS: return "Opus";
    case AV_CODEC_ID_VORBIS: return "Vorbis";
    case AV_CODEC_ID_WMAV1: return "WMA v1";
    case AV_CODEC_ID_WMAV2: return "WMA v2";
    default: return avcodec_get_name(par.codec_id);
    }
}

// Tags under the names libsndfile's backend uses (lower case: title, artist, tracknumber...),
// without the container's bookkeeping (brands, handler names, per-track durations).
std::map<std::string, std::string> read_tags(const AVFormatContext& format, const AVStream& stream)
{
    static constexpr std::string_view bookkeeping[] = {"major_brand", "minor_version", "compatible_brands",
                                                       "handler_name", "vendor_id", "duration", "creation_time",
                                                       "language", "itunsmpb", "itunnorm", "wmfsdkversion",
                                                       "wmfsdkneeded", "isvbr", "deviceconformancetemplate"};
    std::map<std::string, std::string> tags;
    for (const AVDictionary* dict : {format.metadata, stream.metadata}) {
        const AVDictionaryEntry* entry = nullptr;
        while ((entry = av_dict_get(dict, "", entry, AV_DICT_IGNORE_SUFFIX))) {
            std::string key = lower_case(entry->key);
            if (key == "track")
                key = "tracknumber";
            else if (key == "encoder")
                key = "software";
            if (std::find(std::begin(bookkeeping), std::end(bookkeeping), key) == std::end(bookkeeping) &&
                *entry->value)
                tags.emplace(std::move(key), entry->value);
        }
    }
    return tags;
}

// ---- converting decoded frames ----------------------------------------------------------------

// Sample i of channel c of a frame, whatever its layout.
template <typename T>
T sample_at(const AVFrame& frame, bool planar, int channels, int c, int i)
{
    if (planar)
        return reinterpret_cast<const T*>(frame.extended_data[c])[i];
    return reinterpret_cast<const T*>(frame.data[0])[i * channels + c];
}

// The same conversions as libswresample's to f32 and s32 (what `ffmpeg -f f32le` writes).
float to_float(std::uint8_t v) { return static_cast<float>(v - 0x80) * (1.0f / (1 << 7)); }
float to_float(std::int16_t v) { return static_cast<float>(v) * (1.0f / (1 << 15)); }
float to_float(std::int32_t v) { return static_cast<float>(v) * (1.0f / 2147483648.0f); }
float to_float(float v) { return v; }
float to_float(double v) { return static_cast<float>(v); }
std::int32_t to_int(std::uint8_t v) { return (v - 0x80) * (1 << 24); }
std::int32_t to_int(std::int16_t v) { return v * (1 << 16); }
std::int32_t to_int(std::int32_t v) { return v; }
std::int32_t to_int(double v)
{
    return static_cast<std::int32_t>(std::clamp(std::llrint(v * 2147483648.0), -2147483648LL, 2147483647LL));
}
std::int32_t to_int(float v) { return to_int(static_cast<double>(v)); }

template <typename Out, typename In>
void convert_frames(const AVFrame& frame, bool planar, int channels, int first, int count, Out* out)
{
    for (int i = 0; i < count; ++i)
        for (int c = 0; c < channels; ++c) {
            const In v = sample_at<In>(frame, planar, channels, c, first + i);
            if constexpr (std::is_same_v<Out, float>)
                *out++ = to_float(v);
            else
                *out++ = to_int(v);
        }
}

template <typename Out>
void convert(const AVFrame& frame, int channels, int first, int count, Out* out)
{
    const auto format = static_cast<AVSampleFormat>(frame.format);
    const bool planar = av_sample_fmt_is_planar(format) != 0;
    switch (av_get_packed_sample_fmt(format)) {
    case AV_SAMPLE_FMT_U8: return convert_frames<Out, std::uint8_t>(frame, planar, channels, first, count, out);
    case AV_SAMPLE_FMT_S16: return convert_frames<Out, std::int16_t>(frame, planar, channels, first, count, out);
    case AV_SAMPLE_FMT_S32: return convert_frames<Out, std::int32_t>(frame, planar, channels, first, count, out);
    case AV_SAMPLE_FMT_FLT: return convert_frames<Out, float>(frame, planar, channels, first, count, out);
    case AV_SAMPLE_FMT_DBL: return convert_frames<Out, double>(frame, planar, channels, first, count, out);
    default: break;
    }
    throw std::logic_error("unexpected sample format");  // checked when the frame arrived
}

bool convertible(int format)
{
    switch (av_get_packed_sample_fmt(static_cast<AVSampleFormat>(format))) {
    case AV_SAMPLE_FMT_U8:
    case AV_SAMPLE_FMT_S16:
    case AV_SAMPLE_FMT_S32:
    case AV_SAMPLE_FMT_FLT:
    case AV_SAMPLE_FMT_DBL: return true;
    default: return false;
    }
}

// ---- the backend --------------------------------------------------------------------------------

class FfmpegBackend final : public DecoderBackend {
public:
    FfmpegBackend(ByteReader reader, const AVInputFormat* format, std::string name);

    const AudioInfo& info() const noexcept override { return info_; }
    std::size_t read(std::span<float> out) override { return read_into(out); }
    std::size_t read(std::span<std::int32_t> out) override { return read_into(out); }
    std::int64_t seek(std::int64_t frame) override;

private:
    // A frame whose position was seen while decoding from a known position: where a seek in a
    // container without sample timestamps can restart counting.
    struct Checkpoint {
        std::int64_t pts;    // the frame's timestamp, as the demuxer gives it
        std::int64_t frame;  // its first sample's position
    };

    void open_stream();
    void describe();
    std::optional<std::int64_t> mp4_length() const;
    bool decode_frame();
    bool next_frame();
    void restart();
    void seek_container(std::int64_t timestamp);
    void skip_to(std::int64_t target);
    [[noreturn]] void fail(ErrorKind kind, const std::string& what, int code = 0);
    void check_log();
    template <typename Sample>
    std::size_t read_into(std::span<Sample> out);

    std::string name_;
    ByteReader reader_;
    const AVInputFormat* input_format_;
    FfmpegLog log_;
    IoHandle io_;
    FormatHandle format_;
    CodecHandle codec_;
    PacketHandle packet_{av_packet_alloc()};
    FrameHandle frame_{av_frame_alloc()};
    AVStream* stream_ = nullptr;
    AudioInfo info_;

    bool sample_timestamps_ = false;     // frame pts count samples (MP4): seeks use them
    std::int64_t start_pts_ = 0;         // the first frame's pts, when sample_timestamps_
    std::optional<std::int64_t> end_;    // the declared end (MP4): later samples are padding
    std::int64_t preroll_ = 0;           // frames decoded before a seek target, for the codec's state
    std::vector<Checkpoint> checkpoints_;
    Checkpoint resume_at_{};              // what a checkpoint seek aims at

    // The frame being delivered: frame_[offset_, frame_->nb_samples) starts at position_.
    bool have_frame_ = false;
    int offset_ = 0;
    bool draining_ = false;
    std::optional<std::int64_t> position_;  // of the next sample; unknown right after a container seek
    // An error met after some frames of a read were delivered: the read returns those frames,
    // the next one throws this, so a damaged or cut stream yields every sample before the damage.
    std::exception_ptr pending_error_;
};

FfmpegBackend::FfmpegBackend(ByteReader reader, const AVInputFormat* format, std::string name)
    : name_(std::move(name)), reader_(std::move(reader)), input_format_(format)
{
    if (!packet_ || !frame_)
        throw std::bad_alloc();
    const FfmpegLog::Scope scope(log_);
    open_stream();
    describe();
}

// FFmpeg's own words where it logged any (they say what is wrong), else ours and its error code.
void FfmpegBackend::fail(ErrorKind kind, const std::string& what, int code)
{
    if (!log_.first_error.empty())
        throw Error(kind, name_, log_.first_error);
    throw Error(kind, name_, code < 0 ? what + ": " + av_error_text(code) : what);
}

void FfmpegBackend::check_log()
{
    // FFmpeg sometimes logs an error and carries on (concealing a broken frame): for tonearm
    // that is as much a decode error as one it returns, and `check` is never laxer than
    // `ffmpeg -v error`.
    if (!log_.first_error.empty())
        fail(ErrorKind::malformed, "decoding failed");
}

// Opens (or reopens, from the first byte) the container and the decoder.
void FfmpegBackend::open_stream()
{
    codec_.reset();
    format_.reset();
    io_.reset();
    reader_.offset = 0;
    auto* buffer = static_cast<std::uint8_t*>(av_malloc(io_buffer_bytes));
    if (!buffer)
        throw std::bad_alloc();
    io_.reset(avio_alloc_context(buffer, io_buffer_bytes, 0, &reader_, &ByteReader::read, nullptr, &ByteReader::seek));
    if (!io_) {
        av_free(buffer);
        throw std::bad_alloc();
    }
    AVFormatContext* format = avformat_alloc_context();
    if (!format)
        throw std::bad_alloc();
    format->pb = io_.get();
    format->flags |= AVFMT_FLAG_CUSTOM_IO;
    format->opaque = &log_;
    // avformat_open_input frees the context when it fails.
    if (const int rc = avformat_open_input(&format, name_.c_str(), input_format_, nullptr); rc < 0)
        fail(ErrorKind::malformed, "cannot read the container", rc);
    format_.reset(format);
    if (const int rc = avformat_find_stream_info(format, nullptr); rc < 0)
        fail(ErrorKind::malformed, "cannot read the stream parameters", rc);

    const AVCodec* decoder = nullptr;
    const int index = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
    if (index < 0)
        fail(ErrorKind::unsupported, "no audio stream in the " + container_name(input_format_, reader_) + " container");
    stream_ = format->streams[index];
    for (unsigned i = 0; i < format->nb_streams; ++i)
        format->streams[i]->discard = static_cast<int>(i) == index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    const AVCodecParameters& par = *stream_->codecpar;
    if (std::find(accepted_codecs.begin(), accepted_codecs.end(), par.codec_id) == accepted_codecs.end() ||
        !decoder)
        throw Error(ErrorKind::unsupported, name_,
                    codec_name(par) + " audio in " + container_name(input_format_, reader_) +
                        " is not a format tonearm decodes");

    codec_.reset(avcodec_alloc_context3(decoder));
    if (!codec_)
        throw std::bad_alloc();
    if (const int rc = avcodec_parameters_to_context(codec_.get(), &par); rc < 0)
        fail(ErrorKind::malformed, "bad codec parameters", rc);
    codec_->pkt_timebase = stream_->time_base;  // libavcodec moves timestamps when it trims
    codec_->thread_count = 1;                   // `check` runs files in parallel instead
    codec_->opaque = &log_;
    if (const int rc = avcodec_open2(codec_.get(), decoder, nullptr); rc < 0)
        fail(ErrorKind::malformed, "cannot start the " + codec_name(par) + " decoder", rc);
    check_log();

    have_frame_ = false;
    offset_ = 0;
    draining_ = false;
    position_ = 0;
}

// The stream's format from its first decoded frame (HE-AAC's rate and parametric stereo's
// channels only show there), its length from the container.
void FfmpegBackend::describe()
{
    const AVCodecParameters& par = *stream_->codecpar;
    const bool any = next_frame();
    info_.container = container_name(input_format_, reader_);
    info_.codec = codec_name(par);
    info_.sample_rate = any ? frame_->sample_rate : par.sample_rate;
    info_.channels = any ? frame_->ch_layout.nb_channels : par.ch_layout.nb_channels;
    if (info_.channels < 1 || info_.channels > max_channels)
        fail(ErrorKind::malformed, "the stream has " + std::to_string(info_.channels) + " channels");
    if (info_.sample_rate < 1 || info_.sample_rate > max_sample_rate)
        fail(ErrorKind::malformed, "the stream has a sample rate of " + std::to_string(info_.sample_rate) + " Hz");
    info_.lossless = par.codec_id == AV_CODEC_ID_ALAC;
    if (info_.lossless)
        info_.bits_per_sample = par.bits_per_raw_sample > 0 ? par.bits_per_raw_sample
                                                             : av_get_bytes_per_sample(codec_->sample_fmt) * 8;
    info_.seekable = true;
    info_.tags = read_tags(*format_, *stream_);

    const AVRational tb = stream_->time_base;
    const AVRational per_sample{1, info_.sample_rate};
    sample_timestamps_ = info_.container == "MP4" && tb.num == 1 && tb.den % info_.sample_rate == 0;
    start_pts_ = any && frame_->pts != AV_NOPTS_VALUE ? frame_->pts : 0;
    if (const auto presented = info_.container == "MP4" ? mp4_length() : std::nullopt) {
        info_.frames = *presented;
        end_ = info_.frames;
    } else if (info_.container == "MP4" && stream_->duration != AV_NOPTS_VALUE && stream_->duration > 0) {
        info_.frames = av_rescale_q(stream_->duration, tb, per_sample);  // libavformat's reading of the edits
        end_ = info_.frames;
    } else {
        info_.frames_estimated = true;
        if (stream_->duration != AV_NOPTS_VALUE && stream_->duration > 0)
            info_.frames = av_rescale_q(stream_->duration, tb, per_sample);
        else if (format_->duration != AV_NOPTS_VALUE && format_->duration > 0)
            info_.frames = av_rescale_q(format_->duration, AVRational{1, AV_TIME_BASE}, per_sample);
    }
    // Decoding from this far before a seek target gives the decoder back its state: the MDCT
    // overlap needs one frame, but Opus predicts each frame's band energies from the last, and
    // after a reset it takes a while to agree with a linear decode again. Measured on Opus at
    // 96 kb/s: 80 ms (what Matroska declares) leaves differences of 0.09, 200 ms 4e-6, 500 ms
    // 4e-9, 1 s none; one second costs a few milliseconds of decoding per seek.
    preroll_ = info_.lossless ? 0 : std::max<std::int64_t>(par.seek_preroll, info_.sample_rate);
}

// The MP4's declared length in samples at the output rate, from its own boxes (see mp4_boxes.hpp).
std::optional<std::int64_t> FfmpegBackend::mp4_length() const
{
    const ReadAt read = [this](std::int64_t offset, std::span<std::uint8_t> out) {
        return static_cast<std::size_t>(std::max<std::int64_t>(0, reader_.read_at(offset, out.data(), out.size())));
    };
    const Mp4Layout layout = read_mp4_layout(read, reader_.size);
    for (const Mp4Track& track : layout.tracks)
        if (static_cast<int>(track.id) == stream_->id && track.timescale > 0)
            if (const auto samples = presented_samples(layout, track))
                return av_rescale(*samples, info_.sample_rate, track.timescale);
    return std::nullopt;
}

// The next frame from the decoder into frame_; false at the end of the stream.
bool FfmpegBackend::decode_frame()
{
    for (;;) {
        int rc = avcodec_receive_frame(codec_.get(), frame_.get());
        check_log();
        if (rc == 0)
            return true;
        if (rc == AVERROR_EOF)
            return false;
        if (rc != AVERROR(EAGAIN))
            fail(ErrorKind::malformed, "decoding failed", rc);
        if (draining_)
            return false;
        // A packet left by a read that threw (check_log) would leak under the next one.
        av_packet_unref(packet_.get());
        rc = av_read_frame(format_.get(), packet_.get());
        if (rc == AVERROR_EOF && format_->pb->error == 0) {
            draining_ = true;
            avcodec_send_packet(codec_.get(), nullptr);
            continue;
        }
        check_log();
        if (rc < 0) {
            const bool short_of_declared = end_ && position_ && *position_ < *end_;
            fail(short_of_declared ? ErrorKind::truncated : ErrorKind::malformed,
                 short_of_declared ? "the stream ends after " + std::to_string(*position_) + " of " +
                                         std::to_string(*end_) + " frames"
                                   : "reading the container failed",
                 rc);
        }
        const bool ours = packet_->stream_index == stream_->index;
        rc = ours ? avcodec_send_packet(codec_.get(), packet_.get()) : 0;
        av_packet_unref(packet_.get());
        check_log();
        if (rc < 0 && rc != AVERROR(EAGAIN))
            fail(ErrorKind::malformed, "decoding failed", rc);
    }
}

// The next frame to deliver, trimmed to the declared end, with its position known; discards
// what comes after a container seek before the position is known again.
bool FfmpegBackend::next_frame()
{
    have_frame_ = false;
    offset_ = 0;
    while (decode_frame()) {
        if (frame_->nb_samples <= 0)
            continue;
        if (!convertible(frame_->format))
            fail(ErrorKind::unsupported, std::string("decoded samples in an unexpected format (") +
                                             av_get_sample_fmt_name(static_cast<AVSampleFormat>(frame_->format)) + ")");
        if (info_.sample_rate != 0 &&
            (frame_->sample_rate != info_.sample_rate || frame_->ch_layout.nb_channels != info_.channels))
            fail(ErrorKind::unsupported, "the stream changes to " + std::to_string(frame_->ch_layout.nb_channels) +
                                             " channels at " + std::to_string(frame_->sample_rate) + " Hz after " +
                                             std::to_string(position_.value_or(0)) + " frames");
        if (!position_) {
            // Right after a container seek: frames before the one the seek aimed at only
            // rebuild the decoder's state. Passing it unseen means the container landed
            // elsewhere: the caller starts over.
            if (frame_->pts == AV_NOPTS_VALUE)
                continue;
            if (sample_timestamps_)
                position_ = av_rescale_q(frame_->pts - start_pts_, stream_->time_base, {1, info_.sample_rate});
            else if (frame_->pts == resume_at_.pts)
                position_ = resume_at_.frame;
            else if (frame_->pts < resume_at_.pts)
                continue;
            else
                return false;
        } else if (!sample_timestamps_ && frame_->pts != AV_NOPTS_VALUE && *position_ > 0 &&
                   (checkpoints_.empty() || (*position_ >= checkpoints_.back().frame + info_.sample_rate / 2 &&
                                             frame_->pts > checkpoints_.back().pts))) {
            checkpoints_.push_back({frame_->pts, *position_});
        }
        if (end_ && *position_ + frame_->nb_samples > *end_) {
            frame_->nb_samples = static_cast<int>(std::max<std::int64_t>(0, *end_ - *position_));
            if (frame_->nb_samples == 0)
                return false;
        }
        have_frame_ = true;
        return true;
    }
    return false;
}

template <typename Sample>
std::size_t FfmpegBackend::read_into(std::span<Sample> out)
{
    if (pending_error_)
        std::rethrow_exception(std::exchange(pending_error_, nullptr));
    const FfmpegLog::Scope scope(log_);
    const auto channels = static_cast<std::size_t>(info_.channels);
    const std::size_t wanted = out.size() / channels;
    std::size_t done = 0;
    while (done < wanted) {
        if (!have_frame_ || offset_ >= frame_->nb_samples) {
            bool more = false;
            try {
                more = next_frame();
            } catch (const Error&) {
                if (done == 0)
                    throw;
                pending_error_ = std::current_exception();
            }
            if (!more)
                break;
        }
        const auto count = static_cast<int>(std::min<std::size_t>(wanted - done, static_cast<std::size_t>(frame_->nb_samples - offset_)));
        convert(*frame_, info_.channels, offset_, count, out.data() + done * channels);
        offset_ += count;
        done += static_cast<std::size_t>(count);
        *position_ += count;
    }
    return done;
}

void FfmpegBackend::restart()
{
    open_stream();
    next_frame();
}

void FfmpegBackend::seek_container(std::int64_t timestamp)
{
    if (const int rc = av_seek_frame(format_.get(), stream_->index, timestamp, AVSEEK_FLAG_BACKWARD); rc < 0)
        fail(ErrorKind::malformed, "seek failed", rc);
    avcodec_flush_buffers(codec_.get());
    draining_ = false;
    have_frame_ = false;
    position_.reset();
    check_log();
}

// Decodes forward to `target` (or the end) from a known position.
void FfmpegBackend::skip_to(std::int64_t target)
{
    while (*position_ < target) {
        if (!have_frame_ || offset_ >= frame_->nb_samples) {
            if (!next_frame())
                return;
        }
        const auto count = static_cast<int>(std::min<std::int64_t>(target - *position_, frame_->nb_samples - offset_));
        offset_ += count;
        *position_ += count;
    }
}

std::int64_t FfmpegBackend::seek(std::int64_t target)
{
    pending_error_ = nullptr;
    const FfmpegLog::Scope scope(log_);
    const std::int64_t from = std::max<std::int64_t>(0, target - preroll_);
    // Close ahead: decoding forward is exact and cheaper than finding a place in the container.
    const bool close_ahead = target >= *position_ && target - *position_ <= std::max<std::int64_t>(preroll_, info_.sample_rate);
    if (!close_ahead) {
        if (from == 0) {
            restart();
        } else if (sample_timestamps_) {
            seek_container(start_pts_ + av_rescale_q(from, {1, info_.sample_rate}, stream_->time_base));
            if (!next_frame() || *position_ > from)
                restart();  // the container had nothing earlier: start over
        } else {
            // The last checkpoint at or before `from`, unless decoding on from here is nearer.
            const auto after = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), from,
                                                [](std::int64_t f, const Checkpoint& c) { return f < c.frame; });
            if (after == checkpoints_.begin()) {
                restart();
            } else if (const Checkpoint c = *std::prev(after); target < *position_ || c.frame > *position_) {
                resume_at_ = c;
                seek_container(c.pts);
                if (!next_frame())
                    restart();
            }
        }
    }
    skip_to(target);
    return *position_;
}

}  // namespace

std::unique_ptr<DecoderBackend> open_ffmpeg(StreamSource source, const std::string& name)
{
    install_ffmpeg_log();
    ByteReader reader{std::move(source)};
    if (reader.source.fd) {
        struct stat st {};
        if (::fstat(reader.source.fd.get(), &st) != 0)
            throw Error(ErrorKind::unreadable, name, std::strerror(errno));
        reader.size = st.st_size;
    } else {
        reader.size = reader.source.bytes->size();
    }

    // Which container, from the first bytes (FFmpeg's own probe, then only the accepted ones).
    std::vector<std::uint8_t> head(static_cast<std::size_t>(std::min<std::int64_t>(reader.size, 1 << 16)) +
                                   AVPROBE_PADDING_SIZE);
    const std::int64_t got = reader.read_at(0, head.data(), head.size() - AVPROBE_PADDING_SIZE);
    if (got < 0)
        throw Error(ErrorKind::unreadable, name, std::strerror(static_cast<int>(-got)));
    AVProbeData probe{};
    probe.filename = "";
    probe.buf = head.data();
    probe.buf_size = static_cast<int>(got);
    int score = 0;
    const AVInputFormat* format = av_probe_input_format3(&probe, 1, &score);
    if (!format || score <= AVPROBE_SCORE_RETRY ||
        std::find(accepted_demuxers.begin(), accepted_demuxers.end(), std::string_view(format->name)) ==
            accepted_demuxers.end())
        return nullptr;
    return std::make_unique<FfmpegBackend>(std::move(reader), format, name);
}

}  // namespace tonearm::detail
