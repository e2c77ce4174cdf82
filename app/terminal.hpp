#pragma once

#include "key_parser.hpp"

#include <chrono>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <termios.h>

namespace tonearm::cli {

// What play and decode wait on: keys from a terminal, commands posted from other threads
// (media keys over D-Bus), wake-ups from the player, and the signals that mean "stop".
// SIGINT, SIGTERM and SIGHUP are blocked and read from a signalfd, so an interrupted player
// still restores the terminal and finishes its output file; the process never dies inside a
// half-written state.
class Controls {
public:
    // `interactive`: stdin is a terminal we may put into raw mode to read single keys.
    explicit Controls(bool interactive);
    ~Controls();
    Controls(const Controls&) = delete;
    Controls& operator=(const Controls&) = delete;

    struct Event {
        std::optional<Command> command;  // from a key or post()
        bool interrupted = false;        // a signal asked us to stop
    };
    // Waits up to `timeout` (none: for ever) for a key, a posted command, a wake-up or a
    // signal. A wake-up alone returns an empty event.
    Event wait(std::optional<std::chrono::milliseconds> timeout);

    // Any thread: ends the current wait (the player has news).
    void wake() noexcept;

    // Any thread: queues a command for wait() to return, waking it at once.
    void post(const Command& command);

private:
    std::optional<Command> take_posted();

    bool raw_ = false;
    termios saved_{};
    int signal_fd_ = -1;
    int wake_fd_ = -1;  // an eventfd post() and wake() write to
    KeyParser keys_;
    std::mutex mutex_;
    std::deque<Command> posted_;
};

// The one-line status display on a terminal stream (stderr), redrawn in place.
class StatusLine {
public:
    StatusLine(FILE* stream, bool color);
    ~StatusLine();
    void show(const std::string& text);
    void clear();  // before printing a log line, so it does not land in the middle

private:
    FILE* stream_;
    bool color_;
    bool shown_ = false;
};

bool is_terminal(FILE* stream);
int terminal_width(FILE* stream);

}  // namespace tonearm::cli
