// `tonearm check` past one process: --shard (and the job lines README and scripts/jobs/ give
// for GNU parallel, Slurm and Kubernetes, run here with the variables those engines set) and
// --cache, as scripts see them: reports, exit codes, the one line on stderr.
#include "support/fixtures.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <thread>

namespace tonearm::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_text(const fs::path& path)
{
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A JSON Lines report as a sorted list of its lines without what differs from run to run
// (seconds) or from cache to no cache (cached): what "the same report" means for shards.
std::vector<std::string> report_lines(const std::string& jsonl)
{
    std::vector<std::string> lines;
    for (const auto& line : split_lines(jsonl)) {
        json object = json::parse(line);
        object.erase("seconds");
        object.erase("cached");
        lines.push_back(object.dump());
    }
    std::sort(lines.begin(), lines.end());
    return lines;
}

// $HOME/Music: good files of every format, some broken ones, nested a few levels deep.
class CheckScale : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        home_ = new TempDir;
        const fs::path music = home_->path() / "Music";
        for (const auto& format : fixture_formats()) {
            const fs::path album = music / ("Artist " + format.name.substr(0, 3)) / format.name;
            fs::create_directories(album);
            for (int track = 1; track <= 2; ++track)
                write_fixture(album, std::to_string(track) + " track", format, Tone{.seconds = 0.3});
        }
        fs::create_directories(music / "broken");
        const auto wav = read_bytes(music / "Artist wav" / "wav16" / "1 track.wav");
        write_bytes(music / "broken" / "cut.wav", std::span(wav).first(wav.size() / 2));
        write_bytes(music / "broken" / "empty.flac", {});
        write_bytes(music / "broken" / "noise.mp3", std::vector<std::byte>(3000, std::byte{0x5a}));
        full_ = new std::string(run_tonearm({"check", "--format", "jsonl", music.string()}).out);
    }
    static void TearDownTestSuite()
    {
        delete full_;
        delete home_;
    }

    static fs::path home() { return home_->path(); }
    static fs::path music() { return home() / "Music"; }
    static std::vector<std::string> full_report() { return report_lines(*full_); }

    // Runs a shell line the way a job engine would: `tonearm` on PATH, HOME set, in `dir`.
    static ProcessResult shell(const std::string& shell_name, const std::string& line, const fs::path& dir,
                               std::map<std::string, std::string> env = {})
    {
        env["HOME"] = home().string();
        env["PATH"] = fs::path(tonearm_cli()).parent_path().string() + ":" + std::getenv("PATH");
        env["NO_COLOR"] = "1";
        return run_process({shell_name, "-c", "cd \"$0\" && " + line, dir.string()}, {.timeout = std::chrono::seconds(120), .env = env});
    }

    // The report files in `dir`, concatenated in name order.
    static std::string concatenated(const fs::path& dir)
    {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.path().extension() == ".jsonl")
                files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        std::string text;
        for (const auto& file : files)
            text += read_text(file);
        return text;
    }

private:
    static TempDir* home_;
    static std::string* full_;
};
TempDir* CheckScale::home_ = nullptr;
std::string* CheckScale::full_ = nullptr;

TEST_F(CheckScale, TheFixtureHasFailuresAndPasses)
{
    const auto lines = full_report();
    ASSERT_EQ(lines.size(), 2 * fixture_formats().size() + 3);
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(), [](const auto& l) { return l.find("\"fail\"") != std::string::npos; }), 3);
}

TEST_F(CheckScale, ShardMustBeKOfN)
{
    for (const char* bad : {"0/3", "4/3", "1/0", "3", "x/y", "1/2/3", "-1/3", "1/", "/3", "1 /3"}) {
        const auto result = run_tonearm({"check", "--shard", bad, music().string()});
        EXPECT_EQ(result.exit_code, 2) << bad << ": " << result.err;
        EXPECT_TRUE(result.out.empty()) << bad;
    }
    EXPECT_EQ(run_tonearm({"check", "--shard", "1/1", (music() / "Artist wav").string()}).exit_code, 0);
}

TEST_F(CheckScale, ShardsConcatenateIntoTheFullReport)
{
    for (int n = 1; n <= 5; ++n) {
        std::string joined;
        std::size_t nonempty = 0;
        for (int k = 1; k <= n; ++k) {
            const auto shard = std::to_string(k) + "/" + std::to_string(n);
            const auto result = run_tonearm({"check", "--jobs", "2", "--shard", shard, "--format", "jsonl", music().string()});
            EXPECT_LE(result.exit_code, 1) << shard << ": " << result.err;
            nonempty += !result.out.empty();
            joined += result.out;
        }
        EXPECT_EQ(report_lines(joined), full_report()) << n << " shards: the same files, the same verdicts, each once";
        EXPECT_GE(nonempty, std::min<std::size_t>(n, 2)) << "the files are spread over the shards";
    }
}

