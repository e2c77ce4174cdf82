#include "terminal.hpp"

#include <csignal>
#include <cstdio>
#include <poll.h>
#include <sys/eventfd.h>
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
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

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
    if (wake_fd_ >= 0)
        close(wake_fd_);
    const sigset_t signals = stop_signals();
    pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
}

Controls::Event Controls::wait(std::optional<std::chrono::milliseconds> timeout)
{
    if (auto command = keys_.next())
        return {command, false};
    if (auto command = take_posted())
        return {command, false};
    pollfd fds[3] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}, {raw_ ? STDIN_FILENO : -1, POLLIN, 0}};
    if (poll(fds, 3, timeout ? static_cast<int>(timeout->count()) : -1) <= 0) {
        keys_.timed_out();
        return {};
    }
    if (fds[0].revents & POLLIN) {
        // Taken off the queue: left pending, it would kill us when ~Controls unblocks it.
        signalfd_siginfo signal{};
        [[maybe_unused]] const auto taken = read(signal_fd_, &signal, sizeof signal);
        return {std::nullopt, true};
    }
    if (fds[1].revents & POLLIN) {
        // Only here, after poll saw it: a wake-up that came before this wait still ends it.
        eventfd_t count = 0;
        eventfd_read(wake_fd_, &count);
    }
    if (fds[2].revents & (POLLIN | POLLHUP)) {
        char bytes[64];
        const ssize_t count = read(STDIN_FILENO, bytes, sizeof bytes);
        if (count > 0)
            keys_.feed({bytes, static_cast<std::size_t>(count)});
    }
    if (auto command = keys_.next())
        return {command, false};
    return {take_posted(), false};
}

void Controls::post(const Command& command)
{
    {
        std::lock_guard lock(mutex_);
        posted_.push_back(command);
    }
    wake();
}

void Controls::wake() noexcept { eventfd_write(wake_fd_, 1); }

std::optional<Command> Controls::take_posted()
{
    std::lock_guard lock(mutex_);
    if (posted_.empty())
        return std::nullopt;
    const Command command = posted_.front();
    posted_.pop_front();
    return command;
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
