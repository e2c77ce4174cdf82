#include "mpris.hpp"

#include "terminal.hpp"

#include "tonearm/player.hpp"

#include <sdbus-c++/sdbus-c++.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <map>
#include <poll.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

namespace tonearm::cli {
namespace {

using Kind = Command::Kind;
using Clock = std::chrono::steady_clock;

constexpr const char* object_path = "/org/mpris/MediaPlayer2";
constexpr const char* root_interface = "org.mpris.MediaPlayer2";
constexpr const char* player_interface = "org.mpris.MediaPlayer2.Player";
constexpr const char* bus_name = "org.mpris.MediaPlayer2.tonearm";

// A position that moved this much more (or less) than the clock did was a seek.
constexpr double seek_threshold_seconds = 0.3;
// After a command, how long and how often to look for its effect: the player takes a seek
// or a track change a few milliseconds after the play loop applied it.
constexpr auto watch_duration = std::chrono::seconds(1);
constexpr int watch_interval_ms = 25;

std::int64_t micros(double seconds) { return std::llround(seconds * 1e6); }

sdbus::ObjectPath track_id(std::size_t track) { return "/org/tonearm/track/" + std::to_string(track); }

std::string file_url(const std::filesystem::path& path)
{
    std::error_code error;
    const auto absolute = std::filesystem::absolute(path, error);
    std::string url = "file://";
    for (const unsigned char c : (error ? path : absolute).string()) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (unreserved || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
            url += static_cast<char>(c);
        } else {
            constexpr const char* hex = "0123456789ABCDEF";
            url += {'%', hex[c >> 4], hex[c & 15]};
        }
    }
    return url;
}

const char* playback_status(const PlayerStatus& status)
{
    if (status.finished)
        return "Stopped";
    return status.paused ? "Paused" : "Playing";
}

}  // namespace

class Mpris::Service {
public:
    Service(const Player& player, Controls& controls) : player_(player), controls_(controls)
    {
        wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        thread_ = std::thread([this] { run(); });
    }

    ~Service()
    {
        stop_ = true;
        wake();
        thread_.join();
        close(wake_fd_);
    }

    void wake()
    {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto written = write(wake_fd_, &one, sizeof one);
    }

private:
    // What the bus was last told, to signal only what changed.
    struct Snapshot {
        std::size_t track = 0;
        std::string status;
        double volume = 0;
        double position = 0;
        bool can_go_next = false;
        bool can_seek = false;
        Clock::time_point at;
    };

    void run()
    {
        bool connected = false;
        try {
            connect();
            connected = true;
            serve();
        } catch (const std::exception& error) {
            // No session bus is normal (a console, ssh, a service): said only with -vv.
            if (connected)
                spdlog::warn("media keys (MPRIS) stopped: {}", error.what());
            else
                spdlog::debug("no media keys (MPRIS): {}", error.what());
        }
        // Gone from the bus here, on the thread that used the connection.
        object_.reset();
        connection_.reset();
    }

    void connect()
    {
        connection_ = sdbus::createSessionBusConnection();
        object_ = sdbus::createObject(*connection_, object_path);
        register_root();
        register_player();
        object_->finishRegistration();
        // The object is complete before the name appears, so a client that reacts to the
        // name at once finds every property.
        try {
            connection_->requestName(bus_name);
            name_ = bus_name;
        } catch (const sdbus::Error&) {
            name_ = std::string(bus_name) + ".instance" + std::to_string(getpid());
            connection_->requestName(name_);
        }
        spdlog::info("media keys: {} on the session bus (MPRIS)", name_);
    }

