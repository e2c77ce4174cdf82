#include "tonearm/deinterleave.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tonearm {
namespace {

TEST(Deinterleave, PutsEachStereoChannelInItsOwnHalf)
{
    const std::vector<float> interleaved = {1, -1, 2, -2, 3, -3};
    std::vector<float> planar(6);
    deinterleave(interleaved, 2, planar);
    EXPECT_EQ(planar, (std::vector<float>{1, 2, 3, -1, -2, -3}));
}

TEST(Deinterleave, HandlesAnyChannelCount)
{
    const std::vector<float> interleaved = {1, 10, 100, 2, 20, 200};
    std::vector<float> planar(6);
    deinterleave(interleaved, 3, planar);
    EXPECT_EQ(planar, (std::vector<float>{1, 2, 10, 20, 100, 200}));

    std::vector<float> mono(3);
    deinterleave(std::vector<float>{4, 5, 6}, 1, mono);
    EXPECT_EQ(mono, (std::vector<float>{4, 5, 6}));
}

TEST(Deinterleave, WritesOnlyTheFramesItIsGiven)
{
    const std::vector<float> interleaved = {1, -1};
    std::vector<float> planar(6, 9.0f);
    deinterleave(interleaved, 2, planar);
    EXPECT_EQ(planar, (std::vector<float>{1, -1, 9, 9, 9, 9}));
}

}  // namespace
}  // namespace tonearm
