// tonearm::Decoder: picks the backend that reads the stream (libsndfile first, FFmpeg for
// the rest), keeps the position and enforces what every backend promises alike.
#include "tonearm/decoder.hpp"

#include "byte_source.hpp"
#include "containers/container.hpp"
#include "decoder_backend.hpp"
#if TONEARM_WITH_FFMPEG
#include "ffmpeg_part.hpp"
#endif
#include "tonearm/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace tonearm {
namespace {

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

#if TONEARM_WITH_FFMPEG
// FFmpeg fails to open a cut MP4 ("moov atom not found"): where the container shows the cut,
// that is the verdict, as libsndfile's backend says for the containers it reads.
std::unique_ptr<detail::DecoderBackend> open_ffmpeg(detail::StreamSource source, const std::string& name,
                                                    const StreamLength& length)
{
    try {
        return detail::ffmpeg_part(name).open_decoder(std::move(source), name);
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::malformed && length.shows_cut())
            throw Error(ErrorKind::truncated, name, *length.cut + ": no audio can be decoded");
        throw;
    }
}
#endif

// libsndfile first: it reads what it knows exactly as before. Only a stream it does not
// recognise goes to FFmpeg; if FFmpeg does not recognise it either, libsndfile's verdict stands.
// (The page's default module has libsndfile's alone, its FFmpeg module FFmpeg's alone, and its
// Ogg module both, FFmpeg's for Vorbis: see lib/CMakeLists.txt.)
template <typename MakeSource>
std::unique_ptr<detail::DecoderBackend> open_backend(MakeSource make_source, const std::string& name,
                                                     const StreamLength& length)
{
#if TONEARM_WITH_SNDFILE && TONEARM_WITH_FFMPEG
    try {
        return detail::open_sndfile(make_source(), name, length);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::unsupported)
            throw;
        if (auto backend = open_ffmpeg(make_source(), name, length))
            return backend;
        throw;
    }
#elif TONEARM_WITH_FFMPEG
    if (auto backend = open_ffmpeg(make_source(), name, length))
        return backend;
    throw Error(ErrorKind::unsupported, name, "not a format this build's FFmpeg part reads (M4A, WebM, ADTS, WMA)");
#else
    return detail::open_sndfile(make_source(), name, length);
#endif
}

}  // namespace

struct Decoder::Impl {
    std::string name;
    std::vector<std::byte> memory;         // from_memory's bytes, read in place through `source`
    std::unique_ptr<ByteSource> source;    // what the backends read when there is no file
    StreamLength length;
    std::unique_ptr<detail::DecoderBackend> backend;
    std::int64_t position = 0;
    bool ended = false;  // a decoder error where the container shows the cut ended the stream

    ~Impl() { backend.reset(); }  // before the source it reads goes away

    template <typename Sample>
    std::size_t read(std::span<Sample> out);
};

// Where the container shows the file was cut, the decoder's error is that cut: the stream
// ends here, and truncation() says so.
template <typename Sample>
std::size_t Decoder::Impl::read(std::span<Sample> out)
{
    if (ended)
        return 0;
    std::size_t frames = 0;
    try {
        frames = backend->read(out);
    } catch (const Error&) {
        if (!length.shows_cut())
            throw;
        ended = true;
    }
    position += static_cast<std::int64_t>(frames);
    return frames;
}

Decoder::Decoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;
Decoder::~Decoder() = default;

Decoder Decoder::open(const std::filesystem::path& path)
{
    auto impl = std::make_unique<Impl>();
    impl->name = path.string();
    UniqueFd first = open_regular_file(path);
    struct stat st {};
    ::fstat(first.get(), &st);
    detail::FileBytes bytes(first.get(), st.st_size);  // pread only: the backends start at offset 0
    impl->length = detail::probe_length(detail::sniff_container(bytes), bytes);
    impl->backend = open_backend(
        [&] { return detail::StreamSource{first ? std::move(first) : open_regular_file(path), {}}; }, impl->name,
        impl->length);
    return Decoder(std::move(impl));
}

Decoder Decoder::from_memory(std::vector<std::byte> bytes, std::string name)
{
    auto memory = std::make_unique<detail::MemoryBytes>(
        std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    // The vector's buffer stays where it is when the vector moves, so the view stays valid.
    return from_source(std::move(memory), std::move(name), std::move(bytes));
}

Decoder Decoder::from_source(std::unique_ptr<ByteSource> source, std::string name)
{
    return from_source(std::move(source), std::move(name), {});
}

Decoder Decoder::from_source(std::unique_ptr<ByteSource> source, std::string name, std::vector<std::byte> memory)
{
    auto impl = std::make_unique<Impl>();
    impl->name = std::move(name);
    if (!source || source->size() <= 0)
        throw Error(ErrorKind::malformed, impl->name, "empty file");
    impl->memory = std::move(memory);
    impl->source = std::move(source);
    impl->length = detail::probe_length(detail::sniff_container(*impl->source), *impl->source);
    impl->backend = open_backend([&] { return detail::StreamSource{{}, impl->source.get()}; }, impl->name,
                                 impl->length);
    return Decoder(std::move(impl));
}

const AudioInfo& Decoder::info() const noexcept { return impl_->backend->info(); }
const std::string& Decoder::name() const noexcept { return impl_->name; }
std::int64_t Decoder::position() const noexcept { return impl_->position; }

std::size_t Decoder::read(std::span<float> out) { return impl_->read(out); }
std::size_t Decoder::read(std::span<std::int32_t> out) { return impl_->read(out); }

std::size_t Decoder::read_finite(std::span<float> out)
{
    const std::size_t frames = read(out);
    const AudioInfo& info = this->info();
    // Samples decoded from integers (PCM, FLAC, ALAC) are always finite: no scan, which was a
    // sixth of the page's WAV decode time.
    if (info.lossless && !info.floating_point)
        return frames;
    const int channels = info.channels;
    const auto decoded = out.first(frames * static_cast<std::size_t>(channels));
    if (const auto bad = std::find_if(decoded.begin(), decoded.end(), [](float x) { return !std::isfinite(x); });
        bad != decoded.end()) {
        const auto frame = impl_->position - static_cast<std::int64_t>(frames) + (bad - decoded.begin()) / channels;
        throw Error(ErrorKind::non_finite, impl_->name, "NaN or infinite sample at frame " + std::to_string(frame));
    }
    return frames;
}

const StreamLength& Decoder::length() const noexcept { return impl_->length; }

std::optional<std::string> Decoder::truncation() const
{
    // SF_COUNT_MAX is libsndfile's "length unknown" (an Ogg without a final granule, a FLAC
    // without a total), and an estimated length (ADTS, WebM) was never declared: neither
    // declares anything.
    const AudioInfo& info = this->info();
    const bool declared = info.frames != std::numeric_limits<std::int64_t>::max() && !info.frames_estimated;
    return shortfall(impl_->length, impl_->position, declared ? std::optional(info.frames) : std::nullopt);
}

void Decoder::expect_complete() const
{
    if (auto cut = truncation())
        throw Error(ErrorKind::truncated, impl_->name, std::move(*cut));
}

void Decoder::seek(std::int64_t frame)
{
    const AudioInfo& info = this->info();
    if (frame < 0 || (frame > info.frames && !info.frames_estimated))
        throw Error(ErrorKind::invalid_argument, impl_->name,
                    "cannot seek to frame " + std::to_string(frame) + " of " + std::to_string(info.frames));
    impl_->position = impl_->backend->seek(frame);
    impl_->ended = false;
}

}  // namespace tonearm
