// The bounded tables of one SMB connection. Each owns its cap, its eviction
// (the oldest entry, found in O(1): entries are kept in age order) and its
// eviction counter; what an eviction means (log the handle, end the
// session) is the caller's, passed in as a callback.
//
// - OrderedTable: a keyed open-addressing index (capture/open_index.h) over
//   recycled slots threaded on an age list, for sessions, trees and open
//   files (inserted on SESSION_SETUP / TREE_CONNECT / CREATE, never on the
//   WRITE/READ path; at steady state an insert reuses a freed slot and
//   allocates nothing). Iteration is in age order, never in hash order, so
//   rows emitted while iterating do not depend on the hash key.
// - PendingTable: requests awaiting their response, keyed by MessageId (SMB1:
//   command + PID + MID). Slots are reused and the index is open addressing,
//   so a WRITE or READ at steady state allocates nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "capture/keyed_hash.h"
#include "capture/memory_budget.h"
#include "capture/open_index.h"

namespace sw::smb {

struct U64Hash {
    KeyedHash hash;
    std::size_t operator()(std::uint64_t k) const { return static_cast<std::size_t>(hash(k)); }
};

// How a recycled entry is made fresh: by default a value-initialised V;
// SessionState and TreeState overload it to keep their strings' buffers.
template <typename V>
void reset_entry(V& v) {
    v = V{};
}
// What an erased entry lets go of at once: nothing by default (its buffers
// wait for reuse); a shared handle is released, as the other channels of a
// multichannel session count its owners.
template <typename V>
void release_entry(V&) {}
template <typename T>
void release_entry(std::shared_ptr<T>& p) {
    p.reset();
}

template <typename K, typename V, typename Hash>
class OrderedTable {
public:
    OrderedTable(std::size_t cap, Hash h) : cap_(cap), hash_(std::move(h)) {}

    // Memory budget: each live entry is charged its slot and index entry
    // plus `extra` (what its value owns on the heap, as an upper bound).
    void bind_memory(MemoryBudget* b, std::size_t extra = 0) {
        entry_cost_ = static_cast<std::int64_t>(sizeof(Slot) + 2 * sizeof(std::uint64_t) + extra);
        charge_.bind(b, MemoryArea::dissectors);
    }
    std::int64_t memory() const { return charge_.charged(); }

    V* find(const K& k) {
        const std::uint32_t s = lookup(k, hash_(k));
        return s == kNone ? nullptr : &slot(s).value;
    }
    // At the cap, first evicts the oldest entry: `evict(key)` must erase it.
    template <typename Evict>
    void make_room(Evict&& evict) {
        if (index_.size() < cap_ || head_ == kNone) return;
        ++evictions_;
        const K victim = slot(head_).key;
        evict(victim);
        if (index_.size() >= cap_) erase(victim);  // the callback left it: drop it anyway
    }
    // A new entry, the youngest (an entry of the same key is replaced): a
    // recycled slot made fresh by reset_entry(), so strings keep their
    // buffers and a steady state allocates nothing.
    V& insert(const K& k) {
        erase(k);
        std::uint32_t s;
        if (free_ != kNone) {
            s = free_;
            free_ = slot(s).next;
            reset_entry(slot(s).value);
        } else {
            s = used_++;
            if (s / kChunk >= chunks_.size()) chunks_.push_back(std::make_unique<Slot[]>(kChunk));
        }
        Slot& x = slot(s);
        x.key = k;
        x.hash = hash_(k);
        index_.insert(x.hash, s);
        link_back(s);
        charge_.add(entry_cost_);
        return x.value;
    }
    V& insert(const K& k, V v) {
        V& x = insert(k);
        x = std::move(v);
        return x;
    }
    // Makes an entry the youngest.
    void touch(const K& k) {
        const std::uint32_t s = lookup(k, hash_(k));
        if (s == kNone) return;
        unlink(s);
        link_back(s);
    }
    bool erase(const K& k) {
        const std::uint32_t s = lookup(k, hash_(k));
        if (s == kNone) return false;
        Slot& x = slot(s);
        index_.erase(x.hash, s);
        unlink(s);
        release_entry(x.value);
        x.next = free_;
        free_ = s;
        charge_.add(-entry_cost_);
        return true;
    }
    // Renames an entry, keeping its age. `to` must not be in the table.
    void rekey(const K& from, const K& to) {
        const std::uint32_t s = lookup(from, hash_(from));
        if (s == kNone) return;
        Slot& x = slot(s);
        index_.erase(x.hash, s);
        x.key = to;
        x.hash = hash_(to);
        index_.insert(x.hash, s);
    }
    // Oldest first. `fn(key, value)`; it must not change the table.
    template <typename Fn>
    void for_each(Fn&& fn) {
        for (std::uint32_t s = head_; s != kNone; s = slot(s).next) fn(static_cast<const K&>(slot(s).key), slot(s).value);
    }
    // The keys, oldest first, whose value satisfies `pred` (a copy: the caller
    // may then change the table).
    template <typename Pred>
    std::vector<K> keys_if(Pred&& pred) {
        std::vector<K> out;
        for (std::uint32_t s = head_; s != kNone; s = slot(s).next)
            if (pred(slot(s).value)) out.push_back(slot(s).key);
        return out;
    }
    // fn(key) for each key, oldest first, whose value satisfies `pred`; the
    // keys are collected first, so `fn` may change the table. Collected in a
    // buffer the table keeps (no allocation at steady state); a nested call
    // uses a buffer of its own.
    template <typename Pred, typename Fn>
    void for_each_key_if(Pred&& pred, Fn&& fn) {
        std::vector<K> own;
        std::vector<K>& keys = scratch_busy_ ? own : scratch_;
        const bool outer = !scratch_busy_;
        scratch_busy_ = true;
        keys.clear();
        for (std::uint32_t s = head_; s != kNone; s = slot(s).next)
            if (pred(slot(s).value)) keys.push_back(slot(s).key);
        for (const K& k : keys) fn(k);
        if (outer) scratch_busy_ = false;
    }
    void clear() {
        for (std::uint32_t s = head_; s != kNone;) {
            const std::uint32_t n = slot(s).next;
            release_entry(slot(s).value);
            slot(s).prev = kNone;
            slot(s).next = free_;
            free_ = s;
            s = n;
        }
        head_ = tail_ = kNone;
        index_.clear();
        charge_.set(0);
    }
    std::size_t size() const { return index_.size(); }
    std::size_t cap() const { return cap_; }
    std::uint64_t evictions() const { return evictions_; }

private:
    static constexpr std::uint32_t kNone = OpenIndex::kNone;
    struct Slot {
        K key{};
        V value{};
        std::uint64_t hash = 0;
        std::uint32_t prev = kNone, next = kNone;  // age list; `next` links the free list too
    };
    std::uint32_t lookup(const K& k, std::uint64_t h) const {
        return index_.find(h, [&](std::uint32_t s) { return slot(s).key == k; });
    }
    void unlink(std::uint32_t s) {
        Slot& x = slot(s);
        (x.prev == kNone ? head_ : slot(x.prev).next) = x.next;
        (x.next == kNone ? tail_ : slot(x.next).prev) = x.prev;
        x.prev = x.next = kNone;
    }
    void link_back(std::uint32_t s) {
        slot(s).prev = tail_;
        slot(s).next = kNone;
        (tail_ == kNone ? head_ : slot(tail_).next) = s;
        tail_ = s;
    }

