#include "check_report.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "terminal.hpp"

#include "tonearm/batch_check.hpp"
#include "tonearm/verdict_cache.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
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
    ReportFormat format = ReportFormat::text;
    bool verbose = false;
    Shard shard{};
    std::filesystem::path cache;
    std::optional<std::chrono::seconds> recheck_after;
};

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

// --ext's list as list_inputs takes it; nothing on a usage error (already reported).
std::optional<std::vector<std::string>> extension_filter(const std::vector<std::string>& given)
{
    if (given.empty())
        return InputListOptions::default_extensions();
    // An empty filter means every file; empty items ("wav,") are slips.
    std::vector<std::string> extensions;
    bool every_file = false;
    for (const auto& ext : given) {
        if (ext == "*")
            every_file = true;
        else if (!ext.empty())
            extensions.push_back(ext);
    }
    if (every_file && !extensions.empty()) {
        spdlog::error("--ext: '*' (every file) cannot be combined with extensions");
        return std::nullopt;
    }
    if (!every_file && extensions.empty()) {
        spdlog::error("--ext: no extension given (use '*' for every file)");
        return std::nullopt;
    }
    return extensions;
}

int run_check(const CheckOptions& options, FILE* terminal)
{
    const auto start = std::chrono::steady_clock::now();
    InputListOptions list_options;
    const auto extensions = extension_filter(options.extensions);
    if (!extensions)
        return exit_usage;
    list_options.extensions = *extensions;
    list_options.shard = options.shard;
    // The cache opens before anything is listed or printed: a file that cannot be one fails first.
    std::optional<VerdictCache> cache;
    if (!options.cache.empty())
        cache.emplace(VerdictCache::open(options.cache));

    const std::vector<std::filesystem::path> paths(options.paths.begin(), options.paths.end());
    const InputList list = list_inputs(paths, list_options);
    if (list.inputs.empty())
        spdlog::warn("no files to check{}", list.skipped ? " (" + std::to_string(list.skipped) +
                                                               " with other extensions; see --ext)"
                                                         : std::string());

    ProgressBar progress(terminal);
    const CheckReport report(options.format, options.verbose);
    CheckSummary summary;
    summary.skipped = list.skipped;
    std::cout << report.begin();
    CheckAllOptions check_options;
    check_options.jobs = options.jobs;
    check_options.on_progress = [&](std::size_t done, std::size_t total) { progress.update(done, total); };
    check_options.on_result = [&](std::size_t index, const CheckResult& r) {
        summary.count(r);
        if (const auto text = report.file(index, r); !text.empty()) {
            progress.clear();
            std::cout << text << std::flush;
        }
    };
    if (cache)
        check_all(list.inputs, check_options, *cache, {options.recheck_after});
    else
        check_all(list.inputs, check_options);
    progress.clear();

    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << report.end(summary) << std::flush;
    return summary.failed > 0 ? exit_failed : exit_ok;
}

// "K/N" with 1 <= K <= N, as --shard takes it.
std::optional<Shard> parse_shard(const std::string& text)
{
    unsigned index = 0, count = 0;
    char slash = 0, rest = 0;
    if (std::sscanf(text.c_str(), "%u%c%u%c", &index, &slash, &count, &rest) != 3 || slash != '/' || index < 1 ||
        index > count || text.find_first_not_of("0123456789/") != std::string::npos)
        return std::nullopt;
    return Shard{index, count};
}

}  // namespace

void add_check_command(CLI::App& app, CommandContext& context)
{
    auto options = std::make_shared<CheckOptions>();
    auto* command = app.add_subcommand(
        "check", "Decode every frame of audio files and directory trees; report files that do not decode cleanly");
    command->add_option("paths", options->paths, "Files and directories (walked recursively)")
        ->required()
        ->type_name("PATH");
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
    command
        ->add_option_function<std::string>(
            "--format", [options](const std::string& name) { options->format = *report_format_named(name); },
            "Report format on stdout")
        ->check(CLI::IsMember({"text", "json", "jsonl", "csv"}))
        ->default_str("text");
    command->add_flag("-v,--verbose", options->verbose,
                      "Text: list the files that pass too, with duration, peak and time taken");
    command
        ->add_option_function<std::string>(
            "--shard", [options](const std::string& text) { options->shard = *parse_shard(text); },
            "Check only shard K of N: the files whose path below the PATH they were found under hashes to K. "
            "N runs (processes, jobs, hosts) with K = 1..N check every file exactly once")
        ->type_name("K/N")
        ->check(CLI::Validator(
            [](const std::string& text) {
                return parse_shard(text) ? std::string() : "'" + text + "' is not K/N with 1 <= K <= N (e.g. 2/8)";
            },
            ""));
    auto* cache = command->add_option("--cache", options->cache,
                                      "Keep verdicts in this SQLite file; files unchanged since (size, mtime, "
                                      "ctime, inode) are not decoded again and are reported as cached")
                      ->type_name("FILE");
    command
        ->add_option_function<double>(
            "--recheck-after",
            [options](double days) {
                options->recheck_after = std::chrono::seconds(static_cast<std::int64_t>(days * 86400));
            },
            "With --cache: decode again the files whose verdict is older than this many days")
        ->type_name("DAYS")
        ->check(CLI::Range(0.0, 36500.0))
        ->needs(cache);
    command->footer(
        "Verdicts: ok, or fail with a category:\n"
        "  open          cannot open or read the file (missing, permissions, not a regular file)\n"
        "  unsupported   not an audio format this build decodes (or an MP3 it cannot decode to the end)\n"
        "  truncated     the file ends before the audio its header declares (cut copy or download)\n"
        "  decode        corrupt: a header or frame does not decode, an Ogg page fails its CRC\n"
        "  non_finite    decoded samples contain NaN or infinity\n"
        "  md5_mismatch  FLAC audio decodes but differs from the MD5 stored in STREAMINFO\n"
        "Text shows failures (\"FAIL path: category: message\") and a summary; -v lists every file.\n"
        "json: {\"files\": [...], \"summary\": {files, ok, failed, skipped, cached, duration, seconds}};\n"
        "jsonl: one object per file and line; csv: a header row, then one row per file. Fields:\n"
        "  path, verdict (ok|fail), category, message, container, codec, sample_rate, channels,\n"
        "  frames (decoded), declared_frames, duration (s), peak (1.0 = full scale), clipped,\n"
        "  non_finite, md5 (ok|mismatch|absent; FLAC), cached (true: from --cache, not decoded\n"
        "  again), seconds (time spent on the file).\n"
        "Results are in input order whatever --jobs is; a progress bar goes to stderr on a terminal.\n"
        "Shards' jsonl reports, concatenated, hold the lines of one run over everything (but seconds).\n"
        "Files are opened read-only and never locked or modified.\n"
        "Exit: 0 every file ok, 1 some file failed, 2 usage error or a --cache file that is not a\n"
        "tonearm cache or is damaged (it is left as it was).");
    command->callback([options, &context] { context.exit_code = run_check(*options, context.terminal); });
}

}  // namespace tonearm::cli
