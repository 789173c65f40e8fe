// The TCP reassembler against a reference model: a byte array of the stream
// where the first data seen for a position wins (the documented policy).
//
// Input: a mode byte (buffer cap small or large), then operations:
//   0 add     [offset u16][len u16 % 8192][fill: len bytes, or a pattern]
//   1 ack     [offset u16]
//   2 skip    the consumer asks to skip [n u16] bytes after its next chunk
//   3 handoff SkipHandoff-style add_skip([n u16])
//   4 uncaptured [offset u16][len u16]
// then a flush. Checks, for every callback the consumer gets:
//   - delivered bytes equal the model's first data at their positions;
//   - a gap never covers a position whose data had arrived before the gap
//     was declared (such data must be delivered, not thrown away);
//   - positions (delivered + gaps + skipped) advance exactly to next();
//   - after the flush every position that arrived before the stream passed
//     it was delivered or skipped by request, and nothing stays buffered.
#include <vector>

#include "capture/tcp_reassembler.h"
#include "fuzz_common.h"

namespace {

constexpr std::size_t kSpan = 65536 + 8192 + 16;

struct Model {
    // First data per position: -1 not seen, -2 announced as uncaptured.
    std::vector<std::int16_t> first = std::vector<std::int16_t>(kSpan, -1);
    // The data first arrived after the stream had passed the position.
    std::vector<std::uint8_t> late = std::vector<std::uint8_t>(kSpan, 0);
    void add(std::uint64_t off, std::span<const std::uint8_t> d, std::uint64_t passed) {
        for (std::size_t i = 0; i < d.size(); ++i)
            if (first[off + i] < 0) {
                first[off + i] = d[i];
                late[off + i] = off + i < passed;
            }
    }
    void uncaptured(std::uint64_t off, std::uint64_t n) {
        for (std::uint64_t i = 0; i < n; ++i)
            if (first[off + i] == -1) first[off + i] = -2;
    }
};

struct Sink : sw::StreamConsumer {
    Model* m = nullptr;
    const sw::TcpReassembler* r = nullptr;  // its next() locates each callback
    std::uint64_t pos = 0;      // first position not yet accounted for
    std::uint64_t pending = 0;  // skip requested since pos (on_data return + hand-offs)
    std::uint64_t intact = 0;   // framing-intact gap bytes reported since pos
    std::uint64_t next_skip = 0;
    std::uint64_t delivered = 0, gap_bytes = 0;
    std::vector<std::uint8_t> got = std::vector<std::uint8_t>(kSpan, 0);  // 1 delivered, 2 gap, 3 skipped

    void mark(std::uint64_t from, std::uint64_t n, std::uint8_t how) {
        for (std::uint64_t i = 0; i < n && from + i < kSpan; ++i) got[from + i] = how;
    }
    // Everything between pos and `at` was skipped on request (bytes or
    // framing-intact gaps): exactly the skip asked for, which is now used up.
    void skipped_to(std::uint64_t at) {
        SW_FUZZ_CHECK(at >= pos, "stream went backwards");
        SW_FUZZ_CHECK(at - pos == pending, "bytes passed over differ from the skip asked for");
        mark(pos, at - pos, 3);
        pos = at;
        pending = intact = 0;
    }
    std::uint64_t on_data(sw::Dir, sw::Bytes b, sw::Timestamp) override {
        // deliver() calls on_data before moving next(): it is the chunk's start.
        skipped_to(r->next());
        for (std::size_t i = 0; i < b.size(); ++i) {
            SW_FUZZ_CHECK(pos + i < kSpan, "delivered past every byte sent");
            SW_FUZZ_CHECK(m->first[pos + i] == b[i], "delivered byte differs from the first data at its position");
        }
        mark(pos, b.size(), 1);
        pos += b.size();
        delivered += b.size();
        pending = next_skip;
        next_skip = 0;
        return pending;
    }
    void on_gap(sw::Dir, std::uint64_t len, bool is_intact, sw::Timestamp) override {
        gap_bytes += len;
        if (is_intact) {
            intact += len;
            SW_FUZZ_CHECK(intact <= pending, "framing-intact gaps larger than the skip asked for");
            return;
        }
        // gap() moves next() past the whole gap before calling back.
        SW_FUZZ_CHECK(r->next() >= len, "gap before the stream start");
        const std::uint64_t at = r->next() - len;
        skipped_to(at);
        for (std::uint64_t i = 0; i < len && at + i < kSpan; ++i)
            SW_FUZZ_CHECK(m->first[at + i] < 0, "gap over bytes that had arrived");
        mark(at, len, 2);
        pos = at + len;
    }
    void on_flow_end(sw::Timestamp) override {}
};

}  // namespace

