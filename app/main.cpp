// tonearm: wires the subcommands together; each lives in its own *_command.cpp.
#include "commands.hpp"
#include "exit_codes.hpp"
#include "library_stderr.hpp"
#include "logging.hpp"

#include "tonearm/error.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <spdlog/fmt/fmt.h>

namespace {

constexpr const char* version = "tonearm 0.1.0";

int run(int argc, char** argv, FILE* diagnostics)
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
    setup_logging(log, diagnostics);
    app.add_flag("-v,--verbose", log.verbose, "More log output on stderr (repeat for more)");
    app.add_flag("-q,--quiet", log.quiet, "Only log errors");
    app.add_option("--log-level", log.level, "Log level")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.parse_complete_callback([&] { setup_logging(log, diagnostics); });

    CommandContext context{exit_ok, diagnostics};
    add_play_command(app, context);
    add_info_command(app, context);
    add_decode_command(app, context);
    add_check_command(app, context);
    add_devices_command(app, context);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        fmt::print(diagnostics, "tonearm: {}\nRun 'tonearm --help' for usage.\n", e.what());
        return exit_usage;
    }
    if (app.get_subcommands().empty()) {
        fmt::print(diagnostics, "{}", app.help());
        return exit_usage;
    }
    return context.exit_code;
}

}  // namespace

int main(int argc, char** argv)
{
    // A write past RLIMIT_FSIZE must fail like a full disk (EFBIG), not kill the process
    // before the temporary output can be removed.
    std::signal(SIGXFSZ, SIG_IGN);
    tonearm::cli::LibraryStderr library_stderr;
    try {
        return run(argc, argv, library_stderr.real_stderr());
    } catch (const tonearm::Error& e) {
        spdlog::error("{}", e.what());
        return tonearm::cli::exit_code_for(e);
    } catch (const std::exception& e) {
        spdlog::critical("unexpected error: {}", e.what());
        return tonearm::cli::exit_failed;
    }
}
