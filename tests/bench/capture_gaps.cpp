// capture_gaps: what a listener heard, from a recording of a sink's monitor (raw float32
// stereo, e.g. from `parec --format=float32le --channels=2 --raw`). Used by scripts/soak to
// count dropouts that the player itself cannot see: when the sound server runs dry between
// the player's writes it plays silence, and the player's own underrun counter stays at 0.
//
//   capture_gaps FILE RATE [MIN_GAP_MS]
//
// The sound is the span from the first to the last sample with |x| > 1e-4 on either channel;
// a gap is a run of at least MIN_GAP_MS (default 2) inside it where both channels are at or
// below that level. Only meaningful for material that never falls silent (scripts/soak plays
// a sweep with noise). Prints one JSON object:
//   {"sound_seconds": 300.012, "gaps": 0, "gap_seconds": 0, "longest_gap_ms": 0}
// Build: g++ -O2 -std=c++20 capture_gaps.cpp

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: capture_gaps FILE RATE [MIN_GAP_MS]\n");
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    const double rate = std::atof(argv[2]);
    const double min_gap_ms = argc > 3 ? std::atof(argv[3]) : 2.0;
    if (!in || rate <= 0) {
        std::fprintf(stderr, "capture_gaps: cannot read %s\n", argv[1]);
        return 1;
    }
    const auto min_gap = static_cast<long long>(min_gap_ms * rate / 1000);
    constexpr float silent = 1e-4f;

    long long frame = 0, first = -1, last = -1, run = 0;
    long long gaps = 0, gap_frames = 0, longest = 0;
    std::vector<float> block(2 * 65536);
    while (in.read(reinterpret_cast<char*>(block.data()), static_cast<std::streamsize>(block.size() * sizeof(float))) ||
           in.gcount() > 0) {
        const auto frames = static_cast<std::size_t>(in.gcount()) / (2 * sizeof(float));
        for (std::size_t i = 0; i < frames; ++i, ++frame) {
            if (std::fabs(block[2 * i]) <= silent && std::fabs(block[2 * i + 1]) <= silent) {
                ++run;
                continue;
            }
            // A silent run that sound ends, after sound began, is a gap inside the sound.
            if (first >= 0 && run >= min_gap) {
                ++gaps;
                gap_frames += run;
                longest = std::max(longest, run);
            }
            if (first < 0)
                first = frame;
            last = frame;
            run = 0;
        }
    }
    const double sound = first < 0 ? 0 : static_cast<double>(last - first + 1) / rate;
    std::printf("{\"sound_seconds\": %.3f, \"gaps\": %lld, \"gap_seconds\": %.3f, \"longest_gap_ms\": %.1f}\n", sound,
                gaps, static_cast<double>(gap_frames) / rate, static_cast<double>(longest) * 1000 / rate);
    return 0;
}
