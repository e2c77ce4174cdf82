// check's report formats (app/check_report.cpp) on hand-made verdicts: every format carries the
// schema's fields (tonearm/report_schema.hpp) in its order, CSV quotes what needs quoting, and
// a verdict read back from its JSON (what the cache does) is the same verdict.
#include "check_report.hpp"

#include "tonearm/report_schema.hpp"

#include <gtest/gtest.h>

namespace tonearm::test {
namespace {

using cli::CheckReport;
using cli::CheckSummary;
using cli::ReportFormat;

CheckResult passing()
{
    CheckResult r;
    r.path = "/music/a, \"b\".flac";
    r.opened = true;
    r.container = "FLAC";
    r.codec = "FLAC";
    r.sample_rate = 44100;
    r.channels = 2;
    r.frames = 88200;
    r.declared_frames = 88200;
    r.peak = 0.5;
    r.md5 = Md5Status::match;
    r.seconds = 0.25;
    return r;
}

CheckResult failing()
{
    CheckResult r;
    r.path = "/music/cut\n.wav";
    r.category = CheckCategory::open;
    r.message = "Permission denied";
    return r;
}

std::vector<std::string> field_names()
{
    std::vector<std::string> names;
    for (const auto& field : check_fields())
        names.emplace_back(field.name);
    return names;
}

TEST(CheckReport, JsonLinesCarryEveryFieldInTheSchemasOrder)
{
    const CheckReport report(ReportFormat::jsonl, false);
    for (const auto& r : {passing(), failing()}) {
        const auto line = report.file(0, r);
        ASSERT_EQ(line.back(), '\n');
        EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << "one line, newlines escaped";
        const Json json = Json::parse(line);
        std::vector<std::string> keys;
        for (const auto& [key, value] : json.items())
            keys.push_back(key);
        EXPECT_EQ(keys, field_names());
    }
    const Json ok = Json::parse(report.file(0, passing()));
    EXPECT_EQ(ok["verdict"], "ok");
    EXPECT_TRUE(ok["category"].is_null());
    EXPECT_EQ(ok["md5"], "ok");
    EXPECT_EQ(ok["duration"], 2.0);
    EXPECT_EQ(ok["cached"], false);
    const Json fail = Json::parse(report.file(0, failing()));
    EXPECT_EQ(fail["category"], "open");
    EXPECT_TRUE(fail["container"].is_null()) << "never opened: no stream fields";
    EXPECT_TRUE(fail["declared_frames"].is_null());
}

TEST(CheckReport, CsvHasTheSameFieldsAndQuotesWhatNeedsIt)
{
    const CheckReport report(ReportFormat::csv, false);
    std::string header = report.begin();
    header.pop_back();
    std::string wanted;
    for (const auto& name : field_names())
        wanted += (wanted.empty() ? "" : ",") + name;
    EXPECT_EQ(header, wanted);
    EXPECT_TRUE(report.file(0, passing()).starts_with("\"/music/a, \"\"b\"\".flac\",ok,,,FLAC,FLAC,44100,2,88200,88200,2.0,0.5,0,0,ok,false,0.25\n"))
        << report.file(0, passing());
    EXPECT_TRUE(report.file(1, failing()).starts_with("\"/music/cut\n.wav\",fail,open,Permission denied,,,,,,,,,,,,false,"))
        << report.file(1, failing());
}

TEST(CheckReport, JsonIsOneDocumentWithASummary)
{
    const CheckReport report(ReportFormat::json, false);
    CheckSummary summary;
    summary.count(passing());
    summary.count(failing());
    const std::string text = report.begin() + report.file(0, passing()) + report.file(1, failing()) + report.end(summary);
    const Json json = Json::parse(text);
    EXPECT_EQ(json["files"].size(), 2u);
    EXPECT_EQ(json["summary"]["files"], 2);
    EXPECT_EQ(json["summary"]["ok"], 1);
    EXPECT_EQ(json["summary"]["failed"], 1);
    EXPECT_EQ(json["summary"]["duration"], 2.0);
}

TEST(CheckReport, TextShowsFailuresAndTheSummary)
{
    const CheckReport quiet(ReportFormat::text, false), verbose(ReportFormat::text, true);
    EXPECT_EQ(quiet.file(0, passing()), "");
    EXPECT_EQ(quiet.file(0, failing()), "FAIL /music/cut\n.wav: open: Permission denied\n");
    EXPECT_TRUE(verbose.file(0, passing()).starts_with("ok   /music/a, \"b\".flac  0:02.000  peak -6.0 dBFS  md5 ok"));
    auto cached = passing();
    cached.cached = true;
    EXPECT_NE(verbose.file(0, cached).find("(cached)"), std::string::npos);
    CheckSummary summary;
    summary.count(passing());
    summary.count(cached);
    summary.skipped = 3;
    EXPECT_EQ(quiet.end(summary).substr(0, 30), "checked 2 files (0:04 of audio");
    EXPECT_NE(quiet.end(summary).find("2 ok, 0 failed, 1 unchanged since the cache (3 other files skipped"),
              std::string::npos)
        << quiet.end(summary);
}

TEST(CheckReport, AVerdictReadBackFromItsJsonIsTheSame)
{
    for (auto r : {passing(), failing()}) {
        r.clipped = 7;
        const auto back = check_result_from_json(to_json(r));
        EXPECT_EQ(dump(to_json(back)), dump(to_json(r)));
    }
    EXPECT_THROW(check_result_from_json(Json::parse(R"({"path": 3})")), Json::exception);
}

TEST(CheckReport, BytesThatAreNotUtf8StillMakeJson)
{
    auto r = failing();
    r.path = std::string("/music/\xff\xfe.wav");
    const auto line = CheckReport(ReportFormat::jsonl, false).file(0, r);
    EXPECT_EQ(Json::parse(line)["path"], "/music/\xef\xbf\xbd\xef\xbf\xbd.wav");
}

}  // namespace
}  // namespace tonearm::test
