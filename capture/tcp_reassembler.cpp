#include "capture/tcp_reassembler.h"

#include <algorithm>
#include <cstring>

namespace sw {
namespace {
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
    return b > kSkipAll - a ? kSkipAll : a + b;
}
}  // namespace

void TcpReassembler::deliver(Bytes data, Timestamp ts, const ReassemblyCtx& ctx) {
    while (!data.empty()) {
        if (skip_ > 0) {
            std::uint64_t n = std::min<std::uint64_t>(skip_, data.size());
            skip_ -= n;
            next_ += n;
            skipped_ += n;
            data = data.subspan(static_cast<std::size_t>(n));
            continue;
        }
        std::uint64_t want_skip = ctx.consumer ? ctx.consumer->on_data(ctx.dir, data, ts) : kSkipAll;
        next_ += data.size();
        delivered_ += data.size();
        skip_ = saturating_add(skip_, want_skip);
        break;
    }
}

void TcpReassembler::add_skip(std::uint64_t n) { skip_ = saturating_add(skip_, n); }

void TcpReassembler::gap(std::uint64_t len, Timestamp ts, const ReassemblyCtx& ctx) {
    if (len == 0) return;
    ReassemblyStats& st = ext(ctx).stats;
    st.gap_bytes += len;
    ++st.gaps;
    std::uint64_t in_skip = std::min(len, skip_);
    skip_ -= in_skip;
    next_ += len;
    if (!ctx.consumer) return;
    if (in_skip) ctx.consumer->on_gap(ctx.dir, in_skip, true, ts);
    if (len > in_skip) ctx.consumer->on_gap(ctx.dir, len - in_skip, false, ts);
}

void TcpReassembler::pop_front(std::size_t n) {
    ReassemblyExt& x = *ext_;
    x.head += n;
    if (x.head == x.segs.size()) {
        x.segs.clear();
        x.head = 0;
    } else if (x.head > 2 * held() + 64) {
        // Free room far larger than what is held: move the held entries down
        // (O(held), paid for by the pops since the last time).
        x.segs.erase(x.segs.begin(), x.segs.begin() + static_cast<std::ptrdiff_t>(x.head));
        x.head = 0;
    }
}

std::size_t TcpReassembler::insert_at(std::size_t at, const Seg& s) {
    std::vector<Seg>& segs = ext_->segs;
    std::size_t& head = ext_->head;
    if (at - head < segs.size() - at) {
        // Nearer the front: move the entries before `at` one step down.
        if (head == 0) {
            // No room: make as much as is held (O(held), once per doubling).
            const std::size_t room = std::max<std::size_t>(held(), 8);
            segs.insert(segs.begin(), room, Seg{});
            head = room;
            at += room;
        }
        std::move(segs.begin() + static_cast<std::ptrdiff_t>(head), segs.begin() + static_cast<std::ptrdiff_t>(at),
                  segs.begin() + static_cast<std::ptrdiff_t>(head - 1));
        --head;
        segs[at - 1] = s;
        return at;
    }
    segs.insert(segs.begin() + static_cast<std::ptrdiff_t>(at), s);
    return at + 1;
}

std::size_t TcpReassembler::insert_bare(std::size_t at, std::uint64_t off, std::uint32_t len) {
    constexpr std::uint64_t kMaxBare = 0xffff0000u;
    std::vector<Seg>& segs = ext_->segs;
    if (at > ext_->head) {  // extends the range before it?
        Seg& p = segs[at - 1];
        if (p.block == SegmentPool::kNone && p.end() == off && std::uint64_t{p.len} + len <= kMaxBare) {
            p.len += len;
            return at;
        }
    }
    if (at < segs.size()) {  // or the one after it (a region arriving backwards)?
        Seg& n = segs[at];
        if (n.block == SegmentPool::kNone && off + len == n.off && std::uint64_t{n.len} + len <= kMaxBare) {
            n.off = off;
            n.len += len;
            return at;  // still the next entry to look at: its old part is an overlap
        }
    }
    return insert_at(at, Seg{off, len, SegmentPool::kNone});
}

