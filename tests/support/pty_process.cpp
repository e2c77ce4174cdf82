#include "pty_process.hpp"

#include <csignal>
#include <cstdlib>
#include <poll.h>
#include <pty.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace tonearm::test {

PtyProcess::PtyProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env)
{
    winsize size{};
    size.ws_col = 100;
    size.ws_row = 30;
    pid_ = forkpty(&master_, nullptr, nullptr, &size);
    if (pid_ < 0)
        throw std::runtime_error("forkpty failed");
    if (pid_ == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        for (const auto& [key, value] : env)
            setenv(key.c_str(), value.c_str(), 1);
        setenv("TERM", "xterm", 1);
        std::vector<char*> args;
        for (const auto& arg : argv)
            args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
}

PtyProcess::~PtyProcess()
{
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0)
        close(master_);
}

void PtyProcess::type(const std::string& keys)
{
    [[maybe_unused]] auto written = write(master_, keys.data(), keys.size());
}

void PtyProcess::drain(std::chrono::milliseconds timeout)
{
    pollfd fd{master_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(timeout.count())) > 0) {
        char buffer[4096];
        const ssize_t count = read(master_, buffer, sizeof buffer);
        if (count > 0)
            output_.append(buffer, static_cast<std::size_t>(count));
    }
}

bool PtyProcess::wait_for_output(const std::string& text, std::chrono::milliseconds timeout, std::size_t from)
{
    const auto until = std::chrono::steady_clock::now() + timeout;
    const auto seen = [&] { return output_.size() > from && output_.find(text, from) != std::string::npos; };
    while (!seen() && std::chrono::steady_clock::now() < until)
        drain(std::chrono::milliseconds(20));
    return seen();
}

std::optional<int> PtyProcess::wait(std::chrono::milliseconds timeout)
{
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        drain(std::chrono::milliseconds(20));
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            drain(std::chrono::milliseconds(50));
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
    }
    return std::nullopt;
}

void PtyProcess::signal(int signal) { kill(pid_, signal); }

termios PtyProcess::terminal_settings() const
{
    termios settings{};
    tcgetattr(master_, &settings);
    return settings;
}

}  // namespace tonearm::test
