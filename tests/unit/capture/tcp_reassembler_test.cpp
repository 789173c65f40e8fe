// TCP reassembly, libtins style: the same stream delivered in order,
// reordered, reversed, overlapping, duplicated, with holes, and starting just
// below the 2^32 sequence wrap (through the whole engine for the wrap).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>

#include "capture/tcp_reassembler.h"

namespace sw {
namespace {

// Records what it is given; can ask to skip.
struct Sink : StreamConsumer {
    std::string data;
    std::vector<std::pair<std::uint64_t, bool>> gaps;
    std::uint64_t skip_after = 0;   // when data.size() reaches this, ask to skip
    std::uint64_t skip_len = 0;
    bool skip_requested = false;

    std::uint64_t on_data(Dir, Bytes b, Timestamp) override {
        data.append(reinterpret_cast<const char*>(b.data()), b.size());
        if (!skip_requested && skip_len && data.size() >= skip_after) {
            skip_requested = true;
            // Skip skip_len bytes counted from skip_after; some of them may
            // already be in this chunk (the consumer ignores those itself).
            std::uint64_t extra = data.size() - skip_after;
            data.resize(skip_after);
            return skip_len > extra ? skip_len - extra : 0;
        }
        return 0;
    }
    void on_gap(Dir, std::uint64_t len, bool intact, Timestamp) override {
        gaps.emplace_back(len, intact);
        data.append(len, '?');  // make holes visible in the stream
    }
    void on_flow_end(Timestamp) override {}
};

std::string payload(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
    return s;
}

struct Seg {
    std::uint64_t off;
    std::string bytes;
};

std::vector<Seg> split(const std::string& s, std::size_t seg) {
    std::vector<Seg> out;
    for (std::size_t i = 0; i < s.size(); i += seg) out.push_back({i, s.substr(i, seg)});
    return out;
}

Bytes B(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

struct Harness {
    SegmentPool pool{64 << 20};
    Sink sink;
    TcpReassembler r;
    std::uint64_t cap = 1 << 20;
    Harness() { r.start(0); }
    ReassemblyCtx ctx() { return {&sink, Dir::orig, pool, cap}; }
    void add(const Seg& s) { r.add(s.off, B(s.bytes), 0, ctx()); }
    void flush() { r.flush(0, ctx()); }
};

const std::string kStream = payload(10000);

TEST(Reassembly, InOrder) {
    Harness h;
    for (const auto& s : split(kStream, 1460)) h.add(s);
    EXPECT_EQ(h.sink.data, kStream);
    EXPECT_EQ(h.r.stats().ooo_segments, 0u);
    EXPECT_EQ(h.pool.bytes_in_use(), 0u);  // nothing copied
}

TEST(Reassembly, Reversed) {
    Harness h;
    auto segs = split(kStream, 1000);
    std::reverse(segs.begin(), segs.end());
    for (const auto& s : segs) h.add(s);
    EXPECT_EQ(h.sink.data, kStream);
    EXPECT_EQ(h.r.buffered(), 0u);
    EXPECT_EQ(h.pool.bytes_in_use(), 0u);
}

TEST(Reassembly, Shuffled) {
    for (unsigned seed = 0; seed < 20; ++seed) {
        Harness h;
        auto segs = split(kStream, 333);
        std::mt19937 rng(seed);
        std::shuffle(segs.begin(), segs.end(), rng);
        for (const auto& s : segs) h.add(s);
        EXPECT_EQ(h.sink.data, kStream) << "seed " << seed;
    }
}

TEST(Reassembly, DuplicatesAndRetransmissions) {
    Harness h;
    auto segs = split(kStream, 500);
    for (const auto& s : segs) {
        h.add(s);
        h.add(s);  // every segment twice, like zeek's ssh-dups.pcap
    }
    EXPECT_EQ(h.sink.data, kStream);
    EXPECT_EQ(h.r.stats().retransmitted, kStream.size());
}

TEST(Reassembly, OverlapsFirstDataWins) {
    Harness h;
    // Out of order: bytes 100..200 arrive first with 'X', then the whole
    // range 0..300 with different bytes at 100..200. The buffered (first) copy wins.
    std::string first(100, 'X');
    h.add({100, first});
    std::string second = kStream.substr(0, 300);
    h.add({0, second});
    std::string expect = kStream.substr(0, 100) + first + kStream.substr(200, 100);
    EXPECT_EQ(h.sink.data, expect);
    // And a later overlapping copy of delivered bytes changes nothing.
    h.add({50, std::string(300, 'Y')});
    EXPECT_EQ(h.sink.data.substr(0, 300), expect);
    EXPECT_EQ(h.sink.data.substr(300), std::string(50, 'Y'));  // only the new tail
    // The conflicting copy of buffered bytes was counted (Zeek's
    // rexmit_inconsistency); delivered bytes are not kept, so the 'Y' copy of
    // them cannot be compared (Zeek's default tcp_max_old_segments = 0).
    EXPECT_EQ(h.r.stats().inconsistent, 1u);
    EXPECT_EQ(h.r.stats().overlap, 100u);
}

TEST(Reassembly, IdenticalOverlapIsNotInconsistent) {
    Harness h;
    h.add({100, kStream.substr(100, 100)});
    h.add({150, kStream.substr(150, 100)});  // overlaps the buffered bytes, same content
    h.add({0, kStream.substr(0, 300)});
    EXPECT_EQ(h.sink.data, kStream.substr(0, 300));
    EXPECT_EQ(h.r.stats().overlap, 50u + 150u);
    EXPECT_EQ(h.r.stats().inconsistent, 0u);
    // One differing byte in an otherwise equal overlap is enough.
    h.add({400, kStream.substr(400, 100)});
    std::string one = kStream.substr(350, 100);
    one[60] = one[60] == '#' ? '$' : '#';  // byte 410, inside the buffered 400..500
    h.add({350, one});
    EXPECT_EQ(h.r.stats().inconsistent, 1u);
}

TEST(Reassembly, OverlappingOutOfOrderPieces) {
    Harness h;
    // Several overlapping out-of-order pieces, then the head.
    h.add({300, kStream.substr(300, 200)});
    h.add({250, kStream.substr(250, 300)});  // overlaps both sides
    h.add({100, kStream.substr(100, 160)});
    h.add({0, kStream.substr(0, 120)});
    EXPECT_EQ(h.sink.data, kStream.substr(0, 550));
    EXPECT_GT(h.r.stats().overlap, 0u);
}

TEST(Reassembly, HoleDeclaredOnlyAtFlushWithoutAck) {
    Harness h;
    h.add({0, kStream.substr(0, 1000)});
    h.add({2000, kStream.substr(2000, 1000)});  // 1000..2000 missing
    EXPECT_EQ(h.sink.data.size(), 1000u);      // waits for the hole
    h.flush();
    ASSERT_EQ(h.sink.gaps.size(), 1u);
    EXPECT_EQ(h.sink.gaps[0].first, 1000u);
    EXPECT_FALSE(h.sink.gaps[0].second);
    EXPECT_EQ(h.sink.data, kStream.substr(0, 1000) + std::string(1000, '?') + kStream.substr(2000, 1000));
    EXPECT_EQ(h.r.stats().gap_bytes, 1000u);
}

TEST(Reassembly, AckedHoleFollowedByDataIsAGap) {
    Harness h;
    h.add({0, kStream.substr(0, 1000)});
    h.add({2000, kStream.substr(2000, 1000)});
    // The receiver acknowledged up to 2500: it had 1000..2000, we never will.
    h.r.ack(2500, 0, h.ctx());
    ASSERT_EQ(h.sink.gaps.size(), 1u);
    EXPECT_EQ(h.sink.gaps[0].first, 1000u);
    EXPECT_EQ(h.sink.data.size(), 3000u);
}

TEST(Reassembly, AckOvertakingDataIsNotAGap) {
    // On a SPAN port the ACK can be captured before the data it acknowledges.
    Harness h;
    h.r.ack(1460, 0, h.ctx());
    EXPECT_TRUE(h.sink.gaps.empty());
    h.add({0, kStream.substr(0, 1460)});
    EXPECT_EQ(h.sink.data, kStream.substr(0, 1460));
    EXPECT_EQ(h.r.stats().gap_bytes, 0u);
}

TEST(Reassembly, AckedHoleResolvedWhenLaterDataArrives) {
    Harness h;
    h.add({0, kStream.substr(0, 1000)});
    h.r.ack(2000, 0, h.ctx());  // acked past what we have: maybe still coming
    EXPECT_TRUE(h.sink.gaps.empty());
    h.add({2000, kStream.substr(2000, 500)});  // sender moved on: 1000..2000 is lost
    ASSERT_EQ(h.sink.gaps.size(), 1u);
    EXPECT_EQ(h.sink.gaps[0].first, 1000u);
    EXPECT_EQ(h.sink.data.size(), 2500u);
}

TEST(Reassembly, CapForcesGap) {
    Harness h;
    h.cap = 4000;  // only ~4 KB may wait
    h.add({0, kStream.substr(0, 100)});
    // Hole at 100..200, then 6000 bytes of later data.
    for (std::size_t off = 200; off < 6200; off += 1000) h.add({off, kStream.substr(off, 1000)});
    ASSERT_FALSE(h.sink.gaps.empty());
    EXPECT_EQ(h.sink.gaps[0].first, 100u);
    EXPECT_GE(h.r.stats().forced_gaps, 1u);
    EXPECT_LE(h.r.buffered(), 4000u);
    h.flush();
    EXPECT_EQ(h.sink.data.size(), 6200u);
    EXPECT_EQ(h.sink.data.substr(200), kStream.substr(200, 6000));
}

TEST(Reassembly, SkipDropsBytesWithoutCopying) {
    Harness h;
    h.sink.skip_after = 1000;
    h.sink.skip_len = 5000;  // e.g. a WRITE body: bytes 1000..6000 unwanted
    auto segs = split(kStream, 700);
    std::reverse(segs.begin() + 2, segs.end());  // most arrive out of order
    std::size_t peak = 0;
    for (const auto& s : segs) {
        h.add(s);
        peak = std::max<std::size_t>(peak, h.r.buffered());
    }
    EXPECT_EQ(h.sink.data, kStream.substr(0, 1000) + kStream.substr(6000));
    // 400 of the 5000 came in the chunk that asked; the reassembler passed over the rest.
    EXPECT_EQ(h.r.stats().skipped, 4600u);
    // Out-of-order segments inside the skipped region were never copied: the
    // only bytes ever buffered are those after it (10000 - 6000 = 4000, plus
    // the partial segment straddling its end).
    EXPECT_LE(peak, 4000u + 700u);
}

TEST(Reassembly, GapInsideSkipKeepsFraming) {
    Harness h;
    h.sink.skip_after = 1000;
    h.sink.skip_len = 5000;
    h.add({0, kStream.substr(0, 1400)});         // consumer asks to skip 1000..6000
    h.add({4000, kStream.substr(4000, 3000)});   // 1400..4000 never arrives
    h.flush();
    ASSERT_EQ(h.sink.gaps.size(), 1u);
    EXPECT_EQ(h.sink.gaps[0].first, 2600u);
    EXPECT_TRUE(h.sink.gaps[0].second);  // all inside the skip: framing intact
    EXPECT_EQ(h.sink.data.substr(0, 1000), kStream.substr(0, 1000));
}

TEST(Reassembly, HandedOffSkipAddsToTheOneCount) {
    Harness h;
    h.sink.skip_after = 100;
    h.sink.skip_len = 100;  // returned by on_data: skip 100..200
    h.add({0, kStream.substr(0, 100)});
    h.r.add_skip(300);      // handed off (SkipHandoff): 200..500 as well
    EXPECT_EQ(h.r.pending_skip(), 400u);
    h.add({450, kStream.substr(450, 150)});  // out of order: 450..500 a bare range, 500..600 copied
    EXPECT_EQ(h.r.buffered(), 100u);
    h.flush();
    ASSERT_EQ(h.sink.gaps.size(), 1u);
    EXPECT_EQ(h.sink.gaps[0], std::make_pair(std::uint64_t{350}, true));  // 100..450, all inside
    EXPECT_EQ(h.sink.data, kStream.substr(0, 100) + std::string(350, '?') + kStream.substr(500, 100));
    EXPECT_EQ(h.r.pending_skip(), 0u);
}

TEST(Reassembly, GapStraddlingSkipEndIsSplit) {
    Harness h;
    h.sink.skip_after = 100;
    h.sink.skip_len = 400;  // skip 100..500
    h.add({0, kStream.substr(0, 200)});
    h.add({800, kStream.substr(800, 200)});  // 200..800 missing: 300 in skip, 300 not
    h.flush();
    ASSERT_EQ(h.sink.gaps.size(), 2u);
    EXPECT_EQ(h.sink.gaps[0], std::make_pair(std::uint64_t{300}, true));
    EXPECT_EQ(h.sink.gaps[1], std::make_pair(std::uint64_t{300}, false));
}

TEST(Reassembly, LargeSegmentsSplitIntoBlocks) {
    Harness h;
    std::string big = payload(64 * 1024);
    h.add({70000, big});  // out of order, bigger than a pool block
    EXPECT_EQ(h.r.buffered(), big.size());
    h.add({0, payload(70000)});
    EXPECT_EQ(h.sink.data.size(), 70000u + big.size());
    EXPECT_EQ(h.sink.data.substr(70000), big);
    EXPECT_EQ(h.pool.bytes_in_use(), 0u);
}

TEST(Reassembly, UncapturedBytesBecomeGap) {
    Harness h;
    h.add({0, kStream.substr(0, 100)});
    h.r.add_uncaptured(100, 1400, 0, h.ctx());  // snaplen cut this segment's payload
    h.add({1500, kStream.substr(1500, 100)});
    ASSERT_EQ(h.sink.gaps.size(), 1u);
    EXPECT_EQ(h.sink.gaps[0].first, 1400u);
    EXPECT_EQ(h.sink.data.size(), 1600u);
}

TEST(Reassembly, NullConsumerSkipsEverything) {
    SegmentPool pool(1 << 20);
    TcpReassembler r;
    r.start(0);
    ReassemblyCtx c{nullptr, Dir::resp, pool, 1 << 20};
    auto segs = split(kStream, 1000);
    std::reverse(segs.begin(), segs.end());
    for (const auto& s : segs) r.add(s.off, B(s.bytes), 0, c);
    EXPECT_EQ(r.next(), kStream.size());
    EXPECT_EQ(pool.bytes_reserved(), 0u);  // ranges only, never a copy
    EXPECT_EQ(r.stats().gap_bytes, 0u);
}

// Review item 1 (issue 13): an attacker sends 1-byte segments in descending
// order ahead of a hole. Counts, not time: the ranges held stay bounded and
// every byte is accounted for.
constexpr std::uint64_t kFlood = 200000;

TEST(Reassembly, DescendingOneByteSegmentsInSkipRegionCoalesce) {
    SegmentPool pool(1 << 20);
    TcpReassembler r;
    r.start(0);
    ReassemblyCtx c{nullptr, Dir::orig, pool, 1 << 20};
    const std::uint8_t byte = 'x';
    // Offsets kFlood .. 1, descending; offset 0 is the hole at the head.
    for (std::uint64_t off = kFlood; off >= 1; --off) r.add(off, Bytes(&byte, 1), 0, c);
    EXPECT_EQ(r.held(), 1u);  // one contiguous range [1, kFlood + 1)
    EXPECT_EQ(r.next(), 0u);
    EXPECT_EQ(r.stats().ooo_segments, kFlood);
    r.add(0, Bytes(&byte, 1), 0, c);  // the hole filled: everything is passed over
    EXPECT_EQ(r.held(), 0u);
    EXPECT_EQ(r.next(), kFlood + 1);
    // Without a consumer the first in-order chunk counts as delivered, the
    // rest as passed over.
    EXPECT_EQ(r.stats().delivered, 1u);
    EXPECT_EQ(r.stats().skipped, kFlood);
    EXPECT_EQ(r.stats().gap_bytes, 0u);
    EXPECT_EQ(pool.bytes_reserved(), 0u);
}

TEST(Reassembly, DescendingSegmentsWithHolesInSkipRegionAreCapped) {
    SegmentPool pool(1 << 20);
    TcpReassembler r;
    r.start(0);
    ReassemblyCtx c{nullptr, Dir::orig, pool, 1 << 20};
    const std::uint8_t byte = 'x';
    // Odd offsets 2*kFlood-1 .. 1, descending: no two ranges touch.
    for (std::uint64_t i = 0; i < kFlood; ++i) r.add(2 * (kFlood - i) - 1, Bytes(&byte, 1), 0, c);
    const std::uint64_t cap = TcpReassembler::kMaxHeld;
    // The first `cap` segments are held; the next one finds the table full:
    // the oldest hole is given up (a forced gap up to the lowest range, which
    // is then passed over) and that segment and all later ones are behind
    // next() (retransmissions).
    const std::uint64_t lowest = 2 * (kFlood - (cap - 1)) - 1;
    EXPECT_EQ(r.held(), cap - 1);
    EXPECT_EQ(r.stats().forced_gaps, 1u);
    EXPECT_EQ(r.next(), lowest + 1);
    EXPECT_EQ(r.stats().gap_bytes, lowest);
    EXPECT_EQ(r.stats().skipped, 1u);
    EXPECT_EQ(r.stats().retransmitted, kFlood - cap);
    r.flush(0, c);
    EXPECT_EQ(r.held(), 0u);
    EXPECT_EQ(r.next(), 2 * kFlood);
    EXPECT_EQ(r.stats().skipped, cap);
    EXPECT_EQ(r.stats().gap_bytes, 2 * kFlood - cap);
}

TEST(Reassembly, DescendingBufferedSegmentsAreCapped) {
    Harness h;
    const std::uint64_t n = 20000;  // within the byte cap: only the range cap can bind
    const std::uint64_t cap = TcpReassembler::kMaxHeld;
    const std::uint8_t byte = 'y';
    for (std::uint64_t off = n; off >= 1; --off) h.r.add(off, Bytes(&byte, 1), 0, h.ctx());
    // `cap` contiguous segments [n - cap + 1, n] were held; the next one gave
    // up the hole before them and they were delivered.
    ASSERT_EQ(h.sink.gaps.size(), 1u);
    EXPECT_EQ(h.sink.gaps[0], std::make_pair(n + 1 - cap, false));
    EXPECT_EQ(h.r.stats().delivered, cap);
    EXPECT_EQ(h.r.next(), n + 1);
    EXPECT_EQ(h.r.held(), 0u);
    EXPECT_EQ(h.pool.bytes_in_use(), 0u);
    EXPECT_EQ(h.sink.data, std::string(n + 1 - cap, '?') + std::string(cap, 'y'));
}

// Against a reference model: random segments with conflicting contents, in
// random order, no cap reached. The stream is, offset by offset, the byte of
// the first segment to arrive covering it, '?' where none did.
TEST(Reassembly, MatchesFirstDataWinsModel) {
    for (std::uint32_t seed = 1; seed <= 40; ++seed) {
        std::mt19937 rng(seed);
        const std::size_t extent = 4000 + rng() % 4000;
        std::vector<Seg> segs;
        for (int i = 0; i < 300; ++i) {
            std::uint64_t off = rng() % extent;
            std::size_t len = 1 + rng() % 120;
            if (off + len > extent) len = extent - off;
            segs.push_back({off, std::string(len, static_cast<char>('A' + i % 58))});
        }
        if (seed % 2) segs.push_back({0, std::string(7, '0')});  // sometimes no hole at the head
        std::shuffle(segs.begin(), segs.end(), rng);
        std::string model(extent, '\0');
        std::vector<bool> have(extent, false);
        std::uint64_t max_end = 0;
        for (const Seg& s : segs) {
            for (std::size_t k = 0; k < s.bytes.size(); ++k)
                if (!have[s.off + k]) {
                    have[s.off + k] = true;
                    model[s.off + k] = s.bytes[k];
                }
            max_end = std::max<std::uint64_t>(max_end, s.off + s.bytes.size());
        }
        model.resize(max_end);
        std::uint64_t seen = 0;
        for (std::uint64_t o = 0; o < max_end; ++o) {
            if (have[o]) ++seen;
            else model[o] = '?';
        }

        Harness h;
        for (const Seg& s : segs) h.add(s);
        h.flush();
        EXPECT_EQ(h.sink.data, model) << "seed " << seed;
        EXPECT_EQ(h.r.held(), 0u);
        EXPECT_EQ(h.pool.bytes_in_use(), 0u);

        // Nobody wants the bytes: the same accounting from ranges alone.
        SegmentPool pool(1 << 20);
        TcpReassembler r;
        r.start(0);
        ReassemblyCtx c{nullptr, Dir::orig, pool, 1 << 20};
        for (const Seg& s : segs) r.add(s.off, B(s.bytes), 0, c);
        r.flush(0, c);
        EXPECT_EQ(r.next(), max_end) << "seed " << seed;
        EXPECT_EQ(r.stats().delivered + r.stats().skipped, seen) << "seed " << seed;
        EXPECT_EQ(r.stats().gap_bytes, max_end - seen) << "seed " << seed;
        EXPECT_EQ(pool.bytes_reserved(), 0u);
    }
}

// The side record (held ranges, acknowledgement, the rarer counts) is made
// only when a direction needs it: never for data in order. From a pool it
// is charged to the flows' area while held and recycled once given back;
// reset() empties it in place.
TEST(Reassembly, SideRecordOnlyForOutOfOrderAndPooled) {
    MemoryBudget budget(1 << 30);
    ReassemblyExtPool exts(&budget);
    SegmentPool pool(1 << 20);
    Sink sink;
    TcpReassembler r;
    r.start(0);
    const ReassemblyCtx c{&sink, Dir::orig, pool, 1 << 20, &exts};
    const std::string s = payload(300);
    r.add(0, B(s.substr(0, 100)), 0, c);
    r.add(100, B(s.substr(100, 100)), 0, c);
    EXPECT_FALSE(r.has_ext());
    EXPECT_EQ(r.stats().delivered, 200u);
    EXPECT_EQ(budget.used(MemoryArea::flows), 0u);
    r.add(250, B(s.substr(250, 50)), 0, c);  // out of order: held
    ASSERT_TRUE(r.has_ext());
    EXPECT_EQ(r.buffered(), 50u);
    EXPECT_EQ(exts.in_use(), 1u);
    EXPECT_EQ(budget.used(MemoryArea::flows), static_cast<std::uint64_t>(ReassemblyExtPool::kCost));
    r.add(200, B(s.substr(200, 50)), 0, c);
    r.add(0, B(s.substr(0, 10)), 0, c);  // old: retransmitted
    EXPECT_EQ(sink.data, s);
    const ReassemblyStats st = r.stats();
    EXPECT_EQ(st.delivered, 300u);
    EXPECT_EQ(st.ooo_segments, 1u);
    EXPECT_EQ(st.retransmitted, 10u);
    r.release(pool);
    r.reset();  // same flow, new numbering: emptied, kept
    EXPECT_TRUE(r.has_ext());
    EXPECT_EQ(r.stats().retransmitted, 0u);
    r.drop_ext(&exts);
    EXPECT_FALSE(r.has_ext());
    EXPECT_EQ(exts.in_use(), 0u);
    EXPECT_EQ(budget.used(MemoryArea::flows), 0u);
    // Taken again: the recycled one, already empty.
    std::unique_ptr<ReassemblyExt> again = exts.take();
    EXPECT_TRUE(again->segs.empty());
    EXPECT_EQ(again->stats.retransmitted, 0u);
    exts.give(std::move(again));
    EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace sw
