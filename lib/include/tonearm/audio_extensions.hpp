#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace tonearm {

// The file-name extensions (lower case, no dot) that mark a file in a walked directory as
// audio. One list for every command that walks a music library (check, play), so they all
// see the same files.
std::span<const std::string_view> audio_extensions() noexcept;

// Whether `path`'s extension is one of `extensions` (lower case, no dot), in any case.
bool has_extension(const std::filesystem::path& path, std::span<const std::string_view> extensions);
bool has_extension(const std::filesystem::path& path, std::span<const std::string> extensions);
inline bool is_audio_file_name(const std::filesystem::path& path) { return has_extension(path, audio_extensions()); }

}  // namespace tonearm
