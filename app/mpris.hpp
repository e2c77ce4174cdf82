#pragma once

#include <memory>

namespace tonearm {
class Player;
}

namespace tonearm::cli {

class Controls;

// tonearm as an MPRIS media player (the freedesktop D-Bus interface) while play runs, so media
// keys, the desktop's sound menu and playerctl can see and control it. Bus name
// org.mpris.MediaPlayer2.tonearm, or org.mpris.MediaPlayer2.tonearm.instance<PID> when another
// player holds that one.
//
// One thread owns the bus connection and answers every call. A method call becomes a Command
// posted to Controls, the path the terminal's keys take, so only the play loop touches the
// player's controls; properties read Player::status() and track_info(), safe from any thread.
class Mpris {
public:
    // Starts the D-Bus thread. It connects in the background, so playback never waits for
    // the bus; without a session bus it logs a debug line and ends (a player without media
    // keys is still a player). `player` and `controls` must outlive this object.
    Mpris(const Player& player, Controls& controls);
    ~Mpris();
    Mpris(const Mpris&) = delete;
    Mpris& operator=(const Mpris&) = delete;

    // The play loop applied a command or moved to another track: the D-Bus thread looks at
    // the player again and signals what changed (PropertiesChanged, Seeked).
    void changed();

private:
    class Service;  // mpris.cpp: the bus object and its thread
    std::unique_ptr<Service> service_;
};

}  // namespace tonearm::cli
