#pragma once

// An ordered parallel map: work(i) for every i in [0, count) on a fixed pool of threads, with
// the results handed back on the calling thread in index order, each as soon as every earlier
// one is done (what `check` needs to print a report in input order while files finish in any
// order). Internal to the library.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace tonearm::detail {

// `work(i)` runs on up to `jobs` threads (at least 1) and must not throw. On the calling
// thread, never concurrently: `progress(done)` after each item finishes, then
// `deliver(i, result)` for each result whose turn has come. If either throws, no new item
// starts, the pool finishes what it is running, and the exception reaches the caller.
template <typename Result, typename Work, typename Progress, typename Deliver>
std::vector<Result> ordered_parallel_map(std::size_t count, unsigned jobs, Work work, Progress progress,
                                         Deliver deliver)
{
    std::vector<Result> results(count);
    if (count == 0)
        return results;

    std::mutex mutex;
    std::condition_variable changed;
    std::vector<char> ready(count, 0);  // guarded by mutex
    std::size_t done = 0;               // guarded by mutex
    std::atomic<std::size_t> next{0};

    const auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;) {
            Result result = work(i);
            {
                const std::lock_guard lock(mutex);
                results[i] = std::move(result);
                ready[i] = 1;
                ++done;
            }
            changed.notify_one();
        }
    };

    // std::thread joined by hand: Emscripten's libc++ has no std::jthread.
    struct Pool {
        std::vector<std::thread> threads;
        ~Pool()
        {
            for (auto& thread : threads)
                thread.join();
        }
    } pool;
    const std::size_t threads = std::min<std::size_t>(std::clamp<unsigned>(jobs, 1, 1024), count);
    pool.threads.reserve(threads);
    for (std::size_t k = 0; k < threads; ++k)
        pool.threads.emplace_back(worker);

    // A slot is only read after its ready flag was seen under the mutex, and never written again.
    std::size_t delivered = 0, reported = 0;
    std::unique_lock lock(mutex);
    while (delivered < count) {
        changed.wait(lock, [&] { return done > reported; });
        reported = done;
        std::size_t deliverable = delivered;
        while (deliverable < count && ready[deliverable])
            ++deliverable;
        lock.unlock();
        try {
            progress(reported);
            for (; delivered < deliverable; ++delivered)
                deliver(delivered, results[delivered]);
        } catch (...) {
            next.store(count);
            throw;
        }
        lock.lock();
    }
    lock.unlock();
    return results;  // (the pool joins its threads first)
}

}  // namespace tonearm::detail
