#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace tonearm {

// Coarse reasons, fine enough for callers to branch on (exit codes, check verdicts).
enum class ErrorKind {
    not_found,         // the path does not exist
    unreadable,        // exists but cannot be read: permissions, a directory, a FIFO...
    unsupported,       // not an audio format (or encoding) this build can decode
    malformed,         // header or stream is corrupt
    truncated,         // the stream ends before the frames its header declares
    non_finite,        // decoded samples contain NaN or infinity
    md5_mismatch,      // decoded audio differs from the checksum stored in the file
    write_failed,      // an output file could not be written
    invalid_argument,  // the caller asked for something impossible (bad time, same in/out...)
    device,            // the audio output failed
    no_device,         // there is no audio output at all
    interrupted,       // the caller asked the work to stop (a signal, a stop_token)
};

std::string_view to_string(ErrorKind kind) noexcept;

// The one error type of the library: what failed (a path, a stream name, a device) and why.
// what() is "subject: cause", ready to print as one line.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string subject, std::string cause);

    ErrorKind kind() const noexcept { return kind_; }
    const std::string& subject() const noexcept { return subject_; }
    const std::string& cause() const noexcept { return cause_; }

private:
    ErrorKind kind_;
    std::string subject_;
    std::string cause_;
};

}  // namespace tonearm
