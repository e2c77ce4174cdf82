#include "tonearm/batch_check.hpp"

#include "container_probe.hpp"
#include "md5.hpp"
#include "tonearm/decoder.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <thread>

namespace tonearm {

std::string_view to_string(CheckCategory category) noexcept
{
    switch (category) {
    case CheckCategory::none: return "";
    case CheckCategory::open: return "open";
    case CheckCategory::unsupported: return "unsupported";
    case CheckCategory::truncated: return "truncated";
    case CheckCategory::decode: return "decode";
    case CheckCategory::non_finite: return "non_finite";
    case CheckCategory::md5_mismatch: return "md5_mismatch";
    }
    return "decode";
}

CheckCategory check_category(ErrorKind kind) noexcept
{
    switch (kind) {
    case ErrorKind::not_found:
    case ErrorKind::unreadable: return CheckCategory::open;
    case ErrorKind::unsupported: return CheckCategory::unsupported;
    case ErrorKind::truncated: return CheckCategory::truncated;
    case ErrorKind::non_finite: return CheckCategory::non_finite;
    case ErrorKind::md5_mismatch: return CheckCategory::md5_mismatch;
    default: return CheckCategory::decode;
    }
}

std::string_view to_string(Md5Status status) noexcept
{
    switch (status) {
    case Md5Status::not_applicable: return "";
    case Md5Status::absent: return "absent";
    case Md5Status::match: return "ok";
    case Md5Status::mismatch: return "mismatch";
    }
    return "";
}

std::vector<std::string> InputListOptions::default_extensions()
{
    // What libsndfile decodes in this build. Other files in walked directories (cover art,
    // cue sheets, AAC) are counted as skipped rather than failed as `unsupported`.
    return {"aif", "aifc", "aiff", "au", "bwf", "caf", "flac", "mp1", "mp2", "mp3", "oga",
            "ogg", "opus", "rf64", "snd", "w64", "wav", "wave"};
}

namespace {

using detail::Md5;
using namespace detail;

// ---------------------------------------------------------------------------------------
// Decoding and measuring.

constexpr std::size_t block_frames = 4096;

struct Measured {
    std::int64_t frames = 0;
    std::uint32_t max_abs_int = 0;  // integer path: |v| of left-justified 32-bit samples
    float max_abs_float = 0.0f;     // float path
    std::int64_t clipped = 0;
    std::int64_t non_finite = 0;
    std::int64_t first_non_finite_frame = -1;
    std::optional<std::string> error;  // decoding stopped with this error
};

// The per-sample loops are built for AVX2 as well as the baseline, picked at run time: AVX2
// has the unsigned 32-bit max and eight lanes, which halves the time they take.
// (Not under sanitizers: their runtimes and ifunc resolvers do not mix.)
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TONEARM_NO_CLONES
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define TONEARM_NO_CLONES
#endif
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__EMSCRIPTEN__) && !defined(TONEARM_NO_CLONES)
#define TONEARM_SAMPLE_LOOP __attribute__((target_clones("avx2", "default")))
#else
#define TONEARM_SAMPLE_LOOP
#endif

// Peak (as |v| of left-justified samples) and the samples at full scale, over one block.
TONEARM_SAMPLE_LOOP
void scan_integer(const std::int32_t* samples, std::size_t count, std::uint32_t full_scale, std::uint32_t& max_abs,
                  std::uint32_t& clipped)
{
    std::uint32_t peak = max_abs, at_full_scale = 0;  // 32 bits: no widening in the loop
    for (std::size_t i = 0; i < count; ++i) {
        const std::int32_t v = samples[i];
        const std::uint32_t a = v < 0 ? 0u - static_cast<std::uint32_t>(v) : static_cast<std::uint32_t>(v);
        peak = std::max(peak, a);
        at_full_scale += a >= full_scale;
    }
    max_abs = peak;
    clipped = at_full_scale;
}

// The same for float samples, which may also be NaN or infinite.
TONEARM_SAMPLE_LOOP
void scan_float(const float* samples, std::size_t count, float& max_abs, std::uint32_t& clipped,
                std::uint32_t& non_finite)
{
    float peak = max_abs;
    std::uint32_t over = 0, bad = 0;
    for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, &samples[i], sizeof bits);  // (std::bit_cast is missing in Emscripten's libc++)
        const bool finite = (bits & 0x7F800000u) != 0x7F800000u;
        const float a = finite ? std::fabs(samples[i]) : 0.0f;
        peak = std::max(peak, a);
        over += a >= 1.0f;
        bad += !finite;
    }
    max_abs = peak;
    clipped = over;
    non_finite = bad;
}

