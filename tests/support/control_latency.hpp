#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tonearm::test {

// A file whose level says where it is: second n holds the constant 0.03 * (n + 1) on both
// channels, so silence, the position after a seek and a volume change each show in a single
// sample of a recording.
void write_staircase(const std::filesystem::path& path, int sample_rate, int seconds);

// The keys a player takes (tonearm's by default).
struct ControlKeys {
    std::string toggle_pause = " ";
    std::string seek_forward = "\x1b[C";  // +5 s
    std::string volume_down = "\x1b[B";
    std::string quit = "q";
};

// When set, the recording is also written here (raw float32 stereo) for a closer look.
struct ControlProbeOptions {
    std::filesystem::path save_recording;
};

// Milliseconds from a key press to the moment its effect was played at the sink.
struct ControlLatencies {
    double pause_ms = 0;
    double resume_ms = 0;
    double seek_ms = 0;
    double volume_ms = 0;
};

// Runs `argv` — a player whose input is a staircase file — on a pseudo-terminal against the
// PulseAudio server `env` points at (its null sink "capture" at `sample_rate`), presses pause,
// pause, seek forward and volume down 400 ms apart, quits, and measures each from the sink's
// monitor. Throws std::runtime_error when the player does not play or an effect never shows.
ControlLatencies measure_control_latency(const std::vector<std::string>& argv,
                                         const std::map<std::string, std::string>& env, int sample_rate,
                                         const ControlKeys& keys = {}, const ControlProbeOptions& options = {});

}  // namespace tonearm::test
