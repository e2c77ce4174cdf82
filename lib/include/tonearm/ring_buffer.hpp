#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>

namespace tonearm {

// Lock-free single-producer/single-consumer FIFO of trivially copyable values.
// One thread calls write(); one other thread calls read()/skip(). Neither ever blocks,
// allocates or makes a system call, so the consumer side is safe on an audio callback.
//
// Counters run freely (64-bit, they never wrap in practice) and are masked on access; the
// capacity is rounded up to a power of two. Each side caches the other side's counter so
// the shared cache lines are only read when the cached value says "full" or "empty".
template <typename T>
class RingBuffer {
public:
    explicit RingBuffer(std::size_t min_capacity)
        : capacity_(std::bit_ceil(std::max<std::size_t>(min_capacity, 2))),
          mask_(capacity_ - 1),
          data_(std::make_unique<T[]>(capacity_))
    {
    }

    std::size_t capacity() const noexcept { return capacity_; }

    // Producer: copies as much of `items` as fits; returns how many.
    std::size_t write(std::span<const T> items) noexcept
    {
        const std::uint64_t head = producer_.position.load(std::memory_order_relaxed);
        if (capacity_ - (head - producer_.cached_other) < items.size())
            producer_.cached_other = consumer_.position.load(std::memory_order_acquire);
        const std::size_t count = std::min<std::size_t>(items.size(), capacity_ - (head - producer_.cached_other));
        copy_in(head, items.first(count));
        producer_.position.store(head + count, std::memory_order_release);
        return count;
    }

    // Consumer: copies up to out.size() items; returns how many.
    std::size_t read(std::span<T> out) noexcept
    {
        const std::uint64_t tail = consumer_.position.load(std::memory_order_relaxed);
        const std::size_t count = std::min(out.size(), readable_from(tail, out.size()));
        copy_out(tail, out.first(count));
        consumer_.position.store(tail + count, std::memory_order_release);
        return count;
    }

    // Consumer: drops up to `count` items without copying; returns how many.
    std::size_t skip(std::size_t count) noexcept
    {
        const std::uint64_t tail = consumer_.position.load(std::memory_order_relaxed);
        count = std::min(count, readable_from(tail, count));
        consumer_.position.store(tail + count, std::memory_order_release);
        return count;
    }

    // Totals since construction. Safe from any thread; exact on the owning side.
    std::uint64_t total_written() const noexcept { return producer_.position.load(std::memory_order_acquire); }
    std::uint64_t total_read() const noexcept { return consumer_.position.load(std::memory_order_acquire); }
    std::size_t readable() const noexcept { return static_cast<std::size_t>(total_written() - total_read()); }
    std::size_t writable() const noexcept { return capacity_ - readable(); }

private:
    // Readable items at `tail`, reloading the producer's counter only if the cached one
    // cannot satisfy `wanted`.
    std::size_t readable_from(std::uint64_t tail, std::size_t wanted) noexcept
    {
        if (consumer_.cached_other - tail < wanted)
            consumer_.cached_other = producer_.position.load(std::memory_order_acquire);
        return static_cast<std::size_t>(consumer_.cached_other - tail);
    }

    void copy_in(std::uint64_t at, std::span<const T> items) noexcept
    {
        const std::size_t start = static_cast<std::size_t>(at) & mask_;
        const std::size_t first = std::min(items.size(), capacity_ - start);
        std::copy_n(items.data(), first, data_.get() + start);
        std::copy_n(items.data() + first, items.size() - first, data_.get());
    }

    void copy_out(std::uint64_t at, std::span<T> out) const noexcept
    {
        const std::size_t start = static_cast<std::size_t>(at) & mask_;
        const std::size_t first = std::min(out.size(), capacity_ - start);
        std::copy_n(data_.get() + start, first, out.data());
        std::copy_n(data_.get(), out.size() - first, out.data() + first);
    }

    // Each side's own counter and its cache of the other's, on separate cache lines.
    struct alignas(64) Side {
        std::atomic<std::uint64_t> position{0};
        std::uint64_t cached_other = 0;
    };

    const std::size_t capacity_;
    const std::size_t mask_;
    std::unique_ptr<T[]> data_;
    Side producer_;
    Side consumer_;
};

}  // namespace tonearm