void TcpReassembler::drain(Timestamp ts, const ReassemblyCtx& ctx) {
    if (!ext_) return;
    // ext_ stays: only drop_ext() removes it, and only between flows.
    std::size_t i = ext_->head;
    for (; i < ext_->segs.size() && ext_->segs[i].off <= next_; ++i) {
        Seg s = ext_->segs[i];
        if (s.end() > next_) {
            std::uint64_t trim = next_ - s.off;
            std::uint64_t n = s.len - trim;
            if (s.block == SegmentPool::kNone) {
                // A range recorded inside a skip region: it is still inside it,
                // because the skip end never moves backwards. Without a
                // consumer everything is that region.
                std::uint64_t k = ctx.consumer ? std::min(n, skip_) : n;
                skip_ -= std::min(k, skip_);
                skipped_ += k;
                next_ += k;
                if (k < n) {  // cannot happen; stay consistent if it ever does
                    gap(n - k, ts, ctx);
                }
            } else {
                deliver(Bytes(ctx.pool.data(s.block) + trim, static_cast<std::size_t>(n)), ts, ctx);
            }
        }
        if (s.block != SegmentPool::kNone) {
            ctx.pool.release(s.block);
            ext_->buffered -= s.len;
        }
    }
    pop_front(i - ext_->head);
}

void TcpReassembler::skip_to_first(Timestamp ts, const ReassemblyCtx& ctx) {
    if (empty()) return;
    if (front().off > next_) {
        gap(front().off - next_, ts, ctx);
        ++ext_->stats.forced_gaps;
    }
    drain(ts, ctx);
}

std::size_t TcpReassembler::insert_piece(std::size_t at, std::uint64_t off, Bytes data, const ReassemblyCtx& ctx) {
    // Split into pool-block-sized pieces (a TSO/GRO segment can be 64 KiB).
    while (!data.empty()) {
        std::uint32_t n = static_cast<std::uint32_t>(
            std::min<std::size_t>(data.size(), SegmentPool::kBlockSize));
        std::uint32_t block = ctx.pool.alloc();
        if (block == SegmentPool::kNone) return at;  // pool exhausted: the bytes become a hole
        std::memcpy(ctx.pool.data(block), data.data(), n);
        ext_->buffered += n;
        at = insert_at(at, Seg{off, n, block});
        off += n;
        data = data.subspan(n);
    }
    return at;
}

void TcpReassembler::store(std::uint64_t off, Bytes data, const ReassemblyCtx& ctx) {
    ReassemblyExt& x = ext(ctx);
    const std::vector<Seg>& segs = x.segs;
    ++x.stats.ooo_segments;
    // Find the first buffered segment that ends after `off`.
    auto it = std::lower_bound(segs.begin() + static_cast<std::ptrdiff_t>(x.head), segs.end(), off,
                               [](const Seg& s, std::uint64_t o) { return s.end() <= o; });
    std::size_t at = static_cast<std::size_t>(it - segs.begin());
    std::uint64_t end = off + data.size();
    std::uint64_t pos = off;
    const std::uint64_t skip_to = skip_end(ctx);
    // Walk the existing segments overlapping [off, end); fill only the holes.
    while (pos < end) {
        std::uint64_t hole_end = end;
        if (at < segs.size() && segs[at].off <= pos) {
            // Already have bytes at pos: first data wins.
            const Seg& have = segs[at];
            std::uint64_t covered = std::min(end, have.end()) - pos;
            x.stats.overlap += covered;
            if (have.block != SegmentPool::kNone &&
                std::memcmp(ctx.pool.data(have.block) + (pos - have.off), data.data() + (pos - off),
                            static_cast<std::size_t>(covered)) != 0)
                ++x.stats.inconsistent;
            pos += covered;
            ++at;
            continue;
        }
        if (at < segs.size()) hole_end = std::min(end, segs[at].off);
        // Fill [pos, hole_end): the part inside the skip region as a bare range.
        std::uint64_t split = std::clamp(skip_to, pos, hole_end);
        // Bare ranges: one entry per 4 GiB is plenty.
        for (std::uint64_t p = pos; p < split;) {
            std::uint32_t n = static_cast<std::uint32_t>(std::min<std::uint64_t>(split - p, 0xffff0000u));
            at = insert_bare(at, p, n);
            p += n;
        }
        if (hole_end > split) {
            Bytes piece = data.subspan(static_cast<std::size_t>(split - off),
                                       static_cast<std::size_t>(hole_end - split));
            at = insert_piece(at, split, piece, ctx);
        }
        pos = hole_end;
    }
}

