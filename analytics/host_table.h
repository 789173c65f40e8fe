// The hosts analytics tracks, with bounded memory: at most `cap` entries
// (staging.max-hosts, at least 4); at the cap the least recently active one is
// handed to the caller (to write what it holds) and removed. Lookup, touch and
// eviction are O(1).
//
// Open addressing (capture/open_index.h) over entries kept in fixed chunks
// that never move, so a reference to an entry stays valid until that entry is
// evicted; freed entries are recycled (reset to a fresh V) before new chunks
// are made. The recency list is threaded through the entries by number, so a
// touch allocates nothing. Keyed by KeyedHash: the addresses come from the
// wire. for_each() runs in entry order, which depends on the history of
// insertions and evictions; it is for work that writes nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "analytics/addr_hash.h"
#include "capture/memory_budget.h"
#include "capture/open_index.h"
#include "capture/types.h"

namespace sw {

template <class V>
class HostTable {
public:
    HostTable(std::uint64_t cap, const KeyedHash& hash) : cap_(std::max<std::uint64_t>(cap, 4)), hash_{hash} {}
    HostTable(const HostTable&) = delete;
    HostTable& operator=(const HostTable&) = delete;

    // Memory budget: each live entry (its node and index slot), charged on
    // insert and eviction, plus `extra` per entry for what the caller hangs
    // off it.
    void bind_memory(MemoryBudget* b) { charge_.bind(b, MemoryArea::analytics); }
    void charge_extra(std::int64_t n) { charge_.add(n); }

    // The entry of `a`, or null; does not count as activity.
    V* find(const IpAddr& a) {
        const std::uint32_t s = lookup(a, hash_(a));
        return s == kNone ? nullptr : &node(s).value;
    }
    const V* find(const IpAddr& a) const {
        const std::uint32_t s = lookup(a, hash_(a));
        return s == kNone ? nullptr : &node(s).value;
    }

    // The entry of `a`, created if new, now the most recently active. A new
    // entry at the cap first evicts the least recently active one:
    // on_evict(addr, value) runs while it is still in the table.
    template <class OnEvict>
    V& touch(const IpAddr& a, OnEvict&& on_evict) {
        const std::uint64_t h = hash_(a);
        std::uint32_t s = lookup(a, h);
        if (s != kNone) {
            unlink(s);
            push_front(s);
            return node(s).value;
        }
        if (index_.size() >= cap_ && tail_ != kNone) {
            const std::uint32_t victim = tail_;
            Node& v = node(victim);
            on_evict(static_cast<const IpAddr&>(v.addr), v.value);
            unlink(victim);
            index_.erase(v.hash, victim);
            v.live = false;
            free_.push_back(victim);
            charge_.add(-kEntryCost);
            ++evicted_;
        }
        if (!free_.empty()) {
            s = free_.back();
            free_.pop_back();
            node(s).value = V{};
        } else {
            s = used_++;
            if (s / kChunk >= chunks_.size()) chunks_.push_back(std::make_unique<Node[]>(kChunk));
        }
        Node& n = node(s);
        n.addr = a;
        n.hash = h;
        n.live = true;
        index_.insert(h, s);
        charge_.add(kEntryCost);
        push_front(s);
        peak_ = std::max<std::uint64_t>(peak_, index_.size());
        return n.value;
    }

    // Every entry, in entry order (f(addr, value)).
    template <class F>
    void for_each(F&& f) {
        for (std::uint32_t s = 0; s < used_; ++s) {
            Node& n = node(s);
            if (n.live) f(static_cast<const IpAddr&>(n.addr), n.value);
        }
    }

    std::size_t size() const { return index_.size(); }
    std::uint64_t cap() const { return cap_; }
    std::uint64_t peak() const { return peak_; }        // most entries at once
    std::uint64_t evicted() const { return evicted_; }  // entries evicted at the cap
    // Least recently active address (for tests); null when empty.
    const IpAddr* oldest() const { return tail_ == kNone ? nullptr : &node(tail_).addr; }

private:
    static constexpr std::uint32_t kNone = OpenIndex::kNone;
    static constexpr std::uint32_t kChunk = 256;
    struct Node {
        V value{};
        IpAddr addr;
        std::uint64_t hash = 0;
        std::uint32_t prev = kNone;  // more recently active
        std::uint32_t next = kNone;  // less recently active
        bool live = false;
    };
    // An entry's node and its index slot.
    static constexpr std::int64_t kEntryCost = static_cast<std::int64_t>(sizeof(Node) + 2 * sizeof(std::uint64_t));
    Node& node(std::uint32_t s) const { return chunks_[s / kChunk][s % kChunk]; }
    std::uint32_t lookup(const IpAddr& a, std::uint64_t h) const {
        return index_.find(h, [&](std::uint32_t s) { return node(s).addr == a; });
    }
    void unlink(std::uint32_t s) {
        Node& n = node(s);
        (n.prev != kNone ? node(n.prev).next : head_) = n.next;
        (n.next != kNone ? node(n.next).prev : tail_) = n.prev;
        n.prev = n.next = kNone;
    }
    void push_front(std::uint32_t s) {
        Node& n = node(s);
        n.next = head_;
        n.prev = kNone;
        (head_ != kNone ? node(head_).prev : tail_) = s;
        head_ = s;
    }

    std::uint64_t cap_;
    AddrHash hash_;
    OpenIndex index_;
    std::vector<std::unique_ptr<Node[]>> chunks_;
    std::vector<std::uint32_t> free_;
    std::uint32_t used_ = 0;     // entries ever made (the chunks' used prefix)
    std::uint32_t head_ = kNone;  // most recently active
    std::uint32_t tail_ = kNone;  // least recently active
    std::uint64_t peak_ = 0, evicted_ = 0;
    MemoryCharge charge_;
};

}  // namespace sw
