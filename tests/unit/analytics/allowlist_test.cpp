// Allow-lists as pure look-ups: which bits a contribution matches, the push
// mask, the reasons as staging.log spells them, and the one time check.
#include <gtest/gtest.h>

#include "analytics/allowlist.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

TimeOfDayWindow window(int start_h, int end_h, const char* text) {
    TimeOfDayWindow w;
    w.start = start_h * 3600;
    w.end = end_h * 3600;
    w.text = text;
    return w;
}

AnalyticsConfig allow_config() {
    AnalyticsConfig c;
    c.allow_sources.add(*Cidr::parse("10.1.0.0/16"));
    c.allow_targets.add(*Cidr::parse("10.0.0.99"));
    c.allow_collectors.add(*Cidr::parse("10.0.0.50"));
    c.allow_shares = {"backup$", "sccm*"};
    // kT0 is 22:00 UTC.
    c.allow_times = {window(22, 23, "22:00-23:00"), window(21, 6, "21:00-06:00")};
    return c;
}

TEST(AnalyticsAllowList, NothingConfiguredAllowsNothing) {
    const AllowList a{AnalyticsConfig{}};
    EXPECT_EQ(a.bits(ip("10.1.2.3"), "backup$", kT0), 0u);
    EXPECT_EQ(a.time_window(kT0), nullptr);
    EXPECT_FALSE(a.target(ip("10.0.0.99")));
    EXPECT_FALSE(a.collector(ip("10.0.0.50")));
    EXPECT_TRUE(a.reasons(0, ip("10.1.2.3"), "backup$", kT0).empty());
}

TEST(AnalyticsAllowList, BitsPerReason) {
    const AllowList a{allow_config()};
    const Timestamp noon = kT0 - 10 * 3600 * kSecond;  // 12:00 UTC: no time window
    EXPECT_EQ(a.bits(ip("10.1.2.3"), "", noon), kAllowPeer);
    EXPECT_EQ(a.bits(ip("10.2.0.1"), "BACKUP$", noon), kAllowShare);  // case-insensitive
    EXPECT_EQ(a.bits(ip("10.2.0.1"), "sccm_content", noon), kAllowShare);
    EXPECT_EQ(a.bits(ip("10.2.0.1"), "data", noon), 0u);
    EXPECT_EQ(a.bits(ip("10.2.0.1"), "", kT0), kAllowTime);
    EXPECT_EQ(a.bits(ip("10.1.0.1"), "backup$", kT0), kAllowPeer | kAllowShare | kAllowTime);
    // Targets and collectors are not sources.
    EXPECT_EQ(a.bits(ip("10.0.0.99"), "", noon), 0u);
    EXPECT_TRUE(a.target(ip("10.0.0.99")));
    EXPECT_TRUE(a.collector(ip("10.0.0.50")));
    EXPECT_FALSE(a.collector(ip("10.0.0.99")));
}

TEST(AnalyticsAllowList, ASharePatternWithAServerMatchesOnlyThatServersShare) {
    AnalyticsConfig c;
    c.allow_shares = {"\\\\BUILD01\\artifacts$", "\\\\10.0.0.7\\*"};
    const AllowList a{c};
    const Timestamp noon = kT0 - 10 * 3600 * kSecond;
    EXPECT_EQ(a.bits(ip("10.2.0.1"), "artifacts$", noon, "\\\\build01\\ARTIFACTS$"), kAllowShare);
    // The same share name on another server, the build server's C$, or no tree path: not allowed.
    EXPECT_EQ(a.bits(ip("10.2.0.1"), "artifacts$", noon, "\\\\BUILD02\\artifacts$"), 0u);
    EXPECT_EQ(a.bits(ip("10.2.0.1"), "C$", noon, "\\\\BUILD01\\C$"), 0u);
    EXPECT_EQ(a.bits(ip("10.2.0.1"), "artifacts$", noon), 0u);
    EXPECT_EQ(a.bits(ip("10.2.0.1"), "data", noon, "\\\\10.0.0.7\\data"), kAllowShare);
    EXPECT_EQ(a.bits(ip("10.2.0.1"), "data", noon, "\\\\10.0.0.70\\data"), 0u);
}

TEST(AnalyticsAllowList, TheFirstMatchingTimeWindowNamesIt) {
    const AllowList a{allow_config()};
    const TimeOfDayWindow* w = a.time_window(kT0 + 30 * kMinute);  // 22:30: both windows
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->text, "22:00-23:00");
    w = a.time_window(kT0 + 3 * 3600 * kSecond);  // 01:00: only the one across midnight
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->text, "21:00-06:00");
    EXPECT_EQ(a.time_window(kT0 + 8 * 3600 * kSecond), nullptr);  // 06:00: end is exclusive
}

TEST(AnalyticsAllowList, APushIsAllowedByItsTargetNotItsSource) {
    const AllowList a{allow_config()};
    const std::uint8_t write = kAllowPeer | kAllowTime;  // an allowed source at an allowed time
    EXPECT_EQ(a.push_bits(write, ip("10.0.0.7")), kAllowTime);
    EXPECT_EQ(a.push_bits(write, ip("10.0.0.99")), kAllowPeer | kAllowTime);
    EXPECT_EQ(a.push_bits(kAllowShare, ip("10.0.0.99")), kAllowPeer | kAllowShare);
    EXPECT_EQ(a.push_bits(0, ip("10.0.0.7")), 0u);
}

TEST(AnalyticsAllowList, ReasonsInOrder) {
    const AllowList a{allow_config()};
    EXPECT_EQ(a.reasons(kAllowPeer | kAllowShare | kAllowTime, ip("10.1.0.1"), "backup$", kT0 + kMinute),
              (std::vector<std::string>{"source:10.1.0.1", "share:backup$", "time:22:00-23:00"}));
    EXPECT_EQ(a.reasons(kAllowShare, ip("10.1.0.1"), "sccm1", kT0), std::vector<std::string>{"share:sccm1"});
    // Only the bits given are spelled out.
    EXPECT_EQ(a.reasons(kAllowTime, ip("10.1.0.1"), "backup$", kT0 + 3 * 3600 * kSecond),
              std::vector<std::string>{"time:21:00-06:00"});
}

}  // namespace
}  // namespace sw
