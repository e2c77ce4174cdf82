// tonearm: parses the command line (cli.cpp) and runs the subcommand; each lives in its own
// *_command.cpp. Errors become one line on stderr and an exit code here.
#include "cli.hpp"
#include "exit_codes.hpp"
#include "library_stderr.hpp"

#include "tonearm/error.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <spdlog/fmt/fmt.h>

namespace {

int run(int argc, char** argv, FILE* diagnostics)
{
    using namespace tonearm::cli;
    CLI::App app{"", "tonearm"};
    LogOptions log;
    setup_logging(log, diagnostics);
    CommandContext context{exit_ok, diagnostics};
    define_cli(app, context, log, diagnostics);

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
