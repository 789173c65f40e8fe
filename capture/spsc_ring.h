// Bounded single-producer/single-consumer rings for the worker threads
// (--threads N): the reader hands packets to each worker over a SpscByteRing,
// each worker hands its events back over a SpscRing.
//
// Both are fixed-capacity (allocated once) and lock-free. Each side keeps a
// private cursor and publishes it in one release store per batch
// (publish()/release()), so the shared cache lines move once per batch, not
// once per item. Neither blocks: a full or empty ring is reported, and the
// caller decides how to wait (see wait_a_little()).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>

namespace sw {

// Backoff for a thread whose ring is full or empty: a few spins, then yield,
// then short sleeps (on a machine with fewer cores than threads a spinning
// waiter would take the core from the thread it waits for).
inline void wait_a_little(unsigned& round) {
    if (round < 16) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else if (round < 64) {
        std::this_thread::yield();
    } else {
        std::this_thread::sleep_for(std::chrono::microseconds(round < 256 ? 20 : 200));
    }
    ++round;
}

// A doorbell for a thread that consumes several rings and cannot block on
// one: producers ring() after they publish; the consumer reads value()
// before it looks at its rings and, when it found nothing, wait()s for a
// ring after that value (no wake-up is lost between the look and the wait).
class Doorbell {
public:
    std::uint32_t value() const { return n_.load(std::memory_order_acquire); }
    void ring() {
        n_.fetch_add(1, std::memory_order_release);
        n_.notify_one();
    }
    void wait(std::uint32_t seen) const { n_.wait(seen, std::memory_order_acquire); }

private:
    alignas(64) std::atomic<std::uint32_t> n_{0};
};

// Objects of type T in `capacity` (a power of two) slots that are constructed
// once and reused: the producer assigns into the slot (so a std::string in T
// keeps its capacity from one use to the next), the consumer reads it in
// place and then releases it.
template <typename T>
class SpscRing {
public:
    explicit SpscRing(std::size_t capacity) : mask_(round_up(capacity) - 1), slots_(new T[mask_ + 1]) {}
    SpscRing(const SpscRing&) = delete;
    SpscRing& operator=(const SpscRing&) = delete;

    std::size_t capacity() const { return mask_ + 1; }

    // --- producer
    // The next free slot, or nullptr if the ring is full.
    T* reserve() {
        if (wr_ - cached_rd_ > mask_) {
            cached_rd_ = rd_.load(std::memory_order_acquire);
            if (wr_ - cached_rd_ > mask_) return nullptr;
        }
        return &slots_[wr_ & mask_];
    }
    void commit() { ++wr_; }  // the reserved slot is filled (not yet visible)
    void publish() { wr_pub_.store(wr_, std::memory_order_release); }
    bool full() { return reserve() == nullptr; }

    // --- consumer
    // The oldest published item, or nullptr.
    const T* front() {
        if (rd_local_ == cached_wr_) {
            cached_wr_ = wr_pub_.load(std::memory_order_acquire);
            if (rd_local_ == cached_wr_) return nullptr;
        }
        return &slots_[rd_local_ & mask_];
    }
    void pop() { ++rd_local_; }
    void release() { rd_.store(rd_local_, std::memory_order_release); }
    // True when nothing published is left unread (reads the producer's cursor).
    bool empty() { return front() == nullptr; }

private:
    static std::size_t round_up(std::size_t n) {
        std::size_t c = 2;
        while (c < n) c <<= 1;
        return c;
    }
    const std::size_t mask_;
    std::unique_ptr<T[]> slots_;
    // producer side
    alignas(64) std::uint64_t wr_ = 0;
    std::uint64_t cached_rd_ = 0;
    alignas(64) std::atomic<std::uint64_t> wr_pub_{0};
    // consumer side
    alignas(64) std::uint64_t rd_local_ = 0;
    std::uint64_t cached_wr_ = 0;
    alignas(64) std::atomic<std::uint64_t> rd_{0};
};

// Variable-length records (a packet header and its bytes) in one fixed byte
// buffer. A record is contiguous: one that does not fit before the end of the
// buffer is preceded by a wrap marker and written at the start. Records are
// 8-byte aligned; the largest is capacity/2 (callers cap packet sizes below).
class SpscByteRing {
public:
    explicit SpscByteRing(std::size_t capacity)
        : cap_(round8(capacity < 4096 ? 4096 : capacity)), buf_(new std::uint64_t[cap_ / 8]) {}
    SpscByteRing(const SpscByteRing&) = delete;
    SpscByteRing& operator=(const SpscByteRing&) = delete;

