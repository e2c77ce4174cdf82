#include "commands.hpp"
#include "exit_codes.hpp"
#include "time_text.hpp"

#include "tonearm/decoder.hpp"
#include "tonearm/error.hpp"
#include "tonearm/report_schema.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
#include <limits>
#include <memory>

namespace tonearm::cli {
namespace {

struct InfoOptions {
    std::vector<std::string> files;
    bool json = false;
};

std::string codec_description(const AudioInfo& info)
{
    std::string text = info.codec;
    if (info.bits_per_sample && !info.floating_point)
        text += ", " + std::to_string(*info.bits_per_sample) + "-bit";
    return text;
}

// What the container shows about a cut, read from its headers and its end, not decoded.
std::string truncation_text(const StreamLength& length)
{
    if (!length.cut)
        return "cannot tell without decoding (tonearm check decodes it)";
    return length.cut->empty() ? "no" : "yes: " + *length.cut;
}

void print_table(const std::string& path, const Decoder& decoder)
{
    const AudioInfo& info = decoder.info();
    const auto row = [](std::string_view key, const std::string& value) {
        std::cout << "  " << key << std::string(12 - std::min<std::size_t>(key.size(), 11), ' ')
                  << value << '\n';
    };
    std::cout << path << '\n';
    row("container", info.container);
    row("codec", codec_description(info));
    row("rate", std::to_string(info.sample_rate) + " Hz");
    row("channels", std::to_string(info.channels));
    if (info.frames == std::numeric_limits<std::int64_t>::max())
        row("duration", "unknown (the stream does not end with a length)");
    else
        row("duration", format_time(info.duration_seconds(), true) + " (" + std::to_string(info.frames) + " frames)");
    row("truncated", truncation_text(decoder.length()));
    for (const auto& [key, value] : info.tags)
        row(key, value);
}

Json info_json(const std::string& path, const Decoder& decoder)
{
    Json json = {{"path", path}, {"ok", true}};
    json.update(to_json(decoder.info(), decoder.length()));
    return json;
}

Json error_json(const std::string& path, const Error& error)
{
    return {{"path", path}, {"ok", false}, {"error", std::string(to_string(error.kind()))}, {"message", error.cause()}};
}

int run_info(const InfoOptions& options)
{
    int exit_code = exit_ok;
    bool first = true;
    for (const auto& path : options.files) {
        try {
            const auto decoder = Decoder::open(path);
            if (options.json) {
                std::cout << dump(info_json(path, decoder)) << '\n';
            } else {
                std::cout << (first ? "" : "\n");
                print_table(path, decoder);
                first = false;
            }
        } catch (const Error& error) {
            spdlog::error("{}", error.what());
            if (options.json)
                std::cout << dump(error_json(path, error)) << '\n';
            exit_code = exit_failed;
        }
    }
    return exit_code;
}

}  // namespace

void add_info_command(CLI::App& app, CommandContext& context)
{
    auto options = std::make_shared<InfoOptions>();
    auto* command = app.add_subcommand("info", "Show format, duration and tags of audio files");
    command->add_option("files", options->files, "Audio files")->required()->type_name("FILE");
    command->add_flag("--json", options->json,
                      "One JSON object per file and line (JSON Lines), failures included");
    command->footer("truncated: whether the container shows the file was cut (a WAV's data chunk longer than\n"
                    "the file, an Ogg stream without its end page, a FLAC without its final frame), read from\n"
                    "its headers and its end; formats that declare no length cannot tell without decoding.");
    command->callback([options, &context] { context.exit_code = run_info(*options); });
}

}  // namespace tonearm::cli
