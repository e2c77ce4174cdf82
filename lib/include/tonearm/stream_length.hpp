#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tonearm {

// What a file's container says about the length of its audio, read cheaply (the headers and
// the end of the file, never the stream itself), and the one rule that turns it into a
// verdict. `check` (truncated), `decode` and `play` (a warning, or an error with --strict) and
// `info` all ask this, so a cut file is reported the same way by every command.
struct StreamLength {
    // Frames the container declares: a WAV's data chunk, an AIFF's COMM chunk, FLAC's
    // STREAMINFO. Empty when it declares none; the decoder's own count then stands in, unless
    // that is only an estimate (an MP3 without a Xing/Info/VBRI header).
    std::optional<std::int64_t> declared;
    bool decoder_length_is_estimate = false;
    // How the container shows that the file was cut ("the data chunk declares 4294967280 bytes
    // of audio, the file holds 4096"); "" when it shows no cut; empty optional when it cannot
    // tell without decoding (formats with no length and no end mark, an MP3 without a length
    // header).
    std::optional<std::string> cut;

    bool shows_cut() const noexcept { return cut && !cut->empty(); }
    // The length the decoded frames are held to: `declared`, else `decoder_frames` (what the
    // decoder read from the stream's header) when that is a declaration.
    std::optional<std::int64_t> expected(std::optional<std::int64_t> decoder_frames) const noexcept;
};

// The rule: after the decoder ran dry at `decoded` frames, is the file shorter than it says?
// Returns one line saying how much of it is there ("the data chunk declares ...: 44092 of
// 132300 frames decoded (33 %)"), or nothing when it is whole.
std::optional<std::string> shortfall(const StreamLength& length, std::int64_t decoded,
                                     std::optional<std::int64_t> decoder_frames);

}  // namespace tonearm
