#include "tonearm/report_schema.hpp"

#include <array>
#include <limits>

namespace tonearm {
namespace {

// A stream field: null when the file never opened.
template <typename T>
Json when_opened(const CheckResult& r, const T& value)
{
    return r.opened ? Json(value) : Json(nullptr);
}

template <typename T>
T value_or(const Json& value, T fallback)
{
    return value.is_null() ? fallback : value.get<T>();
}

CheckCategory category_named(const std::string& name)
{
    for (const auto category : {CheckCategory::open, CheckCategory::unsupported, CheckCategory::truncated,
                                CheckCategory::decode, CheckCategory::non_finite, CheckCategory::md5_mismatch})
        if (to_string(category) == name)
            return category;
    throw Json::other_error::create(501, "unknown category '" + name + "'", nullptr);
}

Md5Status md5_named(const std::string& name)
{
    for (const auto status : {Md5Status::absent, Md5Status::match, Md5Status::mismatch})
        if (to_string(status) == name)
            return status;
    throw Json::other_error::create(501, "unknown md5 status '" + name + "'", nullptr);
}

const std::array<CheckField, 17> fields = {{
    {"path", [](const CheckResult& r) { return Json(r.path.string()); },
     [](CheckResult& r, const Json& v) { r.path = v.get<std::string>(); }},
    {"verdict", [](const CheckResult& r) { return Json(r.ok() ? "ok" : "fail"); }, [](CheckResult&, const Json&) {}},
    {"category",
     [](const CheckResult& r) { return r.ok() ? Json(nullptr) : Json(std::string(to_string(r.category))); },
     [](CheckResult& r, const Json& v) {
         r.category = v.is_null() ? CheckCategory::none : category_named(v.get<std::string>());
     }},
    {"message", [](const CheckResult& r) { return r.ok() ? Json(nullptr) : Json(r.message); },
     [](CheckResult& r, const Json& v) { r.message = value_or<std::string>(v, ""); }},
    {"container", [](const CheckResult& r) { return when_opened(r, r.container); },
     [](CheckResult& r, const Json& v) {
         r.opened = !v.is_null();
         r.container = value_or<std::string>(v, "");
     }},
    {"codec", [](const CheckResult& r) { return when_opened(r, r.codec); },
     [](CheckResult& r, const Json& v) { r.codec = value_or<std::string>(v, ""); }},
    {"sample_rate", [](const CheckResult& r) { return when_opened(r, r.sample_rate); },
     [](CheckResult& r, const Json& v) { r.sample_rate = value_or(v, 0); }},
    {"channels", [](const CheckResult& r) { return when_opened(r, r.channels); },
     [](CheckResult& r, const Json& v) { r.channels = value_or(v, 0); }},
    {"frames", [](const CheckResult& r) { return when_opened(r, r.frames); },
     [](CheckResult& r, const Json& v) { r.frames = value_or<std::int64_t>(v, 0); }},
    {"declared_frames",
     [](const CheckResult& r) { return r.opened && r.declared_frames ? Json(*r.declared_frames) : Json(nullptr); },
     [](CheckResult& r, const Json& v) {
         r.declared_frames = v.is_null() ? std::nullopt : std::optional(v.get<std::int64_t>());
     }},
    {"duration", [](const CheckResult& r) { return when_opened(r, r.duration()); }, [](CheckResult&, const Json&) {}},
    {"peak", [](const CheckResult& r) { return when_opened(r, r.peak); },
     [](CheckResult& r, const Json& v) { r.peak = value_or(v, 0.0); }},
    {"clipped", [](const CheckResult& r) { return when_opened(r, r.clipped); },
     [](CheckResult& r, const Json& v) { r.clipped = value_or<std::int64_t>(v, 0); }},
    {"non_finite", [](const CheckResult& r) { return when_opened(r, r.non_finite); },
     [](CheckResult& r, const Json& v) { r.non_finite = value_or<std::int64_t>(v, 0); }},
    {"md5",
     [](const CheckResult& r) {
         return r.opened && r.md5 != Md5Status::not_applicable ? Json(std::string(to_string(r.md5))) : Json(nullptr);
     },
     [](CheckResult& r, const Json& v) { r.md5 = v.is_null() ? Md5Status::not_applicable : md5_named(v.get<std::string>()); }},
    {"cached", [](const CheckResult& r) { return Json(r.cached); },
     [](CheckResult& r, const Json& v) { r.cached = v.get<bool>(); }},
    {"seconds", [](const CheckResult& r) { return Json(r.seconds); },
     [](CheckResult& r, const Json& v) { r.seconds = v.get<double>(); }},
}};

}  // namespace

Json to_json(const AudioInfo& info, const StreamLength& length)
{
    Json tags = Json::object();
    for (const auto& [key, value] : info.tags)
        tags[key] = value;
    // INT64_MAX is the decoder's "length unknown" (an Ogg stream without its last page).
    const bool length_known = info.frames != std::numeric_limits<std::int64_t>::max();
    Json json = {
        {"container", info.container},
        {"codec", info.codec},
        {"sample_rate", info.sample_rate},
        {"channels", info.channels},
        {"frames", length_known ? Json(info.frames) : Json(nullptr)},
        {"duration", length_known ? Json(info.duration_seconds()) : Json(nullptr)},
        {"bits_per_sample", info.bits_per_sample ? Json(*info.bits_per_sample) : Json(nullptr)},
        {"lossless", info.lossless},
        {"seekable", info.seekable},
        {"truncated", length.cut ? Json(!length.cut->empty()) : Json(nullptr)},
        {"truncation", length.shows_cut() ? Json(*length.cut) : Json(nullptr)},
    };
    json["tags"] = std::move(tags);
    return json;
}

std::span<const CheckField> check_fields() { return fields; }

Json to_json(const CheckResult& result)
{
    Json json = Json::object();
    for (const auto& field : fields)
        json[std::string(field.name)] = field.get(result);
    return json;
}

CheckResult check_result_from_json(const Json& json)
{
    CheckResult result;
    for (const auto& field : fields)
        field.set(result, json.at(std::string(field.name)));
    return result;
}

std::string dump(const Json& json)
{
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace tonearm
