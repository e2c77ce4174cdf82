#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tonearm {

// A playing order that visits each of `count` entries once, drawn from `seed`: the same seed
// gives the same order on every machine and build (native and wasm), because the generator
// (splitmix64) and the way it is bounded are ours, not the standard library's unspecified
// distributions.
std::vector<std::size_t> shuffled_order(std::size_t count, std::uint64_t seed);

// `items` in the shuffled order of the same seed.
template <typename T>
std::vector<T> shuffled(std::vector<T> items, std::uint64_t seed)
{
    std::vector<T> out;
    out.reserve(items.size());
    for (const std::size_t i : shuffled_order(items.size(), seed))
        out.push_back(std::move(items[i]));
    return out;
}

// A seed for a listener who gave none (from the system's entropy).
std::uint64_t random_seed();

}  // namespace tonearm
