#pragma once

#include "commands.hpp"
#include "logging.hpp"

#include "tonearm/version.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

namespace tonearm::cli {

// "tonearm 0.1.0": --version and the man page.
inline std::string version_text() { return "tonearm " + std::string(version()); }

// tonearm's whole command line: the global options and every subcommand. main() parses with
// it; tonearm_docs walks the same definitions to write the man page and the shell
// completions, so neither can drift from --help.
void define_cli(CLI::App& app, CommandContext& context, LogOptions& log, FILE* diagnostics);

// What every --help ends with: TIME syntax, environment, exit codes. The man page has these
// as sections of their own.
std::string common_footer();

inline constexpr const char* environment_help =
    "  NO_COLOR      when set (to anything but empty), logs are never coloured\n"
    "  TONEARM_DEMO  the file play plays when given none (default: the bundled demo,\n"
    "                ../share/tonearm/demo.flac from the directory of the tonearm binary)";

// The man page's EXAMPLES: each a command and what it does.
inline constexpr const char* examples[][2] = {
    {"tonearm play", "Play the bundled demo."},
    {"tonearm play --start 1:30 --volume 80 *.flac", "Play files back to back from 1:30 into the first, at 80 %."},
    {"tonearm info --json song.opus", "Format, duration and tags as one JSON object."},
    {"tonearm decode song.flac -o song.wav --encoding 24", "Decode to a 24-bit WAV."},
    {"tonearm decode talk.mp3 -o clip.ogg --start 10 --duration 30s", "Cut 30 seconds from 0:10 into Ogg Vorbis."},
    {"tonearm check --format jsonl ~/Music > report.jsonl", "Check a whole tree; exit status 1 if a file failed."},
    {"playerctl -p tonearm pause", "Pause a playing tonearm from another terminal (MPRIS)."},
};

}  // namespace tonearm::cli
