// AnalyticsClock: packet time only moves forward; intervals and periods are
// aligned to multiples of their length; boundaries are reported in time
// order, a period ending with an interval first; late times are flagged.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analytics/analytics_clock.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

struct Log : ClockListener {
    explicit Log(const AnalyticsClock& c) : clock(c) {}
    void on_period_end() override { events.push_back("period->" + std::to_string(clock.period())); }
    void on_interval_end(std::int64_t interval, Timestamp end) override {
        EXPECT_EQ(clock.interval(), interval);  // still the old one during the call
        events.push_back("interval " + std::to_string(interval - kT0 / kMinute) + " end " +
                         std::to_string((end - kT0) / kSecond));
    }
    const AnalyticsClock& clock;
    std::vector<std::string> events;
};

TEST(AnalyticsClock, FloorDivision) {
    EXPECT_EQ(floor_div(7, 2), 3);
    EXPECT_EQ(floor_div(-7, 2), -4);
    EXPECT_EQ(floor_div(-8, 2), -4);
    EXPECT_EQ(floor_div(0, 5), 0);
}

TEST(AnalyticsClock, FirstTimeStartsItWithoutBoundaries) {
    AnalyticsClock c(kMinute, 10 * kMinute);
    Log log(c);
    EXPECT_FALSE(c.started());
    EXPECT_TRUE(c.advance(at(90), log));
    EXPECT_TRUE(c.started());
    EXPECT_EQ(c.now(), at(90));
    EXPECT_EQ(c.interval(), kT0 / kMinute + 1);
    EXPECT_EQ(c.interval_start(), at(60));
    EXPECT_EQ(c.period(), kT0 / (10 * kMinute));
    EXPECT_TRUE(log.events.empty());
}

TEST(AnalyticsClock, BoundariesInTimeOrderPeriodFirst) {
    AnalyticsClock c(kMinute, 10 * kMinute);
    Log log(c);
    c.advance(at(550), log);
    c.advance(at(599), log);
    EXPECT_TRUE(log.events.empty());
    // 600 s ends interval 9 and the first period at once: the period first.
    c.advance(at(600), log);
    const std::string p1 = "period->" + std::to_string(kT0 / (10 * kMinute) + 1);
    EXPECT_EQ(log.events, (std::vector<std::string>{p1, "interval 9 end 600"}));
    // A jump over several intervals closes only the current one, at its end.
    log.events.clear();
    c.advance(at(1390), log);
    const std::string p2 = "period->" + std::to_string(kT0 / (10 * kMinute) + 2);
    EXPECT_EQ(log.events, (std::vector<std::string>{"interval 10 end 660", p2}));
    EXPECT_EQ(c.interval(), kT0 / kMinute + 23);
    EXPECT_EQ(c.now(), at(1390));
}

TEST(AnalyticsClock, EarlierTimesDoNotMoveItAndLateOnesAreFlagged) {
    AnalyticsClock c(kMinute, 10 * kMinute);
    Log log(c);
    c.advance(at(130), log);
    EXPECT_TRUE(c.advance(at(125), log));   // earlier, same interval: fine
    EXPECT_TRUE(c.advance(at(120), log));   // the interval's first microsecond
    EXPECT_FALSE(c.advance(at(119.999999), log));  // the interval before: late
    EXPECT_FALSE(c.advance(0, log));
    EXPECT_EQ(c.now(), at(130));
    EXPECT_TRUE(log.events.empty());
}

TEST(AnalyticsClock, PeriodOfAndLengths) {
    AnalyticsClock c(0, -5);  // lengths are at least one microsecond
    EXPECT_EQ(c.interval_length(), 1);
    EXPECT_EQ(c.period_length(), 1);
    AnalyticsClock d(kMinute, 3600 * kSecond);
    EXPECT_EQ(d.period_of(kT0), kT0 / (3600 * kSecond));
    EXPECT_EQ(d.period_of(kT0 - 1), kT0 / (3600 * kSecond) - 1);
}

}  // namespace
}  // namespace sw
