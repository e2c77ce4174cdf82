// libFuzzer target: arbitrary bytes through `tonearm check`'s path: the container sniffing,
// each container's verifier (our own WAV/AIFF chunk and MPEG frame parsers, libogg's pages,
// libFLAC's frames) and the full decode with its measurements. check_file must always return
// a verdict, never crash.
#include "tonearm/batch_check.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

// The check path works on files; one per fuzzer process, rewritten for every input. The
// extension does not matter to check_file (it probes the content).
const std::string& scratch_file()
{
    static const std::string path = "/tmp/tonearm-check-fuzz-" + std::to_string(getpid()) + ".bin";
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    {
        std::ofstream out(scratch_file(), std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    const tonearm::CheckResult result = tonearm::check_file(scratch_file());
    if (result.ok() == !result.message.empty())
        __builtin_trap();  // a verdict always comes with a reason when it fails, and only then
    return 0;
}
