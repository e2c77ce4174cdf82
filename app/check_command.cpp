#include "commands.hpp"
#include "exit_codes.hpp"
#include "json.hpp"
#include "terminal.hpp"
#include "time_text.hpp"

#include "tonearm/batch_check.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <unistd.h>

namespace tonearm::cli {
namespace {

struct CheckOptions {
    std::vector<std::string> paths;
    std::vector<std::string> extensions;  // empty: the default list
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    std::string format = "text";
    bool verbose = false;
};

std::string peak_dbfs(double peak)
{
    if (peak <= 0.0)
        return "-inf dBFS";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f dBFS", 20.0 * std::log10(peak));
    return text;
}

std::string result_json(const CheckResult& r)
{
    JsonObject o;
    o.add("path", r.path.string()).add("verdict", r.ok() ? "ok" : "fail");
    if (r.ok())
        o.add_null("category").add_null("message");
    else
        o.add("category", to_string(r.category)).add("message", r.message);
    if (r.opened) {
        o.add("container", r.container)
            .add("codec", r.codec)
            .add("sample_rate", r.sample_rate)
            .add("channels", r.channels)
            .add("frames", r.frames);
        if (r.declared_frames)
            o.add("declared_frames", *r.declared_frames);
        else
            o.add_null("declared_frames");
        o.add("duration", r.duration())
            .add("peak", r.peak)
            .add("clipped", r.clipped)
            .add("non_finite", r.non_finite);
        if (r.md5 == Md5Status::not_applicable)
            o.add_null("md5");
        else
            o.add("md5", to_string(r.md5));
    } else {
        for (const char* key : {"container", "codec", "sample_rate", "channels", "frames", "declared_frames",
                                "duration", "peak", "clipped", "non_finite", "md5"})
            o.add_null(key);
    }
    return o.add("seconds", r.seconds).str();
}

std::string csv_field(std::string_view text)
{
    if (text.find_first_of(",\"\r\n") == std::string_view::npos)
        return std::string(text);
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

constexpr const char* csv_header =
    "path,verdict,category,message,container,codec,sample_rate,channels,frames,declared_frames,"
    "duration,peak,clipped,non_finite,md5,seconds";

std::string result_csv(const CheckResult& r)
{
    std::string line = csv_field(r.path.string()) +
                       (r.ok() ? ",ok,," : ",fail," + std::string(to_string(r.category)) + "," + csv_field(r.message));
    if (r.opened) {
        line += "," + csv_field(r.container) + "," + csv_field(r.codec) + "," + std::to_string(r.sample_rate) + "," +
                std::to_string(r.channels) + "," + std::to_string(r.frames) + "," +
                (r.declared_frames ? std::to_string(*r.declared_frames) : "") + "," + json_number(r.duration()) + "," +
                json_number(r.peak) + "," + std::to_string(r.clipped) + "," + std::to_string(r.non_finite) + "," +
                std::string(to_string(r.md5));
    } else {
        line += ",,,,,,,,,,,";
    }
    return line + "," + json_number(r.seconds);
}

std::string result_text(const CheckResult& r, bool verbose)
{
    if (!r.ok())
        return "FAIL " + r.path.string() + ": " + std::string(to_string(r.category)) + ": " + r.message;
    if (!verbose)
        return {};
    std::string line = "ok   " + r.path.string() + "  " + format_time(r.duration(), true) + "  peak " + peak_dbfs(r.peak);
    if (r.clipped > 0)
        line += "  clipped " + std::to_string(r.clipped);
    if (r.md5 == Md5Status::match)
        line += "  md5 ok";
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "  %.2f s", r.seconds);
    return line + seconds;
}

// "[#####-----] 120/212 files" on stderr, redrawn at most ten times a second.
class ProgressBar {
public:
    explicit ProgressBar(FILE* terminal) : enabled_(is_terminal(terminal)), terminal_(terminal), line_(terminal, false) {}