SW_FUZZ_ENTRY(fuzz_reassembler)(const std::uint8_t* data, std::size_t size) {
    sw::fuzz::Input in(data, size);
    const std::uint8_t mode = in.u8();
    Model m;
    Sink sink;
    sink.m = &m;
    sw::SegmentPool pool(64ull << 20);
    const std::uint64_t cap = (mode & 1) ? 4096 : (1ull << 24);
    sw::ReassemblyCtx ctx{&sink, sw::Dir::orig, pool, cap};
    sw::TcpReassembler r;
    r.start(0);
    sink.r = &r;
    sw::Timestamp ts = 0;
    std::vector<std::uint8_t> fill;
    while (!in.empty()) {
        ++ts;
        switch (in.u8() % 5) {
            case 0: {
                const std::uint64_t off = in.u16();
                const std::size_t len = in.u16() % 8192;
                auto b = in.bytes(len);
                fill.assign(b.begin(), b.end());
                // Short input: extend with a pattern derived from the offset.
                for (std::size_t i = fill.size(); i < len; ++i)
                    fill.push_back(static_cast<std::uint8_t>((off + i) * 31 + 7));
                // Retransmissions of passed positions enter the model only
                // where it had nothing ("late": never deliverable).
                m.add(off, fill, r.next());
                r.add(off, sw::Bytes(fill), ts, ctx);
                break;
            }
            case 1: r.ack(in.u16(), ts, ctx); break;
            case 2: sink.next_skip = in.u16(); break;
            case 3: {
                const std::uint64_t n = in.u16();
                r.add_skip(n);
                sink.pending += n;
                break;
            }
            case 4: {
                const std::uint64_t off = in.u16(), len = in.u16() % 8192;
                // The bytes exist but were not captured: a gap may cover them.
                m.uncaptured(off, len);
                r.add_uncaptured(off, len, ts, ctx);
                break;
            }
        }
    }
    r.flush(ts, ctx);
    SW_FUZZ_CHECK(r.buffered() == 0, "bytes still buffered after flush");
    SW_FUZZ_CHECK(pool.bytes_in_use() == 0, "pool blocks leaked after flush");
    SW_FUZZ_CHECK(sink.delivered == r.stats().delivered, "delivered count differs from the bytes handed over");
    SW_FUZZ_CHECK(sink.gap_bytes == r.stats().gap_bytes, "gap count differs from the gaps reported");
    // Positions: what the consumer saw plus the skip still pending covers next().
    SW_FUZZ_CHECK(sink.pos <= r.next() && r.next() - sink.pos <= sink.pending,
                  "consumer position and reassembler position disagree");
    // Completeness: data that arrived before the stream passed its position
    // was delivered or skipped on request, never lost, and nothing is left.
    sink.mark(sink.pos, r.next() - sink.pos, 3);
    for (std::size_t p = 0; p < kSpan; ++p) {
        if (m.first[p] < 0 || m.late[p]) continue;
        SW_FUZZ_CHECK(p < r.next(), "arrived data beyond the stream end after flush");
        SW_FUZZ_CHECK(sink.got[p] == 1 || sink.got[p] == 3, "arrived data neither delivered nor skipped");
    }
    return 0;
}
