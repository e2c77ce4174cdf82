// libFuzzer target: arbitrary bytes straight into the FFmpeg backend (decoder_fuzz reaches it
// only through libsndfile's rejection first), and through our MP4 box reader, which runs on
// every MP4 it opens. Open, read every frame, seek back and forth (the checkpoint and restart
// paths), read integers: each must work or throw tonearm::Error, never crash or hang.
#include "byte_source.hpp"
#include "decoder_backend.hpp"
#include "mp4_boxes.hpp"

#include "tonearm/error.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    tonearm::detail::MemoryBytes bytes({data, size});
    const tonearm::detail::ReadAt read = [&](std::int64_t offset, std::span<std::uint8_t> out) {
        const auto n = static_cast<std::size_t>(std::clamp<std::int64_t>(static_cast<std::int64_t>(size) - offset, 0,
                                                                          static_cast<std::int64_t>(out.size())));
        if (n > 0)
            std::memcpy(out.data(), data + offset, n);
        return n;
    };
    const auto layout = tonearm::detail::read_mp4_layout(read, static_cast<std::int64_t>(size));
    for (const auto& track : layout.tracks)
        (void)tonearm::detail::presented_samples(layout, track);
    try {
        auto decoder = tonearm::detail::open_ffmpeg({{}, &bytes}, "fuzz");
        if (!decoder)
            return 0;
        const auto channels = static_cast<std::size_t>(decoder->info().channels);
        std::vector<float> block(1024 * channels);
        std::int64_t frames = 0;
        // Bounded, so a stream promising hours of audio cannot make one input take minutes.
        for (int blocks = 0; blocks < 512; ++blocks) {
            const std::size_t got = decoder->read(block);
            if (got == 0)
                break;
            frames += static_cast<std::int64_t>(got);
        }
        if (frames > 0) {
            std::vector<std::int32_t> ints(256 * channels);
            // Back from the end (a checkpoint or a container seek), then to the start (a restart).
            for (const std::int64_t target : {frames / 2, std::int64_t{0}}) {
                decoder->seek(target);
                decoder->read(std::span(ints));
            }
        }
    } catch (const tonearm::Error&) {
        // Rejecting bad input with an Error is the correct outcome.
    }
    return 0;
}
