#include "md5.hpp"

#include <bit>
#include <cstring>

namespace tonearm::detail {
namespace {

std::uint32_t load_le32(const std::uint8_t* p) noexcept
{
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}

// The four auxiliary functions and one step of RFC 1321 section 3.4, unrolled below.
inline std::uint32_t f(std::uint32_t x, std::uint32_t y, std::uint32_t z) { return z ^ (x & (y ^ z)); }
inline std::uint32_t h(std::uint32_t x, std::uint32_t y, std::uint32_t z) { return x ^ y ^ z; }
inline std::uint32_t i(std::uint32_t x, std::uint32_t y, std::uint32_t z) { return y ^ (x | ~z); }

template <auto Fn, int Shift>
inline void step(std::uint32_t& a, std::uint32_t b, std::uint32_t c, std::uint32_t d, std::uint32_t m,
                 std::uint32_t t)
{
    a = b + std::rotl(a + m + t + Fn(b, c, d), Shift);  // a + m + t does not wait for b, c, d
}

// G as a sum of two disjoint terms: each waits for only one of the previous results.
template <int Shift>
inline void step_g(std::uint32_t& a, std::uint32_t b, std::uint32_t c, std::uint32_t d, std::uint32_t m,
                   std::uint32_t t)
{
    a = b + std::rotl(a + m + t + (c & ~d) + (b & d), Shift);
}

}  // namespace

void Md5::transform(const std::uint8_t* block) noexcept
{
    std::uint32_t m[16];
    for (int k = 0; k < 16; ++k)
        m[k] = load_le32(block + 4 * k);
    std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];

    step<f, 7>(a, b, c, d, m[0], 0xd76aa478);
    step<f, 12>(d, a, b, c, m[1], 0xe8c7b756);
    step<f, 17>(c, d, a, b, m[2], 0x242070db);
    step<f, 22>(b, c, d, a, m[3], 0xc1bdceee);
    step<f, 7>(a, b, c, d, m[4], 0xf57c0faf);
    step<f, 12>(d, a, b, c, m[5], 0x4787c62a);
    step<f, 17>(c, d, a, b, m[6], 0xa8304613);
    step<f, 22>(b, c, d, a, m[7], 0xfd469501);
    step<f, 7>(a, b, c, d, m[8], 0x698098d8);
    step<f, 12>(d, a, b, c, m[9], 0x8b44f7af);
    step<f, 17>(c, d, a, b, m[10], 0xffff5bb1);
    step<f, 22>(b, c, d, a, m[11], 0x895cd7be);
    step<f, 7>(a, b, c, d, m[12], 0x6b901122);
    step<f, 12>(d, a, b, c, m[13], 0xfd987193);
    step<f, 17>(c, d, a, b, m[14], 0xa679438e);
    step<f, 22>(b, c, d, a, m[15], 0x49b40821);

    step_g<5>(a, b, c, d, m[1], 0xf61e2562);
    step_g<9>(d, a, b, c, m[6], 0xc040b340);
    step_g<14>(c, d, a, b, m[11], 0x265e5a51);
    step_g<20>(b, c, d, a, m[0], 0xe9b6c7aa);
    step_g<5>(a, b, c, d, m[5], 0xd62f105d);
    step_g<9>(d, a, b, c, m[10], 0x02441453);
    step_g<14>(c, d, a, b, m[15], 0xd8a1e681);
    step_g<20>(b, c, d, a, m[4], 0xe7d3fbc8);
    step_g<5>(a, b, c, d, m[9], 0x21e1cde6);
    step_g<9>(d, a, b, c, m[14], 0xc33707d6);
    step_g<14>(c, d, a, b, m[3], 0xf4d50d87);
    step_g<20>(b, c, d, a, m[8], 0x455a14ed);
    step_g<5>(a, b, c, d, m[13], 0xa9e3e905);
    step_g<9>(d, a, b, c, m[2], 0xfcefa3f8);
    step_g<14>(c, d, a, b, m[7], 0x676f02d9);
    step_g<20>(b, c, d, a, m[12], 0x8d2a4c8a);

