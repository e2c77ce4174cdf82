#include "terminal.hpp"

#include <csignal>
#include <cstdio>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace tonearm::cli {
namespace {

sigset_t stop_signals()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

}  // namespace

Controls::Controls(bool interactive)
{
    // Blocked before any thread starts, so every thread inherits the mask and the signals
    // wait in the signalfd for us.
    const sigset_t signals = stop_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal_fd_ = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);

    if (interactive && tcgetattr(STDIN_FILENO, &saved_) == 0) {
        termios raw = saved_;
        raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO | ISIG));  // Ctrl-C arrives as a key
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        raw_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
}

Controls::~Controls()
{
    if (raw_)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    if (signal_fd_ >= 0)
        close(signal_fd_);
    const sigset_t signals = stop_signals();
    pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
}

Controls::Event Controls::wait(std::chrono::milliseconds timeout)
{
    if (auto key = parse_key())
        return {key, false};
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {raw_ ? STDIN_FILENO : -1, POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(timeout.count())) <= 0) {
        if (pending_.starts_with('\x1b'))
            pending_.clear();  // a lone Escape, not the start of an arrow key
        return {};
    }
    if (fds[0].revents & POLLIN) {
        // Taken off the queue: left pending, it would kill us when ~Controls unblocks it.
        signalfd_siginfo signal{};
        [[maybe_unused]] const auto taken = read(signal_fd_, &signal, sizeof signal);
        return {std::nullopt, true};
    }
    if (fds[1].revents & (POLLIN | POLLHUP)) {
        char bytes[64];
        const ssize_t count = read(STDIN_FILENO, bytes, sizeof bytes);
        if (count > 0)
            pending_.append(bytes, static_cast<std::size_t>(count));
    }
    return {parse_key(), false};
}

std::optional<Key> Controls::parse_key()
{
    while (!pending_.empty()) {
        if (pending_[0] == '\x1b') {
            // Arrow keys: ESC [ A..D (or ESC O A..D in application mode).
            if (pending_.size() < 3)
                return std::nullopt;  // wait for the rest of the sequence
            const char code = pending_[2];
            pending_.erase(0, 3);
            switch (code) {
            case 'A': return Key::volume_up;
            case 'B': return Key::volume_down;
            case 'C': return Key::seek_forward;
            case 'D': return Key::seek_back;
            default: continue;
            }
        }
        const char c = pending_[0];
        pending_.erase(0, 1);
        switch (c) {
        case ' ':
        case 'p': return Key::pause;
        case 'n': return Key::next;
        case 'q':
        case '\x03': return Key::quit;  // Ctrl-C in raw mode
        case '+':
        case '=': return Key::volume_up;
        case '-': return Key::volume_down;
        default: break;
        }
    }
    return std::nullopt;
}

StatusLine::StatusLine(FILE* stream, bool color) : stream_(stream), color_(color) {}

StatusLine::~StatusLine() { clear(); }

void StatusLine::show(const std::string& text)
{
    std::fprintf(stream_, "\r\x1b[K%s%s%s", color_ ? "\x1b[1m" : "", text.c_str(), color_ ? "\x1b[0m" : "");
    std::fflush(stream_);
    shown_ = true;
}

void StatusLine::clear()
{
    if (!shown_)
        return;
    std::fputs("\r\x1b[K", stream_);
    std::fflush(stream_);
    shown_ = false;
}

bool is_terminal(FILE* stream) { return isatty(fileno(stream)) == 1; }

int terminal_width(FILE* stream)
{
    winsize size{};
    if (ioctl(fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}

}  // namespace tonearm::cli
