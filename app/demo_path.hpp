#pragma once

#include <filesystem>

namespace tonearm::cli {

// The demo `play` plays without arguments: $TONEARM_DEMO when set, else the one installed
// next to the binary (see installed_demo).
std::filesystem::path demo_path();

// <prefix>/share/tonearm/demo.flac for a binary in <prefix>/bin: found from where the binary
// is, not from a path baked in at build time, so an installed (or copied) tree works wherever
// it lands. The build tree has the same layout (build/X/app/tonearm, build/X/share/tonearm).
std::filesystem::path installed_demo(const std::filesystem::path& executable);

}  // namespace tonearm::cli
