// libFuzzer target: arbitrary bytes through tonearm's Decoder, from memory, the way the web
// build decodes. Opening, reading every frame, seeking and reading again must either work or
// throw tonearm::Error; anything else (a crash, a sanitizer report, a hang) is a finding.
#include "tonearm/decoder.hpp"
#include "tonearm/error.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::vector<std::byte> bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<std::byte>(data[i]);
    try {
        tonearm::Decoder decoder = tonearm::Decoder::from_memory(std::move(bytes), "fuzz");
        const auto channels = static_cast<std::size_t>(decoder.info().channels);
        std::vector<float> block(1024 * channels);
        std::int64_t frames = 0;
        // Bounded, so a header promising hours of audio cannot make one input take minutes.
        for (int blocks = 0; blocks < 4096; ++blocks) {
            const std::size_t got = decoder.read(block);
            if (got == 0)
                break;
            frames += static_cast<std::int64_t>(got);
        }
        if (decoder.info().seekable && frames > 0) {
            decoder.seek(frames / 2);
            std::vector<std::int32_t> ints(256 * channels);
            decoder.read(std::span(ints));
        }
    } catch (const tonearm::Error&) {
        // Rejecting bad input with an Error is the correct outcome.
    }
    return 0;
}