    step<h, 4>(a, b, c, d, m[5], 0xfffa3942);
    step<h, 11>(d, a, b, c, m[8], 0x8771f681);
    step<h, 16>(c, d, a, b, m[11], 0x6d9d6122);
    step<h, 23>(b, c, d, a, m[14], 0xfde5380c);
    step<h, 4>(a, b, c, d, m[1], 0xa4beea44);
    step<h, 11>(d, a, b, c, m[4], 0x4bdecfa9);
    step<h, 16>(c, d, a, b, m[7], 0xf6bb4b60);
    step<h, 23>(b, c, d, a, m[10], 0xbebfbc70);
    step<h, 4>(a, b, c, d, m[13], 0x289b7ec6);
    step<h, 11>(d, a, b, c, m[0], 0xeaa127fa);
    step<h, 16>(c, d, a, b, m[3], 0xd4ef3085);
    step<h, 23>(b, c, d, a, m[6], 0x04881d05);
    step<h, 4>(a, b, c, d, m[9], 0xd9d4d039);
    step<h, 11>(d, a, b, c, m[12], 0xe6db99e5);
    step<h, 16>(c, d, a, b, m[15], 0x1fa27cf8);
    step<h, 23>(b, c, d, a, m[2], 0xc4ac5665);

    step<i, 6>(a, b, c, d, m[0], 0xf4292244);
    step<i, 10>(d, a, b, c, m[7], 0x432aff97);
    step<i, 15>(c, d, a, b, m[14], 0xab9423a7);
    step<i, 21>(b, c, d, a, m[5], 0xfc93a039);
    step<i, 6>(a, b, c, d, m[12], 0x655b59c3);
    step<i, 10>(d, a, b, c, m[3], 0x8f0ccc92);
    step<i, 15>(c, d, a, b, m[10], 0xffeff47d);
    step<i, 21>(b, c, d, a, m[1], 0x85845dd1);
    step<i, 6>(a, b, c, d, m[8], 0x6fa87e4f);
    step<i, 10>(d, a, b, c, m[15], 0xfe2ce6e0);
    step<i, 15>(c, d, a, b, m[6], 0xa3014314);
    step<i, 21>(b, c, d, a, m[13], 0x4e0811a1);
    step<i, 6>(a, b, c, d, m[4], 0xf7537e82);
    step<i, 10>(d, a, b, c, m[11], 0xbd3af235);
    step<i, 15>(c, d, a, b, m[2], 0x2ad7d2bb);
    step<i, 21>(b, c, d, a, m[9], 0xeb86d391);

    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
}

void Md5::update(std::span<const std::uint8_t> bytes) noexcept
{
    length_ += bytes.size();
    std::size_t i = 0;
    if (buffered_ > 0) {
        const std::size_t take = std::min(bytes.size(), 64 - buffered_);
        std::memcpy(buffer_ + buffered_, bytes.data(), take);
        buffered_ += take;
        i = take;
        if (buffered_ < 64)
            return;
        transform(buffer_);
        buffered_ = 0;
    }
    for (; i + 64 <= bytes.size(); i += 64)
        transform(bytes.data() + i);
    std::memcpy(buffer_, bytes.data() + i, bytes.size() - i);
    buffered_ = bytes.size() - i;
}

Md5::Digest Md5::finish() noexcept
{
    const std::uint64_t bits = length_ * 8;
    std::uint8_t tail[72] = {0x80};
    const std::size_t pad = (buffered_ < 56 ? 56 : 120) - buffered_;
    for (int k = 0; k < 8; ++k)
        tail[pad + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(bits >> (8 * k));
    update({tail, pad + 8});
    Digest digest;
    for (int i = 0; i < 4; ++i)
        for (int k = 0; k < 4; ++k)
            digest[static_cast<std::size_t>(4 * i + k)] = static_cast<std::uint8_t>(state_[i] >> (8 * k));
    *this = Md5();
    return digest;
}

std::string Md5::hex(const Digest& digest)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    for (const std::uint8_t byte : digest) {
        text += digits[byte >> 4];
        text += digits[byte & 15];
    }
    return text;
}

}  // namespace tonearm::detail
