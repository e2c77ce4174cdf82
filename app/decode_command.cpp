#include "commands.hpp"
#include "exit_codes.hpp"
#include "terminal.hpp"
#include "time_text.hpp"

#include "tonearm/transcode.hpp"

#include <spdlog/spdlog.h>

#include <memory>

namespace tonearm::cli {
namespace {

struct DecodeOptions {
    std::string input;
    std::string output;
    std::string format;
    std::string encoding;
    std::string start;
    std::string duration;
    bool strict = false;
};

std::optional<SampleEncoding> parse_encoding(const std::string& text)
{
    if (text == "16") return SampleEncoding::pcm16;
    if (text == "24") return SampleEncoding::pcm24;
    if (text == "32") return SampleEncoding::pcm32;
    if (text == "float") return SampleEncoding::float32;
    return std::nullopt;
}

int run_decode(const DecodeOptions& options)
{
    TranscodeOptions transcode_options;
    if (!options.format.empty())
        transcode_options.type = file_type_from_name(options.format);
    transcode_options.encoding = parse_encoding(options.encoding);
    if (!options.start.empty())
        transcode_options.start_seconds = *parse_time(options.start);
    if (!options.duration.empty())
        transcode_options.duration_seconds = parse_time(options.duration);
    // Ctrl-C ends the work through its error path, so the temporary output is removed.
    Controls controls(false);
    transcode_options.stop_requested = [&controls] { return controls.wait(std::chrono::milliseconds(0)).interrupted; };
    transcode_options.strict = options.strict;

    const auto result = transcode(options.input, options.output, transcode_options);
    if (result.truncation)
        spdlog::warn("{}: truncated: {}", options.input, *result.truncation);
    spdlog::info("{}: wrote {} frames ({}, {} Hz, {} channels)", options.output, result.frames,
                 to_string(result.output.type), result.output.sample_rate, result.output.channels);
    return exit_ok;
}

}  // namespace

void add_decode_command(CLI::App& app, CommandContext& context)
{
    auto options = std::make_shared<DecodeOptions>();
    auto* command = app.add_subcommand(
        "decode", "Decode an audio file and write it as WAV, FLAC, AIFF, Ogg Vorbis, Opus or MP3");
    command->add_option("input", options->input, "File to decode")->required()->type_name("FILE");
    command->add_option("-o,--output", options->output,
                        "File to write; its extension picks the format. Written to a temporary "
                        "file and renamed, so it appears only when complete")
        ->required()
        ->type_name("FILE");
    command->add_option("-f,--format", options->format, "Force the output format")
        ->check(CLI::IsMember({"wav", "flac", "aiff", "ogg", "opus", "mp3"}));
    command->add_option("-e,--encoding", options->encoding,
                        "Sample encoding for wav/aiff/flac (default: keep the input's)")
        ->check(CLI::IsMember({"16", "24", "32", "float"}));
    command->add_option("--start", options->start, "Start at this time")->check(time_validator());
    command->add_option("--duration", options->duration, "Decode only this long")
        ->check(time_validator());
    command->add_flag("--strict", options->strict,
                      "A cut input (its container declares more than decodes) is an error: exit 1, nothing "
                      "written. Without it, what is there is written and a warning says how much");
    command->callback([options, &context] { context.exit_code = run_decode(*options); });
}

}  // namespace tonearm::cli
