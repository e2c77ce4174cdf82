#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <termios.h>
#include <vector>

namespace tonearm::test {

// A program running on a pseudo-terminal, as if a person sat at it: the test types keys
// and reads what the program draws.
class PtyProcess {
public:
    PtyProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
    ~PtyProcess();
    PtyProcess(const PtyProcess&) = delete;
    PtyProcess& operator=(const PtyProcess&) = delete;

    void type(const std::string& keys);
    // Reads output until `text` has appeared (at or after offset `from` of output()) or the
    // timeout passes; returns whether it did.
    bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout, std::size_t from = 0);
    // Waits for the exit; the exit code, or nullopt on timeout (then the process is killed).
    std::optional<int> wait(std::chrono::milliseconds timeout);
    void signal(int signal);

    const std::string& output() const { return output_; }
    // The terminal's settings now (after the exit: what the program left behind).
    termios terminal_settings() const;

private:
    void drain(std::chrono::milliseconds timeout);

    int master_ = -1;
    int pid_ = -1;
    std::string output_;
};

}  // namespace tonearm::test
