#include "tonearm/player_controls.hpp"

#include <cmath>

namespace tonearm {
namespace {

// Volume in whole percent: repeated steps do not drift (0.05 is inexact in binary).
double whole_percent(double volume) { return std::round(volume * 100) / 100; }

}  // namespace

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
