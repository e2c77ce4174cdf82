#pragma once

#include "tonearm/audio_info.hpp"
#include "tonearm/player.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace tonearm::cli {

// "Title - Artist" from the tags, else the file name.
std::string track_title(const std::optional<AudioInfo>& info, const std::filesystem::path& path);

// The status line play draws on a terminal `width` columns wide, e.g.
// "> Title - Artist      [#####-----] 1:02 / 3:07  vol 100%"; on narrow terminals the title
// is cut with "...", and below 10 columns for it, it is left out.
std::string status_text(const PlayerStatus& status, const std::string& title, int width);

}  // namespace tonearm::cli
