// For web-shell/tests/bench.mjs: the native counterpart of the wasm decode loop it times in the
// worker. Same library, same source of bytes (memory), same 16384-frame blocks, and the same work
// per block as the module's ta_read: read_finite, then the block made planar (what an AudioBuffer
// takes); prints one JSON line {"frames":N,"rate":R,"ms":[...]} with one decode time per run.
//   native_decode_speed FILE RUNS
#include "tonearm/decoder.hpp"
#include "tonearm/deinterleave.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <vector>

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: native_decode_speed FILE RUNS\n");
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    const std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const int runs = std::atoi(argv[2]);
    long long frames = 0;
    int rate = 0;
    std::printf("{\"ms\":[");
    for (int r = 0; r < runs; ++r) {
        std::vector<std::byte> bytes(raw.size());
        std::memcpy(bytes.data(), raw.data(), raw.size());
        auto decoder = tonearm::Decoder::from_memory(std::move(bytes), argv[1]);
        const auto channels = static_cast<std::size_t>(decoder.info().channels);
        std::vector<float> block(16384 * channels);
        std::vector<float> planar(block.size());
        const auto t0 = std::chrono::steady_clock::now();
        frames = 0;
        while (const std::size_t n = decoder.read_finite(block)) {
            tonearm::deinterleave(std::span(block).first(n * channels), channels, planar);
            asm volatile("" : : "r"(planar.data()) : "memory");  // the block is used: kept
            frames += static_cast<long long>(n);
        }
        const std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - t0;
        rate = decoder.info().sample_rate;
        std::printf("%s%.3f", r ? "," : "", ms.count());
    }
    std::printf("],\"frames\":%lld,\"rate\":%d}\n", frames, rate);
}
