#include "tonearm/decoder.hpp"

#include "tonearm/error.hpp"
#include "unique_fd.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tonearm {
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

struct SndfileCloser {
    void operator()(SNDFILE* file) const noexcept { sf_close(file); }
};
using SndfileHandle = std::unique_ptr<SNDFILE, SndfileCloser>;

// Bytes in memory presented to libsndfile as a seekable file.
struct MemoryFile {
    std::vector<std::byte> bytes;
    sf_count_t offset = 0;

    static SF_VIRTUAL_IO io();
};

SF_VIRTUAL_IO MemoryFile::io()
{
    SF_VIRTUAL_IO io{};
    io.get_filelen = [](void* self) -> sf_count_t {
        return static_cast<sf_count_t>(static_cast<MemoryFile*>(self)->bytes.size());
    };
    io.seek = [](sf_count_t distance, int whence, void* self) -> sf_count_t {
        auto& file = *static_cast<MemoryFile*>(self);
        const auto size = static_cast<sf_count_t>(file.bytes.size());
        sf_count_t base = whence == SEEK_CUR ? file.offset : whence == SEEK_END ? size : 0;
        file.offset = std::clamp<sf_count_t>(base + distance, 0, size);
        return file.offset;
    };
    io.read = [](void* dest, sf_count_t count, void* self) -> sf_count_t {
        auto& file = *static_cast<MemoryFile*>(self);
        const auto size = static_cast<sf_count_t>(file.bytes.size());
        count = std::clamp<sf_count_t>(count, 0, size - file.offset);
        std::memcpy(dest, file.bytes.data() + file.offset, static_cast<std::size_t>(count));
        file.offset += count;
        return count;
    };
    io.write = [](const void*, sf_count_t, void*) -> sf_count_t { return 0; };
    io.tell = [](void* self) -> sf_count_t { return static_cast<MemoryFile*>(self)->offset; };
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
    static constexpr std::pair<int, const char*> keys[] = {
        {SF_STR_TITLE, "title"},     {SF_STR_ARTIST, "artist"},   {SF_STR_ALBUM, "album"},
        {SF_STR_TRACKNUMBER, "tracknumber"}, {SF_STR_DATE, "date"}, {SF_STR_GENRE, "genre"},
        {SF_STR_COMMENT, "comment"}, {SF_STR_COPYRIGHT, "copyright"},
        {SF_STR_LICENSE, "license"}, {SF_STR_SOFTWARE, "software"},
    };
    std::map<std::string, std::string> tags;
    for (auto [id, key] : keys)
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

UniqueFd open_regular_file(const std::filesystem::path& path)
{
    const std::string subject = path.string();
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
        const int err = errno;
        throw Error(err == ENOENT ? ErrorKind::not_found : ErrorKind::unreadable, subject,
                    std::strerror(err));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        throw Error(ErrorKind::unreadable, subject, std::strerror(errno));
    if (S_ISDIR(st.st_mode))
        throw Error(ErrorKind::unreadable, subject, "is a directory");
    if (!S_ISREG(st.st_mode))
        throw Error(ErrorKind::unreadable, subject, "not a regular file");
    if (st.st_size == 0)
        throw Error(ErrorKind::malformed, subject, "empty file");
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    return fd;
}

}  // namespace

struct Decoder::Impl {
    std::string name;
    std::unique_ptr<MemoryFile> memory;       // a memory source, at a stable address
    SF_VIRTUAL_IO memory_io = MemoryFile::io();
    SndfileHandle file;
    AudioInfo info;
    std::int64_t position = 0;
    std::int64_t seek_preroll = 0;  // frames to decode before a seek target (see seek())

    ~Impl() { file.reset(); }  // sf_close before the bytes it reads from go away

    void finish_open(SNDFILE* opened, const SF_INFO& sf);
    template <typename Sample, typename ReadFn>
    std::size_t read(std::span<Sample> out, ReadFn read_frames);
};

