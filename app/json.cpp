#include "json.hpp"

#include <cmath>
#include <cstdio>

namespace tonearm::cli {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 if it is not valid.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    const std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                                   : (lead >> 3) == 0x1E             ? 4
                                                                      : 0;
    if (length == 0 || i + length > text.size())
        return 0;
    for (std::size_t k = 1; k < length; ++k)
        if ((byte(i + k) & 0xC0) != 0x80)
            return 0;
    if ((length == 2 && lead < 0xC2) || (length == 3 && lead == 0xE0 && byte(i + 1) < 0xA0) ||
        (length == 3 && lead == 0xED && byte(i + 1) >= 0xA0) ||
        (length == 4 && (lead > 0xF4 || (lead == 0xF0 && byte(i + 1) < 0x90) ||
                         (lead == 0xF4 && byte(i + 1) >= 0x90))))
        return 0;  // overlong forms, surrogates, beyond U+10FFFF
    return length;
}

}  // namespace

std::string json_string(std::string_view text)
{
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        if (length > 1) {
            out.append(text.substr(i, length));
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
            out += escaped;
        } else {
            out += c;
        }
        i += length;
    }
    return out + "\"";
}

void JsonObject::key(std::string_view name)
{
    if (body_.size() > 1)
        body_ += ',';
    body_ += json_string(name);
    body_ += ':';
}

JsonObject& JsonObject::add(std::string_view name, std::string_view value)
{
    key(name);
    body_ += json_string(value);
    return *this;
}

JsonObject& JsonObject::add(std::string_view name, std::int64_t value)
{
    key(name);
    body_ += std::to_string(value);
    return *this;
}

std::string json_number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", value);
    return text;
}

JsonObject& JsonObject::add(std::string_view name, double value)
{
    if (!std::isfinite(value))
        return add_null(name);
    key(name);
    body_ += json_number(value);
    return *this;
}

JsonObject& JsonObject::add(std::string_view name, bool value)
{
    key(name);
    body_ += value ? "true" : "false";
    return *this;
}

JsonObject& JsonObject::add_null(std::string_view name)
{
    key(name);
    body_ += "null";
    return *this;
}

JsonObject& JsonObject::add_raw(std::string_view name, std::string_view json)
{
    key(name);
    body_ += json;
    return *this;
}

}  // namespace tonearm::cli
