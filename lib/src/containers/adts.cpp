// Raw ADTS AAC (decoded through FFmpeg): a last frame shorter than its header says. ADTS
// declares no length; the decoder's is an estimate from the bit rate.
#include "containers/container.hpp"

namespace tonearm::detail {
namespace {

bool adts_sync(std::span<const std::uint8_t> h)
{
    return h.size() >= 7 && h[0] == 0xFF && (h[1] & 0xF6) == 0xF0;  // 12 sync bits, layer 0
}

}  // namespace

bool starts_adts_stream(ByteSource& bytes)
{
    return adts_sync(bytes.read(skip_id3v2(bytes), 7));
}

StreamLength adts_length(ByteSource& bytes)
{
    StreamLength length;
    length.decoder_length_is_estimate = true;
    const std::int64_t file_size = bytes.size();
    for (std::int64_t at = skip_id3v2(bytes); at + 7 <= file_size;) {
        const auto h = bytes.read(at, 7);
        if (!adts_sync(h))
            return length;  // a trailing tag, or damage the decoder will report
        const std::int64_t frame = (h[3] & 0x03) << 11 | h[4] << 3 | h[5] >> 5;
        if (frame < 7)
            return length;
        if (at + frame > file_size) {
            length.cut = "the last ADTS frame declares " + plural(frame, "byte") + " (" +
                         std::to_string(file_size - at) + " present)";
            return length;
        }
        at += frame;
    }
    length.cut = "";
    return length;
}

}  // namespace tonearm::detail
