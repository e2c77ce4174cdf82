#pragma once

#include "fixtures.hpp"
#include "process.hpp"

#include <map>
#include <memory>
#include <string>

namespace tonearm::test {

// A private D-Bus session bus (dbus-daemon --session on a socket in a temporary directory),
// so MPRIS tests reach their own players and no desktop's. Stopped on destruction.
class SessionBus {
public:
    SessionBus();
    ~SessionBus();
    SessionBus(const SessionBus&) = delete;
    SessionBus& operator=(const SessionBus&) = delete;

    // DBUS_SESSION_BUS_ADDRESS for clients (tonearm, playerctl).
    const std::map<std::string, std::string>& env() const { return env_; }

private:
    TempDir dir_;
    std::map<std::string, std::string> env_;
    std::unique_ptr<BackgroundProcess> daemon_;
};

}  // namespace tonearm::test
