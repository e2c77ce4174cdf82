#include "key_parser.hpp"

namespace tonearm::cli {
namespace {

std::optional<Command> arrow_command(char code)
{
    switch (code) {
    case 'A': return keys::volume_up;
    case 'B': return keys::volume_down;
    case 'C': return keys::seek_forward;
    case 'D': return keys::seek_back;
    default: return std::nullopt;
    }
}

std::optional<Command> key_command(char key)
{
    switch (key) {
    case ' ': return keys::toggle_pause;
    case 'n':
    case '>': return keys::next;
    case 'p':
    case '<': return keys::previous;
    case 'q':
    case '\x03': return keys::quit;  // Ctrl-C in raw mode
    case '+':
    case '=': return keys::volume_up;
    case '-': return keys::volume_down;
    default: return std::nullopt;
    }
}

}  // namespace

std::optional<Command> KeyParser::next()
{
    while (!pending_.empty()) {
        if (pending_[0] == '\x1b') {
            // Arrow keys: ESC [ A..D (or ESC O A..D in application mode).
            if (pending_.size() < 3)
                return std::nullopt;  // wait for the rest of the sequence
            const char code = pending_[2];
            pending_.erase(0, 3);
            if (auto command = arrow_command(code))
                return command;
            continue;
        }
        const char key = pending_[0];
        pending_.erase(0, 1);
        if (auto command = key_command(key))
            return command;
    }
    return std::nullopt;
}

void KeyParser::timed_out()
{
    if (pending_.starts_with('\x1b'))
        pending_.clear();
}

}  // namespace tonearm::cli
