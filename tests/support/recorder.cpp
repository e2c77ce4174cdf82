#include "recorder.hpp"

#include <pulse/error.h>
#include <pulse/simple.h>

#include <algorithm>
#include <pthread.h>
#include <sched.h>
#include <cmath>
#include <stdexcept>

namespace tonearm::test {
namespace {

constexpr std::size_t read_frames = 240;  // 5 ms at 48 kHz: the resolution of the clock mapping

struct SimpleCloser {
    void operator()(pa_simple* stream) const noexcept { pa_simple_free(stream); }
};

}  // namespace

Recorder::Recorder(const PulseServer& server)
    : Recorder(server.env().at("PULSE_SERVER"), server.sample_rate())
{
}

Recorder::Recorder(const std::string& server, int sample_rate) : rate_(sample_rate)
{
    keeper_ = std::thread([this, server] { keep_running(server); });
    thread_ = std::thread([this, server] { run(server); });
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    std::optional<std::string> failure;
    while (!ready_ && !failure && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::lock_guard lock(mutex_);
        failure = failure_;
    }
    if (!ready_) {
        stop_ = true;
        thread_.join();
        keeper_.join();
        throw std::runtime_error(failure.value_or("the monitor recorder did not get going"));
    }
}

Recorder::~Recorder()
{
    stop_ = true;
    thread_.join();
    keeper_.join();
}

void Recorder::keep_running(std::string server)
{
    const pa_sample_spec spec{PA_SAMPLE_FLOAT32LE, static_cast<std::uint32_t>(rate_), 2};
    pa_buffer_attr attributes{};
    attributes.maxlength = static_cast<std::uint32_t>(-1);
    attributes.tlength = static_cast<std::uint32_t>(read_frames * 2 * 2 * sizeof(float));
    attributes.prebuf = static_cast<std::uint32_t>(-1);
    attributes.minreq = static_cast<std::uint32_t>(-1);
    int error = 0;
    std::unique_ptr<pa_simple, SimpleCloser> stream(pa_simple_new(server.c_str(), "tonearm-test", PA_STREAM_PLAYBACK,
                                                                  "capture", "keeper", &spec, nullptr,
                                                                  &attributes, &error));
    if (!stream)
        return;  // the recording shows it: no sound at all
    const std::vector<float> silence(read_frames * 2, 0.0f);
    while (!stop_)
        if (pa_simple_write(stream.get(), silence.data(), silence.size() * sizeof(float), &error) < 0)
            break;
}

void Recorder::run(std::string server)
{
    const pa_sample_spec spec{PA_SAMPLE_FLOAT32LE, static_cast<std::uint32_t>(rate_), 2};
    pa_buffer_attr attributes{};
    attributes.maxlength = static_cast<std::uint32_t>(-1);
    attributes.fragsize = static_cast<std::uint32_t>(read_frames * 2 * sizeof(float));
    int error = 0;
    std::unique_ptr<pa_simple, SimpleCloser> stream(pa_simple_new(server.c_str(), "tonearm-test", PA_STREAM_RECORD,
                                                                  "capture.monitor", "monitor", &spec, nullptr,
                                                                  &attributes, &error));
    if (!stream) {
        std::lock_guard lock(mutex_);
        failure_ = std::string("cannot record the monitor: ") + pa_strerror(error);
        return;
    }
    // Reading late would put every frame's time late: on a busy machine, read like an audio
    // thread (SCHED_FIFO where allowed, as it is for root; else as we are).
    const sched_param priority{.sched_priority = 10};
    pthread_setschedparam(pthread_self(), SCHED_FIFO, &priority);
    std::vector<float> block(read_frames * 2);
    std::size_t frames = 0;
    auto last_read = Clock::now();
    while (!stop_) {
        if (pa_simple_read(stream.get(), block.data(), block.size() * sizeof(float), &error) < 0) {
            std::lock_guard lock(mutex_);
            failure_ = std::string("the monitor recording broke off: ") + pa_strerror(error);
            break;
        }
        const auto now = Clock::now();
        // A fresh sink delivers its first monitor data late, then a burst: the recording is
        // ready once reads wait for the sink again, i.e. it keeps pace with the clock.
        if (!ready_) {
            const bool waited = now - last_read > std::chrono::milliseconds(2);
            last_read = now;
            if (!waited || frames < read_frames * 20) {
                frames += read_frames;
                continue;
            }
            frames = 0;
            ready_ = true;
            continue;
        }
        frames += read_frames;
        const pa_usec_t latency = pa_simple_get_latency(stream.get(), &error);
        // The next frame to read, `frames`, was heard `latency` ago.
        const auto heard = now - std::chrono::microseconds(latency);
        const auto frame_time = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(static_cast<double>(frames) / rate_));
        std::lock_guard lock(mutex_);
        samples_.insert(samples_.end(), block.begin(), block.end());
        offsets_.push_back(heard.time_since_epoch() - frame_time);
    }
}

std::vector<float> Recorder::samples() const
{
    // Everything heard until now: let the recording catch up with the clock first.
    if (wait_for_frames(read_frames, std::chrono::seconds(5)))
        wait_for_frames(frame_at(Clock::now()), std::chrono::seconds(5));
    return samples_so_far();
}

std::vector<float> Recorder::samples_so_far() const
{
    std::lock_guard lock(mutex_);
    return samples_;
}

Recorder::Clock::duration Recorder::offset() const
{
    std::lock_guard lock(mutex_);
    if (offsets_.empty())
        throw std::runtime_error("nothing recorded yet");
    auto sorted = offsets_;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
    return sorted[sorted.size() / 2];
}

Recorder::Clock::time_point Recorder::time_of(std::size_t frame) const
{
    return Clock::time_point(offset() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                            static_cast<double>(frame) / rate_)));
}

std::size_t Recorder::frame_at(Clock::time_point moment) const
{
    const double seconds = std::chrono::duration<double>(moment.time_since_epoch() - offset()).count();
    return static_cast<std::size_t>(std::max(0.0, std::ceil(seconds * rate_)));
}

bool Recorder::wait_for_frames(std::size_t frames, std::chrono::milliseconds timeout) const
{
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        {
            std::lock_guard lock(mutex_);
            if (samples_.size() / 2 >= frames)
                return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

}  // namespace tonearm::test
