#pragma once

// The machine-readable form of what tonearm reports, shared by `info --json`, `check`'s json,
// jsonl and csv reports, the verdict cache and the web module: one schema, snake_case keys,
// null for what is not known. Members keep the order given here (ordered_json).

#include "tonearm/audio_info.hpp"
#include "tonearm/batch_check.hpp"
#include "tonearm/stream_length.hpp"

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <string_view>

namespace tonearm {

using Json = nlohmann::ordered_json;

// What a decoder knows before decoding, and what the container says about its length:
//   container, codec, sample_rate, channels, frames and duration (null when the decoder cannot
//   tell without decoding), bits_per_sample, lossless,
//   seekable, truncated (true, false, or null when it cannot tell without decoding),
//   truncation (how the file shows the cut, or null), tags {lower-case key: value}.
Json to_json(const AudioInfo& info, const StreamLength& length);

// One field of a check verdict: its name, its value, and how to read it back. Every report
// format and the cache come from this one table, in this order:
//   path, verdict (ok|fail), category, message, container, codec, sample_rate, channels,
//   frames (decoded), declared_frames, duration (s), peak (1.0 = full scale), clipped,
//   non_finite, md5 (ok|mismatch|absent), cached, seconds (time spent on the file)
struct CheckField {
    std::string_view name;
    Json (*get)(const CheckResult& result);
    void (*set)(CheckResult& result, const Json& value);
};
std::span<const CheckField> check_fields();

Json to_json(const CheckResult& result);
// The inverse (what the verdict cache stores); throws nlohmann::json::exception on a value
// of the wrong type.
CheckResult check_result_from_json(const Json& json);

// One line of JSON. Bytes that are not UTF-8 (paths and tags may hold anything) become U+FFFD,
// so the output always parses.
std::string dump(const Json& json);

}  // namespace tonearm
