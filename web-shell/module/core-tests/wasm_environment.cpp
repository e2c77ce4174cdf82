// What a POSIX test process has and an Emscripten one lacks, for the core tests under node:
// - processes: tests/support/process.hpp's functions are stand-ins that fail loudly if reached
//   (the suites built here start none);
// - a umask: Emscripten 3.1.6 starts with umask 0777 (a stub in emscripten_syscall_stubs.c), so
//   AtomicFile, which applies the umask to its outputs, would create files with mode 0 that
//   cannot be reopened. A shell's usual 022 is set before main().
#include "support/process.hpp"

#include <stdexcept>
#include <sys/stat.h>

namespace {
const bool umask_set = (::umask(022), true);
}

namespace tonearm::test {

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions&)
{
    throw std::runtime_error("cannot run " + (argv.empty() ? std::string("a process") : argv.front()) +
                             " from WebAssembly");
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const std::string&,
                                     const std::map<std::string, std::string>&, const std::string&)
{
    throw std::runtime_error("cannot start " + (argv.empty() ? std::string("a process") : argv.front()) +
                             " from WebAssembly");
}

BackgroundProcess::~BackgroundProcess() = default;

int BackgroundProcess::stop(int) { return -1; }

std::optional<int> BackgroundProcess::wait(std::chrono::milliseconds) { return std::nullopt; }

std::string tonearm_cli() { throw std::runtime_error("no tonearm CLI in WebAssembly"); }

}  // namespace tonearm::test
