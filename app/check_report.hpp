#pragma once

// What `check` prints on stdout: a report in one of four formats, every field from the one
// schema (tonearm/report_schema.hpp). No I/O here: each call returns the text to print.

#include "tonearm/batch_check.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tonearm::cli {

enum class ReportFormat { text, json, jsonl, csv };
std::optional<ReportFormat> report_format_named(std::string_view name);

struct CheckSummary {
    std::size_t files = 0, ok = 0, failed = 0, skipped = 0, cached = 0;
    double duration = 0.0;  // audio, seconds
    double seconds = 0.0;   // wall time of the run

    void count(const CheckResult& result);
};

class CheckReport {
public:
    CheckReport(ReportFormat format, bool verbose) : format_(format), verbose_(verbose) {}

    std::string begin() const;  // before the first file: csv's header, json's opening
    // One file's entry (the index-th, in input order); empty when the format leaves it out
    // (text shows only failures, unless verbose).
    std::string file(std::size_t index, const CheckResult& result) const;
    std::string end(const CheckSummary& summary) const;  // after the last: json's summary, text's line

private:
    ReportFormat format_;
    bool verbose_;
};

}  // namespace tonearm::cli
