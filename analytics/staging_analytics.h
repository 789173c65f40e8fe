// Staging analytics: per-host volume accounting, archive writes, fan-in, pull
// collectors, volume baselines, scoring, allow-lists and notice
// de-duplication. Consumes only the event contract (dissectors/event.h) and
// reports through FindingSink; everything is driven by packet time.
//
// Clock: the analytics clock is the largest time seen in an event or passed
// to advance(). Volume intervals (volume.interval) and staging report periods
// (staging.window) are aligned to multiples of their length in packet time;
// an interval is closed (rows written, baselines updated) when the clock
// passes its end, and at finish(). Events whose time lies before the current
// interval (a connection record emitted at its inactivity timeout, say) are
// counted in the current interval.
//
// Determinism: rows are emitted in an order derived from the input only
// (sorted by time, then address), never from hash-table order or wall time.
#pragma once

#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analytics/analytics_config.h"
#include "analytics/baseline.h"
#include "analytics/file_classifier.h"
#include "analytics/findings.h"
#include "analytics/peer_window.h"
#include "dissectors/event.h"

namespace sw {

// The indicators that hold for one target/collector (or one file write),
// their score, severity and label.
struct Assessment {
    std::array<bool, kIndicatorCount> on{};
    std::uint32_t score = 0;
    Severity severity = Severity::none;
    std::string_view label;  // detection_type, "" when nothing holds
    bool has(Indicator i) const { return on[static_cast<std::size_t>(i)]; }
};

class StagingAnalytics : public EventSink {
public:
    StagingAnalytics(const AnalyticsConfig& cfg, FindingSink& out);
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

    // Scoring, exposed for tests: severity from a score, and the label for a
    // set of indicators in a role.
    Severity severity_for(std::uint32_t score) const;
    static std::string_view label_for(const std::array<bool, kIndicatorCount>& on, Role role);

private:
    struct NamedItem {
        std::string text;
        Timestamp ts = 0;
        bool allowed = false;
    };
    struct RoleState {
        RoleState(Duration window, std::uint32_t max_peers)
            : win(window, max_peers), pushes(window, max_peers) {}
        PeerWindow win;     // target: writers; collector: servers read from
        PeerWindow pushes;  // collector: hosts it wrote to after pulling
        std::vector<NamedItem> shares;         // target: shares written to; collector: read from
        std::vector<NamedItem> archive_names;  // target: archives received; collector: pushed
        std::vector<NamedItem> allowed_reasons;  // allow-list matches in the window
        // Report period state.
        std::int64_t period = INT64_MIN;
        std::optional<StagingRow> snap;
        std::vector<std::string> notices;
        std::vector<std::string> suppressed_by;
        bool suppressed = false;
        bool main_suppressed = false;  // the fan-in / pull finding itself
        bool pending = false;
        // What the last Fan_In / Pull_Collector notice (raised or pending) showed.
        std::vector<IpAddr> notified_peers;  // sorted
        std::uint32_t notified_archives = 0;
        std::optional<Notice> update;
    };
    struct VolumeCounters {
        std::uint64_t in = 0, out = 0, files_written = 0, files_read = 0;
        std::vector<IpAddr> peers_in, peers_out;
        bool active = false;
    };
    struct MappedShare {
        IpAddr client;
        std::string path;
        Timestamp ts = 0;
    };
    struct HostState {
        IpAddr addr;
        std::list<IpAddr>::iterator lru;
        std::array<VolumeCounters, 3> vol;
        bool vol_active = false;
        VolumeBaseline baseline;
        std::optional<Timestamp> anomaly_ts;
        std::unique_ptr<RoleState> roles[2];
        std::vector<MappedShare> mapped;  // recent tree connects to this host
    };
    // What a single SMB write/rename looked like (for archive notices).
    struct WriteFacts;

    HostState& host(const IpAddr& a);
    RoleState& role(HostState& h, Role r);
    void evict(HostState& h);

    void clock(Timestamp t);
    void close_interval(Timestamp end);
    void flush_rows(bool all);
    void sweep();

