#include "tonearm/natural_order.hpp"

#include <cstddef>

namespace tonearm {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
char fold(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Compares the digit runs at the fronts of `a` and `b` as numbers of any length (no overflow:
// leading zeros dropped, then the longer is larger, then digit by digit). Consumes both.
int compare_numbers(std::string_view& a, std::string_view& b) noexcept
{
    const auto take = [](std::string_view& text) {
        std::size_t end = 0;
        while (end < text.size() && is_digit(text[end]))
            ++end;
        std::string_view run = text.substr(0, end);
        text.remove_prefix(end);
        while (run.size() > 1 && run.front() == '0')
            run.remove_prefix(1);
        return run;
    };
    const std::string_view x = take(a), y = take(b);
    if (x.size() != y.size())
        return x.size() < y.size() ? -1 : 1;
    return x.compare(y);
}

}  // namespace

bool natural_less(std::string_view a, std::string_view b) noexcept
{
    const std::string_view whole_a = a, whole_b = b;
    while (!a.empty() && !b.empty()) {
        if (is_digit(a.front()) && is_digit(b.front())) {
            if (const int order = compare_numbers(a, b))
                return order < 0;
            continue;
        }
        const char x = fold(a.front()), y = fold(b.front());
        if (x != y)
            return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
        a.remove_prefix(1);
        b.remove_prefix(1);
    }
    if (a.empty() != b.empty())
        return a.empty();
    return whole_a < whole_b;
}

}  // namespace tonearm
