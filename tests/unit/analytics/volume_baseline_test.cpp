// Volume and baseline: the baseline (warm-up mean, EWMA, clipping, idle
// intervals, floor) and a host's per-interval volume counters.
#include <gtest/gtest.h>

#include <cmath>

#include "analytics/volume_baseline.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using test::ip;

TEST(AnalyticsBaseline, AlphaFromHalfLife) {
    // After 60 one-minute intervals of weight (1 - alpha), half is left.
    double a = BaselineParams::alpha_for(kMinute, 3600 * kSecond);
    EXPECT_NEAR(std::pow(1 - a, 60), 0.5, 1e-12);
}

TEST(AnalyticsBaseline, WarmUpIsAPlainMeanAndNeverAlerts) {
    BaselineParams p;
    p.alpha = 0.1;
    p.warmup_intervals = 3;
    p.factor = 10;
    p.floor_bytes = 0;
    VolumeBaseline b;
    EXPECT_FALSE(b.observe(0, 100, p).anomaly);
    // A burst during warm-up is not an anomaly, whatever its size.
    auto v = b.observe(1, 1'000'000, p);
    EXPECT_FALSE(v.warmed);
    EXPECT_FALSE(v.anomaly);
    EXPECT_DOUBLE_EQ(b.value(), (100.0 + 1'000'000.0) / 2);
}

TEST(AnalyticsBaseline, AnomalyAfterWarmUpAndClippedUpdate) {
    BaselineParams p;
    p.alpha = 0.1;
    p.warmup_intervals = 3;
    p.factor = 10;
    p.floor_bytes = 1000;
    VolumeBaseline b;
    b.observe(0, 100, p);
    b.observe(1, 200, p);
    b.observe(2, 300, p);
    EXPECT_DOUBLE_EQ(b.value(), 200.0);
    // 2000 = 10 x 200 is not above it.
    auto v = b.observe(3, 2000, p);
    EXPECT_TRUE(v.warmed);
    EXPECT_FALSE(v.anomaly);
    EXPECT_DOUBLE_EQ(b.value(), 200.0 + 0.1 * (2000 - 200));  // 380
    v = b.observe(4, 5000, p);
    EXPECT_TRUE(v.anomaly);
    EXPECT_DOUBLE_EQ(v.baseline, 380.0);
    // The anomalous interval enters the baseline clipped to factor x baseline.
    EXPECT_DOUBLE_EQ(b.value(), 380.0 + 0.1 * (3800 - 380));
}

