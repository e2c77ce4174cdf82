#include "utf8_text.hpp"

#include <cstddef>
#include <cstdint>

namespace tonearm {
namespace {

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0 if there is none.
std::size_t sequence_length(std::string_view text) noexcept
{
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    const std::uint8_t lead = byte(0);
    if (lead < 0x80)
        return 1;
    std::size_t length = 0;
    std::uint8_t low = 0x80, high = 0xBF;  // the range of the second byte (RFC 3629's table)
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;   // no overlong forms
        high = lead == 0xED ? 0x9F : 0xBF;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;  // nothing past U+10FFFF
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < low || byte(1) > high)
        return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(i) < 0x80 || byte(i) > 0xBF)
            return 0;
    return length;
}

}  // namespace

bool is_utf8(std::string_view text) noexcept
{
    while (!text.empty()) {
        const std::size_t length = sequence_length(text);
        if (length == 0)
            return false;
        text.remove_prefix(length);
    }
    return true;
}

std::string escape_non_utf8(std::string_view text)
{
    constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        if (const std::size_t length = sequence_length(text)) {
            out.append(text.substr(0, length));
            text.remove_prefix(length);
        } else {
            const auto value = static_cast<std::uint8_t>(text.front());
            out += "\\x";
            out += hex[value >> 4];
            out += hex[value & 0xF];
            text.remove_prefix(1);
        }
    }
    return out;
}

std::string utf8_or_latin1(std::string_view text)
{
    if (is_utf8(text))
        return std::string(text);
    std::string out;
    out.reserve(text.size() * 2);
    for (const char c : text) {
        const auto value = static_cast<std::uint8_t>(c);
        if (value < 0x80) {
            out += c;
        } else {  // Latin-1 is the first 256 code points: two bytes each in UTF-8
            out += static_cast<char>(0xC0 | (value >> 6));
            out += static_cast<char>(0x80 | (value & 0x3F));
        }
    }
    return out;
}

}  // namespace tonearm
