#include "container_probe.hpp"

#include <algorithm>
#include <cstring>

namespace tonearm::detail {
namespace {

std::uint32_t be16(const std::uint8_t* p) { return std::uint32_t(p[0]) << 8 | p[1]; }
std::uint32_t be24(const std::uint8_t* p) { return std::uint32_t(p[0]) << 16 | be16(p + 1); }
std::uint32_t be32(const std::uint8_t* p) { return std::uint32_t(p[0]) << 24 | be24(p + 1); }
std::uint64_t be64(const std::uint8_t* p) { return std::uint64_t(be32(p)) << 32 | be32(p + 4); }
std::uint32_t le16(const std::uint8_t* p) { return std::uint32_t(p[1]) << 8 | p[0]; }
std::uint32_t le32(const std::uint8_t* p) { return le16(p + 2) << 16 | le16(p); }
std::uint64_t le64(const std::uint8_t* p) { return std::uint64_t(le32(p + 4)) << 32 | le32(p); }

bool starts_with(std::span<const std::uint8_t> bytes, std::string_view text, std::size_t at = 0)
{
    return bytes.size() >= at + text.size() && std::memcmp(bytes.data() + at, text.data(), text.size()) == 0;
}

std::string chunk_name(const std::uint8_t* id)
{
    std::string name(reinterpret_cast<const char*>(id), 4);
    for (char& c : name)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
            c = '?';
    return "'" + name + "'";
}

void probe_wav(FileReader& file, ContainerFacts& facts)
{
    const auto head = file.read(0, 12);
    const bool rf64 = starts_with(head, "RF64") || starts_with(head, "BW64");
    const bool big_endian = starts_with(head, "RIFX");
    const auto u32 = [&](const std::uint8_t* p) { return big_endian ? be32(p) : le32(p); };
    const auto u16 = [&](const std::uint8_t* p) { return big_endian ? be16(p) : le16(p); };
    std::optional<std::uint64_t> ds64_data_size;
    std::uint32_t format_tag = 0;
    std::uint32_t block_align = 0;
    std::int64_t pos = 12;
    while (pos + 8 <= file.size()) {
        const auto header = file.read(pos, 8);
        std::uint8_t id[4];
        std::memcpy(id, header.data(), 4);
        const std::uint32_t size = u32(header.data() + 4);
        if (std::memcmp(id, "ds64", 4) == 0) {
            const auto body = file.read(pos + 8, 16);
            if (body.size() == 16)
                ds64_data_size = le64(body.data() + 8);
        } else if (std::memcmp(id, "fmt ", 4) == 0) {
            const auto body = file.read(pos + 8, 26);
            if (body.size() >= 14) {
                format_tag = u16(body.data());
                block_align = u16(body.data() + 12);
                if (format_tag == 0xFFFE && body.size() >= 26)  // WAVE_FORMAT_EXTENSIBLE
                    format_tag = u16(body.data() + 24);         // first bytes of the subformat GUID
            }
        } else if (std::memcmp(id, "data", 4) == 0) {
            std::uint64_t data_size = size;
            const std::int64_t present = file.size() - (pos + 8);
            if (rf64 && size == 0xFFFFFFFF && ds64_data_size)
                data_size = *ds64_data_size;
            else if ((!rf64 && size == 0xFFFFFFFF) || (size == 0 && present > 0))
                return;  // written by a streaming tool that could not seek back: no length
            const bool pcm_like = format_tag == 1 || format_tag == 3 || format_tag == 6 || format_tag == 7;
            if (pcm_like && block_align > 0)
                facts.declared_frames = static_cast<std::int64_t>(data_size / block_align);
            if (data_size > static_cast<std::uint64_t>(present))
                facts.truncated = "the data chunk declares " + plural(static_cast<std::int64_t>(data_size), "byte") +
                                  " of audio, the file holds " + std::to_string(present);
            return;
        }
        const std::int64_t next = pos + 8 + size + (size & 1);
        if (next > file.size() + (size & 1)) {
            facts.truncated = "the file ends inside the " + chunk_name(id) + " chunk, before the audio data";
            return;
        }
        pos = next;
    }
    facts.truncated = "the file ends before its data chunk";
}

void probe_aiff(FileReader& file, ContainerFacts& facts)
{
    bool sound_data = false;
    std::int64_t pos = 12;
    while (pos + 8 <= file.size()) {
        const auto header = file.read(pos, 8);
        std::uint8_t id[4];
        std::memcpy(id, header.data(), 4);
        const std::uint32_t size = be32(header.data() + 4);
        if (std::memcmp(id, "COMM", 4) == 0) {
            const auto body = file.read(pos + 8, 6);
            if (body.size() == 6)
                facts.declared_frames = be32(body.data() + 2);
        }
        const bool ssnd = std::memcmp(id, "SSND", 4) == 0;
        sound_data = sound_data || ssnd;
        const std::int64_t next = pos + 8 + size + (size & 1);
        if (next > file.size() + (size & 1)) {
            facts.truncated = ssnd ? "the SSND chunk declares " + plural(size, "byte") + ", the file holds " +
                                         std::to_string(file.size() - pos - 8)
                                   : "the file ends inside the " + chunk_name(id) + " chunk";
            return;
        }
        pos = next;
    }
    if (!sound_data && facts.declared_frames.value_or(0) > 0)
        facts.truncated = "the file ends before its sound data (SSND chunk)";
}

void probe_flac(FileReader& file, std::int64_t offset, ContainerFacts& facts)
{
    const auto head = file.read(offset, 42);
    if (head.size() < 42 || (head[4] & 0x7f) != 0 || be24(head.data() + 5) < 34)
        return;  // no STREAMINFO first: libsndfile reports the file as malformed
    const std::uint8_t* si = head.data() + 8;
    FlacStreamInfo info;
    info.min_blocksize = be16(si);
    info.max_blocksize = be16(si + 2);
    info.max_framesize = be24(si + 7);
    const std::uint64_t packed = be64(si + 10);
    info.bits_per_sample = static_cast<int>((packed >> 36) & 31) + 1;
    info.total_samples = packed & ((std::uint64_t{1} << 36) - 1);
    std::memcpy(info.md5.data(), si + 18, 16);
    facts.flac = info;
    // The frames start after the last metadata block.
    std::int64_t pos = offset + 4;
    for (;;) {
        const auto block = file.read(pos, 4);
        if (block.size() < 4) {
            facts.truncated = "the file ends inside the FLAC metadata, before the first audio frame";
            return;
        }
        pos += 4 + be24(block.data() + 1);
        if (block[0] & 0x80)
            break;
    }
    if (pos > file.size())
        facts.truncated = "the file ends inside the FLAC metadata, before the first audio frame";
    facts.flac_frames_offset = pos;
}

// --- FLAC frames (RFC 9639 section 9), only to tell a cut file from a corrupt one.

std::uint8_t crc8(std::span<const std::uint8_t> bytes)
{
    std::uint8_t crc = 0;
    for (const std::uint8_t byte : bytes) {
        crc ^= byte;
        for (int k = 0; k < 8; ++k)
            crc = static_cast<std::uint8_t>(crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1);
    }
    return crc;
}

std::uint16_t crc16(std::span<const std::uint8_t> bytes, std::uint16_t crc = 0)
{
    static const auto table = [] {
        std::array<std::uint16_t, 256> t{};
        for (unsigned i = 0; i < 256; ++i) {
            auto r = static_cast<std::uint16_t>(i << 8);
            for (int k = 0; k < 8; ++k)
                r = static_cast<std::uint16_t>(r & 0x8000 ? (r << 1) ^ 0x8005 : r << 1);
            t[i] = r;
        }
        return t;
    }();
    for (const std::uint8_t byte : bytes)
        crc = static_cast<std::uint16_t>((crc << 8) ^ table[(crc >> 8) ^ byte]);
    return crc;
}

struct FlacFrameHeader {
    std::uint64_t first_sample;
    std::uint32_t block_size;
};

std::optional<FlacFrameHeader> parse_flac_frame_header(std::span<const std::uint8_t> bytes,
                                                        const FlacStreamInfo& info)
{
    if (bytes.size() < 6 || bytes[0] != 0xFF || (bytes[1] & 0xFE) != 0xF8)
        return std::nullopt;
    const bool variable = bytes[1] & 1;
    const unsigned size_code = bytes[2] >> 4, rate_code = bytes[2] & 15;
    const unsigned channel_code = bytes[3] >> 4, bits_code = (bytes[3] >> 1) & 7;
    if (size_code == 0 || rate_code == 15 || channel_code > 10 || bits_code == 3 || (bytes[3] & 1))
        return std::nullopt;
    // The frame or sample number, coded like UTF-8 (up to 36 bits).
    std::size_t pos = 4;
    const std::uint8_t lead = bytes[pos++];
    int extra = lead < 0x80 ? 0 : lead >= 0xC0 && lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : lead < 0xF8 ? 3
                : lead < 0xFC ? 4 : lead < 0xFE ? 5 : lead == 0xFE ? 6 : -1;
    if (extra < 0 || (lead >= 0x80 && lead < 0xC0))
        return std::nullopt;
    std::uint64_t number = extra == 0 ? lead : lead & (0x3F >> extra);
    for (int k = 0; k < extra; ++k) {
        if (pos >= bytes.size() || (bytes[pos] & 0xC0) != 0x80)
            return std::nullopt;
        number = number << 6 | (bytes[pos++] & 0x3F);
    }
    std::uint32_t block_size = 0;
    const std::size_t size_bytes = size_code == 6 ? 1 : size_code == 7 ? 2 : 0;
    const std::size_t rate_bytes = rate_code == 12 ? 1 : rate_code >= 13 ? 2 : 0;
    if (pos + size_bytes + rate_bytes + 1 > bytes.size())
        return std::nullopt;
    if (size_code == 1)
        block_size = 192;
    else if (size_code <= 5)
        block_size = 576u << (size_code - 2);
    else if (size_code == 6)
        block_size = bytes[pos] + 1u;
    else if (size_code == 7)
        block_size = be16(&bytes[pos]) + 1u;
    else
        block_size = 256u << (size_code - 8);
    pos += size_bytes + rate_bytes;
    if (crc8(bytes.first(pos)) != bytes[pos])
        return std::nullopt;
    const std::uint64_t first = variable ? number : number * info.max_blocksize;
    return FlacFrameHeader{first, block_size};
}

// --- Ogg (RFC 3533): every page's CRC, page sequence numbers, and the end-of-stream flag.

std::uint32_t ogg_crc(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0)
{
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t r = i << 24;
            for (int k = 0; k < 8; ++k)
                r = r & 0x80000000u ? (r << 1) ^ 0x04C11DB7u : r << 1;
            t[i] = r;
        }
        return t;
    }();
    for (const std::uint8_t byte : bytes)
        crc = (crc << 8) ^ table[(crc >> 24) ^ byte];
    return crc;
}

