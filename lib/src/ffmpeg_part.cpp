#include "ffmpeg_part.hpp"

#include "tonearm/error.hpp"

#ifdef TONEARM_FFMPEG_PLUGIN
#include <dlfcn.h>
#include <string_view>
#endif

namespace tonearm::detail {

#ifdef TONEARM_FFMPEG_PLUGIN
namespace {

struct LoadedPart {
    const FfmpegPart* part = nullptr;
    std::string why_not;  // when part is null
};

// Found from where the program is, like its demo (app/demo_path.hpp), not from a path baked in:
// TONEARM_FFMPEG_PLUGIN is its path below the prefix (lib/CMakeLists.txt).
std::filesystem::path plugin_path()
{
    std::error_code ec;
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
    return executable.parent_path().parent_path() / TONEARM_FFMPEG_PLUGIN;
}

LoadedPart load_part()
{
    const auto path = plugin_path();
    // RTLD_LOCAL: FFmpeg's symbols stay the plugin's. Never closed (see ffmpeg_part.hpp).
    void* plugin = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!plugin)
        return {nullptr, ::dlerror()};
    const auto* part = static_cast<const FfmpegPart*>(::dlsym(plugin, "tonearm_ffmpeg_part"));
    if (!part)
        return {nullptr, path.string() + " is not tonearm's FFmpeg part"};
    if (std::string_view(part->version) != TONEARM_VERSION)
        return {nullptr, path.string() + " is tonearm " + part->version + "'s, not " TONEARM_VERSION "'s"};
    return {part, {}};
}

}  // namespace

const FfmpegPart& ffmpeg_part(const std::string& subject)
{
    static const LoadedPart loaded = load_part();  // the first caller loads; others wait for it
    if (!loaded.part)
        throw Error(ErrorKind::unsupported, subject, "M4A, WebM, ADTS and WMA need FFmpeg's part of tonearm: " + loaded.why_not);
    return *loaded.part;
}
#else
const FfmpegPart& ffmpeg_part(const std::string&) { return tonearm_ffmpeg_part; }
#endif

}  // namespace tonearm::detail
