#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tonearm::cli {

// A JSON string literal. Bytes that are not valid UTF-8 (paths and tags can hold anything)
// become U+FFFD so the output always parses.
std::string json_string(std::string_view text);
// A finite number with 9 significant digits (enough for a float), as JSON and CSV print it.
std::string json_number(double value);

// Builds one JSON object, member by member, in insertion order.
class JsonObject {
public:
    JsonObject& add(std::string_view key, std::string_view value);
    JsonObject& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
    JsonObject& add(std::string_view key, const std::string& value) { return add(key, std::string_view(value)); }
    JsonObject& add(std::string_view key, std::int64_t value);
    JsonObject& add(std::string_view key, int value) { return add(key, static_cast<std::int64_t>(value)); }
    JsonObject& add(std::string_view key, double value);
    JsonObject& add(std::string_view key, bool value);
    JsonObject& add_null(std::string_view key);
    JsonObject& add_raw(std::string_view key, std::string_view json);

    std::string str() const { return body_ + "}"; }

private:
    void key(std::string_view name);
    std::string body_ = "{";
};

}  // namespace tonearm::cli