void probe_ogg(FileReader& file, ContainerFacts& facts)
{
    struct Stream {
        std::uint32_t next_sequence;
        bool ended;
    };
    std::vector<std::pair<std::uint32_t, Stream>> streams;  // by serial number; usually one
    std::int64_t pos = 0;
    std::int64_t page_number = 0;
    std::vector<std::uint8_t> page;
    while (pos < file.size()) {
        auto header = file.read(pos, 27);
        if (!starts_with(header, "OggS")) {
            // Not at a page: skip to the next capture pattern (as libogg and ffmpeg do).
            std::int64_t found = -1;
            for (std::int64_t from = pos + 1; found < 0 && from < file.size(); from += (1 << 16) - 3) {
                const auto chunk = file.read(from, 1 << 16);
                const auto it = std::search(chunk.begin(), chunk.end(), std::begin("OggS"), std::end("OggS") - 1);
                if (it != chunk.end())
                    found = from + (it - chunk.begin());
                if (chunk.size() < (1 << 16))
                    break;
            }
            if (found < 0)
                break;  // trailing bytes that are no page
            pos = found;
            continue;
        }
        if (header.size() < 27) {
            facts.truncated = "the last Ogg page is cut (the file ends inside its header)";
            return;
        }
        const std::uint8_t flags = header[5];
        const std::uint32_t serial = le32(header.data() + 14);
        const std::uint32_t sequence = le32(header.data() + 18);
        const std::uint32_t stored_crc = le32(header.data() + 22);
        const std::size_t segments = header[26];
        const auto lacing = file.read(pos + 27, segments);
        std::size_t body = 0;
        for (const std::uint8_t value : lacing)
            body += value;
        const std::size_t page_size = 27 + segments + body;
        if (lacing.size() < segments || pos + static_cast<std::int64_t>(page_size) > file.size()) {
            facts.truncated = "the last Ogg page is cut (it needs " + plural(static_cast<std::int64_t>(page_size), "byte") +
                              ", the file holds " + std::to_string(file.size() - pos) + ")";
            return;
        }
        const auto bytes = file.read(pos, page_size);
        page.assign(bytes.begin(), bytes.end());
        std::memset(page.data() + 22, 0, 4);
        if (ogg_crc(page) != stored_crc) {
            facts.corrupt = "Ogg page " + std::to_string(page_number) + " (at byte " + std::to_string(pos) +
                            ") fails its CRC check";
            return;
        }
        auto stream = std::find_if(streams.begin(), streams.end(), [&](const auto& s) { return s.first == serial; });
        if (stream == streams.end()) {
            streams.push_back({serial, Stream{sequence + 1, false}});
            stream = streams.end() - 1;
        } else if (sequence != stream->second.next_sequence) {
            facts.corrupt = "Ogg pages are missing before byte " + std::to_string(pos) + " (page sequence jumps from " +
                            std::to_string(stream->second.next_sequence - 1) + " to " + std::to_string(sequence) + ")";
            return;
        } else {
            stream->second.next_sequence = sequence + 1;
        }
        if (flags & 0x04)
            stream->second.ended = true;
        pos += static_cast<std::int64_t>(page_size);
        ++page_number;
    }
    for (const auto& [serial, stream] : streams)
        if (!stream.ended) {
            facts.truncated = "the Ogg stream ends without its end-of-stream page";
            return;
        }
}

