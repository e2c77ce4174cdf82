#include "verifier.hpp"

#include "sample_scan.hpp"
#include "tonearm/decoder.hpp"

#include <cmath>
#include <limits>
#include <vector>

namespace tonearm::detail {
namespace {

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

// Integer sources (PCM, ALAC): exact samples.
void measure_integer(Decoder& decoder, int bits, Measured& m)
{
    const auto channels = static_cast<std::size_t>(decoder.info().channels);
    std::vector<std::int32_t> block(block_frames * channels);
    const std::uint32_t full_scale =
        bits >= 32 ? 0x7FFFFFFFu : ((std::uint32_t{1} << (bits - 1)) - 1) << (32 - bits);
    try {
        while (const std::size_t frames = decoder.read(block)) {
            std::uint32_t clipped = 0;
            scan_integer(block.data(), frames * channels, full_scale, m.max_abs_int, clipped);
            m.clipped += clipped;
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

// Why Decoder::open failed, in check's terms: libsndfile calls a cut or damaged container
// "malformed", and the walk through the container can often say more precisely what is wrong.
void fail_open(CheckResult& result, const ContainerFacts& facts, const Error& e)
{
    if (e.kind() != ErrorKind::malformed)
        return fail(result, check_category(e.kind()), e.cause());
    if (!facts.corrupt.empty())
        return fail(result, CheckCategory::decode, facts.corrupt);
    if (facts.length.shows_cut())
        return fail(result, CheckCategory::truncated, *facts.length.cut);
    fail(result, check_category(e.kind()), e.cause());
}

}  // namespace

void fail(CheckResult& result, CheckCategory category, std::string message)
{
    result.category = category;
    result.message = std::move(message);
}

void verify(Container container, const std::filesystem::path& path, FileBytes& bytes, CheckResult& result)
{
    ContainerFacts facts;
    switch (container) {
    case Container::flac: return verify_flac(bytes, result);
    case Container::wav: facts.length = wav_length(bytes); break;
    case Container::aiff: facts.length = aiff_length(bytes); break;
    case Container::ogg: facts = walk_ogg(bytes); break;
    case Container::mpeg: facts = walk_mpeg(bytes); break;
    case Container::mp4:
    case Container::matroska:
    case Container::adts:
    case Container::asf: facts.length = probe_length(container, bytes); break;
    case Container::unknown: break;
    }
    verify_decoded(path, facts, result);
}

void verify_decoded(const std::filesystem::path& path, const ContainerFacts& facts, CheckResult& result)
{
    std::optional<Decoder> opened;
    try {
        opened.emplace(Decoder::open(path));
    } catch (const Error& e) {
        return fail_open(result, facts, e);
    }
    Decoder& decoder = *opened;
    const AudioInfo& info = decoder.info();
    result.opened = true;
    result.container = info.container;
    result.codec = info.codec;
    result.sample_rate = info.sample_rate;
    result.channels = info.channels;
    // libsndfile says "unknown" with SF_COUNT_MAX (Ogg without a final granule).
    const auto decoder_frames = info.frames != std::numeric_limits<std::int64_t>::max()
                                    ? std::optional<std::int64_t>(info.frames)
                                    : std::nullopt;
    result.declared_frames = facts.length.expected(decoder_frames);

    const bool integer = info.lossless && !info.floating_point && info.bits_per_sample && *info.bits_per_sample <= 32;
    Measured m;
    if (integer)
        measure_integer(decoder, *info.bits_per_sample, m);
    else
        measure_float(decoder, m);
    result.frames = m.frames;
    result.peak = integer ? m.max_abs_int / 2147483648.0 : m.max_abs_float;
    result.clipped = m.clipped;
    result.non_finite = m.non_finite;

    // The container's own evidence first: it says why the decoder stopped, when it did.
    const auto short_by = shortfall(facts.length, m.frames, decoder_frames);
    if (!facts.corrupt.empty())
        fail(result, CheckCategory::decode, facts.corrupt);
    else if (facts.length.shows_cut())
        fail(result, CheckCategory::truncated, *short_by);
    else if (m.error)
        fail(result, CheckCategory::decode, *m.error + " (after " + plural(m.frames, "frame") + ")");
    else if (short_by)
        fail(result, CheckCategory::truncated, *short_by);
    else if (facts.frames_present && m.frames + facts.frames_slack < *facts.frames_present)
        fail(result, CheckCategory::unsupported,
             facts.frames_note + ": the decoder stops after " + std::to_string(m.frames) + " of about " +
                 plural(*facts.frames_present, "frame"));
    else if (m.non_finite > 0)
        fail(result, CheckCategory::non_finite,
             plural(m.non_finite, "non-finite sample") + " (NaN or infinity), the first in frame " +
                 std::to_string(m.first_non_finite_frame));
}

}  // namespace tonearm::detail
