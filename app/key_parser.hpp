#pragma once

#include "tonearm/player_controls.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace tonearm::cli {

// Turns the bytes a terminal in raw mode sends into commands: single keys and the escape
// sequences of the arrow keys, which may arrive split across reads.
class KeyParser {
public:
    void feed(std::string_view bytes) { pending_.append(bytes); }
    // The next complete key's command; nullopt when none is left (or a sequence is incomplete).
    std::optional<Command> next();
    // Nothing more arrived for a while: an Escape still pending was a lone Escape key, not
    // the start of an arrow key, and is dropped.
    void timed_out();

private:
    std::string pending_;
};

// For --help and the man page: the keys next() knows.
inline constexpr const char* keys_help =
    "  space         pause or resume\n"
    "  left, right   seek 5 s back, forward\n"
    "  up, down      volume 5 % up, down (+ and - too)\n"
    "  n, >          next file\n"
    "  p, <          previous file\n"
    "  q             quit";

}  // namespace tonearm::cli
