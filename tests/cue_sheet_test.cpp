// Cue sheets: reading the text, cue time to samples, and cutting a file into tracks.
#include "tonearm/cue_sheet.hpp"

#include <gtest/gtest.h>

namespace tonearm::test {
namespace {

constexpr const char* album = "\xEF\xBB\xBFREM GENRE Test\r\n"
                              "PERFORMER \"The Band\"\r\n"
                              "TITLE \"The Album\"\r\n"
                              "FILE \"album.flac\" WAVE\r\n"
                              "  TRACK 01 AUDIO\r\n"
                              "    TITLE \"One\"\r\n"
                              "    INDEX 01 00:00:00\r\n"
                              "  TRACK 02 AUDIO\r\n"
                              "    TITLE \"Two, with spaces\"\r\n"
                              "    PERFORMER Guest\r\n"
                              "    PREGAP 00:02:00\r\n"
                              "    INDEX 00 03:58:70\r\n"
                              "    INDEX 01 04:00:01\r\n"
                              "  TRACK 03 MODE1/2352\r\n"
                              "    TITLE \"Data\"\r\n"
                              "    INDEX 01 10:00:00\r\n"
                              "  TRACK 04 AUDIO\r\n"
                              "    INDEX 01 120:00:74\r\n";

TEST(CueSheet, ReadsTracksTitlesPerformersAndIndex01)
{
    const CueSheet sheet = parse_cue_sheet(album);
    EXPECT_EQ(sheet.title, "The Album");
    EXPECT_EQ(sheet.performer, "The Band");
    ASSERT_EQ(sheet.tracks.size(), 3u) << "the data track is left out";
    EXPECT_EQ(sheet.tracks[0].number, 1);
    EXPECT_EQ(sheet.tracks[0].title, "One");
    EXPECT_EQ(sheet.tracks[0].performer, "The Band") << "the sheet's performer when the track has none";
    EXPECT_EQ(sheet.tracks[0].file, "album.flac");
    EXPECT_EQ(sheet.tracks[0].start, 0);
    EXPECT_EQ(sheet.tracks[1].title, "Two, with spaces");
    EXPECT_EQ(sheet.tracks[1].performer, "Guest");
    EXPECT_EQ(sheet.tracks[1].start, (4 * 60) * 75 + 1) << "INDEX 01, not INDEX 00";
    EXPECT_EQ(sheet.tracks[2].number, 4);
    EXPECT_EQ(sheet.tracks[2].start, (120 * 60) * 75 + 74) << "minutes past 99";
}

TEST(CueSheet, CueFramesToSamplesExactAtCommonRates)
{
    // 75 cue frames a second: 588 samples each at 44.1 kHz, 640 at 48 kHz, 1280 at 96 kHz.
    EXPECT_EQ(cue_frames_to_samples(1, 44100), 588);
    EXPECT_EQ(cue_frames_to_samples(4 * 60 * 75 + 1, 44100), 240 * 44100 + 588);
    EXPECT_EQ(cue_frames_to_samples(2 * 75 + 37, 48000), 2 * 48000 + 37 * 640);
    EXPECT_EQ(cue_frames_to_samples(75 * 3600 * 10, 96000), 96000LL * 36000);
    EXPECT_EQ(cue_frames_to_samples(1, 8000), 107) << "106.67: the nearest sample";
}

TEST(CueSheet, TextThatIsNotACueSheetSaysWhereAndWhy)
{
    try {
        parse_cue_sheet("FILE \"a.wav\" WAVE\nTRACK 01 AUDIO\nINDEX 01 00:61:00\n");
        FAIL() << "seconds past 59";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::malformed);
        EXPECT_NE(std::string(e.cause()).find("line 3"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_cue_sheet("INDEX 01 00:00:00\n"), Error) << "an INDEX before any TRACK";
    EXPECT_THROW(parse_cue_sheet("FILE \"a.wav\" WAVE\nTRACK x AUDIO\n"), Error);
    EXPECT_THROW(parse_cue_sheet("just some text\n"), Error) << "no track at all";
    EXPECT_THROW(parse_cue_sheet(std::string("\0\xff\xfe", 3)), Error);
}

TEST(CueSheet, ConsecutiveTracksShareTheirBoundaries)
{
    const std::vector<CueTrackStart> starts{{1, 0, "One", ""}, {2, 1000, "Two", ""}, {3, 2500, "Three", "X"}};
    std::vector<Error> problems;
    const auto tracks = split_at_cue_starts("album.wav", starts, 4000, 44100, "album.cue", problems);
    EXPECT_TRUE(problems.empty());
    ASSERT_EQ(tracks.size(), 3u);
    EXPECT_EQ(tracks[0].first_frame, 0);
    EXPECT_EQ(tracks[0].end_frame, 1000);
    EXPECT_EQ(tracks[1].first_frame, 1000);
    EXPECT_EQ(tracks[1].end_frame, 2500);
    EXPECT_EQ(tracks[2].first_frame, 2500);
    EXPECT_FALSE(tracks[2].end_frame) << "the last track runs to the end of the file";
    EXPECT_EQ(tracks[2].title, "Three");
    EXPECT_EQ(tracks[2].performer, "X");
    EXPECT_EQ(tracks[0].path, "album.wav");
}

TEST(CueSheet, StartsGoingBackwardsOrPastTheEndAreLeftOutWithOneLineEach)
{
    const std::vector<CueTrackStart> starts{
        {1, 0, "", ""}, {2, 44100 * 3, "", ""}, {3, 44100 * 2, "", ""}, {4, 44100 * 3, "", ""},
        {5, 44100 * 4, "", ""}, {6, 44100 * 10, "", ""}, {7, 44100 * 11, "", ""}};
    std::vector<Error> problems;
    const auto tracks = split_at_cue_starts("album.wav", starts, 44100 * 5, 44100, "album.cue", problems);
    ASSERT_EQ(tracks.size(), 3u);
    EXPECT_EQ(tracks[1].first_frame, 44100 * 3);
    EXPECT_EQ(tracks[1].end_frame, 44100 * 4) << "track 2 ends where the next kept track starts";
    EXPECT_FALSE(tracks[2].end_frame);
    ASSERT_EQ(problems.size(), 4u);
    EXPECT_EQ(problems[0].subject(), "album.cue");
    EXPECT_NE(problems[0].cause().find("track 3 starts at 0:02.000, not after track 2 (0:03.000)"),
              std::string::npos) << problems[0].what();
    EXPECT_NE(problems[1].cause().find("track 4"), std::string::npos) << "the same start is not after it either";
    EXPECT_NE(problems[2].cause().find("track 6 starts at 0:10.000, past the end of album.wav (0:05.000)"),
              std::string::npos) << problems[2].what();
}

}  // namespace
}  // namespace tonearm::test
