// PeerWindow: steps, expiry, merging, the peer cap, allow-listed traffic
// kept apart, late contributions, order.
#include <gtest/gtest.h>

#include "analytics/peer_window.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using test::ip;

Contribution contrib(Timestamp t, const char* peer, std::uint64_t bytes, std::uint8_t allowed = 0) {
    Contribution c;
    c.ts = t;
    c.peer = ip(peer);
    c.c.bytes = bytes;
    c.c.files = 1;
    c.allowed = allowed;
    return c;
}

TEST(AnalyticsPeerWindow, ExpiresOneWindowAfterTheStepStarts) {
    PeerWindow w(60 * kSecond, 16);  // steps of 1 s
    w.add(contrib(test::at(0.5), "10.0.0.1", 100));
    w.add(contrib(test::at(10), "10.0.0.2", 200));
    EXPECT_EQ(w.peers_all(), 2u);
    EXPECT_EQ(w.all().bytes, 300u);
    w.expire(test::at(59.999999));
    EXPECT_EQ(w.peers_all(), 2u);
    w.expire(test::at(60));  // step [0 s, 1 s) + 60 s
    EXPECT_EQ(w.peers_all(), 1u);
    EXPECT_EQ(w.all().bytes, 200u);
    EXPECT_FALSE(w.has_peer(ip("10.0.0.1")));
    EXPECT_TRUE(w.has_peer(ip("10.0.0.2")));
    w.expire(test::at(70));
    EXPECT_TRUE(w.empty());
    EXPECT_EQ(w.peers_all(), 0u);
    EXPECT_EQ(w.all().bytes, 0u);
    EXPECT_EQ(w.all().files, 0u);
}

TEST(AnalyticsPeerWindow, KnowsWhetherItEverDroppedARecord) {
    PeerWindow w(60 * kSecond, 16);
    w.expire(test::at(100));  // empty: nothing dropped
    EXPECT_FALSE(w.expired_any());
    w.add(contrib(test::at(100), "10.0.0.1", 100));
    w.expire(test::at(159.999999));
    EXPECT_FALSE(w.expired_any());
    w.expire(test::at(160));
    EXPECT_TRUE(w.expired_any());
    w.add(contrib(test::at(200), "10.0.0.1", 100));
    EXPECT_TRUE(w.expired_any());  // for good
}

// The lane sums kept with a peer's lanes equal the lanes added up, as
// contributions come and go.
TEST(AnalyticsPeerWindow, LaneTotalsFollowTheLanes) {
    PeerWindow w(60 * kSecond, 16);
    Contribution own = contrib(test::at(0), "10.0.0.1", 100);
    own.lane = kLaneOwn;
    Contribution soft = contrib(test::at(30), "10.0.0.1", 40, kAllowShare);
    soft.lane = kLaneSoftware;
    w.add(own);
    w.add(contrib(test::at(10), "10.0.0.1", 7));
    w.add(soft);
    const PeerLanes* pl = w.peer_lanes(ip("10.0.0.1"));
    ASSERT_NE(pl, nullptr);
    EXPECT_EQ(pl->total(false).bytes, 147u);
    EXPECT_EQ(pl->total(false).files, 3u);
    EXPECT_EQ(pl->total(true).bytes, 107u);  // the allow-listed 40 left out
    EXPECT_EQ(pl->total(true).files, 2u);
    w.expire(test::at(60));  // the first step (own, 100) has left
    pl = w.peer_lanes(ip("10.0.0.1"));
    ASSERT_NE(pl, nullptr);
    EXPECT_EQ(pl->total(false).bytes, 47u);
    EXPECT_EQ(pl->total(true).bytes, 7u);
    EXPECT_EQ(pl->of(kLaneOwn, false).bytes, 0u);
}

TEST(AnalyticsPeerWindow, StepOfAWindowNotDivisibleBySixty) {
    PeerWindow w(90 * kSecond, 16);  // steps of 1.5 s
    EXPECT_EQ(w.step(), 1'500'000);
    EXPECT_FALSE(w.expired(test::at(1.6), test::at(91.499999)));
    EXPECT_TRUE(w.expired(test::at(1.6), test::at(91.5)));
}

