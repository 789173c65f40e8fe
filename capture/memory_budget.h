// One memory budget (--memory.limit) over what the traffic makes a worker
// hold: flows, out-of-order blocks, dissector state and analytics tables.
//
// - Accounting is a counter add on allocation and free events of the things
//   that hold memory (a flow taken or given back, a pool block, a table entry
//   inserted or erased, a buffer grown or released), in the units really
//   allocated (a 2 KiB block for one byte of out-of-order data, a table node
//   with its allocator overhead), never per packet.
// - The counters are relaxed atomics: one budget may be shared by several
//   workers (each FlowEngine adds to the same totals) or each worker may get
//   its own share; stagewatch gives every FlowEngine its own budget of
//   limit / workers (see docs/capture.md, "Memory budget").
// - The budget itself decides nothing: the engine that owns the flows sheds
//   when used() passes high_water() and stops at low_water() (see
//   FlowEngine::relieve for the order), and counts each shed here.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace sw {

enum class MemoryArea : std::uint8_t { flows, reassembly, dissectors, analytics, count_ };

// What was shed under memory pressure, in the order it is tried.
enum class MemoryShed : std::uint8_t { idle_flow, ooo_buffer, dissector_state, flow, count_ };

class MemoryBudget {
public:
    static constexpr std::size_t kAreas = static_cast<std::size_t>(MemoryArea::count_);
    static constexpr std::size_t kSheds = static_cast<std::size_t>(MemoryShed::count_);

    explicit MemoryBudget(std::uint64_t limit) : limit_(limit ? limit : 1) {}
    MemoryBudget(const MemoryBudget&) = delete;
    MemoryBudget& operator=(const MemoryBudget&) = delete;

    // `n` bytes allocated (n > 0) or freed (n < 0) in `a`.
    void charge(MemoryArea a, std::int64_t n) {
        used_[static_cast<std::size_t>(a)].fetch_add(n, std::memory_order_relaxed);
    }
    std::uint64_t used(MemoryArea a) const {
        const std::int64_t v = used_[static_cast<std::size_t>(a)].load(std::memory_order_relaxed);
        return v > 0 ? static_cast<std::uint64_t>(v) : 0;
    }
    std::uint64_t used() const {
        std::uint64_t t = 0;
        for (std::size_t a = 0; a < kAreas; ++a) t += used(static_cast<MemoryArea>(a));
        return t;
    }
    std::uint64_t limit() const { return limit_; }
    // Shedding starts above 7/8 of the limit and stops at 3/4 of it, so a
    // shed frees room for many allocations, not one.
    std::uint64_t high_water() const { return limit_ - limit_ / 8; }
    std::uint64_t low_water() const { return limit_ - limit_ / 4; }
    bool pressed() const { return used() > high_water(); }

    void count_shed(MemoryShed s) { sheds_[static_cast<std::size_t>(s)].fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t sheds(MemoryShed s) const { return sheds_[static_cast<std::size_t>(s)].load(std::memory_order_relaxed); }
    // Most bytes used at once (updated when shedding is checked).
    std::uint64_t peak() const { return peak_.load(std::memory_order_relaxed); }
    void note_peak(std::uint64_t u) {
        if (u > peak_.load(std::memory_order_relaxed)) peak_.store(u, std::memory_order_relaxed);
    }

    // weird.log names (Zeek style), one per shed kind.
    static const char* shed_name(MemoryShed s) {
        constexpr const char* kNames[kSheds] = {"memory_shed_idle_flow", "memory_shed_ooo_buffer",
                                                 "memory_shed_dissector_state", "memory_shed_flow"};
        return kNames[static_cast<std::size_t>(s)];
    }
    static const char* area_name(MemoryArea a) {
        constexpr const char* kNames[kAreas] = {"flows", "reassembly", "dissectors", "analytics"};
        return kNames[static_cast<std::size_t>(a)];
    }

private:
    std::uint64_t limit_;
    std::array<std::atomic<std::int64_t>, kAreas> used_{};
    std::array<std::atomic<std::uint64_t>, kSheds> sheds_{};
    std::atomic<std::uint64_t> peak_{0};
};

// One owner's part of a budget (a table, a buffer, a connection): what it
// charged is given back when it is destroyed. Unbound, it does nothing.
class MemoryCharge {
public:
    MemoryCharge() = default;
    MemoryCharge(const MemoryCharge&) = delete;
    MemoryCharge& operator=(const MemoryCharge&) = delete;
    ~MemoryCharge() { bind(nullptr, area_); }

    // Moves what was charged to `b` (null: gives it back).
    void bind(MemoryBudget* b, MemoryArea a) {
        if (b_) b_->charge(area_, -charged_);
        b_ = b;
        area_ = a;
        if (b_) b_->charge(area_, charged_);
    }
    void add(std::int64_t n) {
        charged_ += n;
        if (b_) b_->charge(area_, n);
    }
    // Sets the charge to `n` (a buffer's new capacity).
    void set(std::int64_t n) { add(n - charged_); }
    std::int64_t charged() const { return charged_; }

private:
    MemoryBudget* b_ = nullptr;
    MemoryArea area_ = MemoryArea::dissectors;
    std::int64_t charged_ = 0;
};

// Rough allocator cost of one node-based container entry holding `T`
// (the node, the hash bucket pointer and malloc's header/rounding).
template <typename T>
constexpr std::int64_t node_cost(std::size_t extra = 0) {
    return static_cast<std::int64_t>((sizeof(T) + extra + 2 * sizeof(void*) + 15) / 16 * 16 + sizeof(void*));
}

}  // namespace sw