TEST_F(CheckScale, TheSameTreeMountedElsewhereShardsTheSameWay)
{
    TempDir a, b;
    const fs::path first = a / "mnt" / "music", second = b / "srv" / "nfs" / "library";
    for (const auto& parent : {first, second}) {
        fs::create_directories(parent);
        fs::copy(music(), parent, fs::copy_options::recursive);
    }
    for (int k = 1; k <= 3; ++k) {
        std::vector<std::string> relative[2];
        int i = 0;
        for (const auto& parent : {first, second}) {
            const auto result = run_tonearm({"check", "--shard", std::to_string(k) + "/3", "--format", "jsonl", parent.string()});
            for (const auto& line : split_lines(result.out))
                relative[i].push_back(fs::path(json::parse(line)["path"].get<std::string>()).lexically_relative(parent).string());
            ++i;
        }
        EXPECT_EQ(relative[0], relative[1]) << "shard " << k;
    }
}

// The README's GNU parallel line, as written there.
TEST_F(CheckScale, TheReadmeParallelLineGivesTheFullReport)
{
    if (run_process({"parallel", "--version"}).exit_code != 0)
        GTEST_SKIP() << "GNU parallel is not installed";
    std::string line;
    for (const auto& readme_line : split_lines(read_text(fs::path(TONEARM_SOURCE_DIR) / "README.md")))
        if (readme_line.starts_with("parallel -k tonearm check"))
            line = readme_line;
    ASSERT_FALSE(line.empty()) << "README.md shows a local `parallel -k tonearm check` line";
    TempDir out;
    const auto result = shell("bash", line, out.path());
    EXPECT_NE(result.exit_code, 0) << "three files fail: parallel passes the failure on";
    EXPECT_EQ(report_lines(read_text(out / "report.jsonl")), full_report()) << line << "\n" << result.err;
}

// scripts/jobs/slurm-check.sbatch run as each task of its array would be.
TEST_F(CheckScale, TheSlurmArrayJobGivesTheFullReport)
{
    const fs::path script = fs::path(TONEARM_SOURCE_DIR) / "scripts" / "jobs" / "slurm-check.sbatch";
    const std::string text = read_text(script);
    std::smatch array;
    ASSERT_TRUE(std::regex_search(text, array, std::regex("#SBATCH --array=1-([0-9]+)")));
    const int tasks = std::stoi(array[1]);
    TempDir reports;
    for (int task = 1; task <= tasks; ++task) {
        const auto result = run_process({"bash", script.string()},
                                        {.timeout = std::chrono::seconds(120),
                                         .env = {{"SLURM_ARRAY_TASK_ID", std::to_string(task)},
                                                 {"SLURM_ARRAY_TASK_COUNT", std::to_string(tasks)},
                                                 {"SLURM_CPUS_PER_TASK", "1"},
                                                 {"REPORTS", reports.path().string()},
                                                 {"HOME", home().string()},
                                                 {"PATH", fs::path(tonearm_cli()).parent_path().string() + ":" +
                                                              std::getenv("PATH")}}});
        EXPECT_LE(result.exit_code, 1) << "task " << task << ": " << result.err;
    }
    EXPECT_EQ(report_lines(concatenated(reports.path())), full_report());
    // README shows the same command.
    std::smatch command;
    ASSERT_TRUE(std::regex_search(text, command, std::regex("tonearm check .*--shard \"[^\"]*\"")));
    EXPECT_NE(read_text(fs::path(TONEARM_SOURCE_DIR) / "README.md").find(command.str().substr(command.str().find("--shard"))),
              std::string::npos);
}

// scripts/jobs/k8s-check-job.yaml's command, run in each pod's place (its volumes here).
TEST_F(CheckScale, TheKubernetesIndexedJobGivesTheFullReport)
{
    const fs::path job = fs::path(TONEARM_SOURCE_DIR) / "scripts" / "jobs" / "k8s-check-job.yaml";
    const std::string text = read_text(job);
    std::smatch completions, args;
    ASSERT_TRUE(std::regex_search(text, completions, std::regex("completions: ([0-9]+)")));
    ASSERT_TRUE(std::regex_search(text, args, std::regex("- (tonearm check [^\n]*)")));
    ASSERT_NE(text.find("completionMode: Indexed"), std::string::npos);
    TempDir reports;
    std::string line = args[1];
    line = std::regex_replace(line, std::regex(" /music "), " " + music().string() + " ");
    line = std::regex_replace(line, std::regex("/reports/"), reports.path().string() + "/");
    for (int index = 0; index < std::stoi(completions[1]); ++index) {
        const auto result = shell("sh", line, reports.path(), {{"JOB_COMPLETION_INDEX", std::to_string(index)}});
        EXPECT_LE(result.exit_code, 1) << "pod " << index << ": " << line << "\n" << result.err;
    }
    EXPECT_EQ(report_lines(concatenated(reports.path())), full_report()) << line;
    EXPECT_NE(read_text(fs::path(TONEARM_SOURCE_DIR) / "README.md").find(args[1].str()), std::string::npos)
        << "README shows the same command";
}

