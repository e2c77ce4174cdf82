#pragma once

#include <memory>

struct sf_private_tag;  // libsndfile's SNDFILE: its header stays out of ours

namespace tonearm {

// An open libsndfile handle, closed with it.
struct SndfileCloser {
    void operator()(::sf_private_tag* file) const noexcept;
};
using SndfileHandle = std::unique_ptr<::sf_private_tag, SndfileCloser>;

}  // namespace tonearm
