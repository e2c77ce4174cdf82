#include "tonearm/error.hpp"

namespace tonearm {

std::string_view to_string(ErrorKind kind) noexcept
{
    switch (kind) {
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::unreadable: return "unreadable";
    case ErrorKind::unsupported: return "unsupported";
    case ErrorKind::malformed: return "malformed";
    case ErrorKind::truncated: return "truncated";
    case ErrorKind::non_finite: return "non_finite";
    case ErrorKind::md5_mismatch: return "md5_mismatch";
    case ErrorKind::write_failed: return "write_failed";
    case ErrorKind::invalid_argument: return "invalid_argument";
    case ErrorKind::device: return "device";
    case ErrorKind::no_device: return "no_device";
    case ErrorKind::interrupted: return "interrupted";
    }
    return "unknown";
}

static std::string one_line(std::string text)
{
    // libsndfile's messages sometimes end in newlines; the CLI promises one line per error.
    for (char& c : text)
        if (c == '\n' || c == '\r')
            c = ' ';
    while (!text.empty() && (text.back() == ' ' || text.back() == '.'))
        text.pop_back();
    return text;
}

Error::Error(ErrorKind kind, std::string subject, std::string cause)
    : std::runtime_error(subject.empty() ? one_line(cause) : subject + ": " + one_line(cause)),
      kind_(kind), subject_(std::move(subject)), cause_(one_line(std::move(cause)))
{
}

}  // namespace tonearm
