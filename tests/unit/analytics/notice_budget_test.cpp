// NoticeBudget: at most `budget` notices per host and UTC day, the rest
// summed up in one Staging::Notice_Budget notice when the day is over.
#include "analytics/notice_budget.h"

#include <gtest/gtest.h>

#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

constexpr Timestamp kDay = 86400 * kSecond;
const Timestamp kMidnight = 1'700'006'400 * kSecond;  // 2023-11-15 00:00:00 UTC

Notice file_notice_at(Timestamp ts, const char* dst, Severity s, NoteType n = NoteType::archive_write) {
    Notice x;
    x.ts = ts;
    x.note = n;
    x.src = ip("10.0.0.1");
    x.dst = ip(dst);
    x.severity = s;
    return x;
}

TEST(AnalyticsNoticeBudget, OverTheBudgetNoticesAreSummedUpWhenTheDayEnds) {
    NoticeBudget b(2, KeyedHash::from_seed(1));
    std::vector<Notice> due;
    EXPECT_TRUE(b.admit(file_notice_at(kMidnight + 10 * kSecond, "10.0.0.9", Severity::medium), due));
    EXPECT_TRUE(b.admit(file_notice_at(kMidnight + 20 * kSecond, "10.0.0.9", Severity::medium), due));
    EXPECT_FALSE(b.admit(file_notice_at(kMidnight + 30 * kSecond, "10.0.0.9", Severity::high), due));
    EXPECT_FALSE(b.admit(
        file_notice_at(kMidnight + 40 * kSecond, "10.0.0.9", Severity::medium, NoteType::fan_in), due));
    // Another host has its own budget.
    EXPECT_TRUE(b.admit(file_notice_at(kMidnight + 50 * kSecond, "10.0.0.8", Severity::medium), due));
    EXPECT_TRUE(due.empty());
    EXPECT_EQ(b.aggregated(), 2u);

    b.close_days(kMidnight + kDay - 1, false, due);  // the day is not over yet
    EXPECT_TRUE(due.empty());
    // The next day's first notice of the host writes yesterday's summary first.
    EXPECT_TRUE(b.admit(file_notice_at(kMidnight + kDay + 5 * kSecond, "10.0.0.9", Severity::low), due));
    ASSERT_EQ(due.size(), 1u);
    const Notice& s = due[0];
    EXPECT_EQ(s.note, NoteType::notice_budget);
    EXPECT_EQ(s.ts, kMidnight + 40 * kSecond);
    EXPECT_EQ(s.dst, ip("10.0.0.9"));
    EXPECT_EQ(s.n, 2u);
    EXPECT_EQ(s.severity, Severity::high);
    EXPECT_EQ(s.detection_type, "NoticeBudget");
    EXPECT_EQ(s.msg, "10.0.0.9: 2 more notices over the daily budget of 2 were aggregated");
    EXPECT_EQ(s.sub,
              "aggregated: Staging::Fan_In 1, Staging::Archive_Write 1; the rows in staging.log hold every "
              "finding");
}

TEST(AnalyticsNoticeBudget, SummariesAtTheEndAreSortedByTimeThenHost) {
    NoticeBudget b(1, KeyedHash::from_seed(1));
    std::vector<Notice> due;
    for (const char* h : {"10.0.0.7", "10.0.0.3"}) {
        EXPECT_TRUE(b.admit(file_notice_at(kMidnight + kSecond, h, Severity::medium), due));
        EXPECT_FALSE(b.admit(file_notice_at(kMidnight + 2 * kSecond, h, Severity::medium), due));
    }
    b.close_days(kMidnight + 3 * kSecond, true, due);
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[0].dst, ip("10.0.0.3"));
    EXPECT_EQ(due[1].dst, ip("10.0.0.7"));
    due.clear();
    b.close_days(kMidnight + 3 * kSecond, true, due);  // written once
    EXPECT_TRUE(due.empty());
}

TEST(AnalyticsNoticeBudget, ZeroIsUnlimited) {
    NoticeBudget b(0, KeyedHash::from_seed(1));
    std::vector<Notice> due;
    for (int i = 0; i < 100; ++i)
        EXPECT_TRUE(b.admit(file_notice_at(kMidnight + i * kSecond, "10.0.0.9", Severity::high), due));
    b.close_days(kMidnight + kDay * 2, true, due);
    EXPECT_TRUE(due.empty());
    EXPECT_EQ(b.aggregated(), 0u);
}

TEST(AnalyticsNoticeBudget, HostIsTheDestinationElseTheSource) {
    Notice n;
    n.src = ip("10.0.0.1");
    EXPECT_EQ(NoticeBudget::host_of(n), ip("10.0.0.1"));
    n.dst = ip("10.0.0.2");
    EXPECT_EQ(NoticeBudget::host_of(n), ip("10.0.0.2"));
}

}  // namespace
}  // namespace sw
