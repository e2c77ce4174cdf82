#include "check_report.hpp"

#include "time_text.hpp"

#include "tonearm/report_schema.hpp"

#include <cmath>
#include <cstdio>

namespace tonearm::cli {
namespace {

std::string peak_dbfs(double peak)
{
    if (peak <= 0.0)
        return "-inf dBFS";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f dBFS", 20.0 * std::log10(peak));
    return text;
}

// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
std::string csv_field(std::string_view text)
{
    if (text.find_first_of(",\"\r\n") == std::string_view::npos)
        return std::string(text);
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

// A JSON value as a CSV field: null is empty, strings are themselves, numbers as JSON has them.
std::string csv_value(const Json& value)
{
    if (value.is_null())
        return {};
    if (value.is_string())
        return csv_field(value.get_ref<const std::string&>());
    return dump(value);
}

std::string text_line(const CheckResult& r)
{
    if (!r.ok())
        return "FAIL " + r.path.string() + ": " + std::string(to_string(r.category)) + ": " + r.message;
    std::string line = "ok   " + r.path.string() + "  " + format_time(r.duration(), true) + "  peak " + peak_dbfs(r.peak);
    if (r.clipped > 0)
        line += "  clipped " + std::to_string(r.clipped);
    if (r.md5 == Md5Status::match)
        line += "  md5 ok";
    if (r.cached)
        return line + "  (cached)";
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "  %.2f s", r.seconds);
    return line + seconds;
}

}  // namespace

std::optional<ReportFormat> report_format_named(std::string_view name)
{
    if (name == "text") return ReportFormat::text;
    if (name == "json") return ReportFormat::json;
    if (name == "jsonl") return ReportFormat::jsonl;
    if (name == "csv") return ReportFormat::csv;
    return std::nullopt;
}

void CheckSummary::count(const CheckResult& result)
{
    ++files;
    (result.ok() ? ok : failed) += 1;
    cached += result.cached;
    duration += result.duration();
}

std::string CheckReport::begin() const
{
    if (format_ == ReportFormat::json)
        return "{\"files\":[";
    if (format_ != ReportFormat::csv)
        return {};
    std::string header;
    for (const auto& field : check_fields())
        header += (header.empty() ? "" : ",") + std::string(field.name);
    return header + '\n';
}

std::string CheckReport::file(std::size_t index, const CheckResult& result) const
{
    switch (format_) {
    case ReportFormat::json: return (index > 0 ? ",\n" : "\n") + dump(to_json(result));
    case ReportFormat::jsonl: return dump(to_json(result)) + '\n';
    case ReportFormat::csv: {
        std::string row;
        for (const auto& field : check_fields())
            row += (field.name == check_fields().front().name ? "" : ",") + csv_value(field.get(result));
        return row + '\n';
    }
    case ReportFormat::text: break;
    }
    return result.ok() && !verbose_ ? std::string() : text_line(result) + '\n';
}

std::string CheckReport::end(const CheckSummary& summary) const
{
    if (format_ == ReportFormat::json) {
        const Json json = {{"files", summary.files},     {"ok", summary.ok},
                           {"failed", summary.failed},   {"skipped", summary.skipped},
                           {"cached", summary.cached},   {"duration", summary.duration},
                           {"seconds", summary.seconds}};
        return "\n],\"summary\":" + dump(json) + "}\n";
    }
    if (format_ != ReportFormat::text)
        return {};
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, "%.1f", summary.seconds);
    std::string line = "checked " + std::to_string(summary.files) + (summary.files == 1 ? " file (" : " files (") +
                       format_time(summary.duration) + " of audio) in " + elapsed + " s: " +
                       std::to_string(summary.ok) + " ok, " + std::to_string(summary.failed) + " failed";
    if (summary.cached > 0)
        line += ", " + std::to_string(summary.cached) + " unchanged since the cache";
    if (summary.skipped > 0)
        line += " (" + std::to_string(summary.skipped) + " other files skipped, see --ext)";
    return line + '\n';
}

}  // namespace tonearm::cli
