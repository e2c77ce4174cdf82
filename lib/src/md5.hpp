#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace tonearm::detail {

// MD5 (RFC 1321), incremental. Only for verifying checksums that formats store (FLAC's
// STREAMINFO), never for security.
class Md5 {
public:
    using Digest = std::array<std::uint8_t, 16>;

    void update(std::span<const std::uint8_t> bytes) noexcept;
    Digest finish() noexcept;  // the digest of everything updated so far; resets the state

    static std::string hex(const Digest& digest);

private:
    void transform(const std::uint8_t* block) noexcept;

    std::uint32_t state_[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    std::uint64_t length_ = 0;  // bytes so far
    std::uint8_t buffer_[64] = {};
    std::size_t buffered_ = 0;
};

}  // namespace tonearm::detail
