#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <stop_token>
#include <string>
#include <termios.h>
#include <thread>

namespace tonearm::cli {

enum class Key { pause, seek_back, seek_forward, volume_up, volume_down, next, quit };

// What the play loop waits on: keys from a terminal and the signals that mean "stop".
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

// For work without keys (decode): SIGINT, SIGTERM and SIGHUP are blocked while this lives,
// and a watcher thread turns them into a stop request, so the work ends through its normal
// error path (a temporary output file is removed) instead of dying mid-write.
class InterruptWatch {
public:
    InterruptWatch();  // before any other thread starts, so they all inherit the mask
    ~InterruptWatch();
    InterruptWatch(const InterruptWatch&) = delete;
    InterruptWatch& operator=(const InterruptWatch&) = delete;

    std::stop_token token() const { return stop_.get_token(); }

private:
    std::stop_source stop_;
    std::jthread watcher_;
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
