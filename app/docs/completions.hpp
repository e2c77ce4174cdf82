#pragma once

#include "cli_model.hpp"

#include <string>
#include <vector>

namespace tonearm::docs {

// Shell completion scripts: subcommands, their options (and the values of options with
// choices), and for file arguments the files with `audio_extensions` (any case) plus
// directories; an option whose value is a FILE takes any file.
std::string bash_completion(const CliModel& cli, const std::vector<std::string>& audio_extensions);
std::string zsh_completion(const CliModel& cli, const std::vector<std::string>& audio_extensions);
std::string fish_completion(const CliModel& cli, const std::vector<std::string>& audio_extensions);

}  // namespace tonearm::docs
