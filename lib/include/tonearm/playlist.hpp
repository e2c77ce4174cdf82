#pragma once

#include "tonearm/error.hpp"
#include "tonearm/track.hpp"

#include <span>
#include <string>
#include <vector>

namespace tonearm {

struct Playlist {
    std::vector<Track> tracks;
    std::vector<Error> errors;    // what was asked for and cannot be played: a missing playlist, a URL,
                                  // a cue sheet track past the end. Each is one line; together, exit 1.
    std::vector<Error> warnings;  // passed over on purpose (a symlink loop, an empty directory)
};

// Turns what a listener names into tracks, in the order named. Each argument is
//  - a directory: its audio files (audio_extensions.hpp), recursively, in natural order,
//    hidden ones skipped (file_walk.hpp); a cue sheet in it stands for the audio files it
//    cuts into tracks, at the place of the first of them;
//  - a playlist, .m3u/.m3u8/.pls (playlist_file.hpp): its entries, each resolved like an
//    argument, relative paths against the playlist's own folder; nested playlists are
//    followed, one that includes itself (directly or through others) is an error;
//  - a cue sheet, .cue (cue_sheet.hpp): its tracks, each a stretch of its file;
//  - an audio file: itself; cut into tracks instead when a cue sheet of the same name lies
//    beside it, or (FLAC) one is embedded in it.
// URLs are refused; file:// URLs are paths. Audio files are not opened here (a missing or
// broken one says so when its turn comes), except the files a cue sheet cuts, whose length
// it needs. Embedded cue sheets are read from FLAC files named directly and from a FLAC file
// that is the only audio file of its directory (an album image): reading every FLAC's
// metadata would make a large library slow to start.
Playlist build_playlist(std::span<const std::string> arguments);

}  // namespace tonearm