void Decoder::Impl::finish_open(SNDFILE* opened, const SF_INFO& sf)
{
    if (!opened) {
        if (memory && memory->bytes.empty())
            throw Error(ErrorKind::malformed, name, "empty file");
        std::string cause = sf_strerror(nullptr);
        // libsndfile says this when a codec (e.g. mpg123) gives up on a stream it had
        // recognised; the file itself was already opened and checked here.
        if (cause.starts_with("File does not exist or is not a regular file"))
            cause = "corrupt or truncated stream: the decoder could not start";
        throw Error(kind_of_open_failure(sf_error(nullptr)), name, cause);
    }
    file.reset(opened);
    if (sf.channels < 1 || sf.channels > max_channels)
        throw Error(ErrorKind::malformed, name,
                    "header declares " + std::to_string(sf.channels) + " channels");
    if (sf.samplerate < 1 || sf.samplerate > max_sample_rate)
        throw Error(ErrorKind::malformed, name,
                    "header declares a sample rate of " + std::to_string(sf.samplerate) + " Hz");
    if (sf.frames < 0)
        throw Error(ErrorKind::malformed, name, "header declares a negative length");
    info = describe(opened, sf);
    if ((sf.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG)
        seek_preroll = 4 * 1152;  // four MPEG audio frames
}

template <typename Sample, typename ReadFn>
std::size_t Decoder::Impl::read(std::span<Sample> out, ReadFn read_frames)
{
    const auto wanted = static_cast<sf_count_t>(out.size() / static_cast<std::size_t>(info.channels));
    const sf_count_t got = read_frames(file.get(), out.data(), wanted);
    if (got < wanted && sf_error(file.get()) != SF_ERR_NO_ERROR)
        throw Error(ErrorKind::malformed, name, sf_strerror(file.get()));
    position += got;
    return static_cast<std::size_t>(std::max<sf_count_t>(got, 0));
}

Decoder::Decoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;
Decoder::~Decoder() = default;

Decoder Decoder::open(const std::filesystem::path& path)
{
    auto impl = std::make_unique<Impl>();
    impl->name = path.string();
    UniqueFd fd = open_regular_file(path);
    SF_INFO sf{};
    const std::lock_guard lock(open_mutex());
    // libsndfile takes the descriptor: with close_desc it closes it on every path. (Keeping it
    // with SF_FALSE is a trap: 1.2.0 still closes it when the open fails, and closing it again
    // here would close whatever another thread had opened under the same number meanwhile.)
    SNDFILE* opened = sf_open_fd(fd.release(), SFM_READ, &sf, SF_TRUE);
    impl->finish_open(opened, sf);
    return Decoder(std::move(impl));
}

Decoder Decoder::from_memory(std::vector<std::byte> bytes, std::string name)
{
    auto impl = std::make_unique<Impl>();
    impl->name = std::move(name);
    impl->memory = std::make_unique<MemoryFile>(MemoryFile{std::move(bytes)});
    SF_INFO sf{};
    const std::lock_guard lock(open_mutex());
    SNDFILE* opened = impl->memory->bytes.empty()
                          ? nullptr
                          : sf_open_virtual(&impl->memory_io, SFM_READ, &sf, impl->memory.get());
    impl->finish_open(opened, sf);
    return Decoder(std::move(impl));
}

const AudioInfo& Decoder::info() const noexcept { return impl_->info; }
const std::string& Decoder::name() const noexcept { return impl_->name; }
std::int64_t Decoder::position() const noexcept { return impl_->position; }

std::size_t Decoder::read(std::span<float> out)
{
    return impl_->read(out, sf_readf_float);
}

std::size_t Decoder::read_finite(std::span<float> out)
{
    const std::size_t frames = read(out);
    const auto decoded = out.first(frames * static_cast<std::size_t>(impl_->info.channels));
    if (const auto bad = std::find_if(decoded.begin(), decoded.end(), [](float x) { return !std::isfinite(x); });
        bad != decoded.end()) {
        const auto frame = impl_->position - static_cast<std::int64_t>(frames) +
                           (bad - decoded.begin()) / impl_->info.channels;
        throw Error(ErrorKind::non_finite, impl_->name,
                    "NaN or infinite sample at frame " + std::to_string(frame));
    }
    return frames;
}

std::size_t Decoder::read(std::span<std::int32_t> out)
{
    return impl_->read(out, sf_readf_int);
}

void Decoder::expect_complete() const
{
    // SF_COUNT_MAX is libsndfile's "length unknown" (an Ogg without a final granule, a FLAC
    // without a total): nothing was declared, so nothing can be missing.
    const bool length_known = impl_->info.frames != std::numeric_limits<std::int64_t>::max();
    if (length_known && impl_->position < impl_->info.frames)
        throw Error(ErrorKind::truncated, impl_->name,
                    "the stream ends after " + std::to_string(impl_->position) + " of " +
                        std::to_string(impl_->info.frames) + " frames");
}

void Decoder::seek(std::int64_t frame)
{
    if (frame < 0 || frame > impl_->info.frames)
        throw Error(ErrorKind::invalid_argument, impl_->name,
                    "cannot seek to frame " + std::to_string(frame) + " of " +
                        std::to_string(impl_->info.frames));
    // After a seek, libsndfile's mpg123 path lands on the right frame but decodes the first
    // ~2000 samples without the MP3 bit reservoir (garbage). Landing a few MPEG frames early
    // and decoding up to the target makes MP3 seeks sample-exact.
    const std::int64_t preroll = std::min(frame, impl_->seek_preroll);
    if (sf_seek(impl_->file.get(), frame - preroll, SEEK_SET) < 0)
        throw Error(ErrorKind::malformed, impl_->name,
                    std::string("seek failed: ") + sf_strerror(impl_->file.get()));
    impl_->position = frame - preroll;
    std::vector<float> discard(static_cast<std::size_t>(preroll * impl_->info.channels));
    if (preroll > 0 && read(discard) != static_cast<std::size_t>(preroll))
        throw Error(ErrorKind::malformed, impl_->name, "seek failed: stream ended early");
}

}  // namespace tonearm
