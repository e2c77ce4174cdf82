// AIFF/AIFC: the frame count in COMM against the sound data (SSND) present. Hand-written: no
// library reports it; libsndfile shortens the length of a cut file to the frames present.
#include "containers/container.hpp"

#include <cstring>

namespace tonearm::detail {

StreamLength aiff_length(ByteSource& bytes)
{
    StreamLength length;
    length.cut = "";
    bool sound_data = false;
    std::int64_t pos = 12;
    while (pos + 8 <= bytes.size()) {
        const auto header = bytes.read(pos, 8);
        std::uint8_t id[4];
        std::memcpy(id, header.data(), 4);
        const std::uint32_t size = be32(header.data() + 4);
        if (std::memcmp(id, "COMM", 4) == 0) {
            const auto body = bytes.read(pos + 8, 6);
            if (body.size() == 6)
                length.declared = be32(body.data() + 2);
        }
        const bool ssnd = std::memcmp(id, "SSND", 4) == 0;
        sound_data = sound_data || ssnd;
        const std::int64_t next = pos + 8 + size + (size & 1);
        if (next > bytes.size() + (size & 1)) {
            length.cut = ssnd ? "the SSND chunk declares " + plural(size, "byte") + ", the file holds " +
                                    std::to_string(bytes.size() - pos - 8)
                              : "the file ends inside the " + chunk_name(id) + " chunk";
            return length;
        }
        pos = next;
    }
    if (!sound_data && length.declared.value_or(0) > 0)
        length.cut = "the file ends before its sound data (SSND chunk)";
    return length;
}

}  // namespace tonearm::detail
