#pragma once

// The containers tonearm reads the structure of itself, told apart by their first bytes, and
// what each says about its own length. libsndfile does not tell: it shortens a cut WAV/AIFF
// to the bytes present and ends an Ogg stream at its last whole page, both without an error.
// Each container has a file of its own here; check's verifiers (verifier.hpp) build on them.
// Internal to the library.
//
// Adding a container (as MP4 was): a value below, its magic in sniff_container, a file
// containers/mp4.cpp with mp4_length (and, for `check`, the facts its verifier needs), and
// one case in each dispatch (probe_length here, verify in verifier.cpp).

#include "byte_source.hpp"
#include "tonearm/stream_length.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tonearm::detail {

enum class Container {
    unknown,  // whatever the decoder makes of it; nothing is known about its length
    wav,      // RIFF/RIFX/RF64/BW64 WAVE
    aiff,     // FORM AIFF/AIFC
    flac,     // native FLAC (fLaC), possibly after an ID3v2 tag
    ogg,      // Ogg pages (Vorbis, Opus, FLAC in Ogg)
    mpeg,     // MPEG audio frames (MP1/MP2/MP3), possibly after an ID3v2 tag
    // Decoded through FFmpeg (ffmpeg_decoder.cpp); their walks only look for a cut.
    mp4,       // ISO base media: MP4/M4A (AAC, ALAC)
    matroska,  // EBML: Matroska/WebM (Opus, Vorbis, AAC)
    adts,      // raw ADTS AAC frames, possibly after an ID3v2 tag
    asf,       // ASF (WMA)
};
std::string_view to_string(Container container) noexcept;

Container sniff_container(ByteSource& bytes);
// Offset of the first byte after any ID3v2 tags at the start (MP3s have them, some FLACs too).
std::int64_t skip_id3v2(ByteSource& bytes);
// The whole length of the ID3v2 tag whose 10-byte header is `header` (footer included).
std::int64_t id3v2_length(std::span<const std::uint8_t> header);

// Whether MPEG audio frames start after any ID3v2 tag (searching a little way when `tagged`).
bool starts_mpeg_stream(ByteSource& bytes, bool tagged);
bool starts_adts_stream(ByteSource& bytes);  // an ADTS frame header after any ID3v2 tag
bool starts_matroska(ByteSource& bytes);     // the EBML header's id
bool starts_asf(ByteSource& bytes);          // the ASF Header Object's GUID

// What the container says about its length (StreamLength), for any container.
StreamLength probe_length(Container container, ByteSource& bytes);

// One per container, each in containers/<name>.cpp.
StreamLength wav_length(ByteSource& bytes);
StreamLength aiff_length(ByteSource& bytes);
StreamLength flac_length(ByteSource& bytes);
StreamLength ogg_length(ByteSource& bytes);
StreamLength mpeg_length(ByteSource& bytes);
// These show a cut only: MP4's length is the decoder's (from the same boxes, mp4_boxes.hpp);
// Matroska, ADTS and ASF declare none, and the decoder's is an estimate.
StreamLength mp4_length(ByteSource& bytes);
StreamLength matroska_length(ByteSource& bytes);
StreamLength adts_length(ByteSource& bytes);
StreamLength asf_length(ByteSource& bytes);

// What `check` learns from a walk through the whole container, before decoding: the length
// as above, and what only the full walk shows. (WAV and AIFF have nothing more to show.)
struct ContainerFacts {
    StreamLength length;
    std::string corrupt;  // non-empty: a container checksum or sequence fails
    // About how many frames the container holds, where the decoder may stop short of them
    // (libsndfile never reads an MP3 past its Xing count), the slack allowed, and why.
    std::optional<std::int64_t> frames_present;
    std::int64_t frames_slack = 0;
    std::string frames_note;
};
ContainerFacts walk_ogg(ByteSource& bytes);   // every page's CRC and sequence number
ContainerFacts walk_mpeg(ByteSource& bytes);  // every frame header, the last frame whole

// Shared by the parsers.
std::uint32_t be16(const std::uint8_t* p) noexcept;
std::uint32_t be24(const std::uint8_t* p) noexcept;
std::uint32_t be32(const std::uint8_t* p) noexcept;
std::uint64_t be64(const std::uint8_t* p) noexcept;
std::uint32_t le16(const std::uint8_t* p) noexcept;
std::uint32_t le32(const std::uint8_t* p) noexcept;
std::uint64_t le64(const std::uint8_t* p) noexcept;
bool starts_with(std::span<const std::uint8_t> bytes, std::string_view text, std::size_t at = 0) noexcept;
std::string plural(std::int64_t count, std::string_view noun);
std::string chunk_name(const std::uint8_t* id);  // a RIFF/IFF chunk id, quoted, printable

}  // namespace tonearm::detail
