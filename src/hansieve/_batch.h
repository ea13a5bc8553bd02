// The find_many thread pool (see _scan.pxi and Sieve.find_many).
#pragma once
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>
#include <memory>
// A batch of n items scanned chunk by chunk, by `threads - 1` worker threads and by the
// caller, who between its own chunks finishes (with the GIL) the chunks already scanned, in
// order: the serial part of find_many overlaps the scan instead of following it.
typedef void (*hs_task)(void*, size_t);
struct hs_batch {
    hs_task task;
    void* ctx;
    size_t n, chunk, n_chunks;
    std::atomic<size_t> next;
    std::atomic<bool> stop;
    std::unique_ptr<std::atomic<unsigned char>[]> done;
    std::vector<std::thread> pool;
};
// Claims the next chunk and scans it; false when none is left (or the batch is stopping).
static bool hs_batch_step(hs_batch* b) {
    if (b->stop.load(std::memory_order_relaxed)) return false;
    size_t c = b->next.fetch_add(1);
    if (c >= b->n_chunks) return false;
    size_t begin = c * b->chunk, end = begin + b->chunk < b->n ? begin + b->chunk : b->n;
    for (size_t i = begin; i < end; i++) b->task(b->ctx, i);
    b->done[c].store(1, std::memory_order_release);
    return true;
}
static hs_batch* hs_batch_start(hs_task task, void* ctx, size_t n, size_t chunk, int threads) {
    hs_batch* b = new hs_batch();
    b->task = task;
    b->ctx = ctx;
    b->n = n;
    b->chunk = chunk;
    b->n_chunks = (n + chunk - 1) / chunk;
    b->next.store(0);
    b->stop.store(false);
    b->done.reset(new std::atomic<unsigned char>[b->n_chunks ? b->n_chunks : 1]());
    for (int k = 1; k < threads; k++) {
        try {
            b->pool.emplace_back([b]() { while (hs_batch_step(b)) {} });
        } catch (...) {
            break;      // fewer threads: the caller scans what they would have
        }
    }
    return b;
}
static inline bool hs_batch_ready(const hs_batch* b, size_t c) {
    return b->done[c].load(std::memory_order_acquire) != 0;
}
static void hs_batch_wait(const hs_batch* b, size_t c) {
    while (!hs_batch_ready(b, c)) std::this_thread::yield();
}
static void hs_batch_finish(hs_batch* b) {
    b->stop.store(true);
    for (auto& t : b->pool) t.join();
    delete b;
}
