// NoticeDedupe: one notice per (note, key) per notice.suppress-for, unless
// the severity rises; keys expire; a zero suppress-for turns it off.
#include <gtest/gtest.h>

#include "analytics/notice_dedupe.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

const Duration kHour = 3600 * kSecond;

TEST(AnalyticsNoticeDedupe, RepeatWithinTheTimeIsSuppressedAndCounted) {
    NoticeDedupe d(kHour, KeyedHash::from_seed(1));
    const IpAddr a = ip("10.0.0.1"), b = ip("10.0.0.9");
    EXPECT_TRUE(d.should_raise(NoteType::archive_write, a, b, Severity::medium, kT0));
    EXPECT_FALSE(d.should_raise(NoteType::archive_write, a, b, Severity::medium, kT0 + kHour - 1));
    EXPECT_FALSE(d.should_raise(NoteType::archive_write, a, b, Severity::low, kT0 + kMinute));
    EXPECT_EQ(d.repeats(), 2u);
    // Exactly suppress-for later it is new again, and the clock restarts.
    EXPECT_TRUE(d.should_raise(NoteType::archive_write, a, b, Severity::medium, kT0 + kHour));
    EXPECT_FALSE(d.should_raise(NoteType::archive_write, a, b, Severity::medium, kT0 + kHour + kMinute));
    EXPECT_EQ(d.repeats(), 3u);
    EXPECT_EQ(d.size(), 1u);
}

TEST(AnalyticsNoticeDedupe, ALongHorizonHoldsItsRaiseLonger) {
    NoticeDedupe d(kHour, KeyedHash::from_seed(1));
    const IpAddr t = ip("10.0.0.9");
    EXPECT_TRUE(d.should_raise(NoteType::fan_in, t, IpAddr{}, Severity::high, kT0, 24 * kHour));
    EXPECT_FALSE(d.should_raise(NoteType::fan_in, t, IpAddr{}, Severity::high, kT0 + 2 * kHour));
    d.expire(kT0 + 23 * kHour);
    EXPECT_EQ(d.size(), 1u);  // kept as long as its own hold
    EXPECT_TRUE(d.should_raise(NoteType::fan_in, t, IpAddr{}, Severity::high, kT0 + 24 * kHour));
    // Shorter than suppress-for changes nothing.
    EXPECT_TRUE(d.should_raise(NoteType::archive_write, t, t, Severity::low, kT0, kMinute));
    EXPECT_FALSE(d.should_raise(NoteType::archive_write, t, t, Severity::low, kT0 + 30 * kMinute));
    d.expire(kT0 + 24 * kHour + kHour);
    EXPECT_EQ(d.size(), 0u);
}

TEST(AnalyticsNoticeDedupe, KeysAreNoteAndBothAddresses) {
    NoticeDedupe d(kHour, KeyedHash::from_seed(2));
    const IpAddr a = ip("10.0.0.1"), b = ip("10.0.0.9"), c = ip("10.0.0.2");
    EXPECT_TRUE(d.should_raise(NoteType::archive_write, a, b, Severity::low, kT0));
    EXPECT_TRUE(d.should_raise(NoteType::archive_masquerade, a, b, Severity::low, kT0));
    EXPECT_TRUE(d.should_raise(NoteType::archive_write, c, b, Severity::low, kT0));
    EXPECT_TRUE(d.should_raise(NoteType::archive_write, b, a, Severity::low, kT0));  // order matters
    EXPECT_TRUE(d.should_raise(NoteType::fan_in, b, IpAddr{}, Severity::low, kT0));
    EXPECT_EQ(d.size(), 5u);
    EXPECT_EQ(d.repeats(), 0u);
}

TEST(AnalyticsNoticeDedupe, HigherSeverityIsRaisedAgainAndRaisesTheBar) {
    NoticeDedupe d(kHour, KeyedHash::from_seed(3));
    const IpAddr t = ip("10.0.0.9");
    EXPECT_TRUE(d.should_raise(NoteType::fan_in, t, IpAddr{}, Severity::low, kT0));
    EXPECT_TRUE(d.should_raise(NoteType::fan_in, t, IpAddr{}, Severity::high, kT0 + kMinute));
    EXPECT_FALSE(d.should_raise(NoteType::fan_in, t, IpAddr{}, Severity::medium, kT0 + 2 * kMinute));
    EXPECT_FALSE(d.should_raise(NoteType::fan_in, t, IpAddr{}, Severity::high, kT0 + 2 * kMinute));
    EXPECT_EQ(d.repeats(), 2u);
}

TEST(AnalyticsNoticeDedupe, NothingToRaiseIsNeitherRaisedNorARepeat) {
    NoticeDedupe d(kHour, KeyedHash::from_seed(4));
    EXPECT_FALSE(d.should_raise(NoteType::fan_in, ip("10.0.0.9"), IpAddr{}, Severity::none, kT0));
    EXPECT_EQ(d.size(), 0u);
    EXPECT_EQ(d.repeats(), 0u);
}