TEST(AnalyticsPeerWindow, MergesAndSums) {
    PeerWindow w(60 * kSecond, 16);
    for (int i = 0; i < 1000; ++i) w.add(contrib(test::at(5 + i * 0.001), "10.0.0.1", 10));
    EXPECT_EQ(w.peers_all(), 1u);
    EXPECT_EQ(w.all().bytes, 10'000u);
    EXPECT_EQ(w.all().files, 1000u);
    EXPECT_EQ(w.peer_bytes(ip("10.0.0.1"), false), 10'000u);
    EXPECT_EQ(w.first_ts(), test::at(5));
    EXPECT_EQ(w.last_ts(), test::at(5.999));
}

TEST(AnalyticsPeerWindow, PeersOverTheCapStillCountAsOne) {
    PeerWindow w(60 * kSecond, 2);
    EXPECT_TRUE(w.add(contrib(test::at(1), "10.0.0.1", 100)));
    EXPECT_TRUE(w.add(contrib(test::at(1), "10.0.0.2", 100)));
    EXPECT_FALSE(w.add(contrib(test::at(2), "10.0.0.3", 100)));
    EXPECT_FALSE(w.add(contrib(test::at(2), "10.0.0.4", 100)));
    EXPECT_EQ(w.overflow(), 2u);
    EXPECT_EQ(w.peers_all(), 3u);  // two by name, the rest as one
    EXPECT_EQ(w.all().bytes, 400u);
    EXPECT_EQ(w.peers(false).size(), 2u);
    w.expire(test::at(62));
    EXPECT_EQ(w.overflow(), 0u);
    EXPECT_EQ(w.peers_all(), 0u);
}

TEST(AnalyticsPeerWindow, AllowListedContributionsAreKeptApart) {
    PeerWindow w(60 * kSecond, 16);
    w.add(contrib(test::at(1), "10.0.0.1", 100, kAllowPeer));
    w.add(contrib(test::at(1), "10.0.0.2", 50));
    w.add(contrib(test::at(2), "10.0.0.2", 25, kAllowTime));
    EXPECT_EQ(w.peers_all(), 2u);
    EXPECT_EQ(w.peers_eff(), 1u);
    EXPECT_EQ(w.all().bytes, 175u);
    EXPECT_EQ(w.eff().bytes, 50u);
    EXPECT_EQ(w.peer_bytes(ip("10.0.0.2"), true), 50u);
    EXPECT_EQ(w.peer_bytes(ip("10.0.0.2"), false), 75u);
    auto eff = w.peers(true);
    ASSERT_EQ(eff.size(), 1u);
    EXPECT_EQ(eff[0].addr, ip("10.0.0.2"));
}

TEST(AnalyticsPeerWindow, ZeroByteContributionsAreNotPeers) {
    PeerWindow w(60 * kSecond, 16);
    Contribution c = contrib(test::at(1), "10.0.0.1", 0);
    c.c.archives = 1;
    w.add(c);
    EXPECT_EQ(w.peers_all(), 0u);
    EXPECT_EQ(w.all().archives, 1u);
}

TEST(AnalyticsPeerWindow, LateContributionsStayInOrder) {
    PeerWindow w(60 * kSecond, 16);
    w.add(contrib(test::at(10), "10.0.0.1", 100));
    w.add(contrib(test::at(5), "10.0.0.2", 100));  // ended earlier, reported later
    // Counted in the latest step: it lives until 10 s + 60 s.
    w.expire(test::at(65));
    EXPECT_EQ(w.peers_all(), 2u);
    w.expire(test::at(70));
    EXPECT_TRUE(w.empty());
}

TEST(AnalyticsPeerWindow, PeersSortedByAddress) {
    PeerWindow w(60 * kSecond, 16);
    w.add(contrib(test::at(1), "10.0.0.20", 1));
    w.add(contrib(test::at(1), "10.0.0.3", 2));
    w.add(contrib(test::at(1), "9.0.0.1", 3));
    auto p = w.peers(false);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[0].addr, ip("9.0.0.1"));
    EXPECT_EQ(p[1].addr, ip("10.0.0.3"));
    EXPECT_EQ(p[2].addr, ip("10.0.0.20"));
}

}  // namespace
}  // namespace sw
