#include "containers/container.hpp"

#include <cstring>

namespace tonearm::detail {

std::uint32_t be16(const std::uint8_t* p) noexcept { return std::uint32_t(p[0]) << 8 | p[1]; }
std::uint32_t be24(const std::uint8_t* p) noexcept { return std::uint32_t(p[0]) << 16 | be16(p + 1); }
std::uint32_t be32(const std::uint8_t* p) noexcept { return std::uint32_t(p[0]) << 24 | be24(p + 1); }
std::uint64_t be64(const std::uint8_t* p) noexcept { return std::uint64_t(be32(p)) << 32 | be32(p + 4); }
std::uint32_t le16(const std::uint8_t* p) noexcept { return std::uint32_t(p[1]) << 8 | p[0]; }
std::uint32_t le32(const std::uint8_t* p) noexcept { return le16(p + 2) << 16 | le16(p); }
std::uint64_t le64(const std::uint8_t* p) noexcept { return std::uint64_t(le32(p + 4)) << 32 | le32(p); }

bool starts_with(std::span<const std::uint8_t> bytes, std::string_view text, std::size_t at) noexcept
{
    return bytes.size() >= at + text.size() && std::memcmp(bytes.data() + at, text.data(), text.size()) == 0;
}

std::string plural(std::int64_t count, std::string_view noun)
{
    return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

std::string chunk_name(const std::uint8_t* id)
{
    std::string name(reinterpret_cast<const char*>(id), 4);
    for (char& c : name)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
            c = '?';
    return "'" + name + "'";
}

std::string_view to_string(Container container) noexcept
{
    switch (container) {
    case Container::unknown: return "unknown";
    case Container::wav: return "WAV";
    case Container::aiff: return "AIFF";
    case Container::flac: return "FLAC";
    case Container::ogg: return "Ogg";
    case Container::mpeg: return "MPEG audio";
    case Container::mp4: return "MP4";
    case Container::matroska: return "Matroska";
    case Container::adts: return "ADTS";
    case Container::asf: return "ASF";
    }
    return "unknown";
}

std::int64_t skip_id3v2(ByteSource& bytes)
{
    std::int64_t offset = 0;
    for (;;) {
        const auto header = bytes.read(offset, 10);
        if (header.size() < 10 || !starts_with(header, "ID3"))
            return offset;
        offset += id3v2_length(header);
    }
}

std::int64_t id3v2_length(std::span<const std::uint8_t> header)
{
    const std::int64_t size = (header[6] & 0x7f) << 21 | (header[7] & 0x7f) << 14 | (header[8] & 0x7f) << 7 |
                              (header[9] & 0x7f);  // "syncsafe": 7 bits a byte
    return 10 + size + ((header[5] & 0x10) ? 10 : 0);
}


Container sniff_container(ByteSource& bytes)
{
    const auto head = bytes.read(0, 12);
    if ((starts_with(head, "RIFF") || starts_with(head, "RIFX") || starts_with(head, "RF64") ||
         starts_with(head, "BW64")) &&
        starts_with(head, "WAVE", 8))
        return Container::wav;
    if (starts_with(head, "FORM") && (starts_with(head, "AIFF", 8) || starts_with(head, "AIFC", 8)))
        return Container::aiff;
    if (starts_with(head, "OggS"))
        return Container::ogg;
    if (starts_with(head, "ftyp", 4) || starts_with(head, "moov", 4) || starts_with(head, "mdat", 4))
        return Container::mp4;
    if (starts_matroska(bytes))
        return Container::matroska;
    if (starts_asf(bytes))
        return Container::asf;
    const std::int64_t audio = skip_id3v2(bytes);
    if (starts_with(bytes.read(audio, 4), "fLaC"))
        return Container::flac;
    // ADTS's sync word has layer bits 00, which MPEG audio reserves: neither passes for the other.
    if (starts_adts_stream(bytes))
        return Container::adts;
    // An ID3v2 tag says MP3, and frames may follow some padding; without one, only frames from
    // the first byte on (a search could find a false sync inside another format's data).
    const bool tagged = audio > 0;
    if ((tagged && audio >= bytes.size()) || starts_mpeg_stream(bytes, tagged))
        return Container::mpeg;
    return Container::unknown;
}

StreamLength probe_length(Container container, ByteSource& bytes)
{
    switch (container) {
    case Container::wav: return wav_length(bytes);
    case Container::aiff: return aiff_length(bytes);
    case Container::flac: return flac_length(bytes);
    case Container::ogg: return ogg_length(bytes);
    case Container::mpeg: return mpeg_length(bytes);
    case Container::mp4: return mp4_length(bytes);
    case Container::matroska: return matroska_length(bytes);
    case Container::adts: return adts_length(bytes);
    case Container::asf: return asf_length(bytes);
    case Container::unknown: break;
    }
    return {};
}

}  // namespace tonearm::detail
