#include "commands.hpp"
#include "exit_codes.hpp"
#include "json.hpp"

#include "tonearm/device_sink.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

namespace tonearm::cli {
namespace {

std::string rates_text(const std::vector<unsigned>& rates)
{
    std::string text;
    for (unsigned rate : rates)
        text += (text.empty() ? "" : ",") + std::to_string(rate);
    return text;
}

int run_devices(bool json)
{
    const auto devices = list_output_devices();
    for (const auto& device : devices) {
        if (json) {
            std::string rates = "[" + rates_text(device.sample_rates) + "]";
            std::cout << JsonObject()
                             .add("index", static_cast<std::int64_t>(device.index))
                             .add("api", device.api)
                             .add("name", device.name)
                             .add("default", device.is_default)
                             .add("channels", static_cast<std::int64_t>(device.channels))
                             .add_raw("sample_rates", rates)
                             .add("preferred_rate", static_cast<std::int64_t>(device.preferred_rate))
                             .str()
                      << '\n';
        } else {
            std::cout << device.index << (device.is_default ? " * " : "   ") << device.api << ": "
                      << device.name << "  (" << device.channels << " ch; "
                      << rates_text(device.sample_rates) << " Hz)\n";
        }
    }
    if (devices.empty()) {
        spdlog::error("no audio output devices found");
        return exit_no_output;
    }
    return exit_ok;
}

}  // namespace

void add_devices_command(CLI::App& app, CommandContext& context)
{
    auto json = std::make_shared<bool>(false);
    auto* command = app.add_subcommand("devices", "List audio outputs (* marks each api's default)");
    command->add_flag("--json", *json, "One JSON object per device and line");
    command->callback([json, &context] { context.exit_code = run_devices(*json); });
}

}  // namespace tonearm::cli
