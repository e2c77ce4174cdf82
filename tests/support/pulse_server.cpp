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
                                "--load=module-native-protocol-unix", "--load=" + sink,
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

Recorder::Recorder(const PulseServer& server)
{
    parec_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"parec", "-d", "capture.monitor", "--format=float32le",
                                 "--rate=" + std::to_string(server.sample_rate()), "--channels=2",
                                 "--latency-msec=50", "--raw"},
        (dir_ / "capture.raw").string(), server.env());
    // parec needs a moment to connect; audio played before that would be missed. Its 50 ms
    // latency matters: with shorter ones the monitor drops that much of the first sound of
    // a stream joining the idle sink (measured with pacat too, so not tonearm's doing).
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
}

Recorder::~Recorder() = default;

std::vector<float> Recorder::samples()
{
    // Let the sink's last buffer reach the monitor, then ask parec to flush and exit.
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    parec_->stop(SIGINT);
    const auto bytes = read_bytes(dir_ / "capture.raw");
    std::vector<float> samples(bytes.size() / sizeof(float) / 2 * 2);
    if (!samples.empty())  // memcpy from an empty vector's data() is undefined
        std::memcpy(samples.data(), bytes.data(), samples.size() * sizeof(float));
    return samples;
}

}  // namespace tonearm::test
