// RIFF WAVE (and RF64/BW64, RIFX): the data chunk's declared size against the bytes present.
// Hand-written: no library reports it. libsndfile shortens the length of a cut file to the
// whole sample frames present, without an error, and ffmpeg decodes what is there.
#include "containers/container.hpp"

#include <cstring>

namespace tonearm::detail {
StreamLength wav_length(ByteSource& bytes)
{
    StreamLength length;
    const auto head = bytes.read(0, 12);
    const bool rf64 = starts_with(head, "RF64") || starts_with(head, "BW64");
    const bool big_endian = starts_with(head, "RIFX");
    const auto u32 = [&](const std::uint8_t* p) { return big_endian ? be32(p) : le32(p); };
    const auto u16 = [&](const std::uint8_t* p) { return big_endian ? be16(p) : le16(p); };
    std::optional<std::uint64_t> ds64_data_size;
    std::uint32_t format_tag = 0;
    std::uint32_t block_align = 0;
    std::int64_t pos = 12;
    while (pos + 8 <= bytes.size()) {
        const auto header = bytes.read(pos, 8);
        std::uint8_t id[4];
        std::memcpy(id, header.data(), 4);
        const std::uint32_t size = u32(header.data() + 4);
        if (std::memcmp(id, "ds64", 4) == 0) {
            const auto body = bytes.read(pos + 8, 16);
            if (body.size() == 16)
                ds64_data_size = le64(body.data() + 8);
        } else if (std::memcmp(id, "fmt ", 4) == 0) {
            const auto body = bytes.read(pos + 8, 26);
            if (body.size() >= 14) {
                format_tag = u16(body.data());
                block_align = u16(body.data() + 12);
                if (format_tag == 0xFFFE && body.size() >= 26)  // WAVE_FORMAT_EXTENSIBLE
                    format_tag = u16(body.data() + 24);         // first bytes of the subformat GUID
            }
        } else if (std::memcmp(id, "data", 4) == 0) {
            std::uint64_t data_size = size;
            const std::int64_t present = bytes.size() - (pos + 8);
            if (rf64 && size == 0xFFFFFFFF && ds64_data_size)
                data_size = *ds64_data_size;
            else if ((!rf64 && size == 0xFFFFFFFF) || (size == 0 && present > 0))
                return length;  // written by a streaming tool that could not seek back: no length
            const bool pcm_like = format_tag == 1 || format_tag == 3 || format_tag == 6 || format_tag == 7;
            if (pcm_like && block_align > 0)
                length.declared = static_cast<std::int64_t>(data_size / block_align);
            length.cut = data_size > static_cast<std::uint64_t>(present)
                             ? "the data chunk declares " + plural(static_cast<std::int64_t>(data_size), "byte") +
                                   " of audio, the file holds " + std::to_string(present)
                             : "";
            return length;
        }
        const std::int64_t next = pos + 8 + size + (size & 1);
        if (next > bytes.size() + (size & 1)) {
            length.cut = "the file ends inside the " + chunk_name(id) + " chunk, before the audio data";
            return length;
        }
        pos = next;
    }
    length.cut = "the file ends before its data chunk";
    return length;
}

}  // namespace tonearm::detail
