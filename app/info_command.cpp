#include "commands.hpp"
#include "exit_codes.hpp"
#include "json.hpp"
#include "time_text.hpp"

#include "tonearm/decoder.hpp"
#include "tonearm/error.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
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

void print_table(const std::string& path, const AudioInfo& info)
{
    const auto row = [](std::string_view key, const std::string& value) {
        std::cout << "  " << key << std::string(12 - std::min<std::size_t>(key.size(), 11), ' ')
                  << value << '\n';
    };
    std::cout << path << '\n';
    row("container", info.container);
    row("codec", codec_description(info));
    row("rate", std::to_string(info.sample_rate) + " Hz");
    row("channels", std::to_string(info.channels));
    row("duration", format_time(info.duration_seconds(), true) + " (" +
                        std::to_string(info.frames) + " frames)");
    for (const auto& [key, value] : info.tags)
        row(key, value);
}

std::string info_json(const std::string& path, const AudioInfo& info)
{
    JsonObject tags;
    for (const auto& [key, value] : info.tags)
        tags.add(key, value);
    JsonObject object;
    object.add("path", path)
        .add("ok", true)
        .add("container", info.container)
        .add("codec", info.codec)
        .add("sample_rate", info.sample_rate)
        .add("channels", info.channels)
        .add("frames", info.frames)
        .add("duration", info.duration_seconds());
    if (info.bits_per_sample)
        object.add("bits_per_sample", *info.bits_per_sample);
    else
        object.add_null("bits_per_sample");
    object.add("lossless", info.lossless).add("seekable", info.seekable).add_raw("tags", tags.str());
    return object.str();
}

std::string error_json(const std::string& path, const Error& error)
{
    return JsonObject()
        .add("path", path)
        .add("ok", false)
        .add("error", std::string(to_string(error.kind())))
        .add("message", error.cause())
        .str();
}

int run_info(const InfoOptions& options)
{
    int exit_code = exit_ok;
    bool first = true;
    for (const auto& path : options.files) {
        try {
            const auto decoder = Decoder::open(path);
            if (options.json) {
                std::cout << info_json(path, decoder.info()) << '\n';
            } else {
                std::cout << (first ? "" : "\n");
                print_table(path, decoder.info());
                first = false;
            }
        } catch (const Error& error) {
            spdlog::error("{}", error.what());
            if (options.json)
                std::cout << error_json(path, error) << '\n';
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
    command->add_option("files", options->files, "Audio files")->required();
    command->add_flag("--json", options->json,
                      "One JSON object per file and line (JSON Lines), failures included");
    command->callback([options, &context] { context.exit_code = run_info(*options); });
}

}  // namespace tonearm::cli
