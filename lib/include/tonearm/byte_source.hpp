#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace tonearm {

// The bytes of one audio file, read by offset: what a Decoder opened with from_source() reads
// instead of a path. A source fetches on demand, so nothing needs to hold the whole file (the
// web page reads the picked File slice by slice). Sources are read from one thread at a time.
// Every member is inline, so the FFmpeg plugin, which links none of the library, has this
// class's type information too (UBSan's vptr check asks for it).
class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual std::int64_t size() const noexcept = 0;
    // Bytes [offset, offset + count), fewer at the end; valid until the next call.
    virtual std::span<const std::uint8_t> read(std::int64_t offset, std::size_t count) = 0;
    // Copies up to out.size() bytes from `offset` into `out`; returns how many, fewer only at
    // the end or on a read error (libsndfile, libFLAC and FFmpeg want their own buffers filled).
    virtual std::size_t read_into(std::int64_t offset, std::span<std::uint8_t> out)
    {
        std::size_t copied = 0;
        while (copied < out.size()) {
            const auto bytes = read(offset + static_cast<std::int64_t>(copied), out.size() - copied);
            if (bytes.empty())
                break;
            std::memcpy(out.data() + copied, bytes.data(), bytes.size());
            copied += bytes.size();
        }
        return copied;
    }
};

}  // namespace tonearm
