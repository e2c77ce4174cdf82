#pragma once

#include <CLI/CLI.hpp>

namespace tonearm::cli {

// One function per subcommand: it declares the options and a callback that runs the
// command and stores its exit code (see exit_codes.hpp) in `exit_code`.
void add_play_command(CLI::App& app, int& exit_code);
void add_info_command(CLI::App& app, int& exit_code);
void add_decode_command(CLI::App& app, int& exit_code);
void add_check_command(CLI::App& app, int& exit_code);
void add_devices_command(CLI::App& app, int& exit_code);

// Shared by subcommands: a CLI11 validator for times such as "90", "1:30" or "1500ms".
const CLI::Validator& time_validator();

}  // namespace tonearm::cli