// What libFLAC feeds its MD5: each sample right-justified, little-endian, signed, in
// ceil(bits / 8) bytes.
// `out` has room for one byte more than count * Bytes.
template <int Bytes>
TONEARM_SAMPLE_LOOP void pack_le(const std::int32_t* samples, std::size_t count, int shift, std::uint8_t* out)
{
    if constexpr (Bytes == 3 && std::endian::native == std::endian::little) {
        // Whole-word stores that overlap are much faster than three byte stores each.
        for (std::size_t i = 0; i < count; ++i) {
            const auto s = static_cast<std::uint32_t>(samples[i] >> shift);
            std::memcpy(out + 3 * i, &s, 4);
        }
    } else {
        for (std::size_t i = 0; i < count; ++i) {
            const auto s = static_cast<std::uint32_t>(samples[i] >> shift);
            for (int k = 0; k < Bytes; ++k)
                out[i * Bytes + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(s >> (8 * k));
        }
    }
}

// Integer sources (PCM, FLAC, ALAC): exact samples, and the FLAC MD5 over them.
void measure_integer(Decoder& decoder, int bits, Md5* md5, int md5_bits, Measured& m)
{
    const auto channels = static_cast<std::size_t>(decoder.info().channels);
    std::vector<std::int32_t> block(block_frames * channels);
    std::vector<std::uint8_t> bytes;
    const std::uint32_t full_scale =
        bits >= 32 ? 0x7FFFFFFFu : ((std::uint32_t{1} << (bits - 1)) - 1) << (32 - bits);
    const int md5_bytes = (md5_bits + 7) / 8;
    const int md5_shift = 32 - md5_bits;
    try {
        while (const std::size_t frames = decoder.read(block)) {
            const std::size_t count = frames * channels;
            std::uint32_t clipped = 0;
            scan_integer(block.data(), count, full_scale, m.max_abs_int, clipped);
            m.clipped += clipped;
            if (md5) {
                bytes.resize(count * static_cast<std::size_t>(md5_bytes) + 1);
                switch (md5_bytes) {
                case 1: pack_le<1>(block.data(), count, md5_shift, bytes.data()); break;
                case 2: pack_le<2>(block.data(), count, md5_shift, bytes.data()); break;
                case 3: pack_le<3>(block.data(), count, md5_shift, bytes.data()); break;
                default: pack_le<4>(block.data(), count, md5_shift, bytes.data()); break;
                }
                md5->update(std::span(bytes).first(bytes.size() - 1));
            }
            m.frames += static_cast<std::int64_t>(frames);
        }
    } catch (const Error& e) {
        m.frames = decoder.position();
        m.error = e.cause();
    }
}

// Float and lossy sources: peak, clipping at |x| >= 1, and non-finite samples.
void measure_float(Decoder& decoder, Measured& m)
{
    const auto channels = static_cast<std::size_t>(decoder.info().channels);
    std::vector<float> block(block_frames * channels);
    try {
        while (const std::size_t frames = decoder.read(block)) {
            const std::size_t count = frames * channels;
            std::uint32_t clipped = 0, non_finite = 0;
            scan_float(block.data(), count, m.max_abs_float, clipped, non_finite);
            if (non_finite > 0 && m.first_non_finite_frame < 0)
                for (std::size_t i = 0; i < count; ++i)
                    if (!std::isfinite(block[i])) {
                        m.first_non_finite_frame = m.frames + static_cast<std::int64_t>(i / channels);
                        break;
                    }
            m.clipped += clipped;
            m.non_finite += non_finite;
            m.frames += static_cast<std::int64_t>(frames);
        }
    } catch (const Error& e) {
        m.frames = decoder.position();
        m.error = e.cause();
    }
}

void fail(CheckResult& result, CheckCategory category, std::string message)
{
    result.category = category;
    result.message = std::move(message);
}

std::string frames_text(std::int64_t decoded, std::optional<std::int64_t> declared)
{
    return declared ? std::to_string(decoded) + " of " + plural(*declared, "frame") : plural(decoded, "frame");
}

// Why Decoder::open failed, in check's terms. libsndfile calls a cut or damaged container
// "malformed"; the container probe can often say more precisely what is wrong.
void fail_open(CheckResult& result, FileReader& file, const ContainerFacts& facts, const Error& e)
{
    if (e.kind() != ErrorKind::malformed)
        return fail(result, check_category(e.kind()), e.cause());
    if (file.ok() && file.size() == 0)
        return fail(result, CheckCategory::truncated, "empty file (0 bytes)");
    if (!facts.corrupt.empty())
        return fail(result, CheckCategory::decode, facts.corrupt);
    if (!facts.truncated.empty())
        return fail(result, CheckCategory::truncated, facts.truncated);
    if (file.ok() && skip_id3v2(file) > file.size())
        return fail(result, CheckCategory::truncated, "the file ends inside its ID3v2 tag");
    const auto mpeg = file.ok() ? walk_mpeg(file) : std::nullopt;
    if (mpeg && !mpeg->truncated.empty())
        return fail(result, CheckCategory::truncated, mpeg->truncated);
    if (mpeg && mpeg->declared_frames && mpeg->frames - 1 < *mpeg->declared_frames)
        return fail(result, CheckCategory::truncated,
                    "the file holds " + std::to_string(mpeg->frames - 1) + " of the " +
                        plural(*mpeg->declared_frames, "MPEG audio frame") + " its Xing header declares");
    fail(result, check_category(e.kind()), e.cause());
}

void check_decoded(const std::filesystem::path& path, CheckResult& result)
{
    FileReader file(path);
    ContainerFacts facts = probe_container(file);

    std::optional<Decoder> opened;
    try {
        opened.emplace(Decoder::open(path));
    } catch (const Error& e) {
        fail_open(result, file, facts, e);
        return;
    }
    Decoder& decoder = *opened;
    const AudioInfo& info = decoder.info();
    result.opened = true;
    result.container = info.container;
    result.codec = info.codec;
    result.sample_rate = info.sample_rate;
    result.channels = info.channels;

    // What the stream declares. libsndfile says "unknown" with SF_COUNT_MAX (Ogg without a
    // final granule, FLAC without a total), and for an MP3 without a Xing/Info/VBRI header
    // its count is an estimate from the file size, not a declaration.
    std::optional<MpegStream> mpeg;
    if (info.container == "MPEG")
        mpeg = walk_mpeg(file);
    if (facts.declared_frames)
        result.declared_frames = facts.declared_frames;
    else if (info.frames != std::numeric_limits<std::int64_t>::max() && !(mpeg && !mpeg->length_header) &&
             !(info.container == "MPEG" && !mpeg))
        result.declared_frames = info.frames;

    const bool integer = info.lossless && !info.floating_point && info.bits_per_sample &&
                         *info.bits_per_sample <= 32;
    const bool flac = facts.flac && info.container == "FLAC";  // a FLAC stream, not FLAC in Ogg
    const bool flac_md5 = flac &&
                          std::any_of(facts.flac->md5.begin(), facts.flac->md5.end(), [](auto b) { return b != 0; });
    if (flac)
        result.md5 = flac_md5 ? Md5Status::match : Md5Status::absent;

    Measured m;
    Md5 md5;
    if (integer)
        measure_integer(decoder, *info.bits_per_sample, flac_md5 ? &md5 : nullptr,
                        facts.flac ? facts.flac->bits_per_sample : 32, m);
    else
        measure_float(decoder, m);
    result.frames = m.frames;
    result.peak = integer ? m.max_abs_int / 2147483648.0 : m.max_abs_float;
    result.clipped = m.clipped;
    result.non_finite = m.non_finite;
    if (flac_md5 && (m.error || (result.declared_frames && m.frames != *result.declared_frames)))
        result.md5 = Md5Status::not_applicable;  // not verified: the audio did not decode completely

    const auto frames = frames_text(m.frames, result.declared_frames);
    if (!facts.corrupt.empty()) {
        fail(result, CheckCategory::decode, facts.corrupt);
    } else if (!facts.truncated.empty()) {
        fail(result, CheckCategory::truncated, facts.truncated + " (decoded " + frames + ")");
    } else if (mpeg && !mpeg->truncated.empty()) {
        fail(result, CheckCategory::truncated, mpeg->truncated + " (decoded " + frames + ")");
    } else if (m.error) {
        // libsndfile 1.2.0 sometimes loses the reason ("No Error"); say what is known.
        std::string cause = *m.error == "No Error" ? "decoder error" : *m.error;
        if (cause.starts_with("Error : "))
            cause.erase(0, 8);
        if (facts.flac && !flac_ends_with_final_frame(file, *facts.flac, facts.flac_frames_offset))
            fail(result, CheckCategory::truncated,
                 "the stream ends after " + frames + ", without its final FLAC frame");
        else if (auto corrupt = facts.flac ? flac_first_corrupt_frame(file, *facts.flac, facts.flac_frames_offset)
                                           : std::string();
                 !corrupt.empty())
            fail(result, CheckCategory::decode, corrupt + " (" + cause + " after " + frames + ")");
        else
            fail(result, CheckCategory::decode, cause + " after " + frames);
    } else if (result.declared_frames && m.frames < *result.declared_frames) {
        fail(result, CheckCategory::truncated, "the stream ends after " + frames);
    } else if (mpeg && m.frames + 4 * 1152 < mpeg->samples) {
        // libsndfile never reads past the length it took from the header (or estimated from the
        // file size without one): the rest of the file cannot be decoded here. (Four MPEG frames
        // of slack: the Xing frame itself, the encoder's delay and padding.)
        fail(result, CheckCategory::unsupported,
             std::string(mpeg->length_header ? "the MP3's Xing/Info/VBRI header declares less than the file holds"
                                             : "MP3 without a Xing/Info/VBRI length header") +
                 ": libsndfile stops after " + std::to_string(m.frames) + " of about " +
                 plural(mpeg->samples, "frame"));
    } else if (m.non_finite > 0) {
        fail(result, CheckCategory::non_finite,
             plural(m.non_finite, "non-finite sample") + " (NaN or infinity), the first in frame " +
                 std::to_string(m.first_non_finite_frame));
    } else if (flac_md5) {
        const auto digest = md5.finish();
        if (digest != facts.flac->md5) {
            result.md5 = Md5Status::mismatch;
            if (auto corrupt = flac_first_corrupt_frame(file, *facts.flac, facts.flac_frames_offset); !corrupt.empty())
                fail(result, CheckCategory::decode, std::move(corrupt));
            else
                fail(result, CheckCategory::md5_mismatch,
                     "the decoded audio has MD5 " + Md5::hex(digest) + ", STREAMINFO stores " +
                         Md5::hex(facts.flac->md5));
        }
    } else if (flac) {
        // No MD5 to catch a frame that failed its CRC (and was decoded as silence): check them.
        if (auto corrupt = flac_first_corrupt_frame(file, *facts.flac, facts.flac_frames_offset); !corrupt.empty())
            fail(result, CheckCategory::decode, std::move(corrupt));
    }
}

}  // namespace

