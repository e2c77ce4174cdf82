#include "commands.hpp"
#include "exit_codes.hpp"
#include "terminal.hpp"
#include "time_text.hpp"

#include "tonearm/device_sink.hpp"
#include "tonearm/file_sink.hpp"
#include "tonearm/null_sink.hpp"
#include "tonearm/player.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <unistd.h>

namespace tonearm::cli {
namespace {

constexpr double seek_step_seconds = 5;
constexpr double volume_step = 0.05;

struct PlayOptions {
    std::vector<std::string> files;
    std::string start;
    double volume_percent = 100;
    bool loop = false;
    std::string device;
    std::string output;
    bool null = false;
};

std::unique_ptr<AudioSink> make_sink(const PlayOptions& options)
{
    if (!options.output.empty())
        return std::make_unique<FileSink>(options.output);
    if (options.null)
        return std::make_unique<NullSink>(NullSink::Pacing::unpaced);
    return std::make_unique<DeviceSink>(options.device);
}

std::string track_title(const Player& player, std::size_t track)
{
    const auto info = player.track_info(track);
    const auto& path = player.playlist().at(track);
    if (!info)
        return path.filename().string();
    const auto title = info->tags.find("title");
    const auto artist = info->tags.find("artist");
    if (title == info->tags.end())
        return path.filename().string();
    return artist == info->tags.end() ? title->second : title->second + " - " + artist->second;
}

std::string status_text(const Player& player, int width)
{
    const PlayerStatus status = player.status();
    std::string right = " " + format_time(status.position) + " / " + format_time(status.duration);
    const int volume = static_cast<int>(std::lround(status.volume * 100));
    std::string tail = "  vol " + std::to_string(volume) + "%" + (status.paused ? "  [paused]" : "");

    std::string title = (status.paused ? "|| " : "> ") + track_title(player, status.track);
    const int bar_width = std::clamp(width / 4, 0, 30);
    const int room = width - 1 - static_cast<int>(right.size() + tail.size()) - (bar_width + 3);
    if (room < 10)
        return (status.paused ? "|| " : "> ") + right.substr(1) + tail;
    if (static_cast<int>(title.size()) > room)
        title = title.substr(0, static_cast<std::size_t>(room - 3)) + "...";
    title.resize(static_cast<std::size_t>(room), ' ');

    const double fraction = status.duration > 0 ? std::clamp(status.position / status.duration, 0.0, 1.0) : 0;
    const int filled = static_cast<int>(fraction * bar_width);
    std::string bar = " [" + std::string(static_cast<std::size_t>(filled), '#') +
                      std::string(static_cast<std::size_t>(bar_width - filled), '-') + "]";
    return title + bar + right + tail;
}

void apply_key(Player& player, Key key)
{
    switch (key) {
    case Key::pause: player.toggle_pause(); break;
    case Key::seek_back: player.seek_by(-seek_step_seconds); break;
    case Key::seek_forward: player.seek_by(seek_step_seconds); break;
    case Key::volume_up: player.set_volume(player.status().volume + volume_step); break;
    case Key::volume_down: player.set_volume(std::max(0.0, player.status().volume - volume_step)); break;
    case Key::next: player.next(); break;
    case Key::quit: break;
    }
}

// Reports tracks that failed since the last call, each as one error line.
void report_track_errors(const Player& player, std::size_t& reported, StatusLine* status)
{
    const auto errors = player.track_errors();
    if (errors.size() == reported)
        return;
    if (status)
        status->clear();
    for (; reported < errors.size(); ++reported)
        spdlog::error("{}", errors[reported].what());
}

// Runs until the playlist ends, the user quits or a signal arrives; returns the exit code.
// `terminal`: where the status line goes, or null when not interactive.
int play_loop(Player& player, Controls& controls, FILE* terminal)
{
    const char* no_color = std::getenv("NO_COLOR");
    std::optional<StatusLine> status;
    if (terminal)
        status.emplace(terminal, !(no_color && *no_color));
    std::size_t reported = 0;
    std::optional<std::size_t> announced;
    auto next_redraw = std::chrono::steady_clock::now();

    // Keys and signals end the wait at once; the timeout only bounds how late the end of
    // playback is noticed (40 ms) without waking a hundred times a second.
    while (!player.finished()) {
        const auto event = controls.wait(std::chrono::milliseconds(40));
        if (event.interrupted)
            return exit_interrupted;
        if (event.key == Key::quit)
            return exit_ok;
        if (event.key)
            apply_key(player, *event.key);

        report_track_errors(player, reported, status ? &*status : nullptr);
        const std::size_t track = player.status().track;
        if (announced != track) {
            announced = track;
            if (status)
                status->clear();
            spdlog::info("playing {}", player.playlist()[track].string());
        }
        if (status && (event.key || std::chrono::steady_clock::now() >= next_redraw)) {
            status->show(status_text(player, terminal_width(terminal)));
            next_redraw = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
        }
    }
    report_track_errors(player, reported, status ? &*status : nullptr);
    return exit_ok;
}

int run_play(const PlayOptions& options, FILE* terminal)
{
    std::vector<std::filesystem::path> playlist(options.files.begin(), options.files.end());
    if (playlist.empty()) {
        const char* demo = std::getenv("TONEARM_DEMO");
        playlist.emplace_back(demo && *demo ? demo : TONEARM_DEMO_PATH);
    }
    PlayerOptions player_options;
    player_options.volume = options.volume_percent / 100;
    player_options.loop = options.loop;
    if (!options.start.empty())
        player_options.start_seconds = *parse_time(options.start);

    const bool interactive = isatty(STDIN_FILENO) && is_terminal(terminal) &&
                             options.output.empty() && !options.null;
    Controls controls(interactive);  // before any thread starts: see Controls
    auto sink = make_sink(options);
    Player player(*sink, playlist, player_options);
    player.start();
    const auto format = player.stream_format();
    spdlog::info("output: {} ({} Hz, {} channels)", sink->description(), format.sample_rate, format.channels);

    const int code = play_loop(player, controls, interactive ? terminal : nullptr);
    player.finish();
    const PlayerStatus status = player.status();
    spdlog::info("underruns: {} (output reported {})", status.underruns, status.device_underruns);
    if (code != exit_ok)
        return code;
    return player.track_errors().empty() ? exit_ok : exit_failed;
}

}  // namespace

void add_play_command(CLI::App& app, CommandContext& context)
{
    auto options = std::make_shared<PlayOptions>();
    auto* command = app.add_subcommand("play", "Play audio files (default: the bundled demo)");
    command->add_option("files", options->files, "Files to play, back to back without gaps");
    command->add_option("--start", options->start, "Start the first file at this time")
        ->check(time_validator());
    command->add_option("--volume", options->volume_percent, "Volume in percent")
        ->check(CLI::Range(0.0, 400.0))
        ->default_val(100);
    command->add_flag("--loop", options->loop, "Start over after the last file");
    auto* device = command->add_option("--device", options->device,
                                       "Output device: index or name from 'tonearm devices'");
    auto* output = command->add_option("--output", options->output,
                                       "Render to this file (WAV: 32-bit float) instead of a device");
    auto* null = command->add_flag("--null", options->null,
                                   "Decode into a null output as fast as possible (tests, benchmarks)");
    output->excludes(device)->excludes(null);
    null->excludes(device);
    // A subcommand's own footer replaces the inherited one, so the exit codes are repeated
    // here: 3 (no audio output) matters most exactly for play.
    command->footer(std::string{"Keys (on a terminal): space pause/resume, left/right seek 5 s, "
                                "up/down volume,\nn next file, q quit.\n\n"} +
                    exit_codes_help);
    command->callback([options, &context] { context.exit_code = run_play(*options, context.terminal); });
}

}  // namespace tonearm::cli
