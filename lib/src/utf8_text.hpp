#pragma once

#include <string>
#include <string_view>

namespace tonearm {

// Text from outside (file names, playlists, cue sheets) is bytes; what tonearm shows is UTF-8.

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool is_utf8(std::string_view text) noexcept;

// `text` with every byte that is not part of a well-formed UTF-8 sequence written as \xNN:
// nothing is lost, and the name can still be told apart from its neighbours.
std::string escape_non_utf8(std::string_view text);

// Display text from a text file that may predate UTF-8: kept when it is UTF-8, otherwise read
// as Latin-1 (what cue sheets and .m3u files from Windows-era rippers mostly are).
std::string utf8_or_latin1(std::string_view text);

}  // namespace tonearm
