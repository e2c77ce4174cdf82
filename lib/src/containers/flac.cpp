// Native FLAC through libFLAC: STREAMINFO (the declared length and the audio's MD5), every
// frame's CRC, and whether the file ends with the stream's final frame.
#include "containers/container.hpp"
#include "sample_scan.hpp"
#include "verifier.hpp"

#include <FLAC/stream_decoder.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

namespace tonearm::detail {
namespace {

struct FlacDecoderDelete {
    void operator()(FLAC__StreamDecoder* decoder) const noexcept { FLAC__stream_decoder_delete(decoder); }
};

// libFLAC reading a ByteSource, and what it reported on the way.
class FlacStream {
public:
    struct Problem {
        FLAC__StreamDecoderErrorStatus status;
        std::int64_t frame;  // index of the frame it concerns (the frames decoded before it)
        std::uint64_t byte;  // where that frame starts, about
    };

    FlacStream(ByteSource& bytes, bool check_md5) : bytes_(bytes), decoder_(FLAC__stream_decoder_new())
    {
        if (!decoder_)
            throw std::bad_alloc();
        FLAC__stream_decoder_set_md5_checking(decoder_.get(), check_md5);
        ok_ = FLAC__stream_decoder_init_stream(decoder_.get(), read, seek, tell, length, eof, write, metadata, error,
                                               this) == FLAC__STREAM_DECODER_INIT_STATUS_OK;
    }

    // Reads the metadata blocks; false if the file ends inside them, or has no STREAMINFO.
    bool read_metadata()
    {
        if (!ok_ || !FLAC__stream_decoder_process_until_end_of_metadata(decoder_.get()))
            return false;
        FLAC__uint64 position = 0;
        if (FLAC__stream_decoder_get_decode_position(decoder_.get(), &position))
            frame_start_ = position;
        return info_ && state() != FLAC__STREAM_DECODER_END_OF_STREAM;
    }
    bool decode_to_end() { return FLAC__stream_decoder_process_until_end_of_stream(decoder_.get()); }
    bool seek(std::uint64_t sample) { return FLAC__stream_decoder_seek_absolute(decoder_.get(), sample); }
    // Ends decoding; false if MD5 checking was on and the audio does not match STREAMINFO's.
    bool finish() { return FLAC__stream_decoder_finish(decoder_.get()); }
    FLAC__StreamDecoderState state() const { return FLAC__stream_decoder_get_state(decoder_.get()); }

    const std::optional<FLAC__StreamMetadata_StreamInfo>& info() const noexcept { return info_; }
    const std::optional<Problem>& problem() const noexcept { return problem_; }
    std::int64_t frames_decoded() const noexcept { return frames_decoded_; }
    std::uint64_t next_sample() const noexcept { return next_sample_; }  // after the last frame decoded

    std::function<void(const FLAC__Frame& frame, const FLAC__int32* const buffer[])> on_frame;

private:
    static FlacStream& self(void* data) { return *static_cast<FlacStream*>(data); }