TEST(AnalyticsBaseline, FloorStopsTinyAnomalies) {
    BaselineParams p;
    p.alpha = 0.5;
    p.warmup_intervals = 1;
    p.factor = 10;
    p.floor_bytes = 10'000;
    VolumeBaseline b;
    b.observe(0, 10, p);
    EXPECT_FALSE(b.observe(1, 9'999, p).anomaly);  // 1000x, but under the floor
    VolumeBaseline c;
    c.observe(0, 10, p);
    EXPECT_TRUE(c.observe(1, 10'000, p).anomaly);
}

TEST(AnalyticsBaseline, IdleIntervalsCountAsZero) {
    BaselineParams p;
    p.alpha = 0.25;
    p.warmup_intervals = 4;
    p.factor = 10;
    p.floor_bytes = 0;
    VolumeBaseline b;
    b.observe(0, 300, p);
    // Intervals 1 and 2 idle: mean of (300, 0, 0) = 100 before interval 3.
    auto v = b.observe(3, 500, p);
    EXPECT_DOUBLE_EQ(v.baseline, 100.0);
    EXPECT_FALSE(v.warmed);
    EXPECT_DOUBLE_EQ(b.value(), (300.0 + 500.0) / 4);  // 200, four intervals
    // Intervals 4..9 idle (EWMA phase): 200 x 0.75^6, then compared.
    v = b.observe(10, 0, p);
    EXPECT_TRUE(v.warmed);
    EXPECT_NEAR(v.baseline, 200.0 * std::pow(0.75, 6), 1e-9);
    EXPECT_EQ(b.intervals(), 11u);
}

// ------------------------------------------------------------- params and host volume

TEST(AnalyticsBaselineParams, FromConfig) {
    AnalyticsConfig c;
    c.volume_interval = kMinute;
    c.baseline_half_life = 3600 * kSecond;
    c.baseline_warmup = 3600 * kSecond + 1;  // 60 intervals and a bit: rounds up to 61
    c.baseline_factor = 7.5;
    c.baseline_min_bytes = 12345;
    const BaselineParams p = BaselineParams::from(c);
    EXPECT_EQ(p.warmup_intervals, 61u);
    EXPECT_NEAR(std::pow(1 - p.alpha, 60), 0.5, 1e-12);
    EXPECT_EQ(p.factor, 7.5);
    EXPECT_EQ(p.floor_bytes, 12345u);
    c.baseline_warmup = 0;  // at least one interval
    EXPECT_EQ(BaselineParams::from(c).warmup_intervals, 1u);
}

TEST(AnalyticsHostVolume, RowsPerProtocolWithPeersAndFiles) {
    HostVolume v;
    EXPECT_FALSE(v.active());
    auto r = v.count(VolumeProto::smb, ip("10.0.0.1"), true, 5000, true, false, 4);
    EXPECT_TRUE(r.became_active);
    EXPECT_FALSE(r.peer_dropped);
    r = v.count(VolumeProto::smb, ip("10.0.0.2"), false, 300, false, true, 4);
    EXPECT_FALSE(r.became_active);
    v.count(VolumeProto::ssh, ip("10.0.0.1"), true, 700, false, false, 4);
    v.count(VolumeProto::smb, ip("10.0.0.1"), true, 1000, true, false, 4);  // a known peer again
    EXPECT_TRUE(v.active());

    test::Recorder rec;
    std::uint64_t rows = 0;
    EXPECT_EQ(v.flush(test::kT0, ip("10.0.0.9"), rec, rows), 6700u);  // inbound, all protocols
    EXPECT_EQ(rows, 2u);
    ASSERT_EQ(rec.volume.size(), 2u);
    const VolumeRow& smb = rec.volume[0];
    EXPECT_EQ(smb.ts, test::kT0);
    EXPECT_EQ(smb.host, ip("10.0.0.9"));
    EXPECT_EQ(smb.proto, VolumeProto::smb);
    EXPECT_EQ(smb.bytes_in, 6000u);
    EXPECT_EQ(smb.bytes_out, 300u);
    EXPECT_EQ(smb.files_written, 2u);
    EXPECT_EQ(smb.files_read, 1u);
    EXPECT_EQ(smb.peers_in, 1u);
    EXPECT_EQ(smb.peers_out, 1u);
    const VolumeRow& ssh = rec.volume[1];
    EXPECT_EQ(ssh.proto, VolumeProto::ssh);
    EXPECT_EQ(ssh.bytes_in, 700u);
    EXPECT_EQ(ssh.bytes_out, 0u);
    EXPECT_EQ(ssh.peers_in, 1u);
    EXPECT_EQ(ssh.peers_out, 0u);

    // Flushed: the next interval starts empty.
    EXPECT_FALSE(v.active());
    EXPECT_EQ(v.flush(test::kT0 + kMinute, ip("10.0.0.9"), rec, rows), 0u);
    EXPECT_EQ(rec.volume.size(), 2u);
    EXPECT_TRUE(v.count(VolumeProto::other_tcp, ip("10.0.0.3"), false, 1, false, false, 4).became_active);
}

TEST(AnalyticsHostVolume, PeersOverTheCapStillCountTheirBytes) {
    HostVolume v;
    EXPECT_FALSE(v.count(VolumeProto::smb, ip("10.0.0.1"), true, 100, false, false, 2).peer_dropped);
    EXPECT_FALSE(v.count(VolumeProto::smb, ip("10.0.0.2"), true, 100, false, false, 2).peer_dropped);
    EXPECT_TRUE(v.count(VolumeProto::smb, ip("10.0.0.3"), true, 100, false, false, 2).peer_dropped);
    // No bytes, no peer: a zero-byte file write does not make 10.0.0.4 a peer.
    EXPECT_FALSE(v.count(VolumeProto::smb, ip("10.0.0.4"), true, 0, true, false, 2).peer_dropped);
    test::Recorder rec;
    std::uint64_t rows = 0;
    EXPECT_EQ(v.flush(0, ip("10.0.0.9"), rec, rows), 300u);
    ASSERT_EQ(rec.volume.size(), 1u);
    EXPECT_EQ(rec.volume[0].peers_in, 2u);
    EXPECT_EQ(rec.volume[0].files_written, 1u);
}
}  // namespace
}  // namespace sw
