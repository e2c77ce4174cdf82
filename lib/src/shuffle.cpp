#include "tonearm/shuffle.hpp"

#include <numeric>
#include <random>
#include <utility>

namespace tonearm {
namespace {

// splitmix64 (Steele, Lea, Flood 2014): tiny, fully specified, good enough to deal cards.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15u);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound): draws below 2^64 mod bound are rejected, so no value is favoured.
    std::uint64_t below(std::uint64_t bound)
    {
        const std::uint64_t reject_under = (std::uint64_t{0} - bound) % bound;
        std::uint64_t value = next();
        while (value < reject_under)
            value = next();
        return value % bound;
    }

private:
    std::uint64_t state_;
};

}  // namespace

std::vector<std::size_t> shuffled_order(std::size_t count, std::uint64_t seed)
{
    std::vector<std::size_t> order(count);
    std::iota(order.begin(), order.end(), std::size_t{0});
    SplitMix64 random(seed);
    for (std::size_t i = count; i > 1; --i)  // Fisher-Yates
        std::swap(order[i - 1], order[random.below(i)]);
    return order;
}

std::uint64_t random_seed()
{
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace tonearm