    static FLAC__StreamDecoderReadStatus read(const FLAC__StreamDecoder*, FLAC__byte buffer[], size_t* bytes,
                                              void* data)
    {
        auto& s = self(data);
        *bytes = s.bytes_.read_into(s.position_, {buffer, *bytes});
        s.position_ += static_cast<std::int64_t>(*bytes);
        return *bytes ? FLAC__STREAM_DECODER_READ_STATUS_CONTINUE : FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM;
    }
    static FLAC__StreamDecoderSeekStatus seek(const FLAC__StreamDecoder*, FLAC__uint64 offset, void* data)
    {
        auto& s = self(data);
        if (offset > static_cast<FLAC__uint64>(s.bytes_.size()))
            return FLAC__STREAM_DECODER_SEEK_STATUS_ERROR;
        s.position_ = static_cast<std::int64_t>(offset);
        return FLAC__STREAM_DECODER_SEEK_STATUS_OK;
    }
    static FLAC__StreamDecoderTellStatus tell(const FLAC__StreamDecoder*, FLAC__uint64* offset, void* data)
    {
        *offset = static_cast<FLAC__uint64>(self(data).position_);
        return FLAC__STREAM_DECODER_TELL_STATUS_OK;
    }
    static FLAC__StreamDecoderLengthStatus length(const FLAC__StreamDecoder*, FLAC__uint64* size, void* data)
    {
        *size = static_cast<FLAC__uint64>(self(data).bytes_.size());
        return FLAC__STREAM_DECODER_LENGTH_STATUS_OK;
    }
    static FLAC__bool eof(const FLAC__StreamDecoder*, void* data)
    {
        auto& s = self(data);
        return s.position_ >= s.bytes_.size();
    }
    static FLAC__StreamDecoderWriteStatus write(const FLAC__StreamDecoder* decoder, const FLAC__Frame* frame,
                                                const FLAC__int32* const buffer[], void* data)
    {
        auto& s = self(data);
        // (libFLAC hands every frame over with a sample number, frame-numbered streams too.)
        s.next_sample_ = frame->header.number.sample_number + frame->header.blocksize;
        s.frames_decoded_ += frame->header.blocksize;
        if (s.on_frame)
            s.on_frame(*frame, buffer);
        FLAC__uint64 position = 0;
        if (FLAC__stream_decoder_get_decode_position(decoder, &position))
            s.frame_start_ = position;
        ++s.frame_index_;
        return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
    }
    static void metadata(const FLAC__StreamDecoder*, const FLAC__StreamMetadata* block, void* data)
    {
        if (block->type == FLAC__METADATA_TYPE_STREAMINFO)
            self(data).info_ = block->data.stream_info;
    }
    static void error(const FLAC__StreamDecoder*, FLAC__StreamDecoderErrorStatus status, void* data)
    {
        auto& s = self(data);
        if (!s.problem_)
            s.problem_ = Problem{status, s.frame_index_, s.frame_start_};
    }

    ByteSource& bytes_;
    std::unique_ptr<FLAC__StreamDecoder, FlacDecoderDelete> decoder_;
    bool ok_ = false;
    std::int64_t position_ = 0;
    std::optional<FLAC__StreamMetadata_StreamInfo> info_;
    std::optional<Problem> problem_;
    std::int64_t frames_decoded_ = 0;
    std::uint64_t next_sample_ = 0;
    std::int64_t frame_index_ = 0;
    std::uint64_t frame_start_ = 0;
};

std::string describe(const FlacStream::Problem& problem)
{
    const std::string frame =
        "FLAC frame " + std::to_string(problem.frame) + " (at byte " + std::to_string(problem.byte) + ")";
    switch (problem.status) {
    case FLAC__STREAM_DECODER_ERROR_STATUS_FRAME_CRC_MISMATCH: return frame + " fails its CRC check";
    case FLAC__STREAM_DECODER_ERROR_STATUS_LOST_SYNC: return "no FLAC frame header at byte " + std::to_string(problem.byte);
    case FLAC__STREAM_DECODER_ERROR_STATUS_BAD_HEADER: return frame + " has a corrupt header";
    case FLAC__STREAM_DECODER_ERROR_STATUS_UNPARSEABLE_STREAM: return frame + " cannot be parsed";
    default: return "corrupt FLAC metadata";
    }
}

std::string hex(const FLAC__byte (&digest)[16])
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    for (const FLAC__byte byte : digest) {
        text += digits[byte >> 4];
        text += digits[byte & 15];
    }
    return text;
}

const std::string final_frame_missing = "the file ends before the stream's final FLAC frame";
const std::string metadata_cut = "the file ends inside the FLAC metadata, before the first audio frame";

// A file that ends early was cut, or its frames are damaged on the way to the end: a cut is a
// truncation, damage a malformed stream. Damage shows as an error before the last frame could
// have begun, a cut only in that last frame or not at all.
bool damaged_before_its_end(const FlacStream& flac, const ByteSource& bytes)
{
    const auto& problem = flac.problem();
    if (!problem || !flac.info())
        return false;
    // STREAMINFO's largest frame, or when the encoder left it out, a frame stored verbatim.
    const auto& info = *flac.info();
    const std::int64_t last_frame = info.max_framesize > 0
                                        ? info.max_framesize
                                        : std::int64_t{info.max_blocksize} * info.channels * info.bits_per_sample / 8 + 64;
    return static_cast<std::int64_t>(problem->byte) + last_frame < bytes.size();
}

// The same question when only a seek failed: decoding from the start answers it (a rare path,
// so its cost is fine).
bool damaged_before_its_end(ByteSource& bytes)
{
    FlacStream scan(bytes, false);
    if (!scan.read_metadata())
        return false;
    scan.decode_to_end();
    return damaged_before_its_end(scan, bytes);
}

}  // namespace

