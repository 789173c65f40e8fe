// The fleet correlator: events from many sensors in, one StagingAnalytics
// over all of them, notice.log / staging.log / volume.log out.
//
// - Order: events are held in a heap and released to analytics in event-time
//   order once the newest event time seen is `max_lateness` past them. An
//   event older than what was already released is late: it is still counted
//   (analytics books it in the current interval) and reported in stats().late.
// - Duplicates: the same flow seen by two sensors (overlapping SPAN ports)
//   is counted once. Two events are the same when they have the same log
//   path, 5-tuple and identity inside the flow (file name for a file handle,
//   session id for an SMB session), come from different sensors, and their
//   start times differ by at most `dedup_tolerance`.
// - Sensors: notice.log gets one more column, `sensors` (set[string]), the
//   sensors that reported events between the notice's hosts. Only the
//   correlator's notice.log has it; a sensor's notice.log is unchanged.
#pragma once

#include <map>
#include <queue>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "analytics/staging_analytics.h"
#include "output/log_set.h"
#include "output/logs.h"

namespace sw::fleet {

struct CorrelatorConfig {
    AnalyticsConfig analytics;
    Duration max_lateness = 5 * kMinute;
    Duration dedup_tolerance = kSecond;
    AnalyticsRoles roles;  // --correlate.role: both, or only target / collector
};

struct CorrelatorStats {
    std::uint64_t events = 0;      // accepted
    std::uint64_t duplicates = 0;  // seen by another sensor already
    std::uint64_t late = 0;        // older than what was already analysed
    std::uint64_t released = 0;    // handed to analytics
};

// The correlator's notice.log: notice.log's columns plus `sensors`, the
// sensors that saw the finding's evidence.
struct FleetNotice {
    const Notice* notice;
    std::span<const std::string> sensors;
};
const LogTable<FleetNotice>& fleet_notice_log();

class Correlator : private FindingSink {
public:
    Correlator(const CorrelatorConfig& cfg, LogSet& logs);
    ~Correlator() override;

    // One event from `sensor`. Returns false when it was a duplicate.
    bool add(Event e, const std::string& sensor);
    // Releases every held event up to `t` (e.g. wall time minus lateness when
    // the stream is idle).
    void release_until(Timestamp t);
    // End of input: releases everything and closes analytics' periods.
    void finish();

    const CorrelatorStats& stats() const { return stats_; }
    Duration max_lateness() const { return cfg_.max_lateness; }
    Duration window() const { return cfg_.analytics.window; }
    // How long an event matters after it arrived: lateness plus window.
    Duration keep_for() const { return cfg_.max_lateness + cfg_.analytics.window; }
    const StagingAnalytics& analytics() const { return analytics_; }
    // Newest event time handed to analytics (INT64_MIN before the first).
    Timestamp released() const { return released_; }
    // Events waiting in the reorder heap.
    std::size_t held() const { return heap_.size(); }

private:
    struct Held {
        Timestamp t;
        std::uint64_t seq;  // arrival order breaks ties: stable
        Event e;
        bool operator>(const Held& o) const { return t != o.t ? t > o.t : seq > o.seq; }
    };
    struct Seen {
        Timestamp start;
        Timestamp t;  // event time, for pruning
        std::string sensor;
    };

    void on_notice(const Notice& n) override;
    void on_staging(const StagingRow& r) override;
    void on_volume(const VolumeRow& r) override;

    void release(Held& h);
    void note_sensor(const IpAddr& a, const IpAddr& b, const std::string& sensor);
    void prune_seen(Timestamp before);

    const CorrelatorConfig cfg_;
    LogSet& logs_;
    StagingAnalytics analytics_;
    std::priority_queue<Held, std::vector<Held>, std::greater<>> heap_;
    std::uint64_t seq_ = 0;
    Timestamp newest_ = INT64_MIN;    // newest event time added
    Timestamp released_ = INT64_MIN;  // newest event time analysed
    Timestamp next_tick_ = INT64_MIN;
    Timestamp next_prune_ = INT64_MIN;
    std::unordered_map<std::string, std::vector<Seen>> seen_;
    std::map<std::pair<IpAddr, IpAddr>, std::set<std::string>> pair_sensors_;
    CorrelatorStats stats_;
    bool finished_ = false;
    StagingScratch scratch_;
    std::vector<std::string> sensors_;
};

}  // namespace sw::fleet
