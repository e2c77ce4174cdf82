#include "tonearm/ring_buffer.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <thread>
#include <vector>

namespace tonearm {
namespace {

TEST(RingBuffer, RoundsCapacityUpToAPowerOfTwo)
{
    EXPECT_EQ(RingBuffer<int>(1000).capacity(), 1024u);
    EXPECT_EQ(RingBuffer<int>(1024).capacity(), 1024u);
    EXPECT_EQ(RingBuffer<int>(0).capacity(), 2u);
}

TEST(RingBuffer, ReadsBackWhatWasWrittenAcrossTheWrap)
{
    RingBuffer<int> ring(8);
    std::vector<int> out(8);
    int next = 0;
    int expected = 0;
    for (int round = 0; round < 50; ++round) {
        std::vector<int> in(5);
        std::iota(in.begin(), in.end(), next);
        ASSERT_EQ(ring.write(in), 5u);
        next += 5;
        ASSERT_EQ(ring.read(std::span(out).first(5)), 5u);
        for (int i = 0; i < 5; ++i)
            ASSERT_EQ(out[static_cast<std::size_t>(i)], expected++);
    }
    EXPECT_EQ(ring.total_written(), 250u);
    EXPECT_EQ(ring.total_read(), 250u);
}

TEST(RingBuffer, WritesOnlyWhatFitsAndReadsOnlyWhatIsThere)
{
    RingBuffer<float> ring(4);
    const std::vector<float> in = {1, 2, 3, 4, 5, 6};
    EXPECT_EQ(ring.write(in), 4u);
    EXPECT_EQ(ring.writable(), 0u);
    EXPECT_EQ(ring.write(in), 0u);
    std::vector<float> out(6, -1);
    EXPECT_EQ(ring.read(out), 4u);
    EXPECT_EQ(out, (std::vector<float>{1, 2, 3, 4, -1, -1}));
    EXPECT_EQ(ring.read(out), 0u);
}

TEST(RingBuffer, SkipDropsWithoutCopying)
{
    RingBuffer<int> ring(16);
    const std::vector<int> in = {1, 2, 3, 4, 5, 6, 7, 8};
    ring.write(in);
    EXPECT_EQ(ring.skip(5), 5u);
    EXPECT_EQ(ring.skip(100), 3u);
    std::vector<int> out(4);
    EXPECT_EQ(ring.read(out), 0u);
    ring.write(in);
    EXPECT_EQ(ring.read(out), 4u);
    EXPECT_EQ(out, (std::vector<int>{1, 2, 3, 4}));
}

TEST(RingBuffer, ReadSeesEverythingTheProducerPublished)
{
    // A consumer whose cached view is stale must still get all that is readable: the player
    // counts a short read as an underrun.
    RingBuffer<int> ring(64);
    std::vector<int> out(64);
    ring.write(std::vector<int>(10, 1));
    EXPECT_EQ(ring.read(std::span(out).first(4)), 4u);
    ring.write(std::vector<int>(20, 2));
    EXPECT_EQ(ring.read(std::span(out).first(26)), 26u);
}

// One producer, one consumer, random chunk sizes on both sides, millions of items: every
// item arrives once, in order. Run under ThreadSanitizer by scripts/test.
TEST(RingBuffer, ThreadedStressKeepsOrderAndLosesNothing)
{
    constexpr std::uint64_t total = 4'000'000;
    RingBuffer<std::uint64_t> ring(1000);
    std::thread producer([&] {
        std::mt19937 random(1);
        std::vector<std::uint64_t> chunk;
        for (std::uint64_t next = 0; next < total;) {
            chunk.resize(std::min<std::uint64_t>(random() % 300 + 1, total - next));
            std::iota(chunk.begin(), chunk.end(), next);
            std::span<const std::uint64_t> pending(chunk);
            while (!pending.empty()) {
                pending = pending.subspan(ring.write(pending));
                if (!pending.empty())
                    std::this_thread::yield();
            }
            next += chunk.size();
        }
    });
    std::mt19937 random(2);
    std::vector<std::uint64_t> chunk(300);
    std::uint64_t expected = 0;
    bool in_order = true;
    while (expected < total) {
        const std::size_t got = ring.read(std::span(chunk).first(random() % 300 + 1));
        for (std::size_t i = 0; i < got; ++i)
            in_order = in_order && chunk[i] == expected++;
        if (got == 0)
            std::this_thread::yield();
    }
    producer.join();
    EXPECT_TRUE(in_order);
    EXPECT_EQ(ring.total_read(), total);
    EXPECT_EQ(ring.readable(), 0u);
}

}  // namespace
}  // namespace tonearm
