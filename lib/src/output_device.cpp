#include "tonearm/output_device.hpp"

#include "tonearm/error.hpp"
#include "tonearm/pulse_sink.hpp"
#include "tonearm/rtaudio_sink.hpp"
#include "text.hpp"

namespace tonearm {
namespace {

bool matches(const OutputDevice& device, const std::string& selector)
{
    const std::string wanted = lower_case(selector);
    return std::to_string(device.index) == selector || (device.api == wanted && device.is_default) ||
           lower_case(device.name).find(wanted) != std::string::npos ||
           lower_case(device.description).find(wanted) != std::string::npos;
}

}  // namespace

std::vector<OutputDevice> list_output_devices()
{
    std::vector<OutputDevice> devices = list_pulse_sinks();
    for (auto& device : list_rtaudio_devices())
        devices.push_back(std::move(device));
    for (std::size_t i = 0; i < devices.size(); ++i)
        devices[i].index = i;
    return devices;
}

std::unique_ptr<AudioSink> make_device_sink(const std::string& selector)
{
    if (selector.empty()) {
        if (auto server = PulseSink::connect())
            return server;
        return std::make_unique<RtAudioSink>();
    }
    for (const auto& device : list_output_devices()) {
        if (!matches(device, selector))
            continue;
        if (device.api == "pulse") {
            if (auto server = PulseSink::connect(device.name))
                return server;
            continue;  // the server left since it listed its sinks
        }
        return std::make_unique<RtAudioSink>(device);
    }
    throw Error(ErrorKind::invalid_argument, selector, "no such output device (see 'tonearm devices')");
}

}  // namespace tonearm
