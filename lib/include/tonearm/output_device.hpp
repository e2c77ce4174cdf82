#pragma once

#include "tonearm/audio_sink.hpp"

#include <memory>
#include <string>
#include <vector>

namespace tonearm {

struct OutputDevice {
    std::size_t index = 0;  // position in list_output_devices(), what --device takes
    std::string api;        // "pulse" (the sound server), "alsa", "jack", ...
    unsigned api_id = 0;    // RtAudio's device id within that api
    std::string name;       // the server's or the driver's name for it
    std::string description;
    bool is_default = false;
    unsigned channels = 0;
    std::vector<unsigned> sample_rates;
    unsigned preferred_rate = 0;
};

// Every output: the sound server's sinks first (when a PulseAudio-compatible server
// answers), then what RtAudio sees of the hardware (ALSA, JACK when a server runs).
std::vector<OutputDevice> list_output_devices();

// The sink for a device. `selector`: empty for the default output; an index from
// list_output_devices(); an api name ("pulse", "alsa", "jack") for its default; or part of a
// device's name or description (case-insensitive). The sound server when one answers,
// RtAudio otherwise. Throws Error(invalid_argument) when the selector matches nothing.
std::unique_ptr<AudioSink> make_device_sink(const std::string& selector = {});

}  // namespace tonearm
