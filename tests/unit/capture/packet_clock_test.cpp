// capture/packet_clock.h: packet time guarded against warps.
#include <gtest/gtest.h>

#include "capture/packet_clock.h"

namespace sw {
namespace {

constexpr Timestamp T0 = 1'700'000'000 * kSecond;
using V = PacketClock::Verdict;

TEST(PacketClock, OneFarFutureFrameDoesNotMoveTheClock) {
    PacketClock c(PacketClockConfig{});
    V v;
    EXPECT_EQ(c.on_packet(T0, v), T0);
    EXPECT_EQ(c.on_packet(T0 + kSecond, v), T0 + kSecond);
    // Ten years ahead: processed at the clock's time, clock unchanged.
    EXPECT_EQ(c.on_packet(T0 + 10 * 365 * 86400 * kSecond, v), T0 + kSecond);
    EXPECT_EQ(v, V::warp);
    EXPECT_EQ(c.now(), T0 + kSecond);
    EXPECT_EQ(c.on_packet(T0 + 2 * kSecond, v), T0 + 2 * kSecond);
    EXPECT_EQ(v, V::ok);
    EXPECT_EQ(c.warps(), 1u);
    EXPECT_EQ(c.jumps_accepted(), 0u);
}

TEST(PacketClock, FarPastFrameIsAWarpSmallReorderIsNot) {
    PacketClock c(PacketClockConfig{});
    V v;
    c.on_packet(T0, v);
    EXPECT_EQ(c.on_packet(T0 - 5 * kSecond, v), T0 - 5 * kSecond);  // reordering across interfaces
    EXPECT_EQ(v, V::ok);
    EXPECT_EQ(c.now(), T0);  // never moves backwards
    EXPECT_EQ(c.on_packet(T0 - 2 * 3600 * kSecond, v), T0);
    EXPECT_EQ(v, V::warp);
}

TEST(PacketClock, AJumpConfirmedByFollowingPacketsIsAccepted) {
    PacketClockConfig cfg;
    cfg.confirm = 4;
    PacketClock c(cfg);
    V v;
    c.on_packet(T0, v);
    const Timestamp later = T0 + 5 * 3600 * kSecond;  // capture resumed five hours on
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(c.on_packet(later + i, v), T0);
        EXPECT_EQ(v, V::warp);
    }
    EXPECT_EQ(c.on_packet(later + 3, v), later + 3);
    EXPECT_EQ(v, V::jump_accepted);
    EXPECT_EQ(c.now(), later + 3);
    EXPECT_EQ(c.on_packet(later + 4, v), later + 4);
    EXPECT_EQ(v, V::ok);
}

TEST(PacketClock, ScatteredJunkNeverConfirms) {
    // Junk frames with random far times between good packets: no two agree,
    // and good packets in between reset the count.
    PacketClockConfig cfg;
    cfg.confirm = 2;
    PacketClock c(cfg);
    V v;
    c.on_packet(T0, v);
    for (int i = 1; i <= 100; ++i) {
        c.on_packet(T0 + i * 1000 * 3600 * kSecond, v);  // each far from the others
        EXPECT_EQ(v, V::warp);
        c.on_packet(T0 + i, v);
        EXPECT_EQ(v, V::ok);
    }
    EXPECT_EQ(c.now(), T0 + 100);
    EXPECT_EQ(c.jumps_accepted(), 0u);
}

TEST(PacketClock, NewFileIsTakenAsItIs) {
    PacketClock c(PacketClockConfig{});
    V v;
    c.on_packet(T0, v);
    c.discontinuity();
    const Timestamp tuesday = T0 + 86400 * kSecond;
    EXPECT_EQ(c.on_packet(tuesday, v), tuesday);
    EXPECT_EQ(v, V::ok);
    EXPECT_EQ(c.now(), tuesday);
}

TEST(PacketClock, ZeroMaxJumpDisablesTheGuard) {
    PacketClockConfig cfg;
    cfg.max_jump = 0;
    PacketClock c(cfg);
    V v;
    c.on_packet(T0, v);
    EXPECT_EQ(c.on_packet(T0 + 100000 * 3600 * kSecond, v), T0 + 100000 * 3600 * kSecond);
    EXPECT_EQ(v, V::ok);
}

}  // namespace
}  // namespace sw