// --- --cache ---------------------------------------------------------------------------------

std::vector<bool> cached_flags(const std::string& jsonl)
{
    std::vector<bool> flags;
    for (const auto& line : split_lines(jsonl))
        flags.push_back(json::parse(line)["cached"].get<bool>());
    return flags;
}

TEST_F(CheckScale, ACachedRerunReportsTheSameVerdictsWithoutDecoding)
{
    TempDir dir;
    const auto cache = (dir / "verdicts.sqlite").string();
    fs::copy(music(), dir / "music", fs::copy_options::recursive);
    const auto check = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = {"check", "--cache", cache, (dir / "music").string()};
        args.insert(args.begin() + 1, extra.begin(), extra.end());
        return run_tonearm(args);
    };
    const auto first = check({"--format", "jsonl"});
    EXPECT_EQ(first.exit_code, 1);
    const auto flags = cached_flags(first.out);
    EXPECT_TRUE(std::none_of(flags.begin(), flags.end(), [](bool b) { return b; }));
    const auto second = check({"--format", "jsonl"});
    EXPECT_EQ(second.exit_code, 1) << "cached failures still fail";
    const auto again = cached_flags(second.out);
    EXPECT_TRUE(std::all_of(again.begin(), again.end(), [](bool b) { return b; }));
    EXPECT_EQ(report_lines(second.out), report_lines(first.out));

    // A touched file is decoded again; the summaries count what came from the cache.
    const auto touched = dir / "music" / "Artist fla" / "flac16" / "1 track.flac";
    fs::last_write_time(touched, fs::last_write_time(touched) + std::chrono::seconds(3));
    const auto report = json::parse(check({"--format", "json"}).out);
    for (const auto& file : report["files"])
        EXPECT_EQ(file["cached"].get<bool>(), file["path"] != touched.string()) << file;
    EXPECT_EQ(report["summary"]["cached"], report["summary"]["files"].get<int>() - 1);
    const auto text = check({});
    EXPECT_NE(text.out.find(" unchanged since the cache"), std::string::npos) << text.out;
}

TEST_F(CheckScale, ProcessesShareOneCache)
{
    TempDir dir;
    const auto cache = (dir / "verdicts.sqlite").string();
    ProcessResult results[3];
    {
        std::vector<std::jthread> processes;
        for (int i = 0; i < 3; ++i)  // all three at once, on one new cache file
            processes.emplace_back([&, i] {
                results[i] = run_tonearm({"check", "--jobs", "1", "--cache", cache, "--format", "jsonl", music().string()});
            });
    }
    for (const auto& result : results) {
        EXPECT_EQ(result.exit_code, 1) << result.err;
        EXPECT_EQ(diagnostic_lines(result.err), 0u) << result.err;
        EXPECT_EQ(report_lines(result.out), full_report());
    }
    const auto after = run_tonearm({"check", "--cache", cache, "--format", "jsonl", music().string()});
    const auto flags = cached_flags(after.out);
    EXPECT_TRUE(std::all_of(flags.begin(), flags.end(), [](bool b) { return b; })) << after.out;
}

TEST_F(CheckScale, ACacheFileThatCannotBeUsedIsOneLineAndExit2)
{
    TempDir dir;
    write_bytes(dir / "noise.sqlite", std::vector<std::byte>(5000, std::byte{0x33}));
    run_tonearm({"check", "--cache", (dir / "real.sqlite").string(), (music() / "broken").string()});
    auto real = read_bytes(dir / "real.sqlite");
    real.resize(real.size() / 2);
    write_bytes(dir / "cut.sqlite", real);
    const fs::path audio = music() / "Artist wav" / "wav16" / "1 track.wav";
    for (const fs::path& file : {dir / "noise.sqlite", dir / "cut.sqlite", audio}) {
        const auto before = read_bytes(file);
        const auto result = run_tonearm({"check", "--cache", file.string(), (music() / "broken").string()});
        EXPECT_EQ(result.exit_code, 2) << file << ": " << result.err;
        EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
        EXPECT_NE(result.err.find(file.string()), std::string::npos) << result.err;
        EXPECT_TRUE(result.out.empty()) << "nothing is checked: " << result.out;
        EXPECT_EQ(read_bytes(file), before) << file << " was changed";
    }
    EXPECT_EQ(run_tonearm({"check", "--cache", (dir / "no" / "such" / "dir.sqlite").string(), music().string()}).exit_code, 2);
    EXPECT_EQ(run_tonearm({"check", "--recheck-after", "7", music().string()}).exit_code, 2) << "needs --cache";
    EXPECT_EQ(run_tonearm({"check", "--cache", (dir / "x.sqlite").string(), "--recheck-after", "-1", music().string()}).exit_code, 2);
}

}  // namespace
}  // namespace tonearm::test
