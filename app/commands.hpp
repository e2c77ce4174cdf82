#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>

namespace tonearm::cli {

// What the subcommands share with main: where the exit code goes (see exit_codes.hpp), and the
// stream for status lines and progress bars: the real stderr (fd 2 itself is LibraryStderr's).
struct CommandContext {
    int exit_code = 0;
    FILE* terminal = stderr;
};

// One function per subcommand: it declares the options and a callback that runs the command.
void add_play_command(CLI::App& app, CommandContext& context);
void add_info_command(CLI::App& app, CommandContext& context);
void add_decode_command(CLI::App& app, CommandContext& context);
void add_check_command(CLI::App& app, CommandContext& context);
void add_devices_command(CLI::App& app, CommandContext& context);

// Shared by subcommands: a CLI11 validator for times such as "90", "1:30" or "1500ms".
const CLI::Validator& time_validator();

}  // namespace tonearm::cli
