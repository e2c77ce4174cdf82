#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tonearm::test {

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal (see signal) or timed out
    int signal = 0;
    bool timed_out = false;
    std::string out;
    std::string err;
};

struct ProcessOptions {
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
    std::map<std::string, std::string> env{};  // added to (or replacing in) the environment
    std::optional<std::string> stdin_text{};  // else stdin is /dev/null
};

// Runs a program to completion, capturing stdout and stderr; kills it at the timeout.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// A program running in the background (a recorder, a daemon, a player) until it ends or
// stop(). stdout goes to `stdout_path`, stderr to `stderr_path` (empty: the test's stderr).
class BackgroundProcess {
public:
    BackgroundProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
                      const std::map<std::string, std::string>& env = {}, const std::string& stderr_path = "");
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    // Sends `signal` and waits for the exit; returns the wait status.
    int stop(int signal);
    // Waits for the program to end by itself: its exit code (-1 when a signal killed it), or
    // nullopt if it still runs after `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    int pid() const { return pid_; }

private:
    int pid_ = -1;
};

// The tonearm command-line program under test.
std::string tonearm_cli();
// Runs `tonearm ARGS…` with NO_COLOR=1 (unless options.env sets it), so what it prints does
// not depend on the caller's environment.
ProcessResult run_tonearm(std::vector<std::string> args, ProcessOptions options = {});

// A program's output, line by line (without the newlines).
std::vector<std::string> split_lines(const std::string& text);

// The lines tonearm wrote to stderr. Sanitizer builds pass third-party libraries' own stderr
// chatter through (so a sanitizer report is never hidden; see app/library_stderr.hpp): there,
// only tonearm's own lines count.
std::size_t diagnostic_lines(const std::string& err);

}  // namespace tonearm::test