void TcpReassembler::add(std::uint64_t offset, Bytes data, Timestamp ts, const ReassemblyCtx& ctx) {
    if (data.empty()) return;
    std::uint64_t end = offset + data.size();
    if (end <= next_) {
        ext(ctx).stats.retransmitted += data.size();
        return;
    }
    if (offset < next_) {
        std::uint64_t trim = next_ - offset;
        ext(ctx).stats.retransmitted += trim;
        data = data.subspan(static_cast<std::size_t>(trim));
        offset = next_;
    }
    if (offset == next_) {
        // In order: deliver straight from the packet up to the first buffered
        // segment. Bytes already buffered win over this later copy of them
        // (first data wins), so the rest of this segment only fills holes.
        std::uint64_t limit = empty() ? end : std::min(end, front().off);
        std::size_t now = static_cast<std::size_t>(limit - offset);
        deliver(data.first(now), ts, ctx);
        if (now < data.size()) {
            std::uint64_t rest_off = offset + now;
            Bytes rest = data.subspan(now);
            if (rest_off < next_) {  // the consumer's skip or a gap moved us on
                std::uint64_t t = std::min<std::uint64_t>(next_ - rest_off, rest.size());
                rest = rest.subspan(static_cast<std::size_t>(t));
                rest_off += t;
            }
            if (!rest.empty()) store(rest_off, rest, ctx);
        }
        drain(ts, ctx);
        return;
    }
    // Out of order.
    if (held() >= kMaxHeld) {
        // Too many ranges held: give up on the oldest hole(s), as at the byte
        // cap. That may move next() up to or past this segment.
        while (held() >= kMaxHeld) skip_to_first(ts, ctx);
        if (offset <= next_) {
            add(offset, data, ts, ctx);  // now in order or old: never back here
            return;
        }
    }
    if (offset >= skip_end(ctx)) {
        // Make room within the cap: give up on the oldest hole(s) first, but
        // only holes before this segment (it fills part of the next one).
        while (buffered() + data.size() > ctx.max_buffered && !empty() && front().off < offset)
            skip_to_first(ts, ctx);
        if (offset <= next_) {  // draining reached this segment: it is in order now
            add(offset, data, ts, ctx);
            return;
        }
        if (buffered() + data.size() > ctx.max_buffered) {
            // Still over the cap: give up the hole before it and take it in
            // order (bytes buffered beyond it were first and still win).
            gap(offset - next_, ts, ctx);
            ++ext_->stats.forced_gaps;
            add(offset, data, ts, ctx);
            return;
        }
    }
    store(offset, data, ctx);
    if (acked() > next_) resolve_acked(ts, ctx);
}

void TcpReassembler::add_uncaptured(std::uint64_t offset, std::uint64_t len, Timestamp ts,
                                    const ReassemblyCtx& ctx) {
    if (len == 0 || offset + len <= next_) return;
    if (offset > next_) return;  // out of order and uncaptured: the ack will settle it
    // Only the holes of the range are missing: bytes of it that arrived
    // earlier out of order are buffered and still delivered (first data wins).
    const std::uint64_t end = offset + len;
    while (next_ < end) {
        std::uint64_t hole_end = end;
        if (!empty() && front().off < end) hole_end = std::max(front().off, next_);
        if (hole_end == next_ && (empty() || front().off > next_)) break;
        gap(hole_end - next_, ts, ctx);
        drain(ts, ctx);
    }
}

void TcpReassembler::resolve_acked(Timestamp ts, const ReassemblyCtx& ctx) {
    while (!empty() && next_ < acked()) {
        if (front().off > next_) gap(std::min(front().off, acked()) - next_, ts, ctx);
        drain(ts, ctx);
    }
}

void TcpReassembler::ack(std::uint64_t offset, Timestamp ts, const ReassemblyCtx& ctx) {
    if (offset <= acked()) return;
    ext(ctx).acked = offset;
    resolve_acked(ts, ctx);
}

void TcpReassembler::flush(Timestamp ts, const ReassemblyCtx& ctx) {
    while (!empty()) skip_to_first(ts, ctx);
}

void TcpReassembler::release(SegmentPool& pool) {
    if (!ext_) return;
    ReassemblyExt& x = *ext_;
    for (std::size_t i = x.head; i < x.segs.size(); ++i)
        if (x.segs[i].block != SegmentPool::kNone) pool.release(x.segs[i].block);
    x.segs.clear();
    x.head = 0;
    x.buffered = 0;
}

}  // namespace sw
