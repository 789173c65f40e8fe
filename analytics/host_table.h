// The hosts analytics tracks, with bounded memory: at most `cap` entries
// (staging.max-hosts, at least 4); at the cap the least recently active one is
// handed to the caller (to write what it holds) and removed. Lookup, touch and
// eviction are O(1): the recency list is threaded through the map's own nodes
// (which never move), so a touch allocates nothing.
//
// Keyed by KeyedHash: the addresses come from the wire. Iteration order is the
// hash's and differs between runs; for_each() is for work that writes nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "analytics/addr_hash.h"
#include "capture/memory_budget.h"
#include "capture/types.h"

namespace sw {

template <class V>
class HostTable {
public:
    HostTable(std::uint64_t cap, const KeyedHash& hash)
        : cap_(std::max<std::uint64_t>(cap, 4)), map_(0, AddrHash{hash}) {}
    HostTable(const HostTable&) = delete;
    HostTable& operator=(const HostTable&) = delete;

    // Memory budget: each entry's map node, charged on insert and erase,
    // plus `extra` per entry for what the caller hangs off it.
    void bind_memory(MemoryBudget* b) { charge_.bind(b, MemoryArea::analytics); }
    static constexpr std::int64_t kEntryCost = node_cost<std::pair<const IpAddr, V>>(4 * sizeof(void*));
    void charge_extra(std::int64_t n) { charge_.add(n); }

    // The entry of `a`, or null; does not count as activity.
    V* find(const IpAddr& a) {
        auto it = map_.find(a);
        return it == map_.end() ? nullptr : &it->second.value;
    }
    const V* find(const IpAddr& a) const {
        auto it = map_.find(a);
        return it == map_.end() ? nullptr : &it->second.value;
    }

    // The entry of `a`, created if new, now the most recently active. A new
    // entry at the cap first evicts the least recently active one:
    // on_evict(addr, value) runs while it is still in the table.
    template <class OnEvict>
    V& touch(const IpAddr& a, OnEvict&& on_evict) {
        auto it = map_.find(a);
        if (it != map_.end()) {
            Node& n = it->second;
            unlink(&n);
            push_front(&n);
            return n.value;
        }
        if (map_.size() >= cap_ && tail_) {
            Node* victim = tail_;
            on_evict(*victim->addr, victim->value);
            const IpAddr gone = *victim->addr;  // the key dies with the node
            unlink(victim);
            map_.erase(gone);
            charge_.add(-kEntryCost);
            ++evicted_;
        }
        auto [ins, fresh] = map_.try_emplace(a);
        (void)fresh;
        charge_.add(kEntryCost);
        Node& n = ins->second;
        n.addr = &ins->first;
        push_front(&n);
        peak_ = std::max<std::uint64_t>(peak_, map_.size());
        return n.value;
    }

    // Every entry, in no defined order (f(addr, value)).
    template <class F>
    void for_each(F&& f) {
        for (auto& [addr, n] : map_) f(addr, n.value);
    }

    std::size_t size() const { return map_.size(); }
    std::uint64_t cap() const { return cap_; }
    std::uint64_t peak() const { return peak_; }        // most entries at once
    std::uint64_t evicted() const { return evicted_; }  // entries evicted at the cap
    // Least recently active address (for tests); null when empty.
    const IpAddr* oldest() const { return tail_ ? tail_->addr : nullptr; }

private:
    struct Node {
        V value{};
        const IpAddr* addr = nullptr;
        Node* prev = nullptr;  // more recently active
        Node* next = nullptr;  // less recently active
    };
    void unlink(Node* n) {
        (n->prev ? n->prev->next : head_) = n->next;
        (n->next ? n->next->prev : tail_) = n->prev;
        n->prev = n->next = nullptr;
    }
    void push_front(Node* n) {
        n->next = head_;
        n->prev = nullptr;
        (head_ ? head_->prev : tail_) = n;
        head_ = n;
    }

    std::uint64_t cap_;
    std::unordered_map<IpAddr, Node, AddrHash> map_;
    Node* head_ = nullptr;  // most recently active
    Node* tail_ = nullptr;  // least recently active
    std::uint64_t peak_ = 0, evicted_ = 0;
    MemoryCharge charge_;
};

}  // namespace sw
