// Storage and lookup for flows, plus one intrusive list per timeout class.
//
// - Flows sit in fixed slabs of 1024 and are recycled through a free list, so a
//   new flow costs no allocation once the table has warmed up.
// - The index is open addressing (linear probing, backward-shift deletion)
//   over (hash tag, flow index) pairs.
// - Each timeout class keeps its flows ordered by deadline (each class's
//   deadlines only grow: they are last-activity + a constant), so expiry looks
//   at list heads only and eviction takes the oldest idle head.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "capture/flow.h"
#include "capture/memory_budget.h"

namespace sw {

class FlowTable {
public:
    explicit FlowTable(std::size_t max_flows, MemoryBudget* budget = nullptr);
    // What one live flow is charged to the memory budget: the flow and its
    // share of the index (kept at most half full). A reassembler's side
    // record is charged by its pool while the flow has it.
    static constexpr std::int64_t kFlowCost = sizeof(Flow) + 2 * 8;

    Flow* find(const FlowKey& key, std::uint64_t hash);
    // Inserts a fresh flow (caller checks full() first and evicts).
    Flow* insert(const FlowKey& key, std::uint64_t hash);
    // Unlinks and recycles a flow. The caller has already finished it.
    void remove(Flow* f);

    bool full() const { return size_ >= max_flows_; }
    // Where the flows' reassemblers take their side records from; remove()
    // gives them back.
    ReassemblyExtPool& reassembly_exts() { return exts_; }
    std::size_t size() const { return size_; }
    std::size_t max_flows() const { return max_flows_; }

    // Puts `f` at the tail of `c` with the given deadline.
    void schedule(Flow* f, TimeoutClass c, Timestamp deadline);
    Flow* head(TimeoutClass c) const;
    // The least recently active flow: every list is ordered by activity, so
    // it is one of the heads.
    Flow* oldest_idle() const;

    template <typename F>
    void for_each(F&& fn) {
        for (std::size_t c = 0; c < kClasses; ++c)
            for (Flow* f = head(static_cast<TimeoutClass>(c)); f;) {
                Flow* n = f->next ? at(f->next - 1) : nullptr;
                fn(f);
                f = n;
            }
    }

private:
    static constexpr std::size_t kSlab = 1024;
    static constexpr std::size_t kClasses = static_cast<std::size_t>(TimeoutClass::count_);
    struct Slot {
        std::uint32_t tag;   // high hash bits
        std::uint32_t flow;  // flow index + 1; 0 = empty
    };

    Flow* at(std::uint32_t i) const { return &slabs_[i / kSlab][i % kSlab]; }
    void unlink(Flow* f);
    void grow_index();
    // The index's size is a power of two below 2^32: the hash's low half
    // picks the slot.
    std::size_t slot_of(std::uint64_t hash) const { return hash & (slots_.size() - 1); }

    std::size_t max_flows_;
    ReassemblyExtPool exts_;  // before the slabs: outlives the flows holding records
    std::size_t size_ = 0;
    std::vector<std::unique_ptr<Flow[]>> slabs_;
    std::vector<std::uint32_t> free_;
    std::uint32_t next_unused_ = 0;
    std::vector<Slot> slots_;
    std::uint32_t list_head_[kClasses] = {};
    std::uint32_t list_tail_[kClasses] = {};
    MemoryCharge charge_;  // live flows (insert/remove)
};

}  // namespace sw
