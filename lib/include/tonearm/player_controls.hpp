#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace tonearm {

// What a listener can ask of a player, whichever way the request arrives: a key in the
// terminal, a key in the web page, a media key or a call over D-Bus (MPRIS). One vocabulary,
// applied by one function, so a key and its media-key twin cannot behave differently.
struct Command {
    enum class Kind { toggle_pause, play, pause, seek_by, seek_to, volume_by, set_volume, next, previous, quit };
    Kind kind;
    double value = 0;  // seconds for seeks, linear gain for volumes

    bool operator==(const Command&) const = default;
};

constexpr double seek_step_seconds = 5;
constexpr double volume_step = 0.05;  // linear gain per key press
constexpr double max_volume = 4.0;    // the CLI's --volume 400

// The keys' commands, the same in the terminal and the page.
namespace keys {
constexpr Command toggle_pause{Command::Kind::toggle_pause};
constexpr Command seek_back{Command::Kind::seek_by, -seek_step_seconds};
constexpr Command seek_forward{Command::Kind::seek_by, seek_step_seconds};
constexpr Command volume_up{Command::Kind::volume_by, volume_step};
constexpr Command volume_down{Command::Kind::volume_by, -volume_step};
constexpr Command next{Command::Kind::next};
constexpr Command previous{Command::Kind::previous};
constexpr Command quit{Command::Kind::quit};
}  // namespace keys

// A key and its command. Keys are named as a web page's KeyboardEvent.key names them (" ",
// "n", "ArrowUp"): the terminal maps the bytes it reads onto these names, the page uses them as
// they come, so both have the same keys from this one table.
struct KeyBinding {
    std::string_view key;
    Command command;
};
std::span<const KeyBinding> key_bindings();
std::optional<Command> command_for_key(std::string_view key);
// For JSON and messages: "toggle_pause", "seek_by", …
std::string_view to_string(Command::Kind kind);

struct PlayerStatus {
    std::size_t track = 0;  // index into the playlist
    double position = 0;    // seconds into that track, as heard
    double duration = 0;    // of that track
    bool paused = false;
    double volume = 1.0;
    bool finished = false;               // everything played (or stopped)
    std::uint64_t underruns = 0;         // the output ran dry while playing
    std::uint64_t device_underruns = 0;  // the sink reported running dry
};

// The transport every player offers (the threaded native player, the page's player).
// Commands act on it through apply_command(), so they mean the same everywhere.
class PlayerControls {
public:
    virtual void set_paused(bool paused) = 0;
    virtual void set_volume(double volume) = 0;  // linear gain, clamped to [0, max_volume]
    virtual void seek(double seconds) = 0;       // within the current track (before 0: 0); past its end: the next
    virtual void next() = 0;                     // the next track now
    virtual void previous() = 0;                 // the previous track's start
    virtual PlayerStatus status() const = 0;

protected:
    ~PlayerControls() = default;
};

// Applies everything but quit, which ends the program and is the caller's to handle.
void apply_command(PlayerControls& player, const Command& command);

}  // namespace tonearm
