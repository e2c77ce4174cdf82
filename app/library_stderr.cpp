#include "library_stderr.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <pthread.h>
#include <string>
#include <unistd.h>

namespace tonearm::cli {

LibraryStderr::LibraryStderr()
{
    int ends[2];
    saved_fd_ = dup(STDERR_FILENO);
    if (saved_fd_ < 0 || pipe(ends) != 0)
        return;  // keep the plain stderr: chatter is a nuisance, not a failure
    real_stderr_ = fdopen(saved_fd_, "w");
    setvbuf(real_stderr_, nullptr, _IONBF, 0);  // as unbuffered as stderr itself
    dup2(ends[1], STDERR_FILENO);
    close(ends[1]);
    // The reader starts with every signal blocked (a thread inherits its creator's mask).
    // Blocking them inside the thread left a window: on a busy machine the thread could still
    // be waiting to run when a Ctrl-C came, and a process-directed SIGINT goes to a thread that
    // does not block it, where its default action killed the process mid-write.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    reader_ = std::thread([this, read_end = ends[0]] { forward_lines(read_end); });
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

LibraryStderr::~LibraryStderr()
{
    if (!reader_.joinable())
        return;
    dup2(saved_fd_, STDERR_FILENO);  // closes the pipe's last write end: the reader sees EOF
    reader_.join();
    fclose(real_stderr_);
}

void LibraryStderr::forward_lines(int pipe_read_end)
{
    const auto forward = [this](const std::string& line) {
#ifdef TONEARM_SANITIZED
        fprintf(real_stderr_, "%s\n", line.c_str());  // never hide a sanitizer report
#else
        spdlog::debug("library: {}", line);
#endif
    };
    std::string pending;
    char buffer[4096];
    for (ssize_t count; (count = read(pipe_read_end, buffer, sizeof buffer)) > 0;) {
        pending.append(buffer, static_cast<std::size_t>(count));
        for (std::size_t end; (end = pending.find('\n')) != std::string::npos; pending.erase(0, end + 1))
            forward(pending.substr(0, end));
    }
    if (!pending.empty())
        forward(pending);
    close(pipe_read_end);
}

}  // namespace tonearm::cli