    void register_root()
    {
        object_->registerMethod("Raise").onInterface(root_interface).implementedAs([] {});
        object_->registerMethod("Quit").onInterface(root_interface).implementedAs([this] { post({Kind::quit}); });
        const auto constant = [this](const char* name, auto value) {
            object_->registerProperty(name)
                .onInterface(root_interface)
                .withGetter([value] { return value; })
                .withUpdateBehavior(sdbus::Flags::CONST_PROPERTY_VALUE);
        };
        constant("CanQuit", true);
        constant("CanRaise", false);
        constant("HasTrackList", false);
        constant("Identity", std::string("tonearm"));
        constant("SupportedUriSchemes", std::vector<std::string>{"file"});
        constant("SupportedMimeTypes",
                 std::vector<std::string>{"audio/flac", "audio/wav", "audio/x-wav", "audio/x-aiff", "audio/ogg",
                                          "audio/opus", "audio/mpeg"});
    }

    void register_player()
    {
        const auto method = [this](const char* name, Command command) {
            object_->registerMethod(name).onInterface(player_interface).implementedAs([this, command] { post(command); });
        };
        method("Next", {Kind::next});
        method("Previous", {Kind::previous});
        method("Pause", {Kind::pause});
        method("PlayPause", {Kind::toggle_pause});
        method("Stop", {Kind::quit});  // as q on the terminal: the program ends
        method("Play", {Kind::play});
        object_->registerMethod("Seek")
            .onInterface(player_interface)
            .withInputParamNames("Offset")
            .implementedAs([this](std::int64_t offset) { post({Kind::seek_by, static_cast<double>(offset) / 1e6}); });
        object_->registerMethod("SetPosition")
            .onInterface(player_interface)
            .withInputParamNames("TrackId", "Position")
            .implementedAs([this](const sdbus::ObjectPath& track, std::int64_t position) { set_position(track, position); });
        object_->registerMethod("OpenUri")
            .onInterface(player_interface)
            .withInputParamNames("Uri")
            .implementedAs([](const std::string&) {
                throw sdbus::Error("org.freedesktop.DBus.Error.NotSupported",
                                   "tonearm plays the files it was started with");
            });
        object_->registerSignal("Seeked").onInterface(player_interface).withParameters<std::int64_t>("Position");

        using Behavior = sdbus::Flags::PropertyUpdateBehaviorFlags;
        const auto property = [this](const char* name, auto getter, Behavior behavior = sdbus::Flags::EMITS_CHANGE_SIGNAL) {
            object_->registerProperty(name).onInterface(player_interface).withGetter(getter).withUpdateBehavior(behavior);
        };
        property("PlaybackStatus", [this] { return std::string(playback_status(player_.status())); });
        property("Metadata", [this] { return metadata(player_.status().track); });
        // The spec: Position changes all the time without a signal; clients extrapolate.
        property("Position", [this] { return micros(player_.status().position); }, sdbus::Flags::EMITS_NO_SIGNAL);
        property("CanGoNext", [this] { return can_go_next(player_.status()); });
        property("CanSeek", [this] { return can_seek(player_.status()); });
        for (const char* name : {"CanGoPrevious", "CanPlay", "CanPause", "CanControl"})
            property(name, [] { return true; }, sdbus::Flags::CONST_PROPERTY_VALUE);
        for (const char* name : {"Rate", "MinimumRate", "MaximumRate"})
            property(name, [] { return 1.0; }, sdbus::Flags::CONST_PROPERTY_VALUE);
        object_->registerProperty("Volume")
            .onInterface(player_interface)
            .withGetter([this] { return player_.status().volume; })
            .withSetter([this](const double& volume) { post({Kind::set_volume, volume}); });
    }

    void post(const Command& command)
    {
        controls_.post(command);
        watch_until_ = Clock::now() + watch_duration;
    }

    // The spec: a stale track id or a position outside the track is ignored.
    void set_position(const sdbus::ObjectPath& track, std::int64_t position)
    {
        const PlayerStatus status = player_.status();
        if (track != track_id(status.track) || position < 0 || position > micros(status.duration))
            return;
        post({Kind::seek_to, static_cast<double>(position) / 1e6});
    }