// --- MPEG audio frames: whether the last frame is complete, and how many samples there are.

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

std::optional<MpegHeader> parse_mpeg_header(std::span<const std::uint8_t> bytes)
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

}  // namespace

std::int64_t skip_id3v2(FileReader& file)
{
    std::int64_t offset = 0;
    for (;;) {
        const auto header = file.read(offset, 10);
        if (header.size() < 10 || !starts_with(header, "ID3"))
            return offset;
        const std::int64_t size = (header[6] & 0x7f) << 21 | (header[7] & 0x7f) << 14 |
                                  (header[8] & 0x7f) << 7 | (header[9] & 0x7f);
        offset += 10 + size + ((header[5] & 0x10) ? 10 : 0);
    }
}

bool flac_ends_with_final_frame(FileReader& file, const FlacStreamInfo& info, std::int64_t frames_offset)
{
    if (info.total_samples == 0)
        return true;  // no length stored: a cut cannot be told from corruption
    const std::int64_t window = std::clamp<std::int64_t>(
        info.max_framesize > 0 ? std::int64_t{info.max_framesize} + 64 : std::int64_t{1} << 20, 4096,
        std::int64_t{16} << 20);
    const std::int64_t start = std::max(frames_offset, file.size() - window);
    const auto tail = file.read(start, static_cast<std::size_t>(file.size() - start));
    for (std::size_t p = tail.size() >= 2 ? tail.size() - 2 : 0; p-- > 0;) {
        if (tail[p] != 0xFF || (tail[p + 1] & 0xFE) != 0xF8)
            continue;
        const auto header = parse_flac_frame_header(tail.subspan(p), info);
        if (!header)
            continue;
        if (header->first_sample + header->block_size != info.total_samples)
            return false;  // the last frame present is not the stream's final frame
        return crc16(tail.subspan(p)) == 0;
    }
    return false;
}

