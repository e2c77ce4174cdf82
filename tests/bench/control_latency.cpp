// control_latency: how soon a player's pause, resume, seek and volume keys are heard, for
// scripts/bench (tonearm beside mpv). The player runs on a pseudo-terminal against the
// PulseAudio server in PULSE_SERVER and plays a staircase file (each second one constant
// level); the keys are typed 400 ms apart and each effect is found in a recording of the
// null sink's monitor, whose frames map to the steady clock (tests/support/recorder.hpp).
//
//   control_latency --staircase FILE [--rate HZ]            write the file (15 s)
//   control_latency [--rate HZ] [--pause K] [--seek K] [--volume K] [--quit K] [--save RAW] -- COMMAND...
//
// Keys default to tonearm's (space, right arrow, down arrow, q). Prints one JSON object:
//   {"pause_ms": 1.4, "resume_ms": 0.3, "seek_ms": 7.1, "volume_ms": 1.2}
// or {"error": "..."} and exit 1.
#include "support/control_latency.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
    using namespace tonearm::test;
    int rate = 48000;
    ControlKeys keys;
    std::string staircase;
    ControlProbeOptions options;
    std::vector<std::string> command;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (arg == "--") {
            command.assign(argv + i + 1, argv + argc);
            break;
        }
        if (arg == "--rate") rate = std::stoi(value());
        else if (arg == "--staircase") staircase = value();
        else if (arg == "--pause") keys.toggle_pause = value();
        else if (arg == "--seek") keys.seek_forward = value();
        else if (arg == "--volume") keys.volume_down = value();
        else if (arg == "--quit") keys.quit = value();
        else if (arg == "--save") options.save_recording = value();
        else {
            std::fprintf(stderr, "control_latency: unknown option %s\n", arg.c_str());
            return 2;
        }
    }
    try {
        if (!staircase.empty()) {
            write_staircase(staircase, rate, 15);
            return 0;
        }
        std::map<std::string, std::string> env;
        for (const char* name : {"PULSE_SERVER", "XDG_RUNTIME_DIR", "HOME"})
            if (const char* set = std::getenv(name))
                env[name] = set;
        const ControlLatencies heard = measure_control_latency(command, env, rate, keys, options);
        std::printf("{\"pause_ms\": %.2f, \"resume_ms\": %.2f, \"seek_ms\": %.2f, \"volume_ms\": %.2f}\n",
                    heard.pause_ms, heard.resume_ms, heard.seek_ms, heard.volume_ms);
        return 0;
    } catch (const std::exception& error) {
        std::printf("{\"error\": \"%s\"}\n", error.what());
        return 1;
    }
}
