// Staging analytics: per-host volume accounting, archive writes, fan-in, pull
// collectors, volume baselines, scoring, allow-lists and notice
// de-duplication. Consumes only the event contract (dissectors/event.h) and
// reports through FindingSink; everything is driven by packet time.
//
// StagingAnalytics coordinates the units that do the work:
//   analytics_clock   packet-time clock, volume intervals, report periods
//   event_adapter     events -> volume counts and window contributions
//   host_table        the tracked hosts (LRU, staging.max-hosts)
//   volume_baseline   per-host interval volume (volume.log) and baselines
//   role_window       a host's sliding window in a role, its report period
//   scoring           indicators -> score, severity, label (pure)
//   allowlist         allow-listed targets, sources, collectors, shares, times
//   notice_dedupe     one notice per key per notice.suppress-for
//   notice_budget     at most notice.daily-budget notices per host and day
//   notice_text       notice fields and English text (pure)
//
// Clock: events whose time lies before the current interval (a connection
// record emitted at its inactivity timeout, say) are counted in the current
// interval. An interval is closed (rows written, baselines updated) when the
// clock passes its end, and at finish().
//
// Determinism: rows are emitted in an order derived from the input only
// (sorted by time, then address), never from hash-table order or wall time.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "analytics/allowlist.h"
#include "analytics/analytics_clock.h"
#include "analytics/analytics_config.h"
#include "analytics/event_adapter.h"
#include "analytics/file_classifier.h"
#include "analytics/findings.h"
#include "analytics/host_table.h"
#include "analytics/notice_budget.h"
#include "analytics/notice_dedupe.h"
#include "analytics/role_window.h"
#include "analytics/scoring.h"
#include "analytics/volume_baseline.h"
#include "dissectors/event.h"

namespace sw {

// Which halves of the analytics run. A sensor runs both; a fleet correlator
// may run one, on subject partitions keyed by that half's host (docs/fleet.md):
//   target     writes received (fan-in, convergence, per-file findings) and
//              host volume (volume.log, Volume_Anomaly), keyed by server;
//   collector  reads and the pushes after them (Pull_Collector), keyed by client.
// A half that is off ignores its contributions (an early-out, nothing more).
struct AnalyticsRoles {
    bool target = true;
    bool collector = true;
};

class StagingAnalytics : public EventSink, private ContributionSink, private ClockListener {
public:
    StagingAnalytics(const AnalyticsConfig& cfg, FindingSink& out, AnalyticsRoles roles = {});
    ~StagingAnalytics() override;
    StagingAnalytics(const StagingAnalytics&) = delete;
    StagingAnalytics& operator=(const StagingAnalytics&) = delete;

    void on_event(const Event& e) override;
    // Packet-time tick (the pipeline calls it at most once per second of
    // packet time): closes intervals and report periods that have ended.
    void advance(Timestamp now);
    // End of input: closes the current interval and period, flushes all rows.
    void finish();

    const AnalyticsStats& stats() const { return stats_; }
    // Memory budget (capture/memory_budget.h): host entries and their role
    // windows are charged when made and given back when evicted.
    void bind_memory(MemoryBudget* b) { hosts_.bind_memory(b); }

private:
    struct MappedShare {
        IpAddr client;
        std::string path;
        Timestamp ts = 0;
    };
    // A transfer still open that moved data (ProgressEvent), per role.
    struct OpenTransfer {
        std::string key;   // connection uid / fuid
        IpAddr peer;
        std::string what;  // \\fs\share\name, "SSH upload", ...
        std::uint64_t bytes = 0;
        Timestamp first = 0, last = 0;
    };
    struct HostState {
        IpAddr addr;
        HostVolume vol;
        std::unique_ptr<RoleWindow> roles[2];
        std::vector<MappedShare> mapped;  // recent tree connects to this host
        std::vector<OpenTransfer> open[2];  // at most kMaxOpen per role, oldest first
    };

    HostState& host(const IpAddr& a);
    RoleWindow& role(HostState& h, Role r);
    void evict(HostState& h);