    std::map<std::string, sdbus::Variant> metadata(std::size_t track) const
    {
        std::map<std::string, sdbus::Variant> map;
        map["mpris:trackid"] = track_id(track);
        if (track >= player_.playlist().size())
            return map;
        const auto& path = player_.playlist()[track].path;
        map["xesam:url"] = file_url(path);
        const auto info = player_.track_info(track);
        std::string title = path.filename().string();
        if (info) {
            map["mpris:length"] = micros(info->duration_seconds());
            if (const auto tag = info->tags.find("title"); tag != info->tags.end())
                title = tag->second;
            if (const auto tag = info->tags.find("artist"); tag != info->tags.end())
                map["xesam:artist"] = std::vector<std::string>{tag->second};
            if (const auto tag = info->tags.find("album"); tag != info->tags.end())
                map["xesam:album"] = tag->second;
        }
        const Track& entry = player_.playlist()[track];
        if (!entry.title.empty())  // a cue sheet's or #EXTINF's name for it beats the file's tags
            title = entry.title;
        if (!entry.performer.empty())
            map["xesam:artist"] = std::vector<std::string>{entry.performer};
        map["xesam:title"] = title;
        return map;
    }

    bool can_go_next(const PlayerStatus& status) const
    {
        return status.track + 1 < player_.playlist().size();
    }

    bool can_seek(const PlayerStatus& status) const
    {
        const auto info = player_.track_info(status.track);
        return info && info->seekable;
    }

    void serve()
    {
        last_ = snapshot();
        while (!stop_) {
            while (connection_->processPendingRequest()) {
            }
            const auto poll_data = connection_->getEventLoopPollData();
            int timeout = poll_data.getPollTimeout();
            if (Clock::now() < watch_until_)
                timeout = timeout < 0 ? watch_interval_ms : std::min(timeout, watch_interval_ms);
            pollfd fds[2] = {{poll_data.fd, poll_data.events, 0}, {wake_fd_, POLLIN, 0}};
            if (poll(fds, 2, timeout) < 0 && errno != EINTR)
                break;
            if (fds[1].revents & POLLIN) {
                std::uint64_t count = 0;
                [[maybe_unused]] const auto taken = read(wake_fd_, &count, sizeof count);
                watch_until_ = Clock::now() + watch_duration;
            }
            publish();
        }
    }

    Snapshot snapshot() const
    {
        const PlayerStatus status = player_.status();
        return {status.track, playback_status(status), status.volume, status.position,
                can_go_next(status), can_seek(status), Clock::now()};
    }

    // Signals what changed since the last look: properties, and a position that jumped.
    void publish()
    {
        const Snapshot now = snapshot();
        std::vector<std::string> changed;
        if (now.track != last_.track)
            changed.emplace_back("Metadata");
        if (now.status != last_.status)
            changed.emplace_back("PlaybackStatus");
        if (now.volume != last_.volume)
            changed.emplace_back("Volume");
        if (now.can_go_next != last_.can_go_next)
            changed.emplace_back("CanGoNext");
        if (now.can_seek != last_.can_seek)
            changed.emplace_back("CanSeek");
        if (!changed.empty())
            object_->emitPropertiesChangedSignal(player_interface, changed);

        const double elapsed = last_.status == "Playing" ? std::chrono::duration<double>(now.at - last_.at).count() : 0;
        if (now.track == last_.track && std::abs(now.position - (last_.position + elapsed)) > seek_threshold_seconds) {
            object_->emitSignal("Seeked").onInterface(player_interface).withArguments(micros(now.position));
            watch_until_ = {};  // found what the command did
        }
        last_ = now;
    }

    const Player& player_;
    Controls& controls_;
    int wake_fd_ = -1;
    std::atomic<bool> stop_{false};
    // The D-Bus thread's own: created, used and destroyed there.
    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<sdbus::IObject> object_;
    std::string name_;
    Snapshot last_;
    Clock::time_point watch_until_;
    std::thread thread_;
};

Mpris::Mpris(const Player& player, Controls& controls) : service_(std::make_unique<Service>(player, controls)) {}

Mpris::~Mpris() = default;

void Mpris::changed() { service_->wake(); }

}  // namespace tonearm::cli