StreamLength flac_length(ByteSource& bytes)
{
    StreamLength length;
    FlacStream flac(bytes, false);
    if (!flac.read_metadata()) {
        if (flac.state() == FLAC__STREAM_DECODER_END_OF_STREAM)
            length.cut = metadata_cut;
        return length;
    }
    const std::uint64_t total = flac.info()->total_samples;
    if (total == 0)
        return length;  // no length stored: a cut cannot be told from the end of the stream
    length.declared = static_cast<std::int64_t>(total);
    // libFLAC seeks by bisection and decodes the frame it lands in, CRC checked: a few reads.
    const bool found = flac.seek(total - 1);
    if (found && flac.next_sample() == total)
        length.cut = "";
    else
        length.cut = damaged_before_its_end(bytes) ? "" : final_frame_missing;
    return length;
}

void verify_flac(ByteSource& bytes, CheckResult& result)
{
    FlacStream flac(bytes, true);
    std::uint32_t max_abs = 0, full_scale = 0x7FFFFFFF;
    flac.on_frame = [&](const FLAC__Frame& frame, const FLAC__int32* const buffer[]) {
        for (unsigned channel = 0; channel < frame.header.channels; ++channel) {
            std::uint32_t clipped = 0;
            scan_integer(buffer[channel], frame.header.blocksize, full_scale, max_abs, clipped);
            result.clipped += clipped;
        }
    };
    if (!flac.read_metadata()) {
        if (flac.state() == FLAC__STREAM_DECODER_END_OF_STREAM)
            fail(result, CheckCategory::truncated, metadata_cut);
        else
            fail(result, CheckCategory::decode,
                 flac.problem() ? describe(*flac.problem()) : "no FLAC STREAMINFO block: not a FLAC stream");
        return;
    }
    const auto& info = *flac.info();
    result.opened = true;
    result.container = std::string(to_string(Container::flac));
    result.codec = "FLAC";
    result.sample_rate = static_cast<int>(info.sample_rate);
    result.channels = static_cast<int>(info.channels);
    const int bits = static_cast<int>(info.bits_per_sample);
    full_scale = bits >= 32 ? 0x7FFFFFFFu : (std::uint32_t{1} << (bits - 1)) - 1;
    const bool stored_md5 = std::any_of(std::begin(info.md5sum), std::end(info.md5sum), [](auto b) { return b != 0; });

    const bool decoded = flac.decode_to_end();
    result.frames = flac.frames_decoded();
    result.peak = static_cast<double>(max_abs) / std::ldexp(1.0, bits - 1);
    StreamLength length;
    if (info.total_samples > 0) {
        length.declared = static_cast<std::int64_t>(info.total_samples);
        length.cut = flac.next_sample() >= info.total_samples ? "" : final_frame_missing;
        result.declared_frames = length.declared;
    }
    const bool md5_matches = flac.finish();
    if (stored_md5 && decoded && !length.shows_cut())
        result.md5 = md5_matches ? Md5Status::match : Md5Status::mismatch;
    else if (!stored_md5)
        result.md5 = Md5Status::absent;
    if (damaged_before_its_end(flac, bytes))
        return fail(result, CheckCategory::decode, describe(*flac.problem()));
    if (auto cut = shortfall(length, result.frames, std::nullopt))
        return fail(result, CheckCategory::truncated, std::move(*cut));
    if (flac.problem())
        return fail(result, CheckCategory::decode, describe(*flac.problem()));
    if (!decoded)
        return fail(result, CheckCategory::decode,
                    std::string("libFLAC stopped: ") + FLAC__StreamDecoderStateString[flac.state()]);
    if (result.md5 == Md5Status::mismatch)
        fail(result, CheckCategory::md5_mismatch,
             "the decoded audio does not match the MD5 signature in STREAMINFO (" + hex(info.md5sum) + ")");
}

}  // namespace tonearm::detail
