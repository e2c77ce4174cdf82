#include "tonearm/file_sink.hpp"

#include "tonearm/error.hpp"

#include <vector>

namespace tonearm {

FileSink::FileSink(std::filesystem::path path, std::size_t block_frames)
    : path_(std::move(path)), block_frames_(block_frames)
{
}

FileSink::~FileSink()
{
    stopping_ = true;
    if (thread_.joinable())
        thread_.join();
}  // an uncommitted writer removes its temporary file

StreamFormat FileSink::open(StreamFormat wanted)
{
    const auto type = file_type_from_path(path_);
    if (!type)
        throw Error(ErrorKind::invalid_argument, path_.string(),
                    "cannot tell the output format from the extension (use .wav or .flac)");
    format_ = wanted;
    const auto encoding = *type == FileType::wav || *type == FileType::aiff ? SampleEncoding::float32
                                                                            : SampleEncoding::pcm24;
    writer_.emplace(path_, OutputFormat{*type, encoding, wanted.sample_rate, wanted.channels});
    return wanted;
}

void FileSink::start(AudioSource& source)
{
    stopping_ = false;
    thread_ = std::thread([this, &source] { run(source); });
}

void FileSink::run(AudioSource& source)
{
    const auto channels = static_cast<std::size_t>(format_.channels);
    std::vector<float> block(block_frames_ * channels);
    try {
        while (!stopping_) {
            const std::size_t frames = source.render(block);
            if (frames > 0)
                writer_->write(std::span<const float>(block.data(), frames * channels));
            else if (source.exhausted())
                break;
            else
                source.wait_for_audio();  // the decoder is behind
        }
    } catch (...) {
        std::lock_guard lock(failure_mutex_);
        failure_ = std::current_exception();
    }
    source.sink_changed();
}

void FileSink::check() const
{
    std::lock_guard lock(failure_mutex_);
    if (failure_)
        std::rethrow_exception(failure_);
}

void FileSink::stop()
{
    stopping_ = true;
    if (thread_.joinable())
        thread_.join();
    check();
    if (writer_) {
        writer_->commit();
        writer_.reset();
    }
}

std::string FileSink::description() const { return "file " + path_.string(); }

}  // namespace tonearm
