#include "tonearm/playlist.hpp"

#include "flac_cue_sheet.hpp"
#include "text.hpp"
#include "tonearm/audio_extensions.hpp"
#include "tonearm/cue_sheet.hpp"
#include "tonearm/decoder.hpp"
#include "tonearm/file_walk.hpp"
#include "tonearm/playlist_file.hpp"
#include "unique_fd.hpp"
#include "utf8_text.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <unordered_map>
#include <unistd.h>
#include <utility>

namespace tonearm {
namespace {

namespace fs = std::filesystem;
using Identity = std::pair<dev_t, ino_t>;

constexpr std::size_t max_text_bytes = 64u << 20;  // a playlist of a million entries fits
constexpr std::size_t max_nesting = 64;
constexpr std::array<std::string_view, 1> cue_extension{"cue"};

// The folder part of a path's text, without a copy.
std::string_view folder_of(const fs::path& path)
{
    const std::string_view text = path.native();
    return text.substr(0, text.rfind('/') + 1);
}

bool is_cue_sheet(const fs::path& path) { return has_extension(path, cue_extension); }
bool is_flac(const fs::path& path) { return has_extension(path, std::array<std::string_view, 1>{"flac"}); }

// `base / name`, built as text: a path is parsed into its components whenever one is made, so
// a 10,000-entry playlist pays for one parse per entry instead of three.
fs::path joined(const fs::path& base, const std::string& name)
{
    if (base.empty() || name.starts_with('/'))
        return name;
    std::string text;
    text.reserve(base.native().size() + 1 + name.size());
    text += base.native();
    if (!text.ends_with('/'))
        text += '/';
    text += name;
    return text;
}

Error error(const fs::path& subject, std::string cause)
{
    return {ErrorKind::invalid_argument, printable_path(subject), std::move(cause)};
}

// A playlist or cue sheet, whole. Only regular files: a FIFO would block the player.
std::string read_text(const fs::path& path)
{
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0)
        throw Error(errno == ENOENT ? ErrorKind::not_found : ErrorKind::unreadable, printable_path(path),
                    std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw Error(ErrorKind::unreadable, printable_path(path), "not a regular file");
    if (static_cast<std::size_t>(st.st_size) > max_text_bytes)
        throw Error(ErrorKind::unreadable, printable_path(path), "too large for a playlist or cue sheet");
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw Error(ErrorKind::unreadable, printable_path(path), std::strerror(errno));
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    return text;
}

std::optional<Identity> identity(const fs::path& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return std::nullopt;
    return Identity{st.st_dev, st.st_ino};
}

class Builder {
public:
    Playlist take() { return std::move(out_); }

    // A name typed by the listener, relative to the working directory.
    void argument(const std::string& name) { location(name, {}, Origin::argument, {}); }

private:
    enum class Origin { argument, playlist };

    // One argument or playlist entry: a URL, a directory, a playlist, a cue sheet or audio.
    void location(const std::string& text, const fs::path& base, Origin origin, const std::string& title)
    {
        fs::path path;
        if (is_url(text)) {
            const auto local = file_url_path(text);
            if (!local)
                return out_.errors.push_back(
                    error(text, "a URL; tonearm plays files on this machine, not streams"));
            path = *local;
        } else {
            path = joined(base, text);
        }
        // A playlist's audio entries are taken as they are, with no look at the disk: a list of
        // ten thousand files starts as fast as a list of one.
        if (origin == Origin::playlist && is_audio_file_name(path))
            return add(Track(std::move(path)), title);

        struct stat st {};
        const bool exists = ::stat(path.c_str(), &st) == 0;
        if (exists && S_ISDIR(st.st_mode))
            return directory(path);
        if (const auto format = playlist_format(path.filename().native()))
            return playlist_file(path, *format);
        if (is_cue_sheet(path))
            return cue_file(path, nullptr);
        if (origin == Origin::argument && exists && cut_by_cue_sheet(path))
            return;
        add(Track(path), title);  // missing or unreadable: the player says so at its turn
    }

    void add(Track track, const std::string& title)
    {
        track.title = utf8_or_latin1(title);
        out_.tracks.push_back(std::move(track));
    }

    // ---- directories -------------------------------------------------------------------

