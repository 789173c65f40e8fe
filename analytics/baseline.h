// A host's normal inbound volume per interval: the plain mean during warm-up,
// then an exponentially weighted moving average. Intervals without traffic
// count as zero; anomalous intervals are clipped before they update the
// baseline, so one burst does not teach the baseline that bursts are normal.
#pragma once

#include <cstdint>

#include "capture/types.h"

namespace sw {

struct BaselineParams {
    double alpha = 0.0;                  // EWMA weight of a new interval
    std::uint64_t warmup_intervals = 1;  // intervals observed before anomalies are possible
    double factor = 10.0;
    std::uint64_t floor_bytes = 0;       // an anomaly must also reach this many bytes

    // alpha from a half-life: after `half_life` of intervals a value's weight halves.
    static double alpha_for(Duration interval, Duration half_life);
};

class VolumeBaseline {
public:
    struct Verdict {
        bool anomaly = false;
        bool warmed = false;
        double baseline = 0;  // the baseline the interval was compared with
    };

    // Feeds interval `k` (intervals must come in increasing order; skipped
    // intervals are taken as zero traffic) with `bytes_in` bytes.
    Verdict observe(std::int64_t k, std::uint64_t bytes_in, const BaselineParams& p);

    double value() const { return b_; }
    std::uint64_t intervals() const { return n_; }
    bool started() const { return started_; }

private:
    void catch_up(std::int64_t k, const BaselineParams& p);

    double b_ = 0;
    std::uint64_t n_ = 0;      // intervals incorporated (saturating)
    std::int64_t last_ = 0;    // last interval incorporated
    bool started_ = false;
};

}  // namespace sw
