// One direction of a TCP stream: turns segments (in any order, duplicated,
// overlapping) into ordered bytes for a StreamConsumer.
//
// - Offsets are 64-bit positions in the direction's byte stream (the caller
//   unwraps 32-bit sequence numbers), so wrap-around is not this class's concern.
// - In-order data is delivered straight from the packet: no copy.
// - Out-of-order data is copied into pooled blocks, up to a per-direction cap.
// - Overlaps: first data wins (Zeek's and Suricata's default policy).
// - Bytes the consumer asked to skip are never copied, not even when they
//   arrive out of order: only their range is remembered, so holes in them are
//   still detected and counted.
// - A hole becomes a gap notice once it is certain the bytes will never be
//   seen: the peer acknowledged past it *and* later bytes of the stream have
//   arrived (so the sender is past it too), or the buffer cap is hit, or the
//   flow ends. An acknowledged hole at the head of the stream is not declared
//   yet: on a SPAN port the ACK often overtakes the data it acknowledges.
// - At most kMaxHeld segment ranges are held per direction (an attacker's
//   1-byte segments would otherwise cost an entry each): at the cap the oldest
//   hole is given up, as at the byte cap (counted in forced_gaps). Adjacent
//   bare ranges are merged, so a skipped region arriving backwards costs one.
//   The ranges live in a vector with free room at its front: delivering from
//   the front and inserting in descending order are O(1), an insert in the
//   middle moves the nearer end's entries (at most kMaxHeld / 2).
// - Size: what every connection needs (the stream position, the pending skip,
//   the delivered and skipped counts) is inline, 48 bytes. The rest (held
//   ranges, the peer's acknowledgement, the counts of gaps, retransmissions,
//   overlaps) lives in a side record, ReassemblyExt, taken from a pool the
//   first time the direction buffers, skips out of order, sees a gap, a
//   retransmission or an ACK ahead of its data. A connection whose data
//   came in order has none (docs/performance.md, "Idle flow state").
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "capture/memory_budget.h"
#include "capture/segment_pool.h"
#include "capture/stream.h"

namespace sw {

struct ReassemblyStats {
    std::uint64_t delivered = 0;   // bytes handed to the consumer
    std::uint64_t skipped = 0;     // bytes passed over at the consumer's request
    std::uint64_t gap_bytes = 0;   // bytes never seen (Zeek's missed_bytes)
    std::uint64_t gaps = 0;        // gap notices
    std::uint64_t retransmitted = 0;  // bytes that arrived after they were delivered
    std::uint64_t overlap = 0;     // bytes of buffered segments already present
    std::uint64_t ooo_segments = 0;
    std::uint64_t forced_gaps = 0; // gaps declared because a cap (bytes or ranges held) was hit
    // Overlaps whose bytes differ from the buffered ones (the buffered, first
    // bytes win): Zeek's rexmit_inconsistency. Only data still buffered can be
    // compared; bytes already delivered were never copied (as Zeek with
    // tcp_max_old_segments = 0, its default).
    std::uint64_t inconsistent = 0;
};

// A reassembler's side record (see the top of this file).
struct ReassemblyExt {
    struct Seg {
        std::uint64_t off;
        std::uint32_t len;
        std::uint32_t block;  // SegmentPool::kNone: range only (inside a skip region)
        std::uint64_t end() const { return off + len; }
    };
    // segs[head ..] are held: sorted by offset, disjoint, all at or after the
    // stream position. segs[.. head) is free room (delivered entries, or room
    // made for inserts at the front).
    std::vector<Seg> segs;
    std::size_t head = 0;
    std::uint64_t buffered = 0;  // bytes held in blocks
    std::uint64_t acked = 0;     // highest acknowledgement seen from the peer
    ReassemblyStats stats;       // all but delivered and skipped (inline)

    // Back to empty; keeps the vector's capacity.
    void clear() {
        segs.clear();
        head = 0;
        buffered = acked = 0;
        stats = {};
    }
};

// Recycles side records (keeping their vectors' capacity), so that taking
// one does not allocate once the pool has warmed up. Those in use are
// charged to the flows' memory area: they are flow state kept outside the
// Flow. One per worker; never shared between threads.
class ReassemblyExtPool {
public:
    static constexpr std::int64_t kCost = sizeof(ReassemblyExt);
    explicit ReassemblyExtPool(MemoryBudget* budget = nullptr) { charge_.bind(budget, MemoryArea::flows); }

    std::unique_ptr<ReassemblyExt> take() {
        charge_.add(kCost);
        ++in_use_;
        if (free_.empty()) return std::make_unique<ReassemblyExt>();
        std::unique_ptr<ReassemblyExt> e = std::move(free_.back());
        free_.pop_back();
        return e;
    }
    void give(std::unique_ptr<ReassemblyExt> e) {
        e->clear();
        free_.push_back(std::move(e));
        charge_.add(-kCost);
        --in_use_;
    }
    std::size_t in_use() const { return in_use_; }

private:
    std::vector<std::unique_ptr<ReassemblyExt>> free_;
    std::size_t in_use_ = 0;
    MemoryCharge charge_;
};

// What a reassembler needs from its flow while working; cheap to build.
struct ReassemblyCtx {
    StreamConsumer* consumer;  // null: nobody wants the bytes (everything is skipped)
    Dir dir;
    SegmentPool& pool;
    std::uint64_t max_buffered;  // out-of-order bytes held for this direction
    // Where side records come from (null: plain allocation, freed with the
    // reassembler).
    ReassemblyExtPool* exts = nullptr;
};

class TcpReassembler {
public:
    TcpReassembler() = default;
    TcpReassembler(const TcpReassembler&) = delete;
    TcpReassembler& operator=(const TcpReassembler&) = delete;