TEST(AnalyticsNoticeDedupe, ExpireForgetsRunOutKeysOnly) {
    NoticeDedupe d(kHour, KeyedHash::from_seed(5));
    d.should_raise(NoteType::fan_in, ip("10.0.0.1"), IpAddr{}, Severity::low, kT0);
    d.should_raise(NoteType::fan_in, ip("10.0.0.2"), IpAddr{}, Severity::low, kT0 + 10 * kMinute);
    d.expire(kT0 + kHour - 1);
    EXPECT_EQ(d.size(), 2u);
    d.expire(kT0 + kHour);
    EXPECT_EQ(d.size(), 1u);
    // The forgotten key is raised again; the kept one is still a repeat.
    EXPECT_TRUE(d.should_raise(NoteType::fan_in, ip("10.0.0.1"), IpAddr{}, Severity::low, kT0 + kHour));
    EXPECT_FALSE(d.should_raise(NoteType::fan_in, ip("10.0.0.2"), IpAddr{}, Severity::low, kT0 + kHour));
}

TEST(AnalyticsNoticeDedupe, ZeroTurnsItOff) {
    NoticeDedupe d(0, KeyedHash::from_seed(6));
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(d.should_raise(NoteType::fan_in, ip("10.0.0.9"), IpAddr{}, Severity::low, kT0));
    EXPECT_EQ(d.size(), 0u);
    EXPECT_EQ(d.repeats(), 0u);
}

TEST(AnalyticsNoticeDedupe, SameDecisionsWhateverTheHashKey) {
    // The key only changes where entries live, never what is decided.
    auto run = [](const KeyedHash& h) {
        NoticeDedupe d(kHour, h);
        std::vector<bool> out;
        for (int i = 0; i < 200; ++i) {
            const IpAddr a = ip(("10.0." + std::to_string(i % 7) + ".1").c_str());
            const auto sev = static_cast<Severity>(1 + i % 3);
            out.push_back(d.should_raise(NoteType::archive_write, a, ip("10.0.0.9"), sev, kT0 + i * kMinute));
            if (i % 50 == 49) d.expire(kT0 + i * kMinute);
        }
        return out;
    };
    const auto first = run(KeyedHash::from_seed(7));
    EXPECT_EQ(first, run(KeyedHash::from_seed(8)));
    EXPECT_EQ(first, run(KeyedHash{}));
    ASSERT_EQ(first.size(), 200u);
    for (int i = 0; i < 7; ++i) EXPECT_TRUE(first[i]) << i;  // seven new keys
    EXPECT_TRUE(first[7]);    // 10.0.0.1 again at medium after low: higher
    EXPECT_TRUE(first[14]);   // ... at high after medium
    EXPECT_FALSE(first[21]);  // ... at low after high, 21 min later: a repeat
}

// Review item 12 (issue 13): a stream of distinct keys, never an expire()
// call. Each raise expires what has run out (a bounded amount of work), so
// the table holds just the keys of the last suppress-for.
TEST(AnalyticsNoticeDedupe, DistinctKeysStayBoundedWithoutAPeriodicExpire) {
    const Duration hold = 60 * kSecond;
    NoticeDedupe d(hold, KeyedHash::from_seed(2));
    const IpAddr t = ip("10.0.0.9");
    const std::uint32_t n = 20000;
    for (std::uint32_t i = 0; i < n; ++i) {
        const IpAddr src = IpAddr::v4(0x0a000000u + i);
        ASSERT_TRUE(d.should_raise(NoteType::fan_in, src, t, Severity::low, kT0 + i * kSecond));
        ASSERT_LE(d.size(), 61u) << i;
    }
    // Raised at kT0 + (n-60 .. n-1) s: the 60 not yet expired at kT0 + (n-1) s.
    EXPECT_EQ(d.size(), 60u);
}

TEST(AnalyticsNoticeDedupe, IncrementalExpiryKeepsARefreshedKey) {
    const Duration hold = 60 * kSecond;
    NoticeDedupe d(hold, KeyedHash::from_seed(3));
    const IpAddr a = ip("10.0.0.1"), b = ip("10.0.0.9");
    EXPECT_TRUE(d.should_raise(NoteType::archive_write, a, b, Severity::low, kT0));
    EXPECT_TRUE(d.should_raise(NoteType::archive_write, a, b, Severity::high, kT0 + 50 * kSecond));  // higher: raised again
    // Other keys at kT0 + 70 s run the expiry: a's first raise is out, its second is not.
    for (std::uint32_t i = 0; i < 8; ++i)
        EXPECT_TRUE(d.should_raise(NoteType::fan_in, IpAddr::v4(0x0b000000u + i), b, Severity::low, kT0 + 70 * kSecond));
    EXPECT_FALSE(d.should_raise(NoteType::archive_write, a, b, Severity::high, kT0 + 100 * kSecond));
    EXPECT_TRUE(d.should_raise(NoteType::archive_write, a, b, Severity::high, kT0 + 110 * kSecond));
}

}  // namespace
}  // namespace sw
