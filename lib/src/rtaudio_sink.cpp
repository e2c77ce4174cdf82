#include "tonearm/rtaudio_sink.hpp"

#include "tonearm/error.hpp"

#include <RtAudio.h>
#if defined(__linux__)
#include <alsa/asoundlib.h>
#endif

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace tonearm {
namespace {

struct ApiChoice {
    RtAudio::Api api;
    const char* name;
};

// The sound server has its own sink (pulse_sink); here is the hardware without one. JACK
// comes last and only when a server seems to run, because probing a missing JACK server
// makes libjack print several lines to stderr.
constexpr ApiChoice api_order[] = {
    {RtAudio::LINUX_ALSA, "alsa"},       {RtAudio::UNIX_JACK, "jack"},
    {RtAudio::MACOSX_CORE, "core"},      {RtAudio::WINDOWS_WASAPI, "wasapi"},
    {RtAudio::WINDOWS_DS, "directsound"},
};

#if defined(__linux__)
void ignore_alsa_message(const char*, int, const char*, int, const char*, ...) {}
#endif

// libasound prints its own errors to stderr while RtAudio probes, e.g. several "ALSA lib
// confmisc.c" lines when its PulseAudio plugin finds no server. tonearm reports one line.
void quiet_platform_libraries()
{
#if defined(__linux__)
    snd_lib_error_set_handler(&ignore_alsa_message);
#endif
}

bool jack_server_likely()
{
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec))
        if (entry.path().filename().string().starts_with("jack"))
            return true;
    return false;
}

std::vector<RtAudio::Api> compiled_apis()
{
    std::vector<RtAudio::Api> apis;
    RtAudio::getCompiledApi(apis);
    return apis;
}

void add_devices_of(const ApiChoice& choice, std::vector<OutputDevice>& devices)
{
    try {
        RtAudio audio(choice.api);
        audio.showWarnings(false);
        const unsigned count = audio.getDeviceCount();
        for (unsigned id = 0; id < count; ++id) {
            const RtAudio::DeviceInfo info = audio.getDeviceInfo(id);
            if (!info.probed || info.outputChannels == 0)
                continue;
            devices.push_back({devices.size(), choice.name, id, info.name, info.name, info.isDefaultOutput,
                               info.outputChannels, info.sampleRates, info.preferredSampleRate});
        }
    } catch (const RtAudioError&) {
        // An api that cannot even be probed offers no devices.
    }
}

unsigned choose_rate(const OutputDevice& device, unsigned wanted)
{
    const auto& rates = device.sample_rates;
    if (rates.empty() || std::find(rates.begin(), rates.end(), wanted) != rates.end())
        return wanted;  // an api that lists no rates takes what it is given
    if (device.preferred_rate)
        return device.preferred_rate;
    // The lowest listed rate at or above the wanted one loses nothing; else the highest.
    const auto above = std::find_if(rates.begin(), rates.end(), [&](unsigned r) { return r >= wanted; });
    return above != rates.end() ? *above : rates.back();
}

// The apis worth probing here, in the order to try them.
std::vector<ApiChoice> usable_apis()
{
    quiet_platform_libraries();
    const auto compiled = compiled_apis();
    std::vector<ApiChoice> usable;
    for (const auto& choice : api_order)
        if (std::find(compiled.begin(), compiled.end(), choice.api) != compiled.end() &&
            (choice.api != RtAudio::UNIX_JACK || jack_server_likely()))
            usable.push_back(choice);
    return usable;
}

}  // namespace

std::vector<OutputDevice> list_rtaudio_devices()
{
    std::vector<OutputDevice> devices;
    for (const auto& choice : usable_apis())
        add_devices_of(choice, devices);
    return devices;
}

RtAudioSink::RtAudioSink(std::optional<OutputDevice> device, double latency_seconds)
    : device_(std::move(device)), latency_seconds_(latency_seconds)
{
}

