#include "pulse_server.hpp"

#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace tonearm::test {

PulseServer::PulseServer(int sample_rate) : sample_rate_(sample_rate)
{
    const auto runtime = dir_ / "runtime";
    const auto home = dir_ / "home";
    std::filesystem::create_directories(runtime);
    std::filesystem::create_directories(home);
    std::filesystem::permissions(runtime, std::filesystem::perms::owner_all);
    env_ = {{"XDG_RUNTIME_DIR", runtime.string()},
            {"HOME", home.string()},
            {"PULSE_SERVER", "unix:" + (runtime / "pulse" / "native").string()},
            {"NO_COLOR", "1"}};
    const std::string sink = "module-null-sink sink_name=capture format=float32le rate=" +
                             std::to_string(sample_rate) + " channels=2";
    auto started = run_process({"pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n",
                                // Anonymous: in-process test clients have no cookie in this HOME.
                                "--load=module-native-protocol-unix auth-anonymous=1", "--load=" + sink,
                                "--load=module-always-sink", "--log-target=stderr"},
                               {.timeout = std::chrono::seconds(20), .env = env_});
    if (started.exit_code != 0)
        throw std::runtime_error("pulseaudio did not start: " + started.err);
    running_ = true;
    // The daemon forks before its socket is ready; wait until a client gets through.
    for (int attempt = 0; attempt < 100; ++attempt) {
        if (run_process({"pactl", "info"}, {.timeout = std::chrono::seconds(5), .env = env_}).exit_code == 0)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("pulseaudio does not answer");
}

PulseServer::~PulseServer() { stop(); }

void PulseServer::stop()
{
    if (!running_)
        return;
    run_process({"pulseaudio", "--kill"}, {.timeout = std::chrono::seconds(10), .env = env_});
    running_ = false;
    // --kill returns before the daemon is gone; its socket vanishing tells us it is.
    for (int attempt = 0; attempt < 100 && std::filesystem::exists(env_.at("XDG_RUNTIME_DIR") + "/pulse/pid"); ++attempt)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace tonearm::test
