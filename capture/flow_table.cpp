#include "capture/flow_table.h"

#include <cstring>

namespace sw {

FlowKey make_flow_key(const DecodedPacket& p, bool& src_is_a) {
    FlowKey k;
    k.proto = p.proto;
    k.vlan = p.vlan;
    k.inner_vlan = p.inner_vlan;
    auto cmp = p.src <=> p.dst;
    src_is_a = cmp < 0 || (cmp == 0 && p.sport <= p.dport);
    if (src_is_a) {
        k.a = p.src, k.pa = p.sport, k.b = p.dst, k.pb = p.dport;
    } else {
        k.a = p.dst, k.pa = p.dport, k.b = p.src, k.pb = p.sport;
    }
    return k;
}

std::uint64_t flow_hash(const FlowKey& k, const KeyedHash& hash) {
    std::uint64_t h = hash(k.a.hi(), k.a.lo());
    h = hash.combine(h, k.b.hi(), k.b.lo());
    return hash.combine(h,
                        (std::uint64_t{k.pa} << 48) | (std::uint64_t{k.pb} << 32) |
                            (std::uint64_t{k.vlan} << 16) | k.inner_vlan,
                        k.proto);
}

FlowTable::FlowTable(std::size_t max_flows, MemoryBudget* budget)
    : max_flows_(max_flows ? max_flows : 1), exts_(budget) {
    slots_.resize(1024);
    charge_.bind(budget, MemoryArea::flows);
}

Flow* FlowTable::find(const FlowKey& key, std::uint64_t hash) {
    const std::uint32_t tag = static_cast<std::uint32_t>(hash >> 32);
    for (std::size_t i = slot_of(hash);; i = (i + 1) & (slots_.size() - 1)) {
        const Slot& s = slots_[i];
        if (s.flow == 0) return nullptr;
        if (s.tag == tag) {
            Flow* f = at(s.flow - 1);
            if (f->hash_lo == static_cast<std::uint32_t>(hash) && f->has_key(key)) return f;
        }
    }
}

Flow* FlowTable::insert(const FlowKey& key, std::uint64_t hash) {
    if ((size_ + 1) * 2 > slots_.size()) grow_index();
    std::uint32_t idx;
    if (!free_.empty()) {
        idx = free_.back();
        free_.pop_back();
    } else {
        idx = next_unused_++;
        if (idx / kSlab >= slabs_.size()) slabs_.push_back(std::make_unique<Flow[]>(kSlab));
    }
    Flow* f = at(idx);
    // The key is kept as the flow's identity, `a` as the originator until
    // the caller orients it (FlowEngine::create).
    f->id.orig_h = key.a;
    f->id.orig_p = key.pa;
    f->id.resp_h = key.b;
    f->id.resp_p = key.pb;
    f->id.ip_proto = key.proto;
    f->id.vlan = key.vlan;
    f->id.inner_vlan = key.inner_vlan;
    f->a_is_orig = true;
    f->hash_lo = static_cast<std::uint32_t>(hash);
    f->self = idx;
    f->linked = false;
    std::size_t i = slot_of(hash);
    while (slots_[i].flow != 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = Slot{static_cast<std::uint32_t>(hash >> 32), idx + 1};
    ++size_;
    charge_.add(kFlowCost);
    return f;
}

void FlowTable::grow_index() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{0, 0});
    for (const Slot& s : old) {
        if (s.flow == 0) continue;
        std::size_t i = slot_of(at(s.flow - 1)->hash_lo);
        while (slots_[i].flow != 0) i = (i + 1) & (slots_.size() - 1);
        slots_[i] = s;
    }
}

void FlowTable::remove(Flow* f) {
    unlink(f);
    // Find its slot, then backward-shift the cluster behind it.
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = slot_of(f->hash_lo);
    while (slots_[i].flow != f->self + 1) i = (i + 1) & mask;
    std::size_t j = i;
    for (;;) {
        slots_[i].flow = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (slots_[j].flow == 0) goto done;
            std::size_t home = slot_of(at(slots_[j].flow - 1)->hash_lo);
            // Move j back to i unless its home lies cyclically in (i, j].
            bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) break;
        }
        slots_[i] = slots_[j];
        i = j;
    }
done:
    // Reset what the flow owns so its slot is clean for the next user; side
    // records go back to their pool (which keeps their vectors' capacity).
    f->consumer.reset();
    f->consumer_made = false;
    for (TcpReassembler& r : f->reasm) r.drop_ext(&exts_);
    free_.push_back(f->self);
    --size_;
    charge_.add(-kFlowCost);
}

void FlowTable::unlink(Flow* f) {
    if (!f->linked) return;
    auto c = static_cast<std::size_t>(f->tclass);
    if (f->prev) at(f->prev - 1)->next = f->next;
    else list_head_[c] = f->next;
    if (f->next) at(f->next - 1)->prev = f->prev;
    else list_tail_[c] = f->prev;
    f->prev = f->next = 0;
    f->linked = false;
}

void FlowTable::schedule(Flow* f, TimeoutClass c, Timestamp deadline) {
    unlink(f);
    auto ci = static_cast<std::size_t>(c);
    f->tclass = c;
    f->deadline = deadline;
    f->prev = list_tail_[ci];
    f->next = 0;
    if (list_tail_[ci]) at(list_tail_[ci] - 1)->next = f->self + 1;
    else list_head_[ci] = f->self + 1;
    list_tail_[ci] = f->self + 1;
    f->linked = true;
}

Flow* FlowTable::head(TimeoutClass c) const {
    std::uint32_t h = list_head_[static_cast<std::size_t>(c)];
    return h ? at(h - 1) : nullptr;
}

Flow* FlowTable::oldest_idle() const {
    Flow* best = nullptr;
    for (std::size_t c = 0; c < kClasses; ++c) {
        Flow* f = head(static_cast<TimeoutClass>(c));
        if (f && (!best || f->last < best->last)) best = f;
    }
    return best;
}

}  // namespace sw
