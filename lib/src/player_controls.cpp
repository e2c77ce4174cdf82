#include "tonearm/player_controls.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace tonearm {
namespace {

// Volume in whole percent: repeated steps do not drift (0.05 is inexact in binary).
double whole_percent(double volume) { return std::round(volume * 100) / 100; }

constexpr std::array bindings{
    KeyBinding{" ", keys::toggle_pause},
    KeyBinding{"ArrowLeft", keys::seek_back},
    KeyBinding{"ArrowRight", keys::seek_forward},
    KeyBinding{"ArrowUp", keys::volume_up},
    KeyBinding{"ArrowDown", keys::volume_down},
    KeyBinding{"+", keys::volume_up},
    KeyBinding{"=", keys::volume_up},
    KeyBinding{"-", keys::volume_down},
    KeyBinding{"n", keys::next},
    KeyBinding{">", keys::next},
    KeyBinding{"p", keys::previous},
    KeyBinding{"<", keys::previous},
    KeyBinding{"q", keys::quit},
};

}  // namespace

std::span<const KeyBinding> key_bindings() { return bindings; }

std::optional<Command> command_for_key(std::string_view key)
{
    // (find_if: Emscripten 3.1.6's libc++ has no std::ranges::find)
    const auto it = std::find_if(bindings.begin(), bindings.end(), [&](const KeyBinding& b) { return b.key == key; });
    return it == bindings.end() ? std::nullopt : std::optional(it->command);
}

std::string_view to_string(Command::Kind kind)
{
    using Kind = Command::Kind;
    switch (kind) {
    case Kind::toggle_pause: return "toggle_pause";
    case Kind::play: return "play";
    case Kind::pause: return "pause";
    case Kind::seek_by: return "seek_by";
    case Kind::seek_to: return "seek_to";
    case Kind::volume_by: return "volume_by";
    case Kind::set_volume: return "set_volume";
    case Kind::next: return "next";
    case Kind::previous: return "previous";
    case Kind::quit: return "quit";
    }
    return "unknown";
}

void apply_command(PlayerControls& player, const Command& command)
{
    using Kind = Command::Kind;
    switch (command.kind) {
    case Kind::toggle_pause: player.set_paused(!player.status().paused); break;
    case Kind::play: player.set_paused(false); break;
    case Kind::pause: player.set_paused(true); break;
    case Kind::seek_by: player.seek(player.status().position + command.value); break;
    case Kind::seek_to: player.seek(command.value); break;
    case Kind::volume_by: player.set_volume(whole_percent(player.status().volume + command.value)); break;
    case Kind::set_volume: player.set_volume(command.value); break;
    case Kind::next: player.next(); break;
    case Kind::previous: player.previous(); break;
    case Kind::quit: break;
    }
}

}  // namespace tonearm
