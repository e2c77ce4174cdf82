#include "cli.hpp"

#include "exit_codes.hpp"
#include "time_text.hpp"

namespace tonearm::cli {

const CLI::Validator& time_validator()
{
    static const CLI::Validator validator(
        [](const std::string& text) {
            return parse_time(text) ? std::string() : "'" + text + "' is not a time (try 90, 1:30 or 1500ms)";
        },
        "TIME");
    return validator;
}

std::string common_footer()
{
    return std::string(time_syntax_help) + "\n\nEnvironment:\n" + environment_help + "\n\n" + exit_codes_help;
}

void define_cli(CLI::App& app, CommandContext& context, LogOptions& log, FILE* diagnostics)
{
    app.description("tonearm - play, inspect, decode and check audio files "
                    "(WAV, AIFF, FLAC, Ogg Vorbis, Opus, MP3, ...)");
    app.set_version_flag("--version", version_text());
    app.footer(common_footer());
    app.require_subcommand(0, 1);
    app.get_formatter()->column_width(34);

    app.add_flag("-v,--verbose", log.verbose, "More log output on stderr (repeat for more)");
    app.add_flag("-q,--quiet", log.quiet, "Only log errors");
    app.add_option("--log-level", log.level, "Log level")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.parse_complete_callback([&log, diagnostics] { setup_logging(log, diagnostics); });

    add_play_command(app, context);
    add_info_command(app, context);
    add_decode_command(app, context);
    add_check_command(app, context);
    add_devices_command(app, context);
}

}  // namespace tonearm::cli
