// The orders a playlist is played in: natural order of names, and shuffles from a seed.
#include "tonearm/natural_order.hpp"
#include "tonearm/shuffle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

namespace tonearm::test {
namespace {

std::vector<std::string> sorted(std::vector<std::string> names)
{
    std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return natural_less(a, b); });
    return names;
}

TEST(NaturalOrder, NumbersCompareAsNumbers)
{
    EXPECT_EQ(sorted({"10 - x.flac", "2 - x.flac", "1 - x.flac", "Disc 10", "Disc 9", "disc 1"}),
              (std::vector<std::string>{"1 - x.flac", "2 - x.flac", "10 - x.flac", "disc 1", "Disc 9", "Disc 10"}));
    EXPECT_EQ(sorted({"track10.wav", "track9.wav", "track09b.wav", "track009.wav"}),
              (std::vector<std::string>{"track009.wav", "track9.wav", "track09b.wav", "track10.wav"}));
    // Longer than any integer type: still numbers.
    EXPECT_TRUE(natural_less("a99999999999999999999999", "a100000000000000000000000"));
    EXPECT_FALSE(natural_less("a100000000000000000000000", "a99999999999999999999999"));
}

TEST(NaturalOrder, IsATotalOrder)
{
    // Names equal but for case or leading zeros still have one order, whichever way asked.
    for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
             {"A.wav", "a.wav"}, {"01.wav", "1.wav"}, {"x", "x"}, {"\xC3\xA9", "e"}, {"", "a"}}) {
        EXPECT_FALSE(natural_less(a, b) && natural_less(b, a)) << a << " / " << b;
        EXPECT_EQ(natural_less(a, b) || natural_less(b, a), a != b) << a << " / " << b;
    }
    EXPECT_TRUE(natural_less("a", "ab"));
    EXPECT_TRUE(natural_less("a.wav", "b.wav"));
}

TEST(Shuffle, EachEntryOncePerPassAndTheSameOrderForTheSameSeed)
{
    const auto order = shuffled_order(1000, 42);
    auto seen = order;
    std::sort(seen.begin(), seen.end());
    std::vector<std::size_t> all(1000);
    std::iota(all.begin(), all.end(), std::size_t{0});
    EXPECT_EQ(seen, all) << "a permutation: every entry exactly once";
    EXPECT_EQ(shuffled_order(1000, 42), order);
    EXPECT_NE(shuffled_order(1000, 43), order);
    EXPECT_NE(order, all);
    EXPECT_TRUE(shuffled_order(0, 1).empty());
    EXPECT_EQ(shuffled_order(1, 1), std::vector<std::size_t>{0});
}

TEST(Shuffle, TheOrderOfASeedIsTheSameOnEveryBuild)
{
    // Our generator, not the standard library's distributions: this exact order, native and wasm.
    EXPECT_EQ(shuffled_order(10, 2024), (std::vector<std::size_t>{9, 0, 6, 3, 4, 2, 5, 7, 8, 1}));
    EXPECT_EQ(shuffled(std::vector<std::string>{"a", "b", "c"}, 7).size(), 3u);
}

TEST(Shuffle, EveryPlaceIsReachable)
{
    // Each entry lands in each place about equally often over many seeds (a biased shuffle fails).
    constexpr std::size_t n = 5, seeds = 20000;
    std::vector<std::size_t> counts(n * n);
    for (std::uint64_t seed = 0; seed < seeds; ++seed) {
        const auto order = shuffled_order(n, seed);
        for (std::size_t place = 0; place < n; ++place)
            ++counts[order[place] * n + place];
    }
    for (const std::size_t count : counts)
        EXPECT_NEAR(static_cast<double>(count), seeds / static_cast<double>(n), seeds / n * 0.1);
}

}  // namespace
}  // namespace tonearm::test
