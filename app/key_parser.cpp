#include "key_parser.hpp"

namespace tonearm::cli {
namespace {

// The arrow keys' escape sequences end in A..D.
std::optional<Command> arrow_command(char code)
{
    switch (code) {
    case 'A': return command_for_key("ArrowUp");
    case 'B': return command_for_key("ArrowDown");
    case 'C': return command_for_key("ArrowRight");
    case 'D': return command_for_key("ArrowLeft");
    default: return std::nullopt;
    }
}

std::optional<Command> key_command(char key)
{
    if (key == '\x03')
        return keys::quit;  // Ctrl-C in raw mode
    return command_for_key(std::string_view(&key, 1));
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
