// capture/dispatch_hash.h: which worker gets a packet (--threads N).
#include "capture/dispatch_hash.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace sw {
namespace {

DecodedPacket tcp(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport) {
    DecodedPacket p;
    p.proto = 6;
    p.ip_version = 4;
    p.src = IpAddr::v4(src);
    p.dst = IpAddr::v4(dst);
    p.sport = sport;
    p.dport = dport;
    return p;
}

DecodedPacket reversed(DecodedPacket p) {
    std::swap(p.src, p.dst);
    std::swap(p.sport, p.dport);
    return p;
}

TEST(DispatchHash, BothDirectionsOfAFlowHashAlike) {
    const KeyedHash h = KeyedHash::from_seed(7);
    for (std::uint32_t i = 0; i < 1000; ++i) {
        DecodedPacket p = tcp(0x0a000001 + i, static_cast<std::uint16_t>(40000 + i), 0xc0a80001 + i * 7,
                              static_cast<std::uint16_t>(i % 3 == 0 ? 22 : 1024 + i));
        if (i % 2) p.proto = 17;
        if (i % 5 == 0) p.vlan = static_cast<std::uint16_t>(i);
        EXPECT_EQ(dispatch_hash(p, h), dispatch_hash(reversed(p), h)) << i;
    }
}

TEST(DispatchHash, Ipv6DirectionsHashAlike) {
    const KeyedHash h = KeyedHash::from_seed(1);
    std::array<std::uint8_t, 16> a{0x20, 0x01, 0x0d, 0xb8}, b{0xfe, 0x80};
    a[15] = 1;
    b[15] = 2;
    DecodedPacket p;
    p.proto = 6;
    p.ip_version = 6;
    p.src = IpAddr::v6(a.data());
    p.dst = IpAddr::v6(b.data());
    p.sport = 5555;
    p.dport = 80;
    EXPECT_EQ(dispatch_hash(p, h), dispatch_hash(reversed(p), h));
}

TEST(DispatchHash, DifferentFlowsSpreadOverTheWorkers) {
    const KeyedHash h = KeyedHash::from_seed(3);
    std::array<int, 3> count{};
    for (std::uint32_t i = 0; i < 3000; ++i)
        ++count[dispatch_worker(dispatch_hash(tcp(0x0a000001, static_cast<std::uint16_t>(30000 + i), 0x0a000002, 80), h), 3)];
    // 1000 expected each; a fair split stays well within +-150 (about 7 sigma).
    for (int c : count) EXPECT_NEAR(c, 1000, 150);
}

TEST(DispatchHash, SmbConnectionsToOneServerShareAWorker) {
    // Multichannel: the channels of a session come from other client ports
    // (or client addresses) to the same server; every one lands on one worker.
    const KeyedHash h = KeyedHash::from_seed(11);
    const std::uint32_t server = 0x0a000064;
    std::set<std::uint32_t> workers;
    for (std::uint32_t c = 0; c < 200; ++c) {
        DecodedPacket p = tcp(0x0a000100 + c, static_cast<std::uint16_t>(49152 + c), server, 445);
        workers.insert(dispatch_worker(dispatch_hash(p, h), 4));
        workers.insert(dispatch_worker(dispatch_hash(reversed(p), h), 4));
    }
    EXPECT_EQ(workers.size(), 1u);
    // NetBIOS session service too, and the same server's 445 and 139 meet.
    EXPECT_EQ(dispatch_hash(tcp(0x0a000001, 50000, server, 139), h), dispatch_hash(tcp(0x0a000002, 50001, server, 445), h));
    // Other servers go elsewhere (not all to one worker).
    workers.clear();
    for (std::uint32_t s = 0; s < 64; ++s) workers.insert(dispatch_worker(dispatch_hash(tcp(0x0a000001, 50000, 0x0b000000 + s, 445), h), 4));
    EXPECT_EQ(workers.size(), 4u);
}

TEST(DispatchHash, WorkerIndexIsInRange) {
    for (std::uint32_t n : {1u, 2u, 3u, 7u}) {
        EXPECT_EQ(dispatch_worker(0, n), 0u);
        EXPECT_EQ(dispatch_worker(~0ull, n), n - 1);
    }
}

}  // namespace
}  // namespace sw