std::string flac_first_corrupt_frame(FileReader& file, const FlacStreamInfo& info, std::int64_t frames_offset)
{
    std::vector<std::uint8_t> chunk;
    const auto header_at = [&](std::int64_t at) {
        const auto bytes = file.read(at, 16);
        chunk.assign(bytes.begin(), bytes.end());
        return parse_flac_frame_header(chunk, info);
    };
    std::int64_t pos = frames_offset;
    auto header = header_at(pos);
    for (std::int64_t index = 0; header; ++index) {
        const std::uint64_t next_sample = header->first_sample + header->block_size;
        // Where the next frame starts (the end of the file after the final frame).
        std::int64_t next = -1;
        if (info.total_samples == 0 || next_sample < info.total_samples) {
            std::vector<std::uint8_t> window;
            for (std::int64_t from = pos + 2; next < 0 && from + 1 < file.size(); from += (1 << 16)) {
                const auto bytes = file.read(from, (1 << 16) + 1);
                window.assign(bytes.begin(), bytes.end());
                for (std::size_t i = 0; i + 1 < window.size() && next < 0; ++i) {
                    if (window[i] != 0xFF || (window[i + 1] & 0xFE) != 0xF8)
                        continue;
                    const auto candidate = header_at(from + static_cast<std::int64_t>(i));
                    if (candidate && candidate->first_sample == next_sample)
                        next = from + static_cast<std::int64_t>(i);
                }
            }
        }
        const std::int64_t end = next >= 0 ? next : file.size();
        std::uint16_t crc = 0;
        for (std::int64_t at = pos; at < end;) {
            const auto bytes = file.read(at, static_cast<std::size_t>(std::min<std::int64_t>(end - at, 1 << 20)));
            if (bytes.empty())
                break;
            crc = crc16(bytes, crc);
            at += static_cast<std::int64_t>(bytes.size());
        }
        if (crc != 0)
            return "FLAC frame " + std::to_string(index) + " (at byte " + std::to_string(pos) +
                   ") fails its CRC check";
        if (next < 0)
            return {};
        pos = next;
        header = header_at(pos);
    }
    return "no FLAC frame header at byte " + std::to_string(pos);
}

