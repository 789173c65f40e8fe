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

bool FragmentReassembler::complete(const Datagram& d) const {
    return d.have_last && d.have.size() == 1 && d.have[0].begin == 0 && d.have[0].end == d.total;
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
            auto oldest = std::min_element(table_.begin(), table_.end(), [](auto& a, auto& b) {
                return a.second.first_seen < b.second.first_seen;
            });
            table_.erase(oldest);
            ++stats_.evicted;
        }
        it = table_.emplace(key, Datagram{}).first;
        it->second.first_seen = ts;
    }
    Datagram& d = it->second;

    if (++d.nfrags > cfg_.max_fragments) {
        table_.erase(it);
        ++stats_.dropped;
        return Result::dropped;
    }
    if (!more) {
        if (d.have_last && d.total != end) {  // two different "last" fragments
            table_.erase(it);
            ++stats_.dropped;
            return Result::dropped;
        }
        d.have_last = true;
        d.total = end;
    }
    if (d.have_last && end > d.total) {
        table_.erase(it);
        ++stats_.dropped;
        return Result::dropped;
    }
    if (d.buf.size() < end) d.buf.resize(end);

    // Copy only the parts not already present: first data wins.
    std::uint32_t pos = offset;
    bool overlapped = false;
    std::vector<Range> merged;
    merged.reserve(d.have.size() + 1);
    for (const Range& r : d.have) {
        if (r.end <= pos || r.begin >= end) continue;
        overlapped = true;
        if (r.begin > pos) std::memcpy(d.buf.data() + pos, data.data() + (pos - offset), r.begin - pos);
        pos = std::max(pos, r.end);
    }
    if (pos < end) std::memcpy(d.buf.data() + pos, data.data() + (pos - offset), end - pos);
    if (overlapped) ++stats_.overlaps;

    // Insert [offset, end) and coalesce.
    Range nr{offset, end};
    bool placed = false;
    for (const Range& r : d.have) {
        if (r.end < nr.begin) {
            merged.push_back(r);
        } else if (r.begin > nr.end) {
            if (!placed) {
                merged.push_back(nr);
                placed = true;
            }
            merged.push_back(r);
        } else {
            nr.begin = std::min(nr.begin, r.begin);
            nr.end = std::max(nr.end, r.end);
        }
    }
    if (!placed) merged.push_back(nr);
    d.have.swap(merged);

    if (!complete(d)) return Result::held;
    done_.swap(d.buf);
    done_.resize(d.total);
    table_.erase(it);
    ++stats_.reassembled;
    out = Bytes(done_.data(), done_.size());
    return Result::complete;
}

void FragmentReassembler::expire(Timestamp now) {
    for (auto it = table_.begin(); it != table_.end();) {
        if (now - it->second.first_seen > cfg_.timeout) {
            it = table_.erase(it);
            ++stats_.timed_out;
        } else {
            ++it;
        }
    }
}

}  // namespace sw
