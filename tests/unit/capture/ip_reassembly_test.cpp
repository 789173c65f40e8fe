// capture/ip_reassembly.*: IPv4/IPv6 fragment reassembly with hard caps.
// Memory follows the bytes received (not the offsets claimed), the table and
// byte caps give up the oldest datagram first, and overlaps keep first data.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "capture/ip_reassembly.h"

namespace sw {
namespace {

using Vec = std::vector<std::uint8_t>;

FragmentKey key(std::uint32_t id) {
    FragmentKey k;
    k.src = *IpAddr::parse("10.0.0.1");
    k.dst = *IpAddr::parse("10.0.0.2");
    k.id = id;
    k.proto = 17;
    k.version = 4;
    return k;
}

FragmentReassembler::Result add(FragmentReassembler& r, std::uint32_t id, std::uint32_t off, bool more,
                                const Vec& v, Timestamp ts, Vec* out = nullptr) {
    Bytes o;
    auto res = r.add(key(id), off, more, Bytes(v.data(), v.size()), ts, o);
    if (out && res == FragmentReassembler::Result::complete) out->assign(o.begin(), o.end());
    return res;
}

TEST(IpReassembly, FarOffsetHoldsOnlyItsBytes) {
    // An 8-byte fragment at offset 65520 used to make a 64 KiB buffer.
    FragmentConfig cfg;
    FragmentReassembler r(cfg);
    EXPECT_EQ(add(r, 1, 65520, true, Vec(8, 0xaa), 0), FragmentReassembler::Result::held);
    EXPECT_EQ(r.held_bytes(), 8u);
    EXPECT_EQ(add(r, 2, 65520, true, Vec(8, 0xbb), 0), FragmentReassembler::Result::held);
    EXPECT_EQ(r.held_bytes(), 16u);
}

TEST(IpReassembly, TableCapGivesUpTheOldest) {
    FragmentConfig cfg;
    cfg.max_datagrams = 2;
    FragmentReassembler r(cfg);
    add(r, 1, 8, false, Vec(8, 1), 10);
    add(r, 2, 8, false, Vec(8, 2), 20);
    add(r, 3, 8, false, Vec(8, 3), 30);  // pushes out id 1
    EXPECT_EQ(r.stats().evicted, 1u);
    EXPECT_EQ(r.in_flight(), 2u);
    Vec out;
    // id 1's first half starts a new datagram, incomplete: its tail is gone.
    EXPECT_EQ(add(r, 1, 0, true, Vec(8, 1), 40), FragmentReassembler::Result::held);
    EXPECT_EQ(add(r, 3, 0, true, Vec(8, 3), 50, &out), FragmentReassembler::Result::complete);
    EXPECT_EQ(out, Vec(16, 3));
}

TEST(IpReassembly, ZeroTableCapIsOne) {
    FragmentConfig cfg;
    cfg.max_datagrams = 0;  // config rejects it; the reassembler must not break either
    FragmentReassembler r(cfg);
    add(r, 1, 8, false, Vec(8, 1), 0);
    add(r, 2, 8, false, Vec(8, 2), 0);
    EXPECT_EQ(r.in_flight(), 1u);
    EXPECT_EQ(r.stats().evicted, 1u);
}

TEST(IpReassembly, ByteCapGivesUpTheOldest) {
    FragmentConfig cfg;
    cfg.max_held_bytes = 100;
    FragmentReassembler r(cfg);
    add(r, 1, 64, true, Vec(60, 1), 0);
    add(r, 2, 64, true, Vec(30, 2), 1);
    EXPECT_EQ(r.held_bytes(), 90u);
    add(r, 3, 64, true, Vec(20, 3), 2);  // 110 > 100: id 1 goes
    EXPECT_EQ(r.held_bytes(), 50u);
    EXPECT_EQ(r.in_flight(), 2u);
    EXPECT_EQ(r.stats().evicted, 1u);
    // A fragment that alone exceeds the cap is given up with everything older.
    EXPECT_EQ(add(r, 4, 64, true, Vec(200, 4), 3), FragmentReassembler::Result::dropped);
    EXPECT_EQ(r.held_bytes(), 0u);
}

TEST(IpReassembly, ExpiryTakesTheOldestOnly) {
    FragmentConfig cfg;
    cfg.timeout = 30 * kSecond;
    FragmentReassembler r(cfg);
    add(r, 1, 8, false, Vec(8, 1), 0);
    add(r, 2, 8, false, Vec(8, 2), 20 * kSecond);
    r.expire(40 * kSecond);
    EXPECT_EQ(r.stats().timed_out, 1u);
    EXPECT_EQ(r.in_flight(), 1u);
    EXPECT_EQ(r.held_bytes(), 8u);
}

TEST(IpReassembly, RandomOverlapsKeepFirstData) {
    // Model: a datagram is cut into random fragments, sent shuffled with
    // random overlapping copies carrying different bytes; the result must
    // hold, per byte, the first fragment that covered it.
    std::mt19937 rng(9);
    FragmentConfig cfg;
    FragmentReassembler r(cfg);
    for (std::uint32_t id = 0; id < 300; ++id) {
        const std::uint32_t total = 8 * (1 + rng() % 200);
        struct F {
            std::uint32_t off;
            Vec data;
        };
        std::vector<F> frags;
        for (std::uint32_t off = 0; off < total;) {
            std::uint32_t len = std::min<std::uint32_t>(total - off, 8 * (1 + rng() % 40));
            Vec d(len);
            for (auto& b : d) b = static_cast<std::uint8_t>(rng());
            frags.push_back({off, d});
            off += len;
        }
        for (int k = 0, n = static_cast<int>(rng() % 4); k < n; ++k) {  // overlapping impostors
            const std::uint32_t off = 8 * (rng() % (total / 8));
            const std::uint32_t len = std::min<std::uint32_t>(total - off, 8 * (1 + rng() % 10));
            Vec d(len);
            for (auto& b : d) b = static_cast<std::uint8_t>(rng());
            frags.push_back({off, d});
        }
        std::shuffle(frags.begin(), frags.end(), rng);
        Vec expect(total), have(total, 0);
        Vec out;
        bool done = false;
        for (const F& f : frags) {
            ASSERT_FALSE(done);
            for (std::uint32_t i = 0; i < f.data.size(); ++i)
                if (!have[f.off + i]) expect[f.off + i] = f.data[i], have[f.off + i] = 1;
            const bool more = f.off + f.data.size() != total;
            auto res = add(r, id, f.off, more, f.data, 0, &out);
            ASSERT_NE(res, FragmentReassembler::Result::dropped);
            done = res == FragmentReassembler::Result::complete;
            if (!done) continue;
            // Complete exactly when every byte has arrived.
            EXPECT_TRUE(std::all_of(have.begin(), have.end(), [](std::uint8_t x) { return x != 0; }));
            EXPECT_EQ(out, expect) << "datagram " << id;
            break;
        }
        EXPECT_TRUE(done) << "datagram " << id;
    }
    EXPECT_EQ(r.in_flight(), 0u);
    EXPECT_EQ(r.held_bytes(), 0u);
}

}  // namespace
}  // namespace sw
