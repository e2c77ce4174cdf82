#pragma once

#include "tonearm/error.hpp"

namespace tonearm::cli {

// The documented exit codes (also in --help and the README).
enum ExitCode : int {
    exit_ok = 0,
    exit_failed = 1,     // some file failed, or playback failed
    exit_usage = 2,      // bad command line
    exit_no_output = 3,  // no audio output available
    exit_interrupted = 130,  // stopped by SIGINT/SIGTERM/SIGHUP: the shell's convention
};

inline int exit_code_for(const Error& error)
{
    switch (error.kind()) {
    case ErrorKind::invalid_argument: return exit_usage;
    case ErrorKind::no_device: return exit_no_output;
    case ErrorKind::interrupted: return exit_interrupted;
    default: return exit_failed;
    }
}

inline constexpr const char* exit_codes_help =
    "Exit codes:\n"
    "  0  success\n"
    "  1  some file failed (check, info, decode) or playback failed\n"
    "  2  usage error\n"
    "  3  no audio output available (try --output FILE.wav)\n"
    "  130  interrupted (Ctrl-C) while playing or decoding";

}  // namespace tonearm::cli
