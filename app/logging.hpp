#pragma once

#include <cstdio>
#include <string>

namespace tonearm::cli {

struct LogOptions {
    int verbose = 0;  // -v: info, -vv: debug, -vvv: trace
    bool quiet = false;
    std::string level;  // --log-level overrides both
};

// Logs go to `stream` (stderr), one line each ("tonearm: error: ..."), coloured on a terminal
// unless NO_COLOR is set. Program output (tables, JSON) goes to stdout and is never coloured.
void setup_logging(const LogOptions& options, FILE* stream);

}  // namespace tonearm::cli
