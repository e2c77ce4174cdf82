#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <termios.h>

namespace tonearm::cli {

enum class Key { pause, seek_back, seek_forward, volume_up, volume_down, next, quit };

// What play and decode wait on: keys from a terminal and the signals that mean "stop".
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
        std::optional<Key> key;
        bool interrupted = false;  // a signal asked us to stop
    };
    // Waits up to `timeout` for a key or a signal.
    Event wait(std::chrono::milliseconds timeout);

private:
    std::optional<Key> parse_key();

    bool raw_ = false;
    termios saved_{};
    int signal_fd_ = -1;
    std::string pending_;
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
