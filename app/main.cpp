// tonearm: wires the subcommands together; each lives in its own *_command.cpp.
#include "commands.hpp"
#include "exit_codes.hpp"
#include "logging.hpp"

#include "tonearm/error.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

namespace {

constexpr const char* version = "tonearm 0.1.0";

int run(int argc, char** argv)
{
    using namespace tonearm::cli;
    CLI::App app{"tonearm - play, inspect, decode and check audio files "
                 "(WAV, AIFF, FLAC, Ogg Vorbis, Opus, MP3, ...)",
                 "tonearm"};
    app.set_version_flag("--version", version);
    app.footer(exit_codes_help);
    app.require_subcommand(0, 1);
    app.get_formatter()->column_width(34);

    LogOptions log;
    setup_logging(log);
    app.add_flag("-v,--verbose", log.verbose, "More log output on stderr (repeat for more)");
    app.add_flag("-q,--quiet", log.quiet, "Only log errors");
    app.add_option("--log-level", log.level, "Log level")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.parse_complete_callback([&] { setup_logging(log); });

    int exit_code = exit_ok;
    add_play_command(app, exit_code);
    add_info_command(app, exit_code);
    add_decode_command(app, exit_code);
    add_devices_command(app, exit_code);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "tonearm: " << e.what() << "\nRun 'tonearm --help' for usage.\n";
        return exit_usage;
    }
    if (app.get_subcommands().empty()) {
        std::cerr << app.help();
        return exit_usage;
    }
    return exit_code;
}

}  // namespace

int main(int argc, char** argv)
{
    // A write past RLIMIT_FSIZE must fail like a full disk (EFBIG), not kill the process
    // before the temporary output can be removed.
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        return run(argc, argv);
    } catch (const tonearm::Error& e) {
        spdlog::error("{}", e.what());
        return tonearm::cli::exit_code_for(e);
    } catch (const std::exception& e) {
        spdlog::critical("unexpected error: {}", e.what());
        return tonearm::cli::exit_failed;
    }
}
