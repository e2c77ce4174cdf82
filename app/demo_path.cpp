#include "demo_path.hpp"

#include <cstdlib>
#include <system_error>

namespace tonearm::cli {

std::filesystem::path installed_demo(const std::filesystem::path& executable)
{
    return (executable.parent_path() / ".." / "share" / "tonearm" / "demo.flac").lexically_normal();
}

std::filesystem::path demo_path()
{
    if (const char* demo = std::getenv("TONEARM_DEMO"); demo && *demo)
        return demo;
    std::error_code error;
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
    // Without /proc the relative guess still names a file in the error message.
    return installed_demo(error ? std::filesystem::path("tonearm") : executable);
}

}  // namespace tonearm::cli