    std::size_t cap_;
    Hash hash_;
    std::uint64_t evictions_ = 0;
    // Entries in chunks of kChunk that never move (callers hold references);
    // an empty table allocates nothing.
    static constexpr std::uint32_t kChunk = 2;  // most connections hold one session, one tree
    Slot& slot(std::uint32_t s) { return chunks_[s / kChunk][s % kChunk]; }
    const Slot& slot(std::uint32_t s) const { return chunks_[s / kChunk][s % kChunk]; }
    std::vector<std::unique_ptr<Slot[]>> chunks_;
    std::uint32_t used_ = 0;
    OpenIndex index_;
    std::uint32_t head_ = kNone, tail_ = kNone, free_ = kNone;  // oldest, youngest, free list
    std::vector<K> scratch_;
    bool scratch_busy_ = false;
    std::int64_t entry_cost_ = 0;
    MemoryCharge charge_;
};

// Pending requests; `P` needs a `std::uint64_t key` member.
template <typename P>
class PendingTable {
public:
    PendingTable(std::size_t cap, const KeyedHash& h) : cap_(cap), hash_(h) {}

    // Memory budget: the slots and the index as allocated (they only grow,
    // until shed()).
    void bind_memory(MemoryBudget* b) { charge_.bind(b, MemoryArea::dissectors); }
    std::int64_t memory() const { return charge_.charged(); }
    // Memory pressure: forgets every pending request (their responses will
    // be unmatched) and gives the slots and the index back.
    std::uint64_t shed() {
        const auto freed = static_cast<std::uint64_t>(charge_.charged());
        std::vector<Slot>().swap(slots_);
        std::vector<std::uint32_t>().swap(index_);
        head_ = tail_ = free_ = kNone;
        live_ = 0;
        charge_.set(0);
        return freed;
    }

    // 0xFFFFFFFFFFFFFFFF is never a request's MessageId ([MS-SMB2] 3.3.1.1:
    // the sequence never wraps; 3.2.5.19: a message with it is an unsolicited
    // oplock/lease break): such a request is never entered nor found; add()
    // hands back a detached entry that nothing can match.
    static constexpr std::uint64_t kReservedKey = ~std::uint64_t{0};

