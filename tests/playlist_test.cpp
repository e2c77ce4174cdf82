// Arguments to tracks on a real disk: folders, playlists, cue sheets (beside a file, in a
// folder, embedded in FLAC by the reference `flac` tool), and every bad input the issue lists.
#include "support/fixtures.hpp"
#include "support/process.hpp"

#include "tonearm/decoder.hpp"
#include "tonearm/playlist.hpp"
#include "tonearm/resume_point.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <chrono>
#include <thread>

namespace tonearm::test {
namespace {

namespace fs = std::filesystem;
const int wav16 = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
const int flac16 = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;

class PlaylistTest : public ::testing::Test {
protected:
    TempDir dir;

    fs::path tone(const fs::path& relative, double seconds = 0.2, int format = wav16, int rate = 44100)
    {
        const auto path = dir.path() / relative;
        fs::create_directories(path.parent_path());
        write_audio(path, format, rate, 2, synth({.sample_rate = rate, .seconds = seconds}));
        return path;
    }
    fs::path text(const fs::path& relative, const std::string& content) { return write_text(dir.path() / relative, content); }
    static Playlist build(const std::vector<std::string>& arguments) { return build_playlist(arguments); }

    std::vector<std::string> names(const Playlist& playlist) const
    {
        std::vector<std::string> out;
        for (const auto& track : playlist.tracks)
            out.push_back(track.path.lexically_relative(dir.path()).string());
        return out;
    }
    static std::string messages(const std::vector<Error>& errors)
    {
        std::string text;
        for (const auto& e : errors)
            text += std::string(e.what()) + "\n";
        return text;
    }
};

// ---- folders ---------------------------------------------------------------------------------

TEST_F(PlaylistTest, AFolderIsItsAudioFilesInNaturalOrder)
{
    for (const char* name : {"album/10 - ten.wav", "album/2 - two.wav", "album/1 - one.wav", "album/cd2/1.ogg"})
        tone(name, 0.1, std::string(name).ends_with(".ogg") ? SF_FORMAT_OGG | SF_FORMAT_VORBIS : wav16);
    text("album/cover.jpg", "not audio");
    text("album/.hidden.wav", "");
    text("album/notes.txt", "");
    const Playlist playlist = build({(dir / "album").string()});
    EXPECT_EQ(names(playlist),
              (std::vector<std::string>{"album/1 - one.wav", "album/2 - two.wav", "album/10 - ten.wav",
                                        "album/cd2/1.ogg"}));
    EXPECT_TRUE(playlist.errors.empty()) << messages(playlist.errors);
    EXPECT_TRUE(playlist.warnings.empty()) << messages(playlist.warnings);
}

TEST_F(PlaylistTest, ArgumentsMixFreelyInTheirOrder)
{
    tone("a.wav");
    tone("dir/b.wav");
    tone("dir/c.wav");
    text("list.m3u", "a.wav\n");
    const Playlist playlist = build({(dir / "dir").string(), (dir / "a.wav").string(), (dir / "list.m3u").string(),
                                     (dir / "dir/c.wav").string()});
    EXPECT_EQ(names(playlist), (std::vector<std::string>{"dir/b.wav", "dir/c.wav", "a.wav", "a.wav", "dir/c.wav"}));
}

TEST_F(PlaylistTest, ASymlinkLoopIsOneWarningAndEveryFileOnce)
{
    tone("music/a/1.wav");
    tone("music/a/b/2.wav");
    fs::create_directory_symlink("../..", dir / "music/a/b/loop");
    const auto start = std::chrono::steady_clock::now();
    const Playlist playlist = build({(dir / "music").string()});
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(names(playlist), (std::vector<std::string>{"music/a/1.wav", "music/a/b/2.wav"}));
    ASSERT_EQ(playlist.warnings.size(), 1u) << messages(playlist.warnings);
    EXPECT_NE(std::string(playlist.warnings[0].what()).find("loop: a symbolic link back"), std::string::npos)
        << playlist.warnings[0].what();
    EXPECT_TRUE(playlist.errors.empty());
}

TEST_F(PlaylistTest, AnEmptyFolderIsAWarning)
{
    fs::create_directories(dir / "empty");
    text("empty/readme.txt", "");
    const Playlist playlist = build({(dir / "empty").string()});
    EXPECT_TRUE(playlist.tracks.empty());
    ASSERT_EQ(playlist.warnings.size(), 1u);
    EXPECT_NE(std::string(playlist.warnings[0].what()).find("no audio files"), std::string::npos);
}

TEST_F(PlaylistTest, NamesThatAreNotUtf8PlayAndPrintEscaped)
{
    const std::string latin1 = "caf\xE9";  // "café" in Latin-1: not UTF-8
    const auto file = tone("names/" + latin1 + ".wav");
    text("names/list.m3u", "#EXTINF:1,Caf\xE9 au lait\n" + latin1 + ".wav\n");
    const Playlist playlist = build({(dir / "names").string(), (dir / "names/list.m3u").string()});
    ASSERT_EQ(playlist.tracks.size(), 2u) << messages(playlist.errors);
    EXPECT_EQ(playlist.tracks[0].path, file) << "the bytes of the name, untouched";
    EXPECT_EQ(playlist.tracks[1].path, file);
    EXPECT_NO_THROW(Decoder::open(playlist.tracks[1].path));
    EXPECT_EQ(display_title(playlist.tracks[0], std::nullopt), "caf\\xE9.wav");
    EXPECT_EQ(display_title(playlist.tracks[1], std::nullopt), "Caf\xC3\xA9 au lait") << "a Latin-1 title, in UTF-8";
    EXPECT_EQ(printable_path(file).find('\xE9'), std::string::npos);
}

// ---- playlists -------------------------------------------------------------------------------

TEST_F(PlaylistTest, M3uEntriesRelativeToThePlaylistAbsoluteAndWithTitles)
{
    const auto a = tone("music/a.wav");
    tone("music/sub/b.wav");
    const auto c = tone("elsewhere/c.wav");
    text("music/lists/mix.m3u8", "\xEF\xBB\xBF#EXTM3U\r\n#EXTINF:1,Band - A\r\n../a.wav\r\n../sub/b.wav\r\n" + c.string() +
                                     "\r\nfile://" + a.string() + "\r\n");
    // Run from another folder: relative entries are the playlist's, not the working directory's.
    const Playlist playlist = build({(dir / "music/lists/mix.m3u8").string()});
    ASSERT_EQ(playlist.tracks.size(), 4u) << messages(playlist.errors);
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_TRUE(fs::exists(playlist.tracks[i].path)) << playlist.tracks[i].path;
    EXPECT_EQ(fs::canonical(playlist.tracks[0].path), a);
    EXPECT_EQ(playlist.tracks[0].title, "Band - A");
    EXPECT_EQ(playlist.tracks[2].path, c);
    EXPECT_EQ(playlist.tracks[3].path, a) << "a file:// URL is a path";
    EXPECT_TRUE(playlist.errors.empty()) << messages(playlist.errors);
}

TEST_F(PlaylistTest, PlsAndNestedPlaylistsAndFoldersInPlaylists)
{
    tone("a.wav");
    tone("album/1.wav");
    tone("album/2.wav");
    text("inner.m3u", "a.wav\n");
    text("outer.pls", "[playlist]\r\nFile1=inner.m3u\r\nTitle2=Two\r\nFile2=album\r\nFile3=a.wav\r\nNumberOfEntries=3\r\n");
    const Playlist playlist = build({(dir / "outer.pls").string()});
    EXPECT_EQ(names(playlist), (std::vector<std::string>{"a.wav", "album/1.wav", "album/2.wav", "a.wav"}));
    EXPECT_TRUE(playlist.errors.empty()) << messages(playlist.errors);
}

TEST_F(PlaylistTest, UrlsAreRefusedWithOneLineAndTheRestPlays)
{
    tone("a.wav");
    text("radio.m3u", "http://radio.example.org/live.mp3\na.wav\nhttps://x.example/y.ogg\n");
    const Playlist playlist = build({(dir / "radio.m3u").string(), "http://example.org/z.flac"});
    EXPECT_EQ(names(playlist), (std::vector<std::string>{"a.wav"}));
    ASSERT_EQ(playlist.errors.size(), 3u) << messages(playlist.errors);
    EXPECT_EQ(playlist.errors[0].subject(), "http://radio.example.org/live.mp3");
    EXPECT_NE(playlist.errors[0].cause().find("URL"), std::string::npos) << playlist.errors[0].what();
}

TEST_F(PlaylistTest, APlaylistThatIncludesItselfIsOneLineAndNoHang)
{
    tone("a.wav");
    tone("b.wav");
    text("self.m3u", "a.wav\nself.m3u\nb.wav\n");
    text("one.m3u", "a.wav\ntwo.m3u8\n");
    text("two.m3u8", "b.wav\n./one.m3u\n");
    const Playlist direct = build({(dir / "self.m3u").string()});
    EXPECT_EQ(names(direct), (std::vector<std::string>{"a.wav", "b.wav"}));
    ASSERT_EQ(direct.errors.size(), 1u) << messages(direct.errors);
    EXPECT_NE(direct.errors[0].cause().find("includes itself"), std::string::npos) << direct.errors[0].what();

    const Playlist through = build({(dir / "one.m3u").string()});
    EXPECT_EQ(names(through), (std::vector<std::string>{"a.wav", "b.wav"}));
    ASSERT_EQ(through.errors.size(), 1u) << messages(through.errors);
    EXPECT_NE(through.errors[0].cause().find("includes itself (through two.m3u8)"), std::string::npos)
        << through.errors[0].what();
}

TEST_F(PlaylistTest, MissingEntriesAreLeftToThePlayerMissingPlaylistsAreErrors)
{
    tone("a.wav");
    text("list.m3u", "gone.wav\na.wav\n");
    const Playlist playlist = build({(dir / "list.m3u").string(), (dir / "nope.m3u").string(),
                                     (dir / "missing.flac").string()});
    // A missing audio file stays a track: it says so when its turn comes and playback goes on.
    EXPECT_EQ(names(playlist), (std::vector<std::string>{"gone.wav", "a.wav", "missing.flac"}));
    ASSERT_EQ(playlist.errors.size(), 1u) << messages(playlist.errors);
    EXPECT_EQ(playlist.errors[0].subject(), (dir / "nope.m3u").string());
}

// ---- cue sheets ------------------------------------------------------------------------------

constexpr const char* three_tracks = "PERFORMER \"Band\"\nTITLE \"Album\"\nFILE \"%s\" WAVE\n"
                                     "  TRACK 01 AUDIO\n    TITLE \"One\"\n    INDEX 01 00:00:00\n"
                                     "  TRACK 02 AUDIO\n    TITLE \"Two\"\n    PERFORMER \"Guest\"\n"
                                     "    INDEX 00 00:01:50\n    INDEX 01 00:02:00\n"
                                     "  TRACK 03 AUDIO\n    TITLE \"Three\"\n    INDEX 01 00:04:37\n";

std::string sheet_for(const std::string& file)
{
    char buffer[1024];
    std::snprintf(buffer, sizeof buffer, three_tracks, file.c_str());
    return buffer;
}

void expect_three_tracks(const Playlist& playlist, const fs::path& file, int rate)
{
    ASSERT_EQ(playlist.tracks.size(), 3u);
    const std::int64_t per_cue_frame = rate / 75;
    EXPECT_EQ(playlist.tracks[0].first_frame, 0);
    EXPECT_EQ(playlist.tracks[0].end_frame, 2 * rate);
    EXPECT_EQ(playlist.tracks[1].first_frame, 2 * rate) << "INDEX 01, to the sample";
    EXPECT_EQ(playlist.tracks[1].end_frame, 4 * rate + 37 * per_cue_frame);
    EXPECT_EQ(playlist.tracks[2].first_frame, 4 * rate + 37 * per_cue_frame);
    EXPECT_FALSE(playlist.tracks[2].end_frame);
    for (const auto& track : playlist.tracks)
        EXPECT_EQ(track.path, file);
    EXPECT_EQ(display_title(playlist.tracks[0], std::nullopt), "One - Band");
    EXPECT_EQ(display_title(playlist.tracks[1], std::nullopt), "Two - Guest");
}

TEST_F(PlaylistTest, ACueSheetNamedDirectly)
{
    const auto file = tone("album/album.wav", 6.0, wav16, 48000);
    text("album/album.cue", sheet_for("album.wav"));
    const Playlist playlist = build({(dir / "album/album.cue").string()});
    EXPECT_TRUE(playlist.errors.empty()) << messages(playlist.errors);
    expect_three_tracks(playlist, file, 48000);
}

TEST_F(PlaylistTest, ACueSheetBesideANamedFileCutsIt)
{
    const auto file = tone("album.flac", 6.0, flac16, 44100);
    text("album.cue", sheet_for("album.wav"));  // ripped to WAV, converted to FLAC since
    const Playlist playlist = build({file.string()});
    EXPECT_TRUE(playlist.errors.empty()) << messages(playlist.errors);
    expect_three_tracks(playlist, file, 44100);
}

TEST_F(PlaylistTest, ACueSheetInAFolderStandsForItsFileInPlace)
{
    tone("a/0 - intro.wav");
    const auto file = tone("a/album.flac", 6.0, flac16, 44100);
    text("a/album.cue", sheet_for("album.wav"));
    tone("a/bonus.wav");
    const Playlist playlist = build({(dir / "a").string()});
    ASSERT_EQ(playlist.tracks.size(), 5u) << messages(playlist.errors);
    EXPECT_EQ(playlist.tracks[0].path.filename(), "0 - intro.wav");
    EXPECT_EQ(playlist.tracks[1].path, file);
    EXPECT_EQ(playlist.tracks[3].path, file);
    EXPECT_EQ(playlist.tracks[4].path.filename(), "bonus.wav");
    EXPECT_EQ(playlist.tracks[2].first_frame, 2 * 44100);
}

TEST_F(PlaylistTest, CueTimesPastTheEndOrBackwardsAreLeftOutWithOneLineEach)
{
    tone("short.wav", 3.0, wav16, 44100);
    text("bad.cue", "FILE \"short.wav\" WAVE\n"
                    "TRACK 01 AUDIO\nINDEX 01 00:00:00\n"
                    "TRACK 02 AUDIO\nINDEX 01 00:02:00\n"
                    "TRACK 03 AUDIO\nINDEX 01 00:01:00\n"     // backwards
                    "TRACK 04 AUDIO\nINDEX 01 00:02:50\n"
                    "TRACK 05 AUDIO\nINDEX 01 10:00:00\n"     // past the end
                    "TRACK 06 AUDIO\nTITLE \"no index\"\n");  // no INDEX 01
    const Playlist playlist = build({(dir / "bad.cue").string()});
    ASSERT_EQ(playlist.tracks.size(), 3u);
    EXPECT_EQ(playlist.tracks[1].end_frame, 2 * 44100 + 50 * 588);
    EXPECT_EQ(playlist.errors.size(), 3u) << messages(playlist.errors);
    for (const auto& e : playlist.errors)
        EXPECT_EQ(e.subject(), (dir / "bad.cue").string());
    EXPECT_NE(messages(playlist.errors).find("track 5 starts at 10:00.000, past the end of short.wav (0:03.000)"),
              std::string::npos) << messages(playlist.errors);

    text("garbage.cue", "\xFF\xFE garbage \x01\x02\n");
    text("nofile.cue", sheet_for("not there.wav"));
    const Playlist broken = build({(dir / "garbage.cue").string(), (dir / "nofile.cue").string()});
    EXPECT_TRUE(broken.tracks.empty());
    ASSERT_EQ(broken.errors.size(), 2u) << messages(broken.errors);
    EXPECT_NE(broken.errors[1].cause().find("\"not there.wav\" does not exist"), std::string::npos);
}

// The reference encoder writes the CUESHEET block: `flac --cuesheet=FILE`.
class EmbeddedCueSheet : public PlaylistTest {
protected:
    fs::path encode(const fs::path& relative, int rate, const std::string& sheet)
    {
        if (run_process({"flac", "--version"}).exit_code != 0)
            return {};
        const auto wav = tone(fs::path(relative).replace_extension(".wav"), 6.0, wav16, rate);
        const auto cue = text(fs::path(relative).replace_extension(".cue.txt"), sheet);
        const auto flac = dir.path() / relative;
        const auto encoded = run_process({"flac", "-s", "-f", "--cuesheet=" + cue.string(), wav.string(), "-o", flac.string()});
        EXPECT_EQ(encoded.exit_code, 0) << encoded.err;
        fs::remove(wav);
        return flac;
    }
};

TEST_F(EmbeddedCueSheet, NamedDirectlyOrAloneInItsFolder)
{
    for (const int rate : {44100, 48000}) {
        const auto flac = encode("image" + std::to_string(rate) + "/album.flac", rate, sheet_for("album.wav"));
        if (flac.empty())
            GTEST_SKIP() << "flac is not installed";
        // Titles too, when the sheet's text rides along in a CUESHEET comment (as foobar2000 writes it).
        const auto tagged = run_process({"metaflac", "--set-tag-from-file=CUESHEET=" +
                                                         (flac.parent_path() / "album.cue.txt").string(), flac.string()});
        ASSERT_EQ(tagged.exit_code, 0) << tagged.err;
        fs::remove(flac.parent_path() / "album.cue.txt");  // no .cue of any kind beside it now

        const Playlist named = build({flac.string()});
        EXPECT_TRUE(named.errors.empty()) << messages(named.errors);
        expect_three_tracks(named, flac, rate);
        const Playlist folder = build({flac.parent_path().string()});
        expect_three_tracks(folder, flac, rate);
    }
}

TEST_F(EmbeddedCueSheet, WithoutTitlesTheTracksAreNumbered)
{
    const auto flac = encode("plain/album.flac", 44100, sheet_for("album.wav"));
    if (flac.empty())
        GTEST_SKIP() << "flac is not installed";
    fs::remove(dir / "plain/album.cue.txt");
    const Playlist playlist = build({flac.string()});
    ASSERT_EQ(playlist.tracks.size(), 3u);
    EXPECT_EQ(display_title(playlist.tracks[2], std::nullopt), "Track 3");
    // Among other audio files a FLAC is not opened while listing (it may be one of thousands).
    tone("plain/other.wav");
    EXPECT_EQ(build({(dir / "plain").string()}).tracks.size(), 2u);
}

// ---- resume points ---------------------------------------------------------------------------

TEST_F(PlaylistTest, AResumePointSurvivesAnyBytesInItsPaths)
{
    ResumePoint point;
    point.arguments = {"/music/caf\xE9", "/a\\b\nc\rd", "http://x"};
    point.shuffle_seed = 18446744073709551615u;
    point.track = 41;
    point.track_path = "/music/caf\xE9/01.flac";
    point.track_first_frame = 1234567;
    point.position = 83.25;
    const ResumePoint back = parse_resume_point(format_resume_point(point));
    EXPECT_EQ(back.arguments, point.arguments);
    EXPECT_EQ(back.shuffle_seed, point.shuffle_seed);
    EXPECT_EQ(back.track, 41u);
    EXPECT_EQ(back.track_path, point.track_path);
    EXPECT_EQ(back.track_first_frame, 1234567);
    EXPECT_DOUBLE_EQ(back.position, 83.25);

    const std::string text = format_resume_point(point);
    EXPECT_THROW(parse_resume_point(text.substr(0, text.size() / 2)), Error) << "cut short";
    EXPECT_THROW(parse_resume_point(""), Error);
    EXPECT_THROW(parse_resume_point("\x89PNG\r\n\x1a\n"), Error);
    std::string bad = text;
    bad.replace(bad.find("position 83"), 11, "position x3");
    EXPECT_THROW(parse_resume_point(bad), Error);
}

TEST_F(PlaylistTest, TheStoreKeepsOnePointPerArgumentListAndTheLatest)
{
    const ResumeStore store(dir / "state" / "tonearm");
    const std::vector<std::string> first{"/m/a"}, second{"/m/b", "/m/c"};
    EXPECT_FALSE(store.load(first));
    std::vector<Error> damaged;
    EXPECT_FALSE(store.latest(damaged));

    ResumePoint point;
    point.arguments = first;
    point.track_path = "/m/a/1.wav";
    point.position = 1;
    store.save(point);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // distinct modification times
    point.arguments = second;
    point.position = 2;
    store.save(point);
    EXPECT_EQ(store.load(first)->position, 1);
    EXPECT_EQ(store.load(second)->position, 2);
    EXPECT_EQ(store.latest(damaged)->arguments, second);
    EXPECT_TRUE(damaged.empty());
    // Written atomically: nothing but the two points in the folder.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir / "state" / "tonearm"))
        ++files;
    EXPECT_EQ(files, 2u);

    // A damaged file: load() says so, latest() passes over it to the next newest.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::string cut = "tonearm resume 1\nargument /m/a\n";
    write_bytes(store.file_for(first), std::as_bytes(std::span(cut)));
    EXPECT_THROW(store.load(first), Error);
    EXPECT_EQ(store.latest(damaged)->arguments, second);
    EXPECT_EQ(damaged.size(), 1u);

    store.forget(second);
    EXPECT_FALSE(store.load(second));
}

}  // namespace
}  // namespace tonearm::test