    void directory(const fs::path& path)
    {
        FileWalk walk = walk_files(path, {.wanted = [](const fs::path& file) {
                                             return is_audio_file_name(file) || is_cue_sheet(file);
                                         }});
        for (Error& problem : walk.problems)
            out_.errors.push_back(std::move(problem));
        for (const fs::path& loop : walk.loops)
            out_.warnings.push_back(error(loop, "a symbolic link back to a folder above it; not followed"));

        // Cue sheets first: a sheet's tracks play in the place of the first file that belongs
        // to it (the sheet itself, or an audio file it cuts); the files it cuts play only so.
        std::map<fs::path, std::size_t> sheet_of;  // normal path -> index into sheets
        std::vector<std::vector<Track>> sheets;
        std::unordered_map<std::string_view, std::size_t> audio_per_folder;  // views into walk.files
        for (const fs::path& file : walk.files) {
            if (!is_cue_sheet(file)) {
                ++audio_per_folder[folder_of(file)];
                continue;
            }
            std::vector<fs::path> files;
            std::vector<Track> tracks = cue_tracks(file, &walk.files, files);
            if (tracks.empty())
                continue;
            sheet_of.emplace(file.lexically_normal(), sheets.size());
            for (const fs::path& audio : files)
                sheet_of.emplace(audio.lexically_normal(), sheets.size());
            sheets.push_back(std::move(tracks));
        }
        // Decided before any file is moved into the playlist (the views above point into them).
        std::vector<char> album_image(walk.files.size(), 0);
        for (std::size_t i = 0; i < walk.files.size(); ++i)
            album_image[i] = is_flac(walk.files[i]) && audio_per_folder[folder_of(walk.files[i])] == 1;

        const std::size_t before = out_.tracks.size();
        out_.tracks.reserve(before + walk.files.size());
        std::vector<char> placed(sheets.size(), 0);
        for (std::size_t i = 0; i < walk.files.size(); ++i) {
            fs::path& file = walk.files[i];
            if (!sheet_of.empty()) {  // lexically_normal makes a path: only when there are sheets
                if (const auto sheet = sheet_of.find(file.lexically_normal()); sheet != sheet_of.end()) {
                    if (!std::exchange(placed[sheet->second], 1))
                        for (Track& track : sheets[sheet->second])
                            out_.tracks.push_back(std::move(track));
                    continue;
                }
            }
            if (is_cue_sheet(file))
                continue;  // a sheet that cut nothing (it said why)
            if (album_image[i] && embedded_cue_sheet(file))
                continue;
            out_.tracks.emplace_back(std::move(file));
        }
        if (out_.tracks.size() == before && walk.problems.empty())
            out_.warnings.push_back(error(path, "no audio files in it"));
    }

    // ---- playlists ---------------------------------------------------------------------

    void playlist_file(const fs::path& path, PlaylistFormat format)
    {
        const auto id = identity(path);
        if (id) {
            if (const auto loop = std::find(including_.begin(), including_.end(), *id); loop != including_.end())
                return out_.errors.push_back(error(path, "includes itself" + chain(loop) + "; not followed again"));
        }
        if (including_.size() >= max_nesting)
            return out_.errors.push_back(error(path, "playlists nested more than 64 deep; not followed"));
        std::vector<PlaylistFileEntry> entries;
        try {
            entries = parse_playlist(format, read_text(path));
        } catch (const Error& e) {
            return out_.errors.push_back(error(path, e.cause()));
        }
        including_.push_back(id.value_or(Identity{}));
        including_names_.push_back(path);
        const fs::path base = path.parent_path();
        out_.tracks.reserve(out_.tracks.size() + entries.size());
        for (const PlaylistFileEntry& entry : entries)
            location(entry.location, base, Origin::playlist, entry.title);
        including_.pop_back();
        including_names_.pop_back();
    }

    // " (through a.m3u -> b.m3u)": how a playlist came to include itself.
    std::string chain(std::vector<Identity>::const_iterator loop) const
    {
        const auto first = static_cast<std::size_t>(loop - including_.begin()) + 1;
        if (first >= including_names_.size())
            return "";
        std::string text = " (through ";
        for (std::size_t i = first; i < including_names_.size(); ++i)
            text += (i > first ? " -> " : "") + printable_path(including_names_[i].filename());
        return text + ")";
    }

    // ---- cue sheets --------------------------------------------------------------------

    void cue_file(const fs::path& path, const std::vector<fs::path>* neighbours)
    {
        std::vector<fs::path> files;
        for (Track& track : cue_tracks(path, neighbours, files))
            out_.tracks.push_back(std::move(track));
    }

    // A named audio file with a cue sheet: the one beside it of the same name, else (FLAC)
    // its own. Returns whether the tracks were added.
    bool cut_by_cue_sheet(const fs::path& path)
    {
        fs::path sheet = path;
        sheet.replace_extension(".cue");
        if (sheet != path && ::access(sheet.c_str(), R_OK) == 0) {
            std::vector<fs::path> files;
            std::vector<Track> tracks = cue_tracks(sheet, nullptr, files, path);
            if (!tracks.empty()) {
                for (Track& track : tracks)
                    out_.tracks.push_back(std::move(track));
                return true;
            }
        }
        return is_flac(path) && embedded_cue_sheet(path);
    }

