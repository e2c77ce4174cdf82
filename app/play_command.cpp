#include "cli.hpp"
#include "commands.hpp"
#include "demo_path.hpp"
#include "exit_codes.hpp"
#include "key_parser.hpp"
#include "mpris.hpp"
#include "resume.hpp"
#include "status_text.hpp"
#include "terminal.hpp"
#include "time_text.hpp"

#include "tonearm/file_sink.hpp"
#include "tonearm/null_sink.hpp"
#include "tonearm/output_device.hpp"
#include "tonearm/player.hpp"
#include "tonearm/playlist.hpp"
#include "tonearm/replay_gain.hpp"
#include "tonearm/report_schema.hpp"
#include "tonearm/shuffle.hpp"
#include "tonearm/tag_reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <unistd.h>

namespace tonearm::cli {
namespace {

struct PlayOptions {
    std::vector<std::string> files;  // files, folders, playlists, cue sheets
    bool shuffle = false;
    std::optional<std::uint64_t> seed;
    bool resume = false;
    bool list = false;
    std::string start;
    double volume_percent = 100;
    bool loop = false;
    std::string device;
    std::string output;
    bool null = false;
    std::string replay_gain = "off";
};

std::unique_ptr<AudioSink> make_sink(const PlayOptions& options)
{
    if (!options.output.empty())
        return std::make_unique<FileSink>(options.output);
    if (options.null)
        return std::make_unique<NullSink>(NullSink::Pacing::unpaced);
    return make_device_sink(options.device);
}

// Each track's ReplayGain factor, from its tags (read when the track starts playing).
std::function<float(const std::filesystem::path&)> replay_gain(const std::string& mode_name)
{
    if (mode_name == "off")
        return {};
    const ReplayGainMode mode = mode_name == "album" ? ReplayGainMode::album : ReplayGainMode::track;
    return [mode](const std::filesystem::path& track) {
        try {
            const double factor = replay_gain_factor(replay_gain_from_tags(read_file_tags(track)), mode);
            spdlog::debug("{}: ReplayGain {:+.2f} dB", track.string(), 20 * std::log10(factor));
            return static_cast<float>(factor);
        } catch (const Error& error) {
            spdlog::warn("{} (played without ReplayGain)", error.what());
            return 1.0f;
        }
    };
}

// What the listener sees for a track: "track 3/12  " in a playlist of more than one, then its
// title (the playlist's, else the tags', else the file name).
std::string track_title(const Player& player, std::size_t track)
{
    const std::size_t count = player.playlist().size();
    const std::string number =
        count > 1 ? "track " + std::to_string(track + 1) + "/" + std::to_string(count) + "  " : "";
    return number + display_title(player.playlist().at(track), player.track_info(track));
}

// A cut file plays what it has, then says so (Decoder::expect_complete): a warning, not a failure.
bool is_failure(const Error& error) { return error.kind() != ErrorKind::truncated; }

// Reports tracks that failed (or were cut) since the last call, each as one line.
void report_track_errors(const Player& player, std::size_t& reported, StatusLine* status)
{
    const auto errors = player.track_errors();
    if (errors.size() == reported)
        return;
    if (status)
        status->clear();
    for (; reported < errors.size(); ++reported) {
        if (is_failure(errors[reported]))
            spdlog::error("{}", errors[reported].what());
        else
            spdlog::warn("{}: truncated: {}", errors[reported].subject(), errors[reported].cause());
    }
}

// How long until the status line's clock shows the next second.
std::chrono::milliseconds until_next_second(const PlayerStatus& status)
{
    // The heard position may lag the clock by a hair when we wake: aim just past the boundary
    // and never skip it (a wake-up at 0.9995 s waits for 1 s, not 2 s).
    double left = std::ceil(status.position) - status.position;
    if (left <= 0)
        left = 1;
    return std::chrono::milliseconds(static_cast<long>(std::ceil(left * 1000)) + 1);
}

// Runs until the playlist ends, the user quits or a signal arrives; returns the exit code.
// `terminal`: where the status line goes, or null when not interactive. `mpris`: told about
// every change, or null. Sleeps until something happens: a key, a media key, a signal, the
// player's news, or — computed, not polled — the moment the next track or the end reaches
// the listener (and on a terminal, the next second of the clock).
int play_loop(Player& player, Controls& controls, FILE* terminal, Mpris* mpris)
{
    const char* no_color = std::getenv("NO_COLOR");
    std::optional<StatusLine> status;
    if (terminal)
        status.emplace(terminal, !(no_color && *no_color));
    std::size_t reported = 0;
    std::optional<std::size_t> announced;

    // Looks before it asks whether play has finished: the null output can play a short file
    // through before the first look, and what played is still announced.
    for (;;) {
        report_track_errors(player, reported, status ? &*status : nullptr);
        const PlayerStatus now = player.status();
        if (announced != now.track) {
            announced = now.track;
            if (mpris)
                mpris->changed();
            if (status)
                status->clear();
            spdlog::info("playing {} ({})", printable_path(player.playlist()[now.track].path),
                         track_title(player, now.track));
        }
        if (player.finished()) {
            report_track_errors(player, reported, status ? &*status : nullptr);  // any since the look above
            return exit_ok;
        }
        auto timeout = player.time_to_next_change();
        if (status) {
            status->show(status_text(now, track_title(player, now.track), terminal_width(terminal)));
            if (!now.paused)
                timeout = std::min(timeout.value_or(std::chrono::milliseconds::max()), until_next_second(now));
        }

        const auto event = controls.wait(timeout);
        if (event.interrupted)
            return exit_interrupted;
        if (event.command == keys::quit)
            return exit_ok;
        if (event.command) {
            apply_command(player, *event.command);
            if (mpris)
                mpris->changed();
        }
    }
}

// What play plays: the tracks, where to begin, and what a resume point needs to find them again.
struct PlayRequest {
    std::vector<Track> tracks;
    ResumePoint bookmark;  // the arguments (absolute) and the order's seed
    std::size_t start_track = 0;
    std::optional<double> start_seconds;
    bool failed = false;     // something named cannot be played (each said in one line)
    bool explained = false;  // something was said about the playlist already
};

PlayRequest prepare_playlist(const PlayOptions& options, const ResumeStore& store)
{
    std::vector<std::string> arguments = options.files;
    std::optional<ResumePoint> resume;
    if (options.resume)
        resume = find_resume_point(store, absolute_arguments(arguments));
    if (arguments.empty())
        arguments = resume ? resume->arguments : std::vector<std::string>{demo_path().string()};

    PlayRequest request;
    request.bookmark.arguments = absolute_arguments(arguments);
    if (resume)
        request.bookmark.shuffle_seed = resume->shuffle_seed;  // the order it was quit in
    else if (options.shuffle)
        request.bookmark.shuffle_seed = options.seed.value_or(random_seed());
    if (request.bookmark.shuffle_seed && !options.seed)
        spdlog::info("shuffled with --seed {}", *request.bookmark.shuffle_seed);

    Playlist playlist = build_playlist(arguments);
    // With nothing left to play, what was passed over is why: an error, not a warning.
    const auto warning_level = playlist.tracks.empty() ? spdlog::level::err : spdlog::level::warn;
    for (const Error& warning : playlist.warnings)
        spdlog::log(warning_level, "{}", warning.what());
    for (const Error& error : playlist.errors)
        spdlog::error("{}", error.what());
    request.failed = !playlist.errors.empty();
    request.explained = !playlist.errors.empty() || !playlist.warnings.empty();
    request.tracks = request.bookmark.shuffle_seed ? shuffled(std::move(playlist.tracks), *request.bookmark.shuffle_seed)
                                                   : std::move(playlist.tracks);
    if (const auto at = resume ? resume_at(*resume, request.tracks) : std::nullopt) {
        request.start_track = at->track;
        request.start_seconds = at->seconds;
    } else if (!options.start.empty()) {
        request.start_seconds = *parse_time(options.start);
    }
    return request;
}

// --list: the playlist as JSON Lines on stdout, one object per track, in playing order.
void print_playlist(const std::vector<Track>& tracks)
{
    for (std::size_t i = 0; i < tracks.size(); ++i) {
        const Track& track = tracks[i];
        Json line = {{"track", i + 1}, {"path", printable_path(track.path)}, {"first_frame", track.first_frame}};
        line["end_frame"] = track.end_frame ? Json(*track.end_frame) : Json(nullptr);
        line["title"] = display_title(track, std::nullopt);
        line["performer"] = track.performer;
        std::printf("%s\n", dump(line).c_str());
    }
    std::fflush(stdout);
}

int run_play(const PlayOptions& options, FILE* terminal)
{
    const ResumeStore store(state_directory());
    PlayRequest request = prepare_playlist(options, store);
    if (options.list) {
        print_playlist(request.tracks);
        return request.failed ? exit_failed : exit_ok;
    }
    if (request.tracks.empty()) {
        if (!request.explained)  // one line: the reason when there is one
            spdlog::error("nothing to play");
        return exit_failed;
    }
    PlayerOptions player_options;
    player_options.volume = options.volume_percent / 100;
    player_options.loop = options.loop;
    player_options.start_track = request.start_track;
    player_options.start_seconds = request.start_seconds.value_or(0);
    player_options.track_gain = replay_gain(options.replay_gain);

    const bool listening = options.output.empty() && !options.null;
    const bool interactive = isatty(STDIN_FILENO) && is_terminal(terminal) && listening;
    Controls controls(interactive);  // before any thread starts: see Controls
    player_options.on_change = [&controls] { controls.wake(); };
    auto sink = make_sink(options);
    Player player(*sink, std::move(request.tracks), player_options);
    player.start();
    const auto format = player.stream_format();
    spdlog::info("output: {} ({} Hz, {} channels)", sink->description(), format.sample_rate, format.channels);

    int code = exit_ok;
    {
        // Media keys for a listener's playback only: not for --output or --null.
        std::optional<Mpris> mpris;
        if (listening)
            mpris.emplace(player, controls);
        code = play_loop(player, controls, interactive ? terminal : nullptr, mpris ? &*mpris : nullptr);
    }
    if (listening) {  // a bookmark for `play --resume`, taken before finish() stops the sound
        if (player.status().finished)
            store.forget(request.bookmark.arguments);
        else
            save_resume_point(store, request.bookmark, player);
    }
    player.finish();
    const PlayerStatus status = player.status();
    spdlog::info("underruns: {} (output reported {})", status.underruns, status.device_underruns);
    if (code != exit_ok)
        return code;
    const auto errors = player.track_errors();
    return request.failed || std::any_of(errors.begin(), errors.end(), is_failure) ? exit_failed : exit_ok;
}


}  // namespace

void add_play_command(CLI::App& app, CommandContext& context)
{
    auto options = std::make_shared<PlayOptions>();
    auto* command = app.add_subcommand("play", "Play files, folders, playlists and cue sheets (default: the demo)");
    command->add_option("files", options->files,
                        "What to play, in order, gaplessly: audio files, folders (recursively),\n"
                        "playlists (.m3u, .m3u8, .pls) and cue sheets (.cue)")
        ->type_name("PATH");  // PATH: the completions offer files and folders
    auto* shuffle = command->add_flag("--shuffle", options->shuffle, "Play the tracks in a random order, each once");
    command->add_option("--seed", options->seed, "The shuffle's seed: the same seed plays the same order")
        ->needs(shuffle)
        ->type_name("N");
    command->add_flag("--resume", options->resume,
                      "Continue where play was last quit (q or a signal): for these arguments,\n"
                      "or without any, the playlist quit last");
    command->add_flag("--list", options->list,
                      "Print the playlist as JSON Lines (track, path, first_frame, end_frame,\n"
                      "title, performer) instead of playing it");
    command->add_option("--start", options->start, "Start the first file at this time")
        ->check(time_validator());
    command->add_option("--volume", options->volume_percent, "Volume in percent")
        ->check(CLI::Range(0.0, 400.0))
        ->default_val(100)
        ->type_name("PERCENT");
    command->add_flag("--loop", options->loop, "Start over after the last file");
    command->add_option("--replaygain", options->replay_gain,
                        "Play at the loudness the files' ReplayGain (or R128) tags set: each track's, "
                        "or each album's; never above full scale")
        ->check(CLI::IsMember({"off", "track", "album"}))
        ->default_str("off");
    auto* device = command->add_option("--device", options->device,
                                       "Output device: index or name from 'tonearm devices'")
                       ->type_name("NAME|INDEX");
    auto* output = command->add_option("--output", options->output,
                                       "Render to this file (WAV: 32-bit float) instead of a device")
                       ->type_name("FILE");
    auto* null = command->add_flag("--null", options->null,
                                   "Decode into a null output as fast as possible (tests, benchmarks)");
    output->excludes(device)->excludes(null);
    null->excludes(device);
    // A subcommand's own footer replaces the inherited one, so the common part is repeated
    // here: exit code 3 (no audio output) matters most exactly for play.
    command->footer(std::string("Keys (on a terminal):\n") + keys_help +
                    "\n\nMedia keys: while playing, tonearm is an MPRIS player on the session bus\n"
                    "(org.mpris.MediaPlayer2.tonearm), so the desktop's media keys, its sound menu\n"
                    "and playerctl control it.\n\n" +
                    common_footer());
    command->callback([options, &context] { context.exit_code = run_play(*options, context.terminal); });
}

}  // namespace tonearm::cli
