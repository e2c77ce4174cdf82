#pragma once

#include <cstdio>
#include <thread>

namespace tonearm::cli {

// Libraries under libsndfile and RtAudio (libmpg123, libasound, libjack) print their own
// warnings straight to file descriptor 2, e.g. "[src/libmpg123/parse.c:...] warning: ...".
// tonearm promises one line per error, so while this object lives fd 2 is a pipe: each line
// that arrives there is logged at debug level (visible with -vv) instead. tonearm's own
// output goes to real_stderr().
//
// Sanitizer builds pass those lines through untouched instead, so that a sanitizer report
// (also written to fd 2) is never hidden.
class LibraryStderr {
public:
    LibraryStderr();
    ~LibraryStderr();
    LibraryStderr(const LibraryStderr&) = delete;
    LibraryStderr& operator=(const LibraryStderr&) = delete;

    FILE* real_stderr() const noexcept { return real_stderr_; }

private:
    void forward_lines(int pipe_read_end);

    FILE* real_stderr_ = stderr;
    int saved_fd_ = -1;
    std::thread reader_;
};

}  // namespace tonearm::cli
