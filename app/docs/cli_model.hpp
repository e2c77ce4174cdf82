#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace tonearm::docs {

// tonearm's command line as the generators need it, read from the CLI11 definitions.
struct OptionModel {
    std::vector<std::string> names;    // "-o", "--output"; a positional has its own name
    std::string value;                 // "TIME", "FILE"; empty for a flag
    std::vector<std::string> choices;  // from an IsMember check
    std::string description;
    bool positional = false;
    bool repeatable = false;  // takes several values (positionals) or may be given again (-vv)
    bool required = false;
    bool file = false;        // its value names a file (type name FILE or PATH)
};

struct CommandModel {
    std::string name;  // empty for the top level
    std::string description;
    std::string footer;  // without the sections the man page lists once (see man_page.cpp)
    std::vector<OptionModel> options;
    std::vector<OptionModel> positionals;
};

struct CliModel {
    CommandModel global;
    std::vector<CommandModel> commands;
};

CliModel describe(const CLI::App& app, const std::string& common_footer);

}  // namespace tonearm::docs