    std::size_t capacity() const { return cap_; }
    std::size_t max_record() const { return cap_ / 2 - kHeader; }

    // --- producer
    // Room for `n` bytes, or nullptr if the ring has no room now. Then
    // commit(n) with the same n.
    std::byte* reserve(std::size_t n) {
        const std::size_t need = kHeader + round8(n);
        if (need > cap_ / 2) return nullptr;
        std::size_t pos = wr_ % cap_;
        std::size_t pad = cap_ - pos < need ? cap_ - pos : 0;  // wrap: skip the tail
        if (!room(pad + need)) return nullptr;
        if (pad) {
            put_len(pos, kWrap);
            wr_ += pad;
            pos = 0;
        }
        return bytes() + pos + kHeader;
    }
    void commit(std::size_t n) {
        put_len(wr_ % cap_, static_cast<std::uint32_t>(n));
        wr_ += kHeader + round8(n);
    }
    // Makes what was committed visible and wakes a consumer blocked in
    // wait_published() (no system call when none is: the standard library
    // counts waiters).
    void publish() {
        wr_pub_.store(wr_, std::memory_order_release);
        wr_pub_.notify_one();
    }
    std::uint64_t unpublished() const { return wr_ - wr_pub_.load(std::memory_order_relaxed); }

    // --- consumer
    // The oldest published record (its bytes and size), or nullptr.
    const std::byte* front(std::size_t& n) {
        for (;;) {
            if (rd_local_ == cached_wr_) {
                cached_wr_ = wr_pub_.load(std::memory_order_acquire);
                if (rd_local_ == cached_wr_) return nullptr;
            }
            const std::size_t pos = rd_local_ % cap_;
            const std::uint32_t len = get_len(pos);
            if (len == kWrap) {
                rd_local_ += cap_ - pos;
                continue;
            }
            n = len;
            return bytes() + pos + kHeader;
        }
    }
    void pop(std::size_t n) { rd_local_ += kHeader + round8(n); }
    void release() { rd_.store(rd_local_, std::memory_order_release); }
    // Blocks (a futex, no spinning) until the producer publishes more than
    // the consumer has seen; for a consumer that has nothing else to do.
    void wait_published() {
        if (rd_local_ != cached_wr_) return;
        wr_pub_.wait(cached_wr_, std::memory_order_acquire);
    }

private:
    static constexpr std::size_t kHeader = 8;
    static constexpr std::uint32_t kWrap = 0xffffffffu;
    static std::size_t round8(std::size_t n) { return (n + 7) & ~std::size_t{7}; }
    std::byte* bytes() { return reinterpret_cast<std::byte*>(buf_.get()); }
    bool room(std::size_t n) {
        if (wr_ + n - cached_rd_ <= cap_) return true;
        cached_rd_ = rd_.load(std::memory_order_acquire);
        return wr_ + n - cached_rd_ <= cap_;
    }
    void put_len(std::size_t pos, std::uint32_t len) { std::memcpy(bytes() + pos, &len, 4); }
    std::uint32_t get_len(std::size_t pos) {
        std::uint32_t len;
        std::memcpy(&len, bytes() + pos, 4);
        return len;
    }

    const std::size_t cap_;
    std::unique_ptr<std::uint64_t[]> buf_;
    alignas(64) std::uint64_t wr_ = 0;
    std::uint64_t cached_rd_ = 0;
    alignas(64) std::atomic<std::uint64_t> wr_pub_{0};
    alignas(64) std::uint64_t rd_local_ = 0;
    std::uint64_t cached_wr_ = 0;
    alignas(64) std::atomic<std::uint64_t> rd_{0};
};

}  // namespace sw
