#include "commands.hpp"
#include "exit_codes.hpp"

#include "tonearm/output_device.hpp"
#include "tonearm/report_schema.hpp"

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
            const Json object = {{"index", device.index},
                                 {"api", device.api},
                                 {"name", device.name},
                                 {"description", device.description},
                                 {"default", device.is_default},
                                 {"channels", device.channels},
                                 {"sample_rates", device.sample_rates},
                                 {"preferred_rate", device.preferred_rate}};
            std::cout << dump(object) << '\n';
        } else {
            std::cout << device.index << (device.is_default ? " * " : "   ") << device.api << ": "
                      << device.name
                      << (device.description.empty() || device.description == device.name ? ""
                                                                                          : " - " + device.description)
                      << "  (" << device.channels << " ch; "
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