    // Where the stream starts; must be called once before add().
    void start(std::uint64_t offset) {
        next_ = offset;
        started_ = true;
    }
    bool started() const { return started_; }

    // A segment carrying bytes [offset, offset + data.size()).
    void add(std::uint64_t offset, Bytes data, Timestamp ts, const ReassemblyCtx& ctx);
    // A segment the capture cut short: its `len` bytes at `offset` exist but
    // were not captured. Treated as a hole that is known to be final.
    void add_uncaptured(std::uint64_t offset, std::uint64_t len, Timestamp ts, const ReassemblyCtx& ctx);
    // The peer acknowledged everything before `offset`.
    void ack(std::uint64_t offset, Timestamp ts, const ReassemblyCtx& ctx);
    // End of flow: deliver everything buffered, declaring the holes.
    void flush(Timestamp ts, const ReassemblyCtx& ctx);
    // Returns buffered blocks to the pool without delivering.
    void release(SegmentPool& pool);
    // Back to the initial state (after release()); a side record stays,
    // emptied (its vector keeps its capacity).
    void reset() {
        if (ext_) ext_->clear();
        next_ = skip_ = delivered_ = skipped_ = 0;
        started_ = false;
    }
    // Gives the side record back (after release()): the flow is over.
    void drop_ext(ReassemblyExtPool* pool) {
        if (!ext_) return;
        if (pool) pool->give(std::move(ext_));
        ext_.reset();
    }
    bool has_ext() const { return ext_ != nullptr; }

    std::uint64_t next() const { return next_; }
    std::uint64_t buffered() const { return ext_ ? ext_->buffered : 0; }
    std::uint64_t pending_skip() const { return skip_; }
    // A skip handed over by the consumer (SkipHandoff): the next `n` bytes
    // after next() and any pending skip are not wanted.
    void add_skip(std::uint64_t n);
    ReassemblyStats stats() const {
        ReassemblyStats s = ext_ ? ext_->stats : ReassemblyStats{};
        s.delivered = delivered_;
        s.skipped = skipped_;
        return s;
    }
    // Two counts the engine reads per packet, without assembling stats().
    std::uint64_t gaps() const { return ext_ ? ext_->stats.gaps : 0; }
    std::uint64_t inconsistent() const { return ext_ ? ext_->stats.inconsistent : 0; }
    // Segment ranges held at most before an out-of-order segment is stored
    // (that segment may add a few: one per hole it fills, one per block).
    static constexpr std::size_t kMaxHeld = 4096;
    // Segment ranges held (buffered blocks and bare ranges in a skip region).
    std::size_t held() const { return ext_ ? ext_->segs.size() - ext_->head : 0; }

private:
    using Seg = ReassemblyExt::Seg;

    void deliver(Bytes data, Timestamp ts, const ReassemblyCtx& ctx);
    void gap(std::uint64_t len, Timestamp ts, const ReassemblyCtx& ctx);
    void drain(Timestamp ts, const ReassemblyCtx& ctx);
    // Declares the hole before the first buffered segment and drains.
    void skip_to_first(Timestamp ts, const ReassemblyCtx& ctx);
    // Declares holes that are acknowledged and followed by buffered data.
    void resolve_acked(Timestamp ts, const ReassemblyCtx& ctx);
    void store(std::uint64_t off, Bytes data, const ReassemblyCtx& ctx);
    // The insert helpers take and return absolute indices into segs_: where
    // to insert, and the index just after what was inserted.
    std::size_t insert_piece(std::size_t at, std::uint64_t off, Bytes data, const ReassemblyCtx& ctx);
    std::size_t insert_bare(std::size_t at, std::uint64_t off, std::uint32_t len);
    std::size_t insert_at(std::size_t at, const Seg& s);
    void pop_front(std::size_t n);
    bool empty() const { return !ext_ || ext_->head == ext_->segs.size(); }
    const Seg& front() const { return ext_->segs[ext_->head]; }
    std::uint64_t acked() const { return ext_ ? ext_->acked : 0; }
    // The side record, made (or taken from the pool) when first needed.
    ReassemblyExt& ext(const ReassemblyCtx& ctx) {
        if (!ext_) ext_ = ctx.exts ? ctx.exts->take() : std::make_unique<ReassemblyExt>();
        return *ext_;
    }

    // End of the region nobody wants: without a consumer, everything.
    std::uint64_t skip_end(const ReassemblyCtx& ctx) const {
        if (!ctx.consumer) return kSkipAll;
        return skip_ > kSkipAll - next_ ? kSkipAll : next_ + skip_;
    }

    std::unique_ptr<ReassemblyExt> ext_;
    std::uint64_t next_ = 0;
    std::uint64_t skip_ = 0;       // bytes after next_ the consumer does not want (the only copy)
    std::uint64_t delivered_ = 0;  // ReassemblyStats::delivered
    std::uint64_t skipped_ = 0;    // ReassemblyStats::skipped
    bool started_ = false;
};

}  // namespace sw