std::optional<MpegStream> walk_mpeg(FileReader& file)
{
    std::int64_t pos = skip_id3v2(file);
    // The first frame: a header whose successor is a header of the same stream too.
    const auto confirmed = [&](std::int64_t at) -> std::optional<MpegHeader> {
        const auto h = parse_mpeg_header(file.read(at, 4));
        if (!h)
            return std::nullopt;
        const std::int64_t next = at + h->length;
        if (next >= file.size())
            return next == file.size() ? h : std::nullopt;
        const auto n = parse_mpeg_header(file.read(next, 4));
        return n && n->fixed_bits == h->fixed_bits ? h : std::nullopt;
    };
    if (const auto h = parse_mpeg_header(file.read(pos, 4)); h && pos + h->length > file.size()) {
        MpegStream cut;
        cut.truncated = "the file ends inside its first MPEG audio frame";
        return cut;
    }
    std::optional<MpegHeader> first;
    const std::int64_t search_end = std::min(file.size(), pos + (std::int64_t{1} << 16));
    for (; pos < search_end && !(first = confirmed(pos)); ++pos) {
    }
    if (!first)
        return std::nullopt;
    MpegStream stream;
    const auto frame = file.read(pos, 4 + 2 + 32 + 4);
    const std::size_t side_info = first->version == 1 ? (first->mono ? 17 : 32) : (first->mono ? 9 : 17);
    const std::size_t xing_at = 4 + (first->crc ? 2 : 0) + side_info;
    const bool xing = starts_with(frame, "Xing", xing_at) || starts_with(frame, "Info", xing_at);
    stream.length_header = xing || starts_with(frame, "VBRI", 36);
    if (const auto fields = file.read(pos + static_cast<std::int64_t>(xing_at) + 4, 8);
        xing && fields.size() == 8 && (be32(fields.data()) & 1))
        stream.declared_frames = be32(fields.data() + 4);
    while (pos < file.size()) {
        const auto bytes = file.read(pos, 10);
        const auto h = parse_mpeg_header(bytes);
        if (h && h->fixed_bits == first->fixed_bits) {
            if (pos + h->length > file.size()) {
                stream.truncated = "the last MPEG audio frame is cut (it needs " + plural(h->length, "byte") +
                                   ", the file holds " + std::to_string(file.size() - pos) + ")";
                break;
            }
            stream.samples += h->samples;
            ++stream.frames;
            pos += h->length;
            continue;
        }
        if (starts_with(bytes, "ID3") && bytes.size() == 10) {  // a tag in the middle (files joined)
            pos += 10 + ((bytes[6] & 0x7f) << 21 | (bytes[7] & 0x7f) << 14 | (bytes[8] & 0x7f) << 7 | (bytes[9] & 0x7f)) +
                   ((bytes[5] & 0x10) ? 10 : 0);
            continue;
        }
        if (starts_with(bytes, "TAG") || starts_with(bytes, "APETAGEX") || starts_with(bytes, "LYRICS"))
            break;  // tags at the end
        // Junk between frames: resynchronise on the next confirmed header, like decoders do.
        std::int64_t next = pos + 1;
        while (next < file.size() && !confirmed(next))
            ++next;
        pos = next;
    }
    return stream;
}

ContainerFacts probe_container(FileReader& file)
{
    ContainerFacts facts;
    if (!file.ok() || file.size() == 0)
        return facts;
    const auto head = file.read(0, 12);
    if ((starts_with(head, "RIFF") || starts_with(head, "RIFX") || starts_with(head, "RF64") ||
         starts_with(head, "BW64")) &&
        starts_with(head, "WAVE", 8))
        probe_wav(file, facts);
    else if (starts_with(head, "FORM") && (starts_with(head, "AIFF", 8) || starts_with(head, "AIFC", 8)))
        probe_aiff(file, facts);
    else if (starts_with(head, "OggS"))
        probe_ogg(file, facts);
    else if (const std::int64_t offset = skip_id3v2(file); starts_with(file.read(offset, 4), "fLaC"))
        probe_flac(file, offset, facts);
    return facts;
}

}  // namespace tonearm::detail
