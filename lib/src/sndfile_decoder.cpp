// The libsndfile backend of tonearm::Decoder: WAV, AIFF, FLAC, Ogg Vorbis/Opus, MP3, CAF, ...
#include "decoder_backend.hpp"
#include "sndfile_tags.hpp"

#include "tonearm/error.hpp"
#include "tonearm/sndfile_handle.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

namespace tonearm {

void SndfileCloser::operator()(SNDFILE* file) const noexcept { sf_close(file); }

}  // namespace tonearm

namespace tonearm::detail {
namespace {

// Headers can claim anything; past these limits no real file exists and buffers sized from
// the header would be absurd, so such a stream is malformed rather than merely unusual.
constexpr int max_channels = 1024;  // libsndfile's own SF_MAX_CHANNELS
constexpr int max_sample_rate = 1'536'000;

// libsndfile reports why an open failed through process-wide state (sf_error(NULL)), which a
// concurrent open would overwrite; opens are serialised so each reads its own reason. Opening
// is a tiny part of decoding a file, so parallel checks and players barely notice.
std::mutex& open_mutex()
{
    static std::mutex mutex;
    return mutex;
}

// A ByteSource as libsndfile's virtual file: the source reads by offset, libsndfile by position.
struct SourceFile {
    ByteSource* bytes;
    sf_count_t offset = 0;

    static SF_VIRTUAL_IO io();
};

SF_VIRTUAL_IO SourceFile::io()
{
    SF_VIRTUAL_IO io{};
    io.get_filelen = [](void* self) -> sf_count_t { return static_cast<SourceFile*>(self)->bytes->size(); };
    io.seek = [](sf_count_t distance, int whence, void* self) -> sf_count_t {
        auto& file = *static_cast<SourceFile*>(self);
        const sf_count_t size = file.bytes->size();
        sf_count_t base = whence == SEEK_CUR ? file.offset : whence == SEEK_END ? size : 0;
        file.offset = std::clamp<sf_count_t>(base + distance, 0, size);
        return file.offset;
    };
    io.read = [](void* dest, sf_count_t count, void* self) -> sf_count_t {
        auto& file = *static_cast<SourceFile*>(self);
        count = std::clamp<sf_count_t>(count, 0, file.bytes->size() - file.offset);
        const std::size_t got =
            file.bytes->read_into(file.offset, {static_cast<std::uint8_t*>(dest), static_cast<std::size_t>(count)});
        file.offset += static_cast<sf_count_t>(got);
        return static_cast<sf_count_t>(got);
    };
    io.write = [](const void*, sf_count_t, void*) -> sf_count_t { return 0; };
    io.tell = [](void* self) -> sf_count_t { return static_cast<SourceFile*>(self)->offset; };
    return io;
}

ErrorKind kind_of_open_failure(int sf_error_code)
{
    switch (sf_error_code) {
    case SF_ERR_UNRECOGNISED_FORMAT:
    case SF_ERR_UNSUPPORTED_ENCODING: return ErrorKind::unsupported;
    case SF_ERR_SYSTEM: return ErrorKind::unreadable;
    default: return ErrorKind::malformed;
    }
}

std::string container_name(int format)
{
    switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV: return "WAV";
    case SF_FORMAT_WAVEX: return "WAV (extensible)";
    case SF_FORMAT_RF64: return "RF64";
    case SF_FORMAT_W64: return "W64";
    case SF_FORMAT_AIFF: return "AIFF";
    case SF_FORMAT_CAF: return "CAF";
    case SF_FORMAT_AU: return "AU";
    case SF_FORMAT_FLAC: return "FLAC";
    case SF_FORMAT_OGG: return "Ogg";
    case SF_FORMAT_MPEG: return "MPEG";
    case SF_FORMAT_RAW: return "raw";
    default: break;
    }
    SF_FORMAT_INFO info{};
    info.format = format & SF_FORMAT_TYPEMASK;
    if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof info) == 0 && info.name)
        return info.name;
    return "unknown";
}