CheckResult check_file(const std::filesystem::path& path)
{
    const auto start = std::chrono::steady_clock::now();
    CheckResult result;
    result.path = path;
    try {
        check_decoded(path, result);
    } catch (const Error& e) {
        fail(result, check_category(e.kind()), e.cause());
    } catch (const std::bad_alloc&) {
        fail(result, CheckCategory::decode, "out of memory (absurd sizes in the header?)");
    } catch (const std::exception& e) {
        fail(result, CheckCategory::decode, e.what());
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

// ---------------------------------------------------------------------------------------
// Listing.

namespace {

struct Lister {
    const InputListOptions& options;
    InputList& list;
    std::set<std::pair<dev_t, ino_t>> walked;  // directories, by identity: no loops, no repeats

    bool wanted(const std::filesystem::path& path) const
    {
        if (options.extensions.empty())
            return true;
        std::string ext = path.extension().string();
        if (ext.size() < 2)
            return false;
        ext.erase(0, 1);
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
        return std::any_of(options.extensions.begin(), options.extensions.end(),
                           [&](const std::string& wanted) { return wanted == ext; });
    }

    // Whether `path` (symlinks followed) is a directory not walked yet; marks it walked.
    bool first_visit_of_directory(const std::filesystem::path& path, bool& is_directory)
    {
        struct stat st {};
        is_directory = ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
        return is_directory && walked.insert({st.st_dev, st.st_ino}).second;
    }

    void walk(const std::filesystem::path& directory)
    {
        std::error_code ec;
        std::vector<std::filesystem::path> entries;
        for (auto it = std::filesystem::directory_iterator(directory, ec);
             !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
            entries.push_back(it->path());
        if (ec)
            list.inputs.push_back({directory, Error(ErrorKind::unreadable, directory.string(),
                                                    "cannot list the directory: " + ec.message())});
        std::sort(entries.begin(), entries.end(),
                  [](const auto& a, const auto& b) { return a.filename().native() < b.filename().native(); });
        for (const auto& entry : entries) {
            if (entry.filename().native().starts_with('.'))
                continue;
            bool is_directory = false;
            if (first_visit_of_directory(entry, is_directory))
                walk(entry);
            else if (!is_directory && wanted(entry))
                list.inputs.push_back({entry, std::nullopt});
            else if (!is_directory)
                ++list.skipped;
        }
    }
};

}  // namespace

InputList list_inputs(std::span<const std::filesystem::path> paths, const InputListOptions& options)
{
    InputListOptions normalised = options;
    for (auto& ext : normalised.extensions) {
        if (ext.starts_with('.'))
            ext.erase(0, 1);
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    }
    InputList list;
    Lister lister{normalised, list, {}};
    for (const auto& path : paths) {
        bool is_directory = false;
        if (lister.first_visit_of_directory(path, is_directory))
            lister.walk(path);
        else if (!is_directory)
            list.inputs.push_back({path, std::nullopt});  // named explicitly: always checked
    }
    return list;
}

// ---------------------------------------------------------------------------------------
// Checking in parallel.

std::vector<CheckResult> check_all(std::span<const CheckInput> inputs, const CheckAllOptions& options)
{
    const std::size_t total = inputs.size();
    std::vector<CheckResult> results(total);
    if (total == 0)
        return results;

    std::mutex mutex;
    std::condition_variable changed;
    std::vector<char> ready(total, 0);  // guarded by mutex
    std::size_t done = 0;               // guarded by mutex
    std::atomic<std::size_t> next{0};

    const auto work = [&] {
        for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < total;) {
            CheckResult result;
            if (inputs[i].problem) {
                result.path = inputs[i].path;
                fail(result, check_category(inputs[i].problem->kind()), inputs[i].problem->cause());
            } else {
                result = check_file(inputs[i].path);
            }
            {
                const std::lock_guard lock(mutex);
                results[i] = std::move(result);
                ready[i] = 1;
                ++done;
            }
            changed.notify_one();
        }
    };

    // std::thread joined by hand: Emscripten's libc++ has no std::jthread.
    struct Pool {
        std::vector<std::thread> threads;
        ~Pool()
        {
            for (auto& thread : threads)
                thread.join();
        }
    } pool;
    const auto jobs = static_cast<std::size_t>(std::clamp<unsigned>(options.jobs, 1, 1024));
    pool.threads.reserve(std::min(jobs, total));
    for (std::size_t k = 0; k < std::min(jobs, total); ++k)
        pool.threads.emplace_back(work);

    // The calling thread reports: progress after each file, results in input order. A slot
    // is only read after its ready flag was seen under the mutex, and never written again.
    std::size_t delivered = 0, reported = 0;
    std::unique_lock lock(mutex);
    while (delivered < total) {
        changed.wait(lock, [&] { return done > reported; });
        reported = done;
        std::size_t deliverable = delivered;
        while (deliverable < total && ready[deliverable])
            ++deliverable;
        lock.unlock();
        if (options.on_progress)
            options.on_progress(reported, total);
        for (; delivered < deliverable; ++delivered)
            if (options.on_result)
                options.on_result(delivered, results[delivered]);
        lock.lock();
    }
    lock.unlock();
    return results;  // (the pool joins its threads first)
}

}  // namespace tonearm
