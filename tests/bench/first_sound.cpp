// first_sound: milliseconds from starting a player process to its first sample reaching a
// PulseAudio sink, as seen on the sink's monitor source. Used by scripts/bench to compare
// tonearm with paplay and ffplay under identical conditions.
//
//   first_sound [--source NAME] [--rate HZ] [--fragment-ms MS] [--threshold LEVEL]
//               [--timeout-ms MS] [--verbose] -- COMMAND [ARG...]
//
// How: record the monitor (float32, stereo) in small fragments until reads block, i.e. we
// are caught up with the sink; take T0 (CLOCK_MONOTONIC) and spawn COMMAND; timestamp every
// fragment as it arrives; the first fragment holding a sample with |x| >= threshold gives the
// answer. The player is then stopped with SIGTERM (SIGKILL if it lingers).
//
// Resolution: a fragment is only delivered once the sink has rendered it, and a null sink
// renders in blocks (about half its latency). The probe therefore measures the arrival
// interval of fragments before T0 and reports it; that interval, not the fragment size, is
// the resolution of the result. Keep the sink busy at a low latency (a silent keeper stream)
// or an idle null sink adds its wake-up delay to whichever player starts first.
//
// Output, one JSON object on stdout:
//   {"ms": 41.2, "fragment_ms": 2, "interval_median_ms": 5.0, "interval_max_ms": 5.4,
//    "level": 0.49, "exit": "terminated"}
// "ms" is null (and the exit code 1) when no sound arrived before the timeout.
// Build: g++ -O2 -std=c++20 first_sound.cpp $(pkg-config --cflags --libs libpulse-simple)

#include <pulse/error.h>
#include <pulse/simple.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

double now_ms()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

[[noreturn]] void fail(const std::string& message)
{
    std::fprintf(stderr, "first_sound: %s\n", message.c_str());
    std::exit(2);
}

struct Options {
    std::string source = "capture.monitor";
    unsigned rate = 44100;
    double fragment_ms = 2;
    double threshold = 1e-3;
    double timeout_ms = 10000;
    bool verbose = false;
    std::vector<char*> command;
};

Options parse(int argc, char** argv)
{
    Options o;
    int i = 1;
    auto value = [&](const char* name) -> std::string {
        if (i + 1 >= argc)
            fail(std::string("missing value for ") + name);
        return argv[++i];
    };
    for (; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg == "--source") o.source = value("--source");
        else if (arg == "--rate") o.rate = static_cast<unsigned>(std::stoul(value("--rate")));
        else if (arg == "--fragment-ms") o.fragment_ms = std::stod(value("--fragment-ms"));
        else if (arg == "--threshold") o.threshold = std::stod(value("--threshold"));
        else if (arg == "--timeout-ms") o.timeout_ms = std::stod(value("--timeout-ms"));
        else if (arg == "--verbose") o.verbose = true;
        else fail("unknown option " + arg + " (usage: first_sound [options] -- COMMAND ARGS...)");
    }
    for (; i < argc; ++i)
        o.command.push_back(argv[i]);
    if (o.command.empty())
        fail("no command given (usage: first_sound [options] -- COMMAND ARGS...)");
    o.command.push_back(nullptr);
    return o;
}

// Starts the command with stdin and stdout on /dev/null; stderr too unless verbose.
pid_t spawn(const Options& o)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    if (!o.verbose)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int err = posix_spawnp(&pid, o.command[0], &actions, nullptr, o.command.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0)
        fail(std::string("cannot start ") + o.command[0] + ": " + std::strerror(err));
    return pid;
}

// Stops the player once it has been heard; reports how it ended.
std::string stop(pid_t pid)
{
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid)
        return WIFEXITED(status) ? "exited " + std::to_string(WEXITSTATUS(status)) : "signalled";
    kill(pid, SIGTERM);
    for (int i = 0; i < 200; ++i) {  // 2 s
        if (waitpid(pid, &status, WNOHANG) == pid)
            return "terminated";
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return "killed";
}

double median(std::vector<double> v)
{
    if (v.empty())
        return NAN;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv)
{
    const Options o = parse(argc, argv);

    const pa_sample_spec spec{PA_SAMPLE_FLOAT32LE, o.rate, 2};
    const auto fragment_frames = static_cast<std::size_t>(std::max(1.0, std::round(o.fragment_ms * o.rate / 1000)));
    pa_buffer_attr attr{};
    attr.maxlength = static_cast<uint32_t>(-1);
    attr.fragsize = static_cast<uint32_t>(fragment_frames * 2 * sizeof(float));
    int error = 0;
    pa_simple* rec = pa_simple_new(nullptr, "first_sound", PA_STREAM_RECORD, o.source.c_str(), "probe", &spec,
                                   nullptr, &attr, &error);
    if (!rec)
        fail(std::string("cannot record ") + o.source + ": " + pa_strerror(error));

    std::vector<float> buffer(fragment_frames * 2);
    auto read = [&] {
        if (pa_simple_read(rec, buffer.data(), buffer.size() * sizeof(float), &error) < 0)
            fail(std::string("read failed: ") + pa_strerror(error));
        return now_ms();
    };

    // Warm up: read ~150 ms, note the arrival intervals, and stop right after a read that had
    // to wait (nothing buffered any more), so T0 is not followed by a backlog of old data.
    std::vector<double> intervals;
    double last = read();
    const double warm_until = last + 150;
    for (;;) {
        const double before = now_ms();
        const double t = read();
        if (t - last > 0.3)
            intervals.push_back(t - last);
        last = t;
        if (t > warm_until && t - before > 0.3 * o.fragment_ms)
            break;
        if (t > warm_until + 2000)
            fail("the monitor never blocks: is the sink clocked (null sink, not pipe sink)?");
    }

    const double t0 = now_ms();
    const pid_t pid = spawn(o);
    double heard_ms = NAN;
    float level = 0;
    while (now_ms() - t0 < o.timeout_ms) {
        const double t = read();
        for (float x : buffer) {
            if (std::fabs(x) >= o.threshold) {
                level = std::fabs(x);
                break;
            }
        }
        if (level > 0) {
            heard_ms = t - t0;
            break;
        }
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {  // ended without a sound
            std::printf("{\"ms\": null, \"exit\": \"%s\"}\n",
                        WIFEXITED(status) ? ("exited " + std::to_string(WEXITSTATUS(status))).c_str() : "signalled");
            pa_simple_free(rec);
            return 1;
        }
    }
    const std::string ended = stop(pid);
    pa_simple_free(rec);

    const double interval_max = intervals.empty() ? NAN : *std::max_element(intervals.begin(), intervals.end());
    if (std::isnan(heard_ms)) {
        std::printf("{\"ms\": null, \"exit\": \"%s\"}\n", ended.c_str());
        return 1;
    }
    std::printf("{\"ms\": %.2f, \"fragment_ms\": %.2f, \"interval_median_ms\": %.2f, \"interval_max_ms\": %.2f, "
                "\"level\": %.4f, \"exit\": \"%s\"}\n",
                heard_ms, 1000.0 * static_cast<double>(fragment_frames) / o.rate, median(intervals), interval_max,
                static_cast<double>(level), ended.c_str());
    return 0;
}