struct CodecTraits {
    std::string name;
    std::optional<int> bits;
    bool lossless;
    bool floating_point;
};

CodecTraits codec_traits(int format)
{
    const bool flac = (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC;
    auto pcm = [flac](int bits, const char* name) {
        return CodecTraits{flac ? "FLAC" : name, bits, true, false};
    };
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: return pcm(8, "PCM s8");
    case SF_FORMAT_PCM_U8: return pcm(8, "PCM u8");
    case SF_FORMAT_PCM_16: return pcm(16, "PCM s16");
    case SF_FORMAT_PCM_24: return pcm(24, "PCM s24");
    case SF_FORMAT_PCM_32: return pcm(32, "PCM s32");
    case SF_FORMAT_FLOAT: return {"PCM f32", 32, true, true};
    case SF_FORMAT_DOUBLE: return {"PCM f64", 64, true, true};
    case SF_FORMAT_ALAC_16: return {"ALAC", 16, true, false};
    case SF_FORMAT_ALAC_20: return {"ALAC", 20, true, false};
    case SF_FORMAT_ALAC_24: return {"ALAC", 24, true, false};
    case SF_FORMAT_ALAC_32: return {"ALAC", 32, true, false};
    case SF_FORMAT_VORBIS: return {"Vorbis", {}, false, false};
    case SF_FORMAT_OPUS: return {"Opus", {}, false, false};
    case SF_FORMAT_MPEG_LAYER_I: return {"MP1", {}, false, false};
    case SF_FORMAT_MPEG_LAYER_II: return {"MP2", {}, false, false};
    case SF_FORMAT_MPEG_LAYER_III: return {"MP3", {}, false, false};
    case SF_FORMAT_ULAW: return {"mu-law", {}, false, false};
    case SF_FORMAT_ALAW: return {"A-law", {}, false, false};
    default: break;
    }
    SF_FORMAT_INFO info{};
    info.format = format & SF_FORMAT_SUBMASK;
    const bool named = sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof info) == 0 && info.name;
    return {named ? info.name : "unknown", {}, false, false};
}

std::map<std::string, std::string> read_tags(SNDFILE* file)
{
    std::map<std::string, std::string> tags;
    for (auto [id, key] : sndfile_tags)
        if (const char* value = sf_get_string(file, id); value && *value)
            tags.emplace(key, value);
    return tags;
}

AudioInfo describe(SNDFILE* file, const SF_INFO& sf)
{
    AudioInfo info;
    info.container = container_name(sf.format);
    auto codec = codec_traits(sf.format);
    info.codec = std::move(codec.name);
    info.bits_per_sample = codec.bits;
    info.lossless = codec.lossless;
    info.floating_point = codec.floating_point;
    info.sample_rate = sf.samplerate;
    info.channels = sf.channels;
    info.frames = sf.frames;
    info.seekable = sf.seekable != 0;
    info.tags = read_tags(file);
    return info;
}

class SndfileBackend final : public DecoderBackend {
public:
    SndfileBackend(StreamSource source, const std::string& name, const StreamLength& length);
    ~SndfileBackend() override { file_.reset(); }  // sf_close before the bytes it reads from go away

    const AudioInfo& info() const noexcept override { return info_; }
    std::size_t read(std::span<float> out) override { return read_with(out, sf_readf_float); }
    std::size_t read(std::span<std::int32_t> out) override { return read_with(out, sf_readf_int); }
    std::int64_t seek(std::int64_t frame) override;

private:
    template <typename Sample, typename ReadFn>
    std::size_t read_with(std::span<Sample> out, ReadFn read_frames);

    std::string name_;
    std::unique_ptr<SourceFile> source_;  // a byte source, at a stable address
    SF_VIRTUAL_IO source_io_ = SourceFile::io();
    SndfileHandle file_;
    AudioInfo info_;
    std::int64_t seek_preroll_ = 0;  // frames to decode before a seek target (see seek())
    bool cut_shown_ = false;         // the container shows where the file was cut
};

