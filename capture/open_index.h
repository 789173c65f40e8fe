// The index half of an open-addressing hash table whose entries live
// elsewhere, in slots that never move (slabs, a deque): it maps a 64-bit
// keyed hash to a slot number. Linear probing over (hash bits, slot) pairs,
// load at most 1/2, backward-shift deletion (no tombstones). A probe compares
// 32 hash bits before it looks at a slot, so a lookup usually touches one
// cache line of the index and the one slot it finds.
//
// The caller hashes (with KeyedHash: the keys come from the wire) and says
// whether a slot holds the key; the index never sees keys. Used by the
// analytics host table and the SMB session, tree and file tables; the flow
// table has its own copy of the same scheme (capture/flow_table.cpp).
#pragma once

#include <cstdint>
#include <vector>

namespace sw {

class OpenIndex {
public:
    static constexpr std::uint32_t kNone = ~std::uint32_t{0};

    // The slot holding the key (`is(slot)` says whether one does), or kNone.
    template <typename Is>
    std::uint32_t find(std::uint64_t hash, Is&& is) const {
        if (v_.empty()) return kNone;
        const std::uint32_t h = static_cast<std::uint32_t>(hash);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Entry& e = v_[i];
            if (e.slot == 0) return kNone;
            if (e.hash == h && is(e.slot - 1)) return e.slot - 1;
        }
    }
    // Adds `slot` under `hash` (the caller has checked the key is absent).
    void insert(std::uint64_t hash, std::uint32_t slot) {
        if ((n_ + 1) * 2 > v_.size()) grow();
        const std::uint32_t h = static_cast<std::uint32_t>(hash);
        std::size_t i = h & mask_;
        while (v_[i].slot != 0) i = (i + 1) & mask_;
        v_[i] = Entry{h, slot + 1};
        ++n_;
    }
    // Removes `slot`, which is in the index under `hash`.
    void erase(std::uint64_t hash, std::uint32_t slot) {
        std::size_t i = static_cast<std::uint32_t>(hash) & mask_;
        while (v_[i].slot != slot + 1) i = (i + 1) & mask_;
        for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
            if (v_[j].slot == 0) break;
            const std::size_t home = v_[j].hash & mask_;
            // Move j back into the hole unless its home lies cyclically in (i, j].
            if (((j - home) & mask_) >= ((j - i) & mask_)) {
                v_[i] = v_[j];
                i = j;
            }
        }
        v_[i] = Entry{};
        --n_;
    }
    void clear() {
        for (Entry& e : v_) e = Entry{};
        n_ = 0;
    }
    std::size_t size() const { return n_; }
    std::size_t buckets() const { return v_.size(); }  // 8 bytes each

private:
    struct Entry {
        std::uint32_t hash = 0;  // low 32 bits of the hash: home bucket and filter
        std::uint32_t slot = 0;  // slot + 1; 0 = empty
    };
    void grow() {
        std::vector<Entry> old;
        old.swap(v_);
        v_.assign(old.empty() ? 16 : old.size() * 2, Entry{});
        mask_ = v_.size() - 1;
        for (const Entry& e : old) {
            if (e.slot == 0) continue;
            std::size_t i = e.hash & mask_;
            while (v_[i].slot != 0) i = (i + 1) & mask_;
            v_[i] = e;
        }
    }

    std::vector<Entry> v_;  // size a power of two
    std::size_t mask_ = 0;
    std::size_t n_ = 0;
};

}  // namespace sw
