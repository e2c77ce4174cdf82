// Matroska/WebM (Opus, Vorbis, AAC; decoded through FFmpeg): the Segment, or an element at its
// top level (clusters of audio, cues, tags), that runs past the end of the file. Matroska
// declares a duration in milliseconds at best, so the decoder's length is an estimate.
#include "containers/container.hpp"

#include <optional>

namespace tonearm::detail {
namespace {

constexpr std::uint32_t ebml_header_id = 0x1A45DFA3;
constexpr std::uint32_t segment_id = 0x18538067;

// An EBML variable-length integer at `at`: its value and length; empty if malformed.
struct Vint {
    std::uint64_t value;
    int length;
    bool unknown;  // all value bits set: "size unknown" (a live stream)
};
std::optional<Vint> read_vint(std::span<const std::uint8_t> b, std::size_t at, bool keep_marker)
{
    if (at >= b.size() || b[at] == 0)
        return std::nullopt;
    int length = 1;
    while (!(b[at] & (0x80 >> (length - 1))))
        ++length;
    if (at + static_cast<std::size_t>(length) > b.size())
        return std::nullopt;
    std::uint64_t value = keep_marker ? b[at] : b[at] & (0xFF >> length);
    bool all_ones = (b[at] & (0xFF >> length)) == (0xFF >> length);
    for (int i = 1; i < length; ++i) {
        value = value << 8 | b[at + static_cast<std::size_t>(i)];
        all_ones = all_ones && b[at + static_cast<std::size_t>(i)] == 0xFF;
    }
    return Vint{value, length, all_ones};
}

// An element header at `offset`: its id, where its body starts, and its size.
struct Element {
    std::uint64_t id;
    std::int64_t body;
    std::optional<std::uint64_t> size;  // empty: unknown
};
std::optional<Element> read_element(ByteSource& bytes, std::int64_t offset)
{
    const auto b = bytes.read(offset, 12);
    const auto id = read_vint(b, 0, true);
    const auto size = id ? read_vint(b, static_cast<std::size_t>(id->length), false) : std::nullopt;
    if (!size)
        return std::nullopt;
    return Element{id->value, offset + id->length + size->length,
                   size->unknown ? std::nullopt : std::optional(size->value)};
}

std::string of_present(std::uint64_t declared, std::int64_t present)
{
    return "declares " + plural(static_cast<std::int64_t>(declared), "byte") + " (" + std::to_string(present) +
           " present)";
}

}  // namespace

bool starts_matroska(ByteSource& bytes)
{
    const auto head = bytes.read(0, 4);
    return head.size() == 4 && be32(head.data()) == ebml_header_id;
}

StreamLength matroska_length(ByteSource& bytes)
{
    StreamLength length;
    length.decoder_length_is_estimate = true;
    const std::int64_t file_size = bytes.size();
    const auto header = read_element(bytes, 0);
    if (!header || header->id != ebml_header_id || !header->size)
        return length;
    const auto segment = read_element(bytes, header->body + static_cast<std::int64_t>(*header->size));
    if (!segment || segment->id != segment_id)
        return length;
    const std::int64_t present = file_size - segment->body;
    if (segment->size && *segment->size > static_cast<std::uint64_t>(present)) {
        length.cut = "the file ends inside its Matroska Segment, which " + of_present(*segment->size, present);
        return length;
    }
    // A Segment of unknown size (written live) ends with the file: its top-level elements
    // must each fit.
    const std::int64_t end = segment->size ? segment->body + static_cast<std::int64_t>(*segment->size) : file_size;
    for (std::int64_t at = segment->body; at < end;) {
        const auto element = read_element(bytes, at);
        if (!element || !element->size)
            return length;  // unknown sizes or garbage: only decoding can tell
        const std::int64_t element_end = element->body + static_cast<std::int64_t>(*element->size);
        if (element_end > file_size) {
            length.cut = "the file ends inside a Matroska element at byte " + std::to_string(at) + ", which " +
                         of_present(*element->size, file_size - element->body);
            return length;
        }
        at = element_end;
    }
    length.cut = "";
    return length;
}

}  // namespace tonearm::detail
