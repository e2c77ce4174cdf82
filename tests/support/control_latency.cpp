#include "control_latency.hpp"

#include "fixtures.hpp"
#include "pty_process.hpp"
#include "recorder.hpp"

#include <sndfile.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace tonearm::test {

void write_staircase(const std::filesystem::path& path, int sample_rate, int seconds)
{
    std::vector<float> samples;
    for (int second = 0; second < seconds; ++second)
        samples.insert(samples.end(), std::size_t{2} * static_cast<std::size_t>(sample_rate),
                       0.03f * static_cast<float>(second + 1));
    write_audio(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, sample_rate, 2, samples);
}

ControlLatencies measure_control_latency(const std::vector<std::string>& argv,
                                         const std::map<std::string, std::string>& env, int sample_rate,
                                         const ControlKeys& keys, const ControlProbeOptions& options)
{
    using Clock = Recorder::Clock;
    Recorder recorder(env.at("PULSE_SERVER"), sample_rate);
    PtyProcess player(argv, env);
    // Playing for a second before the first key: past any start-up effect.
    const auto sound_deadline = Clock::now() + std::chrono::seconds(10);
    while (true) {
        const auto so_far = recorder.samples_so_far();
        if (first_non_silent_frame(so_far, 2) < so_far.size() / 2)
            break;
        if (Clock::now() > sound_deadline)
            throw std::runtime_error("no sound reached the sink");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));

    auto press = [&](const std::string& key) {
        const auto moment = Clock::now();
        player.type(key);
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        return moment;
    };
    const auto paused = press(keys.toggle_pause);
    const auto resumed = press(keys.toggle_pause);
    const auto sought = press(keys.seek_forward);
    const auto quieter = press(keys.volume_down);
    player.type(keys.quit);
    player.wait(std::chrono::seconds(5));

    const auto samples = recorder.samples();
    const std::size_t frames = samples.size() / 2;
    if (!options.save_recording.empty())
        write_bytes(options.save_recording, std::as_bytes(std::span(samples)));
    auto level = [&](std::size_t frame) { return samples.at(std::min(frame, frames - 1) * 2); };
    // For a failure: the levels that did play after `key`, and what the player showed.
    auto what_was_heard = [&](Clock::time_point key) {
        std::string levels;
        const std::size_t from = recorder.frame_at(key);
        const std::size_t step = static_cast<std::size_t>(sample_rate / 10);
        for (std::size_t frame = from; frame < frames && levels.size() < 400; frame += step)
            levels += " " + std::to_string(level(frame)).substr(0, 5);
        std::string shown = player.output();
        std::replace(shown.begin(), shown.end(), '\r', '\n');
        return "; levels every 100 ms from the key (" + std::to_string(frames - std::min(from, frames)) +
               " frames recorded after it):" + levels + "; the player showed: " +
               shown.substr(shown.size() - std::min<std::size_t>(shown.size(), 600));
    };
    // How long after `key` the effect was played: the first frame of a run of 10 ms that all
    // pass `heard` (a single odd frame is a player's glitch, not its answer to the key).
    const std::size_t run = static_cast<std::size_t>(sample_rate / 100);
    // The recording maps frames to the clock within a few milliseconds (up to 2.2 ms off with
    // two CPU hogs beside it), and an effect can be heard that soon (a seek once showed 3
    // frames "before" its key): look from before the key, and take the level before it from
    // before that.
    constexpr auto clock_slack = std::chrono::milliseconds(10);
    auto heard_after = [&](const char* what, Clock::time_point key, auto heard) {
        std::size_t passed = 0;
        for (std::size_t frame = recorder.frame_at(key - clock_slack); frame < frames; ++frame) {
            passed = heard(level(frame)) ? passed + 1 : 0;
            if (passed == run)
                return std::chrono::duration<double, std::milli>(recorder.time_of(frame + 1 - run) - key).count();
        }
        throw std::runtime_error(std::string(what) + " was never heard" + what_was_heard(key));
    };
    // The level before a key (the loudest frame of the 10 ms before the slack: a glitch is silence).
    auto level_before = [&](Clock::time_point key) {
        float loudest = 0;
        const std::size_t end = recorder.frame_at(key - clock_slack);
        for (std::size_t frame = end - std::min(end, run); frame < end; ++frame)
            loudest = std::max(loudest, level(frame));
        return loudest;
    };
    const float before_seek = level_before(sought);
    const float before_volume = level_before(quieter);
    // The level is constant within a second: any drop is the volume key's doing.
    const float quieter_level = before_volume * 0.995f;
    ControlLatencies latencies;
    latencies.pause_ms = heard_after("the pause", paused, [](float v) { return v == 0.0f; });
    latencies.resume_ms = heard_after("the resume", resumed, [](float v) { return v != 0.0f; });
    // Five seconds on is five steps of the staircase up.
    latencies.seek_ms = heard_after("the seek", sought, [&](float v) { return v > before_seek + 0.1f; });
    latencies.volume_ms = heard_after("the volume change", quieter, [&](float v) { return v > 0 && v < quieter_level; });
    return latencies;
}

}  // namespace tonearm::test
