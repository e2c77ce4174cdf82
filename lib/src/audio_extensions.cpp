#include "tonearm/audio_extensions.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace tonearm {
namespace {

// Every common audio extension, whether or not this build decodes it: a library check must
// never pass over a track, and play says which files it cannot play rather than skip them in
// silence. What no backend reads (WavPack, Monkey's Audio, Musepack, DSD, ...) fails as
// `unsupported`. Other files in walked directories (cover art, cue sheets, logs, playlists) are
// passed over: counted as skipped by check, not offered to play.
constexpr std::array<std::string_view, 47> extensions{
    "aac", "ac3", "adts", "aif", "aifc", "aiff", "alac", "amr", "ape", "asf", "au", "awb",
    "bwf", "caf", "dff", "dsf", "dts", "eac3", "flac", "m4a", "m4b", "m4p", "m4r", "mka",
    "mp1", "mp2", "mp3", "mp4", "mpc", "oga", "ogg", "opus", "ra", "rf64", "shn", "snd",
    "spx", "tak", "tta", "voc", "w64", "wav", "wave", "weba", "webm", "wma", "wv"};

// The extension without its dot, lower case; empty when there is none or it is too long to
// be one of ours.
std::string_view lower_extension(const std::filesystem::path& path, std::array<char, 16>& buffer)
{
    const std::string& name = path.native();
    const auto dot = name.find_last_of("./");
    if (dot == std::string::npos || name[dot] != '.' || dot + 1 == name.size() || name.size() - dot - 1 > buffer.size())
        return {};
    const std::size_t length = name.size() - dot - 1;
    std::transform(name.begin() + static_cast<std::ptrdiff_t>(dot + 1), name.end(), buffer.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return {buffer.data(), length};
}

template <typename Extensions>
bool matches(const std::filesystem::path& path, const Extensions& wanted)
{
    std::array<char, 16> buffer{};
    const std::string_view ext = lower_extension(path, buffer);
    return !ext.empty() && std::any_of(wanted.begin(), wanted.end(), [&](const auto& each) { return each == ext; });
}

}  // namespace

std::span<const std::string_view> audio_extensions() noexcept { return extensions; }

bool has_extension(const std::filesystem::path& path, std::span<const std::string_view> wanted)
{
    return matches(path, wanted);
}

bool has_extension(const std::filesystem::path& path, std::span<const std::string> wanted)
{
    return matches(path, wanted);
}

}  // namespace tonearm