    void update(std::size_t done, std::size_t total)
    {
        const auto now = std::chrono::steady_clock::now();
        if (!enabled_ || (done < total && now - last_ < std::chrono::milliseconds(100)))
            return;
        last_ = now;
        const int width = std::clamp(terminal_width(terminal_) - 30, 10, 40);
        const auto filled = static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width);
        line_.show("[" + std::string(static_cast<std::size_t>(filled), '#') +
                   std::string(static_cast<std::size_t>(width - filled), '-') + "] " + std::to_string(done) + "/" +
                   std::to_string(total) + " files");
    }
    void clear() { line_.clear(); }

private:
    bool enabled_;
    FILE* terminal_;
    StatusLine line_;
    std::chrono::steady_clock::time_point last_{};
};

int run_check(const CheckOptions& options, FILE* terminal)
{
    const auto start = std::chrono::steady_clock::now();
    InputListOptions list_options;
    if (!options.extensions.empty()) {
        // An empty list_options.extensions means every file; empty items ("wav,") are slips.
        list_options.extensions.clear();
        bool every_file = false;
        for (const auto& ext : options.extensions) {
            if (ext == "*")
                every_file = true;
            else if (!ext.empty())
                list_options.extensions.push_back(ext);
        }
        if (every_file && !list_options.extensions.empty()) {
            spdlog::error("--ext: '*' (every file) cannot be combined with extensions");
            return exit_usage;
        }
        if (!every_file && list_options.extensions.empty()) {
            spdlog::error("--ext: no extension given (use '*' for every file)");
            return exit_usage;
        }
    }
    const std::vector<std::filesystem::path> paths(options.paths.begin(), options.paths.end());
    const InputList list = list_inputs(paths, list_options);
    if (list.inputs.empty())
        spdlog::warn("no files to check{}", list.skipped ? " (" + std::to_string(list.skipped) +
                                                               " with other extensions; see --ext)"
                                                         : std::string());

    ProgressBar progress(terminal);
    const std::string& format = options.format;
    if (format == "json")
        std::cout << "{\"files\":[";
    else if (format == "csv")
        std::cout << csv_header << '\n';

    std::size_t ok = 0, failed = 0;
    double audio_seconds = 0.0;
    CheckAllOptions check_options;
    check_options.jobs = options.jobs;
    check_options.on_progress = [&](std::size_t done, std::size_t total) { progress.update(done, total); };
    check_options.on_result = [&](std::size_t index, const CheckResult& r) {
        (r.ok() ? ok : failed) += 1;
        audio_seconds += r.duration();
        std::string line;
        if (format == "json")
            line = (index > 0 ? "," : "") + std::string("\n") + result_json(r);
        else if (format == "jsonl")
            line = result_json(r) + '\n';
        else if (format == "csv")
            line = result_csv(r) + '\n';
        else if (auto text = result_text(r, options.verbose); !text.empty())
            line = text + '\n';
        if (!line.empty()) {
            progress.clear();
            std::cout << line << std::flush;
        }
    };
    check_all(list.inputs, check_options);
    progress.clear();

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (format == "json") {
        std::cout << "\n],\"summary\":"
                  << JsonObject()
                         .add("files", static_cast<std::int64_t>(list.inputs.size()))
                         .add("ok", static_cast<std::int64_t>(ok))
                         .add("failed", static_cast<std::int64_t>(failed))
                         .add("skipped", static_cast<std::int64_t>(list.skipped))
                         .add("duration", audio_seconds)
                         .add("seconds", seconds)
                         .str()
                  << "}\n";
    } else if (format == "text") {
        char elapsed[32];
        std::snprintf(elapsed, sizeof elapsed, "%.1f", seconds);
        std::cout << "checked " << list.inputs.size() << (list.inputs.size() == 1 ? " file (" : " files (")
                  << format_time(audio_seconds) << " of audio) in " << elapsed << " s: " << ok << " ok, " << failed
                  << " failed";
        if (list.skipped > 0)
            std::cout << " (" << list.skipped << " other files skipped, see --ext)";
        std::cout << '\n';
    }
    std::cout << std::flush;
    return failed > 0 ? exit_failed : exit_ok;
}

}  // namespace

void add_check_command(CLI::App& app, CommandContext& context)
{
    auto options = std::make_shared<CheckOptions>();
    auto* command = app.add_subcommand(
        "check", "Decode every frame of audio files and directory trees; report files that do not decode cleanly");
    command->add_option("paths", options->paths, "Files and directories (walked recursively)")->required();
    std::string default_extensions;
    for (const auto& ext : InputListOptions::default_extensions())
        default_extensions += (default_extensions.empty() ? "" : ",") + ext;
    command
        ->add_option("--ext", options->extensions,
                     "Extensions of the files taken from directories, comma-separated, any case; "
                     "'*' for every file. Files named on the command line are always checked")
        ->delimiter(',')
        ->type_name("LIST")
        ->description("Extensions of the files taken from directories, comma-separated, any case; '*' for "
                      "every file. Files named on the command line are always checked. Default: " +
                      default_extensions);
    command->add_option("-j,--jobs", options->jobs, "Files checked in parallel (default: number of cores)")
        ->check(CLI::Range(1u, 1024u));
    command->add_option("--format", options->format, "Report format on stdout")
        ->check(CLI::IsMember({"text", "json", "jsonl", "csv"}))
        ->default_str("text");
    command->add_flag("-v,--verbose", options->verbose,
                      "Text: list the files that pass too, with duration, peak and time taken");
    command->footer(
        "Verdicts: ok, or fail with a category:\n"
        "  open          cannot open or read the file (missing, permissions, not a regular file)\n"
        "  unsupported   not an audio format this build decodes (or an MP3 it cannot decode to the end)\n"
        "  truncated     the file ends before the audio its header declares (cut copy or download)\n"
        "  decode        corrupt: a header or frame does not decode, an Ogg page fails its CRC\n"
        "  non_finite    decoded samples contain NaN or infinity\n"
        "  md5_mismatch  FLAC audio decodes but differs from the MD5 stored in STREAMINFO\n"
        "Text shows failures (\"FAIL path: category: message\") and a summary; -v lists every file.\n"
        "json: {\"files\": [...], \"summary\": {files, ok, failed, skipped, duration, seconds}};\n"
        "jsonl: one object per file and line; csv: a header row, then one row per file. Fields:\n"
        "  path, verdict (ok|fail), category, message, container, codec, sample_rate, channels,\n"
        "  frames (decoded), declared_frames, duration (s), peak (1.0 = full scale), clipped,\n"
        "  non_finite, md5 (ok|mismatch|absent; FLAC), seconds (time spent on the file).\n"
        "Results are in input order whatever --jobs is; a progress bar goes to stderr on a terminal.\n"
        "Files are opened read-only and never locked or modified.\n"
        "Exit: 0 every file ok, 1 some file failed, 2 usage error.");
    command->callback([options, &context] { context.exit_code = run_check(*options, context.terminal); });
}

}  // namespace tonearm::cli