    // ContributionSink (what event_adapter makes of events).
    void on_event_time(Timestamp t) override;
    void count_volume(const IpAddr& from, const IpAddr& to, VolumeProto p, std::uint64_t bytes, bool file_write,
                      bool file_read) override;
    void target_write(const IpAddr& target, const Contribution& c, const ConnId& conn,
                      const std::string& share_path, const WriteFacts* file) override;
    void collector_push(const IpAddr& collector, const Contribution& c, const ConnId& conn,
                        const WriteFacts* file) override;
    void collector_read(const IpAddr& collector, const Contribution& c, const ConnId& conn,
                        const std::string& share_path) override;
    void map_share(const IpAddr& server, const IpAddr& client, const std::string& path, Timestamp t) override;
    std::string mapped_share(const IpAddr& server, const IpAddr& client, Timestamp t) const override;
    void tool_read(const IpAddr& reader, const Contribution& c, const ConnId& conn, const SmbFileEvent& f,
                   const std::string& share_path) override;
    void place_in_progress(const IpAddr& target, const IpAddr& peer, const std::string& share_path,
                           const std::string& name, const std::string& user, Timestamp t) override;
    void transfer_open(Role r, const IpAddr& host, const IpAddr& peer, const std::string& key, const std::string& what,
                       std::uint64_t bytes, Timestamp t) override;
    void transfer_closed(Role r, const IpAddr& host, const std::string& key) override;
    // "what from peer, N so far" of the host's open transfers in role r.
    std::vector<std::string> in_progress(const HostState& h, Role r) const;

    // ClockListener.
    void on_period_end() override;
    void on_interval_end(std::int64_t interval, Timestamp end) override;

    void close_interval(std::int64_t interval, Timestamp end);
    void volume_anomaly(HostState& h, std::uint64_t bytes, double baseline, Timestamp end);
    void flush_rows(bool all);
    void sweep();

    std::vector<std::string> reasons_of(const Contribution& c, const std::string& share_path) const;
    Assessment assess_role(const HostState& h, const RoleWindow& rs, Role r, bool eff, Timestamp ts) const;
    void evaluate(HostState& h, Role r, Timestamp ts, const ConnId* conn);
    void begin(RoleWindow& rs, Timestamp ts);
    void snapshot(HostState& h, RoleWindow& rs, Role r, const Assessment& a, Timestamp ts);
    void emit_row(RoleWindow& rs);

    bool should_raise(NoteType n, const IpAddr& a, const IpAddr& b, Severity s, Timestamp ts,
                      Duration at_least = 0);
    // Writes `n` unless it is over its host's daily budget (then counted in
    // the day's Staging::Notice_Budget summary).
    void raise(Notice& n);
    void write_notice(const Notice& n);
    void close_budget_days(bool all);
    // Raises Fan_In / Pull_Collector, or, when it is suppressed as a repeat
    // but has gained sources or archives since the last notice, keeps the new
    // state as an update written at the end of the report period.
    void report_main(HostState& h, RoleWindow& rs, Role r, const Assessment& a, Timestamp ts, const ConnId* conn);
    Notice main_notice(HostState& h, RoleWindow& rs, Role r, const Assessment& a, Timestamp ts,
                       const ConnId* conn) const;
    void report_file(HostState& target, RoleWindow& rs, const IpAddr& source, const WriteFacts& f,
                     const Contribution& c, const ConnId& conn);

    const AnalyticsConfig cfg_;
    FindingSink& out_;
    const AnalyticsRoles roles_;
    FileClassifier classify_;
    AllowList allow_;
    EventAdapter adapter_;
    BaselineParams baseline_;
    AnalyticsClock clock_;
    HostTable<HostState> hosts_;
    NoticeDedupe dedupe_;
    NoticeBudget budget_;

    struct PendingRole {
        IpAddr host;
        Role role;
    };
    std::vector<PendingRole> pending_;  // hosts/roles with a staging row to write
    std::vector<IpAddr> vol_active_;    // hosts with volume in the current interval

    bool finished_ = false;
    AnalyticsStats stats_;
};

}  // namespace sw