    P* find(std::uint64_t key) {
        if (key == kReservedKey) return nullptr;
        const std::uint32_t s = lookup(key);
        return s == kNone ? nullptr : &slots_[s].value;
    }
    // The entry for `key`, the youngest: the same key again (a retransmission
    // or reuse) reuses its entry; at the cap the oldest is evicted first
    // (`evict(P&)` is told). The caller resets the returned entry.
    template <typename Evict>
    P& add(std::uint64_t key, Evict&& evict) {
        if (key == kReservedKey) {
            ++rejected_;
            detached_.key = key;
            return detached_;
        }
        std::uint32_t s = lookup(key);
        if (s != kNone) {
            unlink(s);
        } else {
            if (live_ >= cap_ && head_ != kNone) {
                ++evictions_;
                s = head_;
                evict(slots_[s].value);
                unindex(slots_[s].value.key);
                unlink(s);
                --live_;
            } else if (free_ != kNone) {
                s = free_;
                free_ = slots_[s].next;
            } else {
                s = static_cast<std::uint32_t>(slots_.size());
                slots_.emplace_back();
                recharge();
            }
            slots_[s].value.key = key;
            index(key, s);
            ++live_;
        }
        link_back(s);
        return slots_[s].value;
    }
    void drop(P& p) {
        if (&p == &detached_) return;
        const std::uint32_t s = lookup(p.key);
        if (s == kNone || &slots_[s].value != &p) return;
        unindex(p.key);
        unlink(s);
        slots_[s].next = free_;
        free_ = s;
        --live_;
    }
    // Oldest first; `fn(P&)` must not add or drop.
    template <typename Fn>
    void for_each(Fn&& fn) {
        for (std::uint32_t s = head_; s != kNone; s = slots_[s].next) fn(slots_[s].value);
    }
    std::size_t size() const { return live_; }
    std::size_t cap() const { return cap_; }
    std::uint64_t evictions() const { return evictions_; }
    std::uint64_t rejected() const { return rejected_; }  // adds with kReservedKey

private:
    static constexpr std::uint32_t kNone = ~std::uint32_t{0};
    struct Slot {
        P value;
        std::uint32_t prev = kNone, next = kNone;  // age list; `next` links the free list too
    };

    std::size_t bucket(std::uint64_t key) const { return static_cast<std::size_t>(hash_(key)) & (index_.size() - 1); }
    std::uint32_t lookup(std::uint64_t key) const {
        if (index_.empty()) return kNone;
        for (std::size_t i = bucket(key);; i = (i + 1) & (index_.size() - 1)) {
            const std::uint32_t s = index_[i];
            if (s == kNone) return kNone;
            if (slots_[s].value.key == key) return s;
        }
    }
    void index(std::uint64_t key, std::uint32_t s) {
        if ((live_ + 1) * 2 > index_.size()) grow();
        std::size_t i = bucket(key);
        while (index_[i] != kNone) i = (i + 1) & (index_.size() - 1);
        index_[i] = s;
    }
    // Linear probing with backward-shift deletion: no tombstones.
    void unindex(std::uint64_t key) {
        const std::size_t mask = index_.size() - 1;
        std::size_t i = bucket(key);
        while (slots_[index_[i]].value.key != key) i = (i + 1) & mask;
        for (std::size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
            const std::uint32_t s = index_[j];
            if (s == kNone) break;
            const std::size_t home = bucket(slots_[s].value.key);
            // Move s back into the hole unless its home lies in (i, j].
            if (((j - home) & mask) >= ((j - i) & mask)) {
                index_[i] = s;
                i = j;
            }
        }
        index_[i] = kNone;
    }
    void grow() {
        std::vector<std::uint32_t> old = std::move(index_);
        index_.assign(old.empty() ? 16 : old.size() * 2, kNone);
        for (std::uint32_t s : old) {
            if (s == kNone) continue;
            std::size_t i = bucket(slots_[s].value.key);
            while (index_[i] != kNone) i = (i + 1) & (index_.size() - 1);
            index_[i] = s;
        }
        recharge();
    }
    void recharge() {
        charge_.set(static_cast<std::int64_t>(slots_.capacity() * sizeof(Slot) + index_.capacity() * sizeof(std::uint32_t)));
    }
    void unlink(std::uint32_t s) {
        Slot& x = slots_[s];
        (x.prev == kNone ? head_ : slots_[x.prev].next) = x.next;
        (x.next == kNone ? tail_ : slots_[x.next].prev) = x.prev;
        x.prev = x.next = kNone;
    }
    void link_back(std::uint32_t s) {
        slots_[s].prev = tail_;
        slots_[s].next = kNone;
        (tail_ == kNone ? head_ : slots_[tail_].next) = s;
        tail_ = s;
    }

    std::size_t cap_;
    KeyedHash hash_;
    std::vector<Slot> slots_;
    std::vector<std::uint32_t> index_;  // slot numbers, kNone = empty; size a power of two
    std::uint32_t head_ = kNone, tail_ = kNone, free_ = kNone;
    std::size_t live_ = 0;
    std::uint64_t evictions_ = 0;
    std::uint64_t rejected_ = 0;
    P detached_{};
    MemoryCharge charge_;
};

}  // namespace sw::smb
