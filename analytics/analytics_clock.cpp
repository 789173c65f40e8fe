#include "analytics/analytics_clock.h"

#include <algorithm>

namespace sw {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

AnalyticsClock::AnalyticsClock(Duration interval, Duration period)
    : interval_len_(std::max<Duration>(interval, 1)), period_len_(std::max<Duration>(period, 1)) {}

bool AnalyticsClock::advance(Timestamp t, ClockListener& l) {
    const Duration I = interval_len_, W = period_len_;
    if (!started_) {
        started_ = true;
        now_ = t;
        interval_ = floor_div(t, I);
        period_ = floor_div(t, W);
        return true;
    }
    if (t <= now_) return floor_div(t, I) >= interval_;
    now_ = t;
    const std::int64_t k = floor_div(t, I), p = floor_div(t, W);
    const Timestamp interval_end = (interval_ + 1) * I;
    const Timestamp period_end = (period_ + 1) * W;
    if (p > period_ && period_end <= interval_end) {
        period_ = p;
        l.on_period_end();
    }
    if (k > interval_) {
        l.on_interval_end(interval_, interval_end);
        interval_ = k;
    }
    if (p > period_) {
        period_ = p;
        l.on_period_end();
    }
    return true;
}

}  // namespace sw
