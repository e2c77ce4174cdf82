#include "session_bus.hpp"

#include <csignal>
#include <stdexcept>
#include <thread>

namespace tonearm::test {

SessionBus::SessionBus()
{
    const std::string address = "unix:path=" + (dir_ / "bus").string();
    const auto printed = dir_ / "address";
    daemon_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"dbus-daemon", "--session", "--address=" + address, "--nofork", "--nopidfile",
                                 "--print-address=1"},
        printed.string(), std::map<std::string, std::string>{}, (dir_ / "log").string());
    // The address is printed once the bus listens.
    const auto listening = [&] {
        std::error_code error;
        const auto size = std::filesystem::file_size(printed, error);
        return !error && size > 0;
    };
    for (int attempt = 0; attempt < 500 && !listening(); ++attempt)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!listening())
        throw std::runtime_error("dbus-daemon did not start");
    env_ = {{"DBUS_SESSION_BUS_ADDRESS", address}};
}

SessionBus::~SessionBus() { daemon_->stop(SIGTERM); }

}  // namespace tonearm::test