SndfileBackend::SndfileBackend(StreamSource source, const std::string& name, const StreamLength& length)
    : name_(name), cut_shown_(length.shows_cut())
{
    SF_INFO sf{};
    SNDFILE* opened = nullptr;
    const std::lock_guard lock(open_mutex());
    if (source.fd) {
        // libsndfile takes the descriptor: with close_desc it closes it on every path. (Keeping
        // it with SF_FALSE is a trap: 1.2.0 still closes it when the open fails, and closing it
        // again here would close whatever another thread had opened under the same number.)
        opened = sf_open_fd(source.fd.release(), SFM_READ, &sf, SF_TRUE);
    } else {
        source_ = std::make_unique<SourceFile>(SourceFile{source.bytes});
        opened = sf_open_virtual(&source_io_, SFM_READ, &sf, source_.get());
    }
    if (!opened) {
        if (cut_shown_ && kind_of_open_failure(sf_error(nullptr)) == ErrorKind::malformed)
            throw Error(ErrorKind::truncated, name_, *length.cut + ": no audio can be decoded");
        std::string cause = sf_strerror(nullptr);
        // libsndfile says this when a codec (e.g. mpg123) gives up on a stream it had
        // recognised; the file itself was already opened and checked here.
        if (cause.starts_with("File does not exist or is not a regular file"))
            cause = "corrupt or truncated stream: the decoder could not start";
        throw Error(kind_of_open_failure(sf_error(nullptr)), name_, cause);
    }
    file_.reset(opened);
    if (sf.channels < 1 || sf.channels > max_channels)
        throw Error(ErrorKind::malformed, name_, "header declares " + std::to_string(sf.channels) + " channels");
    if (sf.samplerate < 1 || sf.samplerate > max_sample_rate)
        throw Error(ErrorKind::malformed, name_,
                    "header declares a sample rate of " + std::to_string(sf.samplerate) + " Hz");
    if (sf.frames < 0)
        throw Error(ErrorKind::malformed, name_, "header declares a negative length");
    info_ = describe(opened, sf);
    if ((sf.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG)
        seek_preroll_ = 4 * 1152;  // four MPEG audio frames
}

template <typename Sample, typename ReadFn>
std::size_t SndfileBackend::read_with(std::span<Sample> out, ReadFn read_frames)
{
    const auto wanted = static_cast<sf_count_t>(out.size() / static_cast<std::size_t>(info_.channels));
    const sf_count_t got = read_frames(file_.get(), out.data(), wanted);
    // Where the container shows the file was cut, the decoder's error is that cut: the stream
    // ends here, and Decoder::truncation() says so.
    if (got < wanted && sf_error(file_.get()) != SF_ERR_NO_ERROR && !cut_shown_)
        throw Error(ErrorKind::malformed, name_, sf_strerror(file_.get()));
    return static_cast<std::size_t>(std::max<sf_count_t>(got, 0));
}

std::int64_t SndfileBackend::seek(std::int64_t frame)
{
    // After a seek, libsndfile's mpg123 path lands on the right frame but decodes the first
    // ~2000 samples without the MP3 bit reservoir (garbage). Landing a few MPEG frames early
    // and decoding up to the target makes MP3 seeks sample-exact.
    const std::int64_t preroll = std::min(frame, seek_preroll_);
    if (sf_seek(file_.get(), frame - preroll, SEEK_SET) < 0)
        throw Error(ErrorKind::malformed, name_, std::string("seek failed: ") + sf_strerror(file_.get()));
    std::vector<float> discard(static_cast<std::size_t>(preroll * info_.channels));
    if (preroll > 0 && read(discard) != static_cast<std::size_t>(preroll))
        throw Error(ErrorKind::malformed, name_, "seek failed: stream ended early");
    return frame;
}

}  // namespace

std::unique_ptr<DecoderBackend> open_sndfile(StreamSource source, const std::string& name,
                                             const StreamLength& length)
{
    return std::make_unique<SndfileBackend>(std::move(source), name, length);
}

}  // namespace tonearm::detail
