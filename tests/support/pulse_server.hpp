#pragma once

#include "fixtures.hpp"
#include "process.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tonearm::test {

// A private PulseAudio daemon with one null sink ("capture", 32-bit float so nothing is
// requantised) whose monitor we record: real sound-server playback with no sound card.
// Everything lives in a temporary directory; the daemon is killed on destruction.
class PulseServer {
public:
    explicit PulseServer(int sample_rate = 48000);
    ~PulseServer();
    PulseServer(const PulseServer&) = delete;
    PulseServer& operator=(const PulseServer&) = delete;

    // Environment for clients (tonearm, parec) so they reach this daemon and no other.
    const std::map<std::string, std::string>& env() const { return env_; }
    int sample_rate() const { return sample_rate_; }
    void stop();

private:
    TempDir dir_;
    int sample_rate_;
    std::map<std::string, std::string> env_;
    bool running_ = false;
};

}  // namespace tonearm::test
