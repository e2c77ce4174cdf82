// M3U/M3U8 and PLS as people's players write them: BOMs, CRLF, #EXTINF, URLs.
#include "tonearm/error.hpp"
#include "tonearm/playlist_file.hpp"

#include <gtest/gtest.h>

namespace tonearm::test {
namespace {

TEST(PlaylistFile, M3uTakesEveryLocationAndTheExtinfBeforeIt)
{
    const auto entries = parse_m3u("#EXTM3U\n"
                                   "#EXTINF:123,Band - First\n"
                                   "01 - first.flac\n"
                                   "\n"
                                   "# a comment\n"
                                   "/music/abs/02 - second.ogg\n"
                                   "#EXTINF:-1 tvg-name=\"x\",Radio, live\n"
                                   "http://example.org/stream\n");
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].location, "01 - first.flac");
    EXPECT_EQ(entries[0].title, "Band - First");
    ASSERT_TRUE(entries[0].duration);
    EXPECT_EQ(*entries[0].duration, 123.0);
    EXPECT_EQ(entries[1].location, "/music/abs/02 - second.ogg");
    EXPECT_EQ(entries[1].title, "") << "an #EXTINF belongs to the next entry only";
    EXPECT_EQ(entries[2].title, "Radio, live") << "the title is everything after the first comma";
    EXPECT_FALSE(entries[2].duration) << "-1 means unknown";
}

TEST(PlaylistFile, M3uWithBomAndCrlfOrCrLineEnds)
{
    for (const char* text : {"\xEF\xBB\xBF#EXTM3U\r\n#EXTINF:5,Caf\xC3\xA9\r\na.wav\r\nb.wav\r\n",
                             "\xEF\xBB\xBF#EXTM3U\r#EXTINF:5,Caf\xC3\xA9\ra.wav\rb.wav"}) {
        const auto entries = parse_m3u(text);
        ASSERT_EQ(entries.size(), 2u) << text;
        EXPECT_EQ(entries[0].location, "a.wav") << "no BOM or CR left in the location";
        EXPECT_EQ(entries[0].title, "Caf\xC3\xA9");
        EXPECT_EQ(entries[1].location, "b.wav");
    }
    // A BOM before a bare location (no #EXTM3U) is not part of the path either.
    EXPECT_EQ(parse_m3u("\xEF\xBB\xBF" "a.wav\n").at(0).location, "a.wav");
}

TEST(PlaylistFile, PlsInTheOrderOfItsNumbers)
{
    const auto entries = parse_pls("\xEF\xBB\xBF[playlist]\r\n"
                                   "NumberOfEntries=3\r\n"
                                   "File2=b.ogg\r\n"
                                   "Title2=Second\r\n"
                                   "file1 = a.flac\r\n"
                                   "Length1=61\r\n"
                                   "Title3=no file: not an entry\r\n"
                                   "File10=j.wav\r\n"
                                   "Version=2\r\n");
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].location, "a.flac");
    EXPECT_EQ(*entries[0].duration, 61.0);
    EXPECT_EQ(entries[1].location, "b.ogg");
    EXPECT_EQ(entries[1].title, "Second");
    EXPECT_EQ(entries[2].location, "j.wav") << "File10 after File2: numbers, not text";
    EXPECT_THROW(parse_pls("File1=a.wav\n"), Error) << "no [playlist] section: not a PLS file";
}

TEST(PlaylistFile, FormatsByName)
{
    EXPECT_EQ(playlist_format("x.m3u"), PlaylistFormat::m3u);
    EXPECT_EQ(playlist_format("X.M3U8"), PlaylistFormat::m3u);
    EXPECT_EQ(playlist_format("radio.pls"), PlaylistFormat::pls);
    EXPECT_FALSE(playlist_format("album.cue"));
    EXPECT_FALSE(playlist_format("m3u"));
}

TEST(PlaylistFile, UrlsAreToldFromPaths)
{
    EXPECT_TRUE(is_url("http://example.org/a.mp3"));
    EXPECT_TRUE(is_url("HTTPS://example.org/a.mp3"));
    EXPECT_TRUE(is_url("rtsp+tcp://host/x"));
    EXPECT_FALSE(is_url("/music/a.mp3"));
    EXPECT_FALSE(is_url("a: b://c.flac")) << "a space is no part of a scheme";
    EXPECT_FALSE(is_url("://x"));
    EXPECT_EQ(file_url_path("file:///music/Caf%C3%A9%20x.flac"), "/music/Caf\xC3\xA9 x.flac");
    EXPECT_EQ(file_url_path("file://localhost/a.wav"), "/a.wav");
    EXPECT_FALSE(file_url_path("file://otherhost/a.wav"));
    EXPECT_FALSE(file_url_path("http://x/a.wav"));
}

}  // namespace
}  // namespace tonearm::test