RtAudioSink::~RtAudioSink()
{
    if (audio_ && audio_->isStreamOpen()) {
        try {
            if (audio_->isStreamRunning())
                audio_->abortStream();
            audio_->closeStream();
        } catch (const RtAudioError&) {
        }
    }
}

StreamFormat RtAudioSink::open(StreamFormat wanted)
{
    std::string failure = "no output device found";
    if (device_) {
        if (try_open(*device_, wanted, failure))
            return format_;
    } else {
        // Each api's default output, in api order. Later apis are probed only if the earlier
        // ones fail: probing costs server connections and time to the first sound.
        for (const auto& choice : usable_apis()) {
            std::vector<OutputDevice> devices;
            add_devices_of(choice, devices);
            for (const auto& device : devices)
                if (device.is_default && try_open(device, wanted, failure))
                    return format_;
        }
    }
    throw Error(ErrorKind::no_device, "audio output",
                "no audio output available (" + failure + "); use --output FILE.wav to render to a file");
}

bool RtAudioSink::try_open(const OutputDevice& device, StreamFormat wanted, std::string& failure)
{
    try {
        auto audio = std::make_unique<RtAudio>(
            std::find_if(std::begin(api_order), std::end(api_order),
                         [&](const ApiChoice& c) { return device.api == c.name; })
                ->api);
        audio->showWarnings(false);
        RtAudio::StreamParameters parameters;
        parameters.deviceId = device.api_id;
        parameters.nChannels = std::clamp<unsigned>(static_cast<unsigned>(wanted.channels), 1, device.channels);
        const unsigned rate = choose_rate(device, static_cast<unsigned>(wanted.sample_rate));
        // Many short periods: the thread tops the buffer up every period, so it is nearly
        // full whenever the thread gets to run (two long periods let it drain to half).
        constexpr unsigned periods = 5;
        unsigned frames = static_cast<unsigned>(std::lround(latency_seconds_ * rate / periods));
        RtAudio::StreamOptions options;
        options.streamName = "tonearm";
        options.numberOfBuffers = periods;
        // Asks for SCHED_RR for the thread that feeds the device; RtAudio quietly keeps
        // normal scheduling where that is not allowed.
        options.flags |= RTAUDIO_SCHEDULE_REALTIME;
        audio->openStream(&parameters, nullptr, RTAUDIO_FLOAT32, rate, &frames,
                          &RtAudioSink::callback, this, &options);
        audio_ = std::move(audio);
        format_ = {static_cast<int>(rate), static_cast<int>(parameters.nChannels)};
        description_ = device.api + ": " + device.name;
        return true;
    } catch (const RtAudioError& error) {
        failure = device.api + ": " + error.getMessage();
        return false;
    }
}

int RtAudioSink::callback(void* output, void*, unsigned frames, double, unsigned status,
                         void* self) noexcept
{
    auto& sink = *static_cast<RtAudioSink*>(self);
    if (status & RTAUDIO_OUTPUT_UNDERFLOW)
        sink.device_underruns_.fetch_add(1, std::memory_order_relaxed);
    sink.source_->render(std::span(static_cast<float*>(output),
                                   static_cast<std::size_t>(frames) * static_cast<std::size_t>(sink.format_.channels)));
    return 0;
}

void RtAudioSink::start(AudioSource& source)
{
    source_ = &source;
    try {
        audio_->startStream();
    } catch (const RtAudioError& error) {
        throw Error(ErrorKind::device, description_, error.getMessage());
    }
}

void RtAudioSink::stop()
{
    if (!audio_ || !audio_->isStreamOpen())
        return;
    try {
        if (audio_->isStreamRunning())
            audio_->stopStream();  // returns once the queued audio has played
        audio_->closeStream();
    } catch (const RtAudioError& error) {
        throw Error(ErrorKind::device, description_, error.getMessage());
    }
}

double RtAudioSink::delay() const
{
    if (!audio_ || !audio_->isStreamOpen() || format_.sample_rate == 0)
        return 0;
    return static_cast<double>(audio_->getStreamLatency()) / format_.sample_rate;
}

}  // namespace tonearm
