// The analytics clock: the largest packet time seen in an event or passed to
// advance(). Volume intervals (volume.interval) and report periods
// (staging.window) are aligned to multiples of their length in packet time;
// when the clock passes the end of one, the listener hears of it, in time
// order: a period that ends together with an interval ends first, so that
// what the interval's close finds belongs to the new period.
#pragma once

#include <cstdint>

#include "capture/types.h"

namespace sw {

// floor(a / b) for b > 0, also for negative a.
std::int64_t floor_div(std::int64_t a, std::int64_t b);

class ClockListener {
public:
    // A report period ended: AnalyticsClock::period() is already the new one.
    virtual void on_period_end() = 0;
    // Volume interval `interval` ended at `end`; AnalyticsClock::interval()
    // still says `interval` during the call.
    virtual void on_interval_end(std::int64_t interval, Timestamp end) = 0;

protected:
    ~ClockListener() = default;
};

class AnalyticsClock {
public:
    AnalyticsClock(Duration interval, Duration period);

    // Moves the clock to `t` if that is later. Returns false when `t` lies
    // before the current interval (a late event); it is then counted in the
    // current interval by whoever uses it.
    bool advance(Timestamp t, ClockListener& l);

    bool started() const { return started_; }
    Timestamp now() const { return now_; }
    std::int64_t interval() const { return interval_; }
    std::int64_t period() const { return period_; }
    Duration interval_length() const { return interval_len_; }
    Duration period_length() const { return period_len_; }
    Timestamp interval_start() const { return interval_ * interval_len_; }
    std::int64_t period_of(Timestamp t) const { return floor_div(t, period_len_); }

private:
    Duration interval_len_, period_len_;
    bool started_ = false;
    Timestamp now_ = 0;
    std::int64_t interval_ = 0;  // current volume interval index
    std::int64_t period_ = 0;    // current report period index
};

}  // namespace sw
