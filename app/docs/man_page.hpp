#pragma once

#include "cli_model.hpp"

#include <string>

namespace tonearm::docs {

// The texts the man page has beside the command definitions; from cli.hpp and its neighbours.
struct ManPageTexts {
    std::string version;      // "tonearm 0.1.0"
    std::string time_syntax;  // TIME
    std::string environment;  // ENVIRONMENT: "NAME  text" lines
    std::string exit_codes;   // EXIT STATUS: "N  text" lines after a heading line
    std::vector<std::pair<std::string, std::string>> examples;  // command, what it does
};

// tonearm(1) in roff (man macros): every command with its options, then the shared sections.
std::string man_page(const CliModel& cli, const ManPageTexts& texts);

}  // namespace tonearm::docs
