// MPEG audio (MP1/MP2/MP3): frame headers, the Xing/Info/VBRI length header, the last frame
// whole. Hand-written: mpg123 (libsndfile's MP3 decoder) resynchronises over anything and
// reports neither a cut last frame, nor how many frames a file holds past its Xing count.
#include "containers/container.hpp"

#include <algorithm>

namespace tonearm::detail {
namespace {

struct MpegHeader {
    int version;  // 1, 2, or 25 (MPEG 2.5)
    int layer;
    int sample_rate;
    std::uint32_t length;  // bytes, header included
    int samples;           // per frame
    bool crc;
    bool mono;
    std::uint32_t fixed_bits;  // what must not change from frame to frame
};

std::optional<MpegHeader> parse_header(std::span<const std::uint8_t> bytes)
{
    static constexpr int bitrates[2][3][15] = {
        {{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
         {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
         {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}},
        {{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
         {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
         {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}}};
    static constexpr int rates[3] = {44100, 48000, 32000};
    if (bytes.size() < 4 || bytes[0] != 0xFF || (bytes[1] & 0xE0) != 0xE0)
        return std::nullopt;
    const unsigned version_bits = (bytes[1] >> 3) & 3, layer_bits = (bytes[1] >> 1) & 3;
    const unsigned bitrate_index = bytes[2] >> 4, rate_index = (bytes[2] >> 2) & 3;
    if (version_bits == 1 || layer_bits == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3)
        return std::nullopt;  // reserved values, or free format (no computable frame length)
    MpegHeader h{};
    h.version = version_bits == 3 ? 1 : version_bits == 2 ? 2 : 25;
    h.layer = 4 - static_cast<int>(layer_bits);
    h.sample_rate = rates[rate_index] >> (h.version == 1 ? 0 : h.version == 2 ? 1 : 2);
    const int bitrate = 1000 * bitrates[h.version == 1 ? 0 : 1][h.layer - 1][bitrate_index];
    const bool padding = bytes[2] & 2;
    if (h.layer == 1) {
        h.samples = 384;
        h.length = static_cast<std::uint32_t>((12 * bitrate / h.sample_rate + padding) * 4);
    } else {
        h.samples = h.layer == 3 && h.version != 1 ? 576 : 1152;
        h.length = static_cast<std::uint32_t>(h.samples / 8 * bitrate / h.sample_rate + padding);
    }
    h.crc = !(bytes[1] & 1);
    h.mono = (bytes[3] >> 6) == 3;
    h.fixed_bits = (std::uint32_t{bytes[1]} & 0xFE) << 8 | (bytes[2] & 0x0C);
    return h;
}

// A header whose successor is a header of the same stream too (or the end of the file).
std::optional<MpegHeader> confirmed_header(ByteSource& bytes, std::int64_t at)
{
    const auto h = parse_header(bytes.read(at, 4));
    if (!h)
        return std::nullopt;
    const std::int64_t next = at + h->length;
    if (next >= bytes.size())
        return next == bytes.size() ? h : std::nullopt;
    const auto n = parse_header(bytes.read(next, 4));
    return n && n->fixed_bits == h->fixed_bits ? h : std::nullopt;
}

// The stream's first frame, and what its Xing/Info or VBRI header says.
struct FirstFrame {
    std::int64_t offset = 0;
    MpegHeader header{};
    bool length_header = false;                   // Xing, Info (LAME) or VBRI: the length is declared
    std::optional<std::int64_t> declared_frames;  // MPEG frames, from a Xing/Info header
    std::optional<std::int64_t> declared_bytes;   // the stream's bytes, from Xing/Info or VBRI
    std::string cut;                              // the file ends before a first whole frame
};

std::optional<FirstFrame> find_first_frame(ByteSource& bytes, bool search)
{
    FirstFrame first;
    std::int64_t pos = skip_id3v2(bytes);
    if (pos > bytes.size()) {
        first.cut = "the file ends inside its ID3v2 tag";
        return first;
    }
    if (const auto h = parse_header(bytes.read(pos, 4)); h && pos + h->length > bytes.size()) {
        first.cut = "the file ends inside its first MPEG audio frame";
        return first;
    }
    std::optional<MpegHeader> header;
    const std::int64_t search_end = search ? std::min(bytes.size(), pos + (std::int64_t{1} << 16)) : pos + 1;
    for (; pos < search_end && !(header = confirmed_header(bytes, pos)); ++pos) {
    }
    if (!header)
        return std::nullopt;
    first.offset = pos;
    first.header = *header;
    const auto frame = bytes.read(pos, 4 + 2 + 32 + 4 + 12);
    const std::size_t side_info = header->version == 1 ? (header->mono ? 17 : 32) : (header->mono ? 9 : 17);
    const std::size_t xing_at = 4 + (header->crc ? 2 : 0) + side_info;
    if (starts_with(frame, "Xing", xing_at) || starts_with(frame, "Info", xing_at)) {
        first.length_header = true;
        const auto fields = bytes.read(pos + static_cast<std::int64_t>(xing_at) + 4, 12);
        if (fields.size() == 12) {
            const std::uint32_t flags = be32(fields.data());
            std::size_t at = 4;
            if (flags & 1) {
                first.declared_frames = be32(fields.data() + at);
                at += 4;
            }
            if (flags & 2)
                first.declared_bytes = be32(fields.data() + at);
        }
    } else if (starts_with(frame, "VBRI", 36)) {
        first.length_header = true;
        if (frame.size() >= 36 + 14)
            first.declared_bytes = be32(frame.data() + 36 + 10);
    }
    return first;
}

}  // namespace

bool starts_mpeg_stream(ByteSource& bytes, bool tagged)
{
    // After an ID3v2 tag a cut first frame still says MP3; without one, only a whole frame does.
    const auto first = find_first_frame(bytes, tagged);
    return first && (tagged || first->cut.empty());
}

StreamLength mpeg_length(ByteSource& bytes)
{
    StreamLength length;
    const auto first = find_first_frame(bytes, true);
    if (!first)
        return length;
    if (!first->cut.empty()) {
        length.cut = first->cut;
        return length;
    }
    length.decoder_length_is_estimate = !first->length_header;
    if (first->declared_bytes) {
        // What follows the stream (an ID3v1 or APE tag) only adds bytes: fewer is a cut.
        const std::int64_t present = bytes.size() - first->offset;
        length.cut = present < *first->declared_bytes
                         ? "the MP3's length header declares " + plural(*first->declared_bytes, "byte") +
                               ", the file holds " + std::to_string(present)
                         : "";
    }
    return length;
}

ContainerFacts walk_mpeg(ByteSource& bytes)
{
    ContainerFacts facts;
    facts.length = mpeg_length(bytes);
    const auto first = find_first_frame(bytes, true);
    if (!first || !first->cut.empty())
        return facts;
    facts.length.cut = "";  // the walk tells it frame by frame
    std::int64_t frames = 0, samples = 0;
    for (std::int64_t pos = first->offset; pos < bytes.size();) {
        const auto head = bytes.read(pos, 10);
        const auto h = parse_header(head);
        if (h && h->fixed_bits == first->header.fixed_bits) {
            if (pos + h->length > bytes.size()) {
                facts.length.cut = "the last MPEG audio frame is cut (it needs " + plural(h->length, "byte") +
                                   ", the file holds " + std::to_string(bytes.size() - pos) + ")";
                break;
            }
            samples += h->samples;
            ++frames;
            pos += h->length;
            continue;
        }
        if (starts_with(head, "ID3") && head.size() == 10) {  // a tag in the middle (files joined)
            pos += id3v2_length(head);
            continue;
        }
        if (starts_with(head, "TAG") || starts_with(head, "APETAGEX") || starts_with(head, "LYRICS"))
            break;  // tags at the end
        // Junk between frames: resynchronise on the next confirmed header, like decoders do.
        std::int64_t next = pos + 1;
        while (next < bytes.size() && !confirmed_header(bytes, next))
            ++next;
        pos = next;
    }
    // The Xing/Info frame itself carries no audio and is not counted in its own header.
    if (facts.length.cut->empty() && first->declared_frames && frames < *first->declared_frames)
        facts.length.cut = "the file holds " + std::to_string(frames - 1) + " of the " +
                           plural(*first->declared_frames, "MPEG audio frame") + " its Xing header declares";
    // libsndfile never decodes past the length it took from the header (or estimated from the
    // file size without one). Four MPEG frames of slack: the Xing frame, encoder delay, padding.
    facts.frames_present = samples;
    facts.frames_slack = 4 * 1152;
    facts.frames_note = first->length_header ? "the MP3's Xing/Info/VBRI header declares less than the file holds"
                                             : "MP3 without a Xing/Info/VBRI length header";
    return facts;
}

}  // namespace tonearm::detail