    void on_file(const SmbFileEvent& f);
    void on_session(const SmbSessionEvent& s);
    void on_ssh(const SshEvent& s);
    void on_conn(const ConnRecord& c);
    void on_mapping(const SmbMappingEvent& m);

    void count_volume(const IpAddr& from, const IpAddr& to, VolumeProto p, std::uint64_t bytes,
                      bool file_write, bool file_read);
    std::uint8_t allow_bits(const IpAddr& data_source, std::string_view share, Timestamp ts) const;
    std::vector<std::string> allow_reasons(std::uint8_t bits, const IpAddr& data_source,
                                           std::string_view share, Timestamp ts) const;

    // A write arriving at `target` from `source` (SMB write, SSH upload,
    // encrypted SMB3 from the client).
    void target_write(const IpAddr& target, const Contribution& c, const ConnId& conn,
                      const std::string& share_path, const WriteFacts* file);
    // A read by `collector` from a server.
    void collector_read(const IpAddr& collector, const Contribution& c, const ConnId& conn,
                        const std::string& share_path);
    // A write by a host that may be a collector (recorded only after it pulled).
    void collector_push(const IpAddr& collector, const Contribution& c, const ConnId& conn,
                        const WriteFacts* file);

    Assessment assess(const HostState& h, const RoleState& rs, Role r, bool eff, Timestamp ts) const;
    Assessment finish_assessment(std::array<bool, kIndicatorCount> on, Role r) const;
    void evaluate(HostState& h, Role r, Timestamp ts, const ConnId* conn);
    void begin(HostState& h, RoleState& rs, Role r, Timestamp ts);
    void snapshot(HostState& h, RoleState& rs, Role r, const Assessment& a, Timestamp ts);
    void emit_row(RoleState& rs);
    void mark_suppressed(RoleState& rs, const std::vector<std::string>& reasons);
    void note_raised(RoleState& rs, NoteType n);

    // Notice de-duplication per (note, key) per notice.suppress-for; a
    // repeat within that time is raised again only if its severity is higher.
    bool should_raise(NoteType n, const IpAddr& a, const IpAddr& b, Severity s, Timestamp ts);
    void raise(Notice& n);
    void prune_items(std::vector<NamedItem>& v, const PeerWindow& w);

    // Raises Fan_In / Pull_Collector, or, when it is suppressed as a repeat
    // but has gained sources or archives since the last notice, keeps the new
    // state as an update written at the end of the report period.
    void report_main(HostState& h, RoleState& rs, Role r, const Assessment& a, Timestamp ts, const ConnId* conn);
    Notice fan_in_notice(HostState& h, RoleState& rs, const Assessment& a, Timestamp ts, const ConnId* conn);
    Notice pull_notice(HostState& h, RoleState& rs, const Assessment& a, Timestamp ts, const ConnId* conn);
    void file_notice(HostState& target, RoleState& rs, const IpAddr& source, const WriteFacts& f,
                     const Contribution& c, const ConnId& conn);

    const AnalyticsConfig cfg_;
    FindingSink& out_;
    FileClassifier classify_;
    BaselineParams baseline_;

    std::unordered_map<IpAddr, HostState, IpAddrHash> hosts_;
    std::list<IpAddr> lru_;  // most recently active first

    struct NoticeKey {
        NoteType note;
        IpAddr a, b;
        bool operator==(const NoticeKey&) const = default;
    };
    struct NoticeKeyHash {
        std::size_t operator()(const NoticeKey& k) const {
            return IpAddrHash{}(k.a) * 31 + IpAddrHash{}(k.b) * 7 + static_cast<std::size_t>(k.note);
        }
    };
    struct Raised {
        Timestamp ts = 0;
        Severity severity = Severity::none;
    };
    std::unordered_map<NoticeKey, Raised, NoticeKeyHash> raised_;

    struct PendingRole {
        IpAddr host;
        Role role;
    };
    std::vector<PendingRole> pending_;
    std::vector<IpAddr> vol_active_;

    bool started_ = false;
    bool finished_ = false;
    Timestamp now_ = 0;
    std::int64_t interval_ = 0;  // current volume interval index
    std::int64_t period_ = 0;    // current staging report period index
    AnalyticsStats stats_;
};

}  // namespace sw