    bool embedded_cue_sheet(const fs::path& path)
    {
        const auto sheet = read_flac_cue_sheet(path);
        if (!sheet)
            return false;
        std::vector<CueTrackStart> starts = sheet->tracks;
        for (CueTrackStart& start : starts)
            name_track(start);
        const std::int64_t frames = sheet->frames > 0 ? sheet->frames : length_of(path).value_or(0);
        auto tracks = split_at_cue_starts(path, starts, frames, sheet->sample_rate,
                                          printable_path(path) + " (its cue sheet)", out_.errors);
        for (Track& track : tracks)
            out_.tracks.push_back(std::move(track));
        return true;
    }

    // The tracks of the cue sheet at `path`, file by file in the sheet's order; `files` gets
    // the audio files it cuts. `neighbours`: the walked files, where a FILE the sheet names
    // may be found under another extension. `only`: just the tracks of this file.
    std::vector<Track> cue_tracks(const fs::path& path, const std::vector<fs::path>* neighbours,
                                  std::vector<fs::path>& files, const fs::path& only = {})
    {
        CueSheet sheet;
        try {
            sheet = parse_cue_sheet(read_text(path));
        } catch (const Error& e) {
            out_.errors.push_back(error(path, e.cause()));
            return {};
        }
        const std::string subject = printable_path(path);
        std::vector<Track> tracks;
        std::vector<CueTrackStart> starts;
        std::string current;
        const auto flush = [&] {
            if (!starts.empty())
                cut_file(path, current, starts, neighbours, only, files, tracks);
            starts.clear();
        };
        for (const CueSheetTrack& track : sheet.tracks) {
            if (!track.start) {
                out_.errors.push_back(error(path, "track " + std::to_string(track.number) +
                                                      " has no INDEX 01 (where it starts); left out"));
                continue;
            }
            if (track.file != current)
                flush();
            current = track.file;
            CueTrackStart start{track.number, *track.start, track.title, track.performer};
            name_track(start);
            starts.push_back(std::move(start));
        }
        flush();
        return tracks;
    }

    // Cuts one FILE of a sheet at `starts` (cue frames, converted here at the file's rate).
    void cut_file(const fs::path& sheet, const std::string& name, std::vector<CueTrackStart>& starts,
                  const std::vector<fs::path>* neighbours, const fs::path& only, std::vector<fs::path>& files,
                  std::vector<Track>& tracks)
    {
        std::optional<fs::path> file;
        if (only.empty()) {
            file = find_cut_file(sheet, name, neighbours);
        } else {  // the sheet beside a named file: its tracks of that file (under any extension)
            const fs::path named = fs::path(name);
            if (named.filename() != only.filename() && named.stem() != only.stem())
                return;
            file = only;
        }
        if (!file) {
            out_.errors.push_back(error(sheet, "its FILE \"" + escape_non_utf8(name) + "\" does not exist"));
            return;
        }
        AudioInfo info;
        try {
            info = Decoder::open(*file).info();
        } catch (const Error& e) {
            out_.errors.push_back(e);
            return;
        }
        for (CueTrackStart& start : starts)
            start.frame = cue_frames_to_samples(start.frame, info.sample_rate);
        auto cut = split_at_cue_starts(*file, starts, info.frames, info.sample_rate, printable_path(sheet),
                                       out_.errors);
        files.push_back(*file);
        for (Track& track : cut)
            tracks.push_back(std::move(track));
    }

    // A FILE named in a sheet, relative to the sheet's folder. Rippers write "album.wav" and
    // the album is later converted: when that name is missing, a walked file of the same stem
    // with an audio extension stands in.
    static std::optional<fs::path> find_cut_file(const fs::path& sheet, const std::string& name,
                                                 const std::vector<fs::path>* neighbours)
    {
        const fs::path file = sheet.parent_path() / fs::path(name);
        if (::access(file.c_str(), F_OK) == 0)
            return file;
        if (neighbours)
            for (const fs::path& neighbour : *neighbours)
                if (neighbour.parent_path() == file.parent_path() && neighbour.stem() == file.stem() &&
                    is_audio_file_name(neighbour))
                    return neighbour;
        return std::nullopt;
    }

    static void name_track(CueTrackStart& start)
    {
        start.title = start.title.empty() ? "Track " + std::to_string(start.number) : utf8_or_latin1(start.title);
        start.performer = utf8_or_latin1(start.performer);
    }

    static std::optional<std::int64_t> length_of(const fs::path& path)
    {
        try {
            return Decoder::open(path).info().frames;
        } catch (const Error&) {
            return std::nullopt;
        }
    }

    Playlist out_;
    std::vector<Identity> including_;  // the playlists being read, outermost first
    std::vector<fs::path> including_names_;
};

}  // namespace

Playlist build_playlist(std::span<const std::string> arguments)
{
    Builder builder;
    for (const std::string& argument : arguments)
        builder.argument(argument);
    return builder.take();
}

}  // namespace tonearm
