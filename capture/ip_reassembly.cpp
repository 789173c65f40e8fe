#include "capture/ip_reassembly.h"

#include <algorithm>
#include <cstring>

namespace sw {

std::size_t FragmentKeyHash::operator()(const FragmentKey& k) const {
    std::uint64_t h = hash(k.src.hi(), k.src.lo());
    h = hash.combine(h, k.dst.hi(), k.dst.lo());
    return static_cast<std::size_t>(
        hash.combine(h, (std::uint64_t{k.id} << 16) | (std::uint64_t{k.proto} << 8) | k.version));
}

FragmentReassembler::Table::iterator FragmentReassembler::drop(Table::iterator it) {
    held_bytes_ -= it->second.data.size();
    by_age_.erase(it->second.age);
    return table_.erase(it);
}

// Appends the new bytes [begin, end) and records their range, keeping `have`
// sorted and disjoint (the caller passes only bytes not already held).
void FragmentReassembler::store(Datagram& d, std::uint32_t begin, std::uint32_t end, const std::uint8_t* bytes) {
    if (begin >= end) return;
    const auto at = static_cast<std::uint32_t>(d.data.size());
    d.data.insert(d.data.end(), bytes, bytes + (end - begin));
    held_bytes_ += end - begin;
    auto pos = std::lower_bound(d.have.begin(), d.have.end(), begin,
                                [](const Range& r, std::uint32_t b) { return r.begin < b; });
    d.have.insert(pos, Range{begin, end, at});
}

FragmentReassembler::Result FragmentReassembler::add(const FragmentKey& key, std::uint32_t offset,
                                                     bool more, Bytes data, Timestamp ts,
                                                     Bytes& out) {
    ++stats_.fragments;
    const std::uint64_t end64 = std::uint64_t{offset} + data.size();
    if (end64 > cfg_.max_datagram_bytes || (more && data.empty())) {
        ++stats_.dropped;
        return Result::dropped;
    }
    const auto end = static_cast<std::uint32_t>(end64);

    auto it = table_.find(key);
    if (it == table_.end()) {
        if (table_.size() >= cfg_.max_datagrams) {
            // Push out the oldest incomplete datagram to make room.
            drop(table_.find(by_age_.front()));
            ++stats_.evicted;
        }
        it = table_.emplace(key, Datagram{}).first;
        it->second.first_seen = ts;
        it->second.age = by_age_.insert(by_age_.end(), key);
    }
    Datagram& d = it->second;

    if (++d.nfrags > cfg_.max_fragments) {
        drop(it);
        ++stats_.dropped;
        return Result::dropped;
    }
    if (!more) {
        if (d.have_last && d.total != end) {  // two different "last" fragments
            drop(it);
            ++stats_.dropped;
            return Result::dropped;
        }
        d.have_last = true;
        d.total = end;
    }
    if (d.have_last && (end > d.total || (!d.have.empty() && d.have.back().end > d.total))) {
        drop(it);
        ++stats_.dropped;
        return Result::dropped;
    }

    // Keep only the parts not already present: first data wins. `have` is
    // sorted and disjoint, so the gaps between the ranges overlapping
    // [offset, end) are exactly the new bytes.
    std::uint32_t pos = offset;
    bool overlapped = false;
    Range pieces[2];  // at most two runs fit in the stack array; more go to `extra`
    std::size_t npieces = 0;
    std::vector<Range> extra;
    auto piece = [&](std::uint32_t b, std::uint32_t e) {
        if (npieces < 2) pieces[npieces++] = Range{b, e, 0};
        else extra.push_back(Range{b, e, 0});
    };
    for (const Range& r : d.have) {
        if (r.end <= pos || r.begin >= end) continue;
        overlapped = true;
        if (r.begin > pos) piece(pos, r.begin);
        pos = std::max(pos, r.end);
    }
    if (pos < end) piece(pos, end);
    for (std::size_t i = 0; i < npieces; ++i) store(d, pieces[i].begin, pieces[i].end, data.data() + (pieces[i].begin - offset));
    for (const Range& r : extra) store(d, r.begin, r.end, data.data() + (r.begin - offset));
    if (overlapped) ++stats_.overlaps;

    // Complete when the ranges tile [0, total).
    if (d.have_last) {
        std::uint32_t covered = 0;
        for (const Range& r : d.have) {
            if (r.begin != covered) break;
            covered = r.end;
        }
        if (covered == d.total) {
            done_.resize(d.total);
            for (const Range& r : d.have) std::memcpy(done_.data() + r.begin, d.data.data() + r.at, r.end - r.begin);
            drop(it);
            ++stats_.reassembled;
            out = Bytes(done_.data(), done_.size());
            return Result::complete;
        }
    }

    // Over the byte cap: give up the oldest incomplete datagrams (perhaps
    // this one) until the rest fits.
    while (held_bytes_ > cfg_.max_held_bytes && !by_age_.empty()) {
        auto victim = table_.find(by_age_.front());
        const bool self = victim == it;
        drop(victim);
        ++stats_.evicted;
        if (self) return Result::dropped;
    }
    return Result::held;
}

void FragmentReassembler::expire(Timestamp now) {
    // Oldest first; stop at the first datagram still in time.
    while (!by_age_.empty()) {
        auto it = table_.find(by_age_.front());
        if (now - it->second.first_seen <= cfg_.timeout) break;
        drop(it);
        ++stats_.timed_out;
    }
}

}  // namespace sw
