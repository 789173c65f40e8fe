// Volume and baseline: a host's bytes, files and peers per protocol in the
// current volume interval (volume.log rows), and its normal inbound volume
// per interval, the baseline: the plain mean during warm-up, then an
// exponentially weighted moving average. Intervals without traffic count as
// zero; anomalous intervals are clipped before they update the baseline, so
// one burst does not teach the baseline that bursts are normal.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "analytics/analytics_config.h"
#include "analytics/findings.h"
#include "capture/types.h"

namespace sw {

struct BaselineParams {
    double alpha = 0.0;                  // EWMA weight of a new interval
    std::uint64_t warmup_intervals = 1;  // intervals observed before anomalies are possible
    double factor = 10.0;
    std::uint64_t floor_bytes = 0;       // an anomaly must also reach this many bytes

    // alpha from a half-life: after `half_life` of intervals a value's weight halves.
    static double alpha_for(Duration interval, Duration half_life);
    // From baseline.* and volume.interval.
    static BaselineParams from(const AnalyticsConfig& cfg);
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

// One host's traffic of the current interval, per VolumeProto.
class HostVolume {
public:
    struct Counted {
        bool became_active = false;  // first count of this host in the interval
        bool peer_dropped = false;   // a new peer over the cap was not told apart
    };
    // Counts `bytes` to (incoming) or from this host, exchanged with `peer`.
    // A peer is remembered only for bytes; at most `max_peers` per direction.
    Counted count(VolumeProto p, const IpAddr& peer, bool incoming, std::uint64_t bytes, bool file_write,
                  bool file_read, std::uint32_t max_peers);

    bool active() const { return active_; }
    // Writes this interval's rows (one per protocol with activity, `start` =
    // interval start) and clears the counters. Returns inbound bytes.
    std::uint64_t flush(Timestamp start, const IpAddr& host, FindingSink& out, std::uint64_t& rows);

    VolumeBaseline baseline;
    std::optional<Timestamp> anomaly_ts;  // end of the latest anomalous interval

private:
    struct Counters {
        std::uint64_t in = 0, out = 0, files_written = 0, files_read = 0;
        std::vector<IpAddr> peers_in, peers_out;
        bool active = false;
    };
    std::array<Counters, 3> vol_;
    bool active_ = false;
};

}  // namespace sw
