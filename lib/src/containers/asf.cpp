// ASF (WMA; decoded through FFmpeg): the header or Data object running past the end of the
// file. The decoder's length comes from a duration in 100 ns units: an estimate.
#include "containers/container.hpp"

#include <algorithm>
#include <array>

namespace tonearm::detail {
namespace {

constexpr std::array<std::uint8_t, 16> header_guid = {0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11,
                                                      0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C};
constexpr std::array<std::uint8_t, 16> data_guid = {0x36, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11,
                                                    0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C};

}  // namespace

bool starts_asf(ByteSource& bytes)
{
    const auto head = bytes.read(0, 16);
    return head.size() == 16 && std::equal(header_guid.begin(), header_guid.end(), head.begin());
}

StreamLength asf_length(ByteSource& bytes)
{
    StreamLength length;
    length.decoder_length_is_estimate = true;
    const std::int64_t file_size = bytes.size();
    for (std::int64_t at = 0; at + 24 <= file_size;) {
        const auto h = bytes.read(at, 24);
        const std::uint64_t size = le64(h.data() + 16);
        const bool data = std::equal(data_guid.begin(), data_guid.end(), h.begin());
        if (size < 24)
            return length;  // a broadcast Data object declares no size
        if (size > static_cast<std::uint64_t>(file_size - at)) {
            length.cut = std::string("the file ends inside its ASF ") + (data ? "Data" : "header") +
                         " object, which declares " + plural(static_cast<std::int64_t>(size), "byte") + " (" +
                         std::to_string(file_size - at) + " present)";
            return length;
        }
        at += static_cast<std::int64_t>(size);
    }
    length.cut = "";
    return length;
}

}  // namespace tonearm::detail
