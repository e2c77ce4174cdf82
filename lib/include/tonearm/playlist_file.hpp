#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tonearm {

// One line of a playlist file, as written: where to find the audio and what to call it.
struct PlaylistFileEntry {
    std::string location;             // a path (relative: to the playlist's own folder) or a URL
    std::string title;                // #EXTINF's or PLS's title; empty when there is none
    std::optional<double> duration;   // seconds, when the playlist says
};

// The playlist formats people keep: M3U/M3U8 (one location a line, `#EXTINF:SECONDS,TITLE`
// before it) and PLS (an INI file: FileN=, TitleN=, LengthN= under [playlist]). Both take
// text as it comes from disk or the network: a UTF-8 byte order mark, CRLF or CR line ends.
// They only read text; resolving locations is the caller's (playlist.hpp does it on disk).
enum class PlaylistFormat { m3u, pls };

// The format a file name says (.m3u, .m3u8, .pls, any case), if any.
std::optional<PlaylistFormat> playlist_format(std::string_view file_name) noexcept;

std::vector<PlaylistFileEntry> parse_m3u(std::string_view text);
// Entries in the order of their numbers (File1, File2, ...), not of their lines. Throws
// Error(malformed) when the text is not a PLS playlist (no [playlist] section).
std::vector<PlaylistFileEntry> parse_pls(std::string_view text);
std::vector<PlaylistFileEntry> parse_playlist(PlaylistFormat format, std::string_view text);

// Whether a location is a URL (scheme://...): a web stream, not a file.
bool is_url(std::string_view location) noexcept;
// A file:// URL's path, percent-decoded; nullopt for anything else (or a file URL on another host).
std::optional<std::string> file_url_path(std::string_view location);

}  // namespace tonearm
