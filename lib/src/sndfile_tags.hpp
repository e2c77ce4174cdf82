#pragma once

// The tags libsndfile reads and writes, by the names tonearm gives them (info --json, decode's
// copies). Internal to the library.

#include <sndfile.h>

#include <utility>

namespace tonearm::detail {

inline constexpr std::pair<int, const char*> sndfile_tags[] = {
    {SF_STR_TITLE, "title"},     {SF_STR_ARTIST, "artist"},       {SF_STR_ALBUM, "album"},
    {SF_STR_TRACKNUMBER, "tracknumber"}, {SF_STR_DATE, "date"}, {SF_STR_GENRE, "genre"},
    {SF_STR_COMMENT, "comment"}, {SF_STR_COPYRIGHT, "copyright"}, {SF_STR_LICENSE, "license"},
    {SF_STR_SOFTWARE, "software"},
};

}  // namespace tonearm::detail
