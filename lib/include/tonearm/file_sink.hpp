#pragma once

#include "tonearm/audio_sink.hpp"
#include "tonearm/audio_writer.hpp"

#include <atomic>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

namespace tonearm {

// Renders to a file instead of a device (mpv's ao_pcm), as fast as the source delivers.
// WAV gets 32-bit float so the file holds exactly what would have been played; the type
// follows the extension (anything AudioWriter writes). The file appears only when stop()
// completes: a failed render leaves nothing behind.
class FileSink final : public AudioSink {
public:
    explicit FileSink(std::filesystem::path path, std::size_t block_frames = 4096);
    ~FileSink() override;

    StreamFormat open(StreamFormat wanted) override;
    void start(AudioSource& source) override;
    void stop() override;
    void check() const override;
    bool clocked() const override { return false; }
    std::string description() const override;

private:
    void run(AudioSource& source);

    std::filesystem::path path_;
    std::size_t block_frames_;
    StreamFormat format_;
    std::optional<AudioWriter> writer_;
    mutable std::mutex failure_mutex_;  // guards failure_ (never touched by render())
    std::exception_ptr failure_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;  // not jthread: Emscripten's libc++ has none
};

}  // namespace tonearm
