#include "analytics/baseline.h"

#include <algorithm>
#include <cmath>

namespace sw {

double BaselineParams::alpha_for(Duration interval, Duration half_life) {
    if (half_life <= 0) return 1.0;
    return 1.0 - std::pow(0.5, static_cast<double>(interval) / static_cast<double>(half_life));
}

void VolumeBaseline::catch_up(std::int64_t k, const BaselineParams& p) {
    if (!started_ || k <= last_ + 1) return;
    std::uint64_t idle = static_cast<std::uint64_t>(k - last_ - 1);
    // Mean phase: averaging in `j` zeros scales the mean by n / (n + j).
    if (n_ < p.warmup_intervals) {
        std::uint64_t j = std::min(idle, p.warmup_intervals - n_);
        b_ = n_ + j ? b_ * static_cast<double>(n_) / static_cast<double>(n_ + j) : 0;
        n_ += j;
        idle -= j;
    }
    // EWMA phase: each zero interval multiplies by (1 - alpha).
    if (idle) {
        b_ *= std::pow(1.0 - p.alpha, static_cast<double>(idle));
        n_ = n_ + idle < n_ ? n_ : n_ + idle;
    }
    last_ = k - 1;
}

VolumeBaseline::Verdict VolumeBaseline::observe(std::int64_t k, std::uint64_t bytes_in,
                                                const BaselineParams& p) {
    Verdict v;
    if (started_ && k <= last_) return v;  // not in order: ignore
    catch_up(k, p);
    const double x = static_cast<double>(bytes_in);
    v.baseline = b_;
    v.warmed = started_ && n_ >= p.warmup_intervals;
    v.anomaly = v.warmed && bytes_in >= p.floor_bytes && x > p.factor * b_;
    if (n_ < p.warmup_intervals) {
        b_ += (x - b_) / static_cast<double>(n_ + 1);
    } else {
        const double used = v.anomaly ? p.factor * b_ : x;
        b_ += p.alpha * (used - b_);
    }
    if (n_ != UINT64_MAX) ++n_;
    last_ = k;
    started_ = true;
    return v;
}

}  // namespace sw
