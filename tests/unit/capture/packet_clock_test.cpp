// capture/packet_clock.h: packet time guarded against warps. The pipeline
// holds a far packet until the next one; these tests play that part.
#include <gtest/gtest.h>

#include "capture/packet_clock.h"

namespace sw {
namespace {

constexpr Timestamp T0 = 1'700'000'000 * kSecond;
constexpr Timestamp kHour = 3600 * kSecond;

TEST(PacketClock, NearPacketsMoveTheClockForwardOnly) {
    PacketClock c(PacketClockConfig{});
    EXPECT_FALSE(c.far(T0));  // not started: anything goes
    c.observe(T0);
    EXPECT_FALSE(c.far(T0 + kSecond));
    c.observe(T0 + kSecond);
    EXPECT_FALSE(c.far(T0 - 5 * kSecond));  // reordering across interfaces
    c.observe(T0 - 5 * kSecond);
    EXPECT_EQ(c.now(), T0 + kSecond);  // never backwards
}

TEST(PacketClock, FarAheadAndFarBehindAreFar) {
    PacketClock c(PacketClockConfig{});
    c.observe(T0);
    EXPECT_TRUE(c.far(T0 + 10 * 365 * 24 * kHour));
    EXPECT_TRUE(c.far(T0 - 2 * kHour));
    EXPECT_FALSE(c.far(T0 + kHour));  // exactly max_jump is still near
}

TEST(PacketClock, AWarpLeavesTheClockAndIsCounted) {
    PacketClock c(PacketClockConfig{});
    c.observe(T0);
    const Timestamp junk = T0 + 10 * 365 * 24 * kHour;
    ASSERT_TRUE(c.far(junk));
    // The next packet is back at T0: it does not agree with the junk.
    EXPECT_FALSE(c.agrees(T0 + 1, junk));
    c.warp();
    EXPECT_EQ(c.now(), T0);
    EXPECT_EQ(c.warps(), 1u);
    EXPECT_EQ(c.jumps_accepted(), 0u);
}

TEST(PacketClock, AConfirmedJumpMovesTheClock) {
    PacketClock c(PacketClockConfig{});
    c.observe(T0);
    const Timestamp later = T0 + 5 * kHour;  // capture resumed five hours on
    ASSERT_TRUE(c.far(later));
    EXPECT_TRUE(c.agrees(later + 10, later));
    c.jump_to(later);
    EXPECT_EQ(c.now(), later);
    EXPECT_FALSE(c.far(later + 10));
    EXPECT_EQ(c.jumps_accepted(), 1u);
}

TEST(PacketClock, NewFileIsTakenAsItIs) {
    PacketClock c(PacketClockConfig{});
    c.observe(T0);
    c.discontinuity();
    const Timestamp tuesday = T0 + 24 * kHour;
    EXPECT_FALSE(c.far(tuesday));
    c.observe(tuesday);
    EXPECT_EQ(c.now(), tuesday);
    // Back in time across files: the clock stays (files out of order).
    c.discontinuity();
    c.observe(T0);
    EXPECT_EQ(c.now(), tuesday);
}

TEST(PacketClock, ZeroMaxJumpTurnsTheGuardOff) {
    PacketClockConfig cfg;
    cfg.max_jump = 0;
    PacketClock c(cfg);
    c.observe(T0);
    EXPECT_FALSE(c.far(T0 + 100000 * kHour));
    EXPECT_TRUE(c.agrees(T0, T0 + 100000 * kHour));
}

}  // namespace
}  // namespace sw
