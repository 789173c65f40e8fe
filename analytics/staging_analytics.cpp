#include "analytics/staging_analytics.h"

#include <algorithm>

#include "analytics/notice_text.h"
#include "capture/util.h"

namespace sw {

namespace {
constexpr std::size_t kMaxMapped = 32;  // tree connects remembered per server
constexpr std::size_t kMaxOpen = 8;     // open transfers remembered per host and role

std::size_t idx(Indicator i) { return static_cast<std::size_t>(i); }
std::size_t idx(Role r) { return static_cast<std::size_t>(r); }

// Whether `cols` (indicator_columns() of an earlier assessment, same
// weights) are the columns of the indicators `on`.
bool same_indicators(const std::vector<std::string>& cols, const IndicatorSet& on) {
    std::size_t k = 0;
    for (std::size_t i = 0; i < kIndicatorCount; ++i) {
        if (!on[i]) continue;
        if (k == cols.size()) return false;
        const std::string_view name = indicator_column_name(static_cast<Indicator>(i));
        const std::string& c = cols[k++];
        if (c.size() <= name.size() || c.compare(0, name.size(), name) != 0 || c[name.size()] != ':') return false;
    }
    return k == cols.size();
}
}  // namespace

StagingAnalytics::StagingAnalytics(const AnalyticsConfig& cfg, FindingSink& out, AnalyticsRoles roles)
    : cfg_(cfg),
      out_(out),
      roles_(roles),
      classify_(cfg_),
      allow_(cfg_),
      adapter_(classify_, allow_),
      baseline_(BaselineParams::from(cfg_)),
      clock_(cfg_.volume_interval, cfg_.window),
      hosts_(cfg_.max_hosts, cfg_.hash),
      dedupe_(cfg_.suppress_for, cfg_.hash),
      budget_(cfg_.daily_budget, cfg_.hash) {}

StagingAnalytics::~StagingAnalytics() = default;

// ---------------------------------------------------------------- hosts

StagingAnalytics::HostState& StagingAnalytics::host(const IpAddr& a) {
    HostState& h = hosts_.touch(a, [&](const IpAddr&, HostState& victim) { evict(victim); });
    h.addr = a;
    stats_.hosts_tracked = hosts_.size();
    stats_.hosts_max = hosts_.peak();
    stats_.hosts_evicted = hosts_.evicted();
    return h;
}

void StagingAnalytics::evict(HostState& h) {
    // Nothing already observed is lost silently: the host's pending staging
    // rows and its volume rows of the current interval are written now.
    for (auto& rs : h.roles) {
        if (rs && rs->pending) emit_row(*rs);
        if (rs) hosts_.charge_extra(-static_cast<std::int64_t>(sizeof(RoleWindow)));
    }
    h.vol.flush(clock_.interval() * cfg_.volume_interval, h.addr, out_, stats_.volume_rows);
}

RoleWindow& StagingAnalytics::role(HostState& h, Role r) {
    auto& p = h.roles[idx(r)];
    if (!p) {
        p = std::make_unique<RoleWindow>(cfg_, std::max<std::uint32_t>(cfg_.max_peers, 1));
        hosts_.charge_extra(static_cast<std::int64_t>(sizeof(RoleWindow)));
    }
    return *p;
}

// ---------------------------------------------------------------- clock

void StagingAnalytics::on_event(const Event& e) {
    if (finished_) return;
    adapter_.on_event(e, *this);
}

void StagingAnalytics::advance(Timestamp now) {
    if (finished_) return;
    if (!clock_.advance(now, *this)) ++stats_.late_events;
}

void StagingAnalytics::on_event_time(Timestamp t) {
    if (!clock_.advance(t, *this)) ++stats_.late_events;
    ++stats_.events;
}

void StagingAnalytics::finish() {
    if (finished_) return;
    finished_ = true;
    if (!clock_.started()) return;
    close_interval(clock_.interval(), clock_.now());
    flush_rows(true);
    close_budget_days(true);
}

void StagingAnalytics::on_period_end() {
    flush_rows(false);
    close_budget_days(false);
    sweep();
}

void StagingAnalytics::on_interval_end(std::int64_t interval, Timestamp end) { close_interval(interval, end); }

void StagingAnalytics::close_interval(std::int64_t interval, Timestamp end) {
    const Timestamp start = interval * cfg_.volume_interval;
    std::sort(vol_active_.begin(), vol_active_.end());
    vol_active_.erase(std::unique(vol_active_.begin(), vol_active_.end()), vol_active_.end());
    struct Anomaly {
        IpAddr addr;
        std::uint64_t bytes;
        double baseline;
    };
    std::vector<Anomaly> anomalies;
    for (const IpAddr& a : vol_active_) {
        HostState* h = hosts_.find(a);
        if (!h || !h->vol.active()) continue;
        const std::uint64_t in = h->vol.flush(start, h->addr, out_, stats_.volume_rows);
        const VolumeBaseline::Verdict verdict = h->vol.baseline.observe(interval, in, baseline_);
        if (verdict.anomaly) anomalies.push_back({h->addr, in, verdict.baseline});
    }
    vol_active_.clear();
    for (const Anomaly& an : anomalies)
        if (HostState* h = hosts_.find(an.addr)) volume_anomaly(*h, an.bytes, an.baseline, end);
}

void StagingAnalytics::volume_anomaly(HostState& h, std::uint64_t bytes, double baseline, Timestamp end) {
    h.vol.anomaly_ts = end;
    RoleWindow& rs = role(h, Role::target);
    begin(rs, end);
    rs.win.expire(end);
    const TimeOfDayWindow* time = allow_.time_window(end);
    if (allow_.target(h.addr) || time) {
        rs.mark_suppressed({allow_.target(h.addr) ? std::string("target") : "time:" + time->text});
        ++stats_.findings_allowlisted;
    } else {
        const Assessment a = assess_role(h, rs, Role::target, true, end);
        if (should_raise(NoteType::volume_anomaly, h.addr, IpAddr{}, a.severity, end)) {
            Notice n = anomaly_notice(h.addr, end, bytes, baseline, h.vol.baseline.intervals() - 1, a, cfg_);
            raise(n);
            rs.note_raised(NoteType::volume_anomaly);
        }
    }
    evaluate(h, Role::target, end, nullptr);
    if (auto& cs = h.roles[idx(Role::collector)]) {
        begin(*cs, end);
        cs->win.expire(end);
        cs->pushes.expire(end);
        if (!cs->win.empty()) evaluate(h, Role::collector, end, nullptr);
    }
}

void StagingAnalytics::flush_rows(bool all) {
    struct Item {
        RoleWindow* rs;
        IpAddr host;
        Role role;
    };
    std::vector<Item> items;
    std::vector<PendingRole> keep;
    for (const PendingRole& p : pending_) {
        HostState* h = hosts_.find(p.host);
        if (!h) continue;
        auto& rp = h->roles[idx(p.role)];
        if (!rp || !rp->pending) continue;
        if (all || rp->period < clock_.period()) items.push_back({rp.get(), p.host, p.role});
        else keep.push_back(p);
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        if (a.rs->snap->ts != b.rs->snap->ts) return a.rs->snap->ts < b.rs->snap->ts;
        if (a.host != b.host) return a.host < b.host;
        return a.role < b.role;
    });
    for (const Item& i : items) emit_row(*i.rs);
    pending_ = std::move(keep);
}

void StagingAnalytics::sweep() {
    // Frees windows that have emptied and forgets expired suppressions; runs
    // once per report period, so idle state lives at most two windows. It
    // writes nothing, so the host table's order does not matter.
    const Timestamp now = clock_.now();
    hosts_.for_each([&](const IpAddr&, HostState& h) {
        for (auto& rp : h.roles) {
            if (!rp) continue;
            rp->expire(now);
            if (rp->idle()) rp.reset();
        }
        std::erase_if(h.mapped, [&](const MappedShare& m) { return m.ts + cfg_.window <= now; });
        // A transfer that has moved nothing for a window is no longer shown
        // as in progress (its close may never come: a lost FIN, an eviction).
        for (auto& v : h.open) std::erase_if(v, [&](const OpenTransfer& o) { return o.last + cfg_.window <= now; });
        if (h.vol.anomaly_ts && *h.vol.anomaly_ts + cfg_.window <= now) h.vol.anomaly_ts.reset();
    });
    dedupe_.expire(now);
}

// ---------------------------------------------------------------- contributions

void StagingAnalytics::count_volume(const IpAddr& from, const IpAddr& to, VolumeProto p, std::uint64_t bytes,
                                    bool file_write, bool file_read) {
    if (!roles_.target || (bytes == 0 && !file_write && !file_read)) return;
    auto touch = [&](const IpAddr& self, const IpAddr& peer, bool incoming) {
        HostState& h = host(self);
        const HostVolume::Counted r = h.vol.count(p, peer, incoming, bytes, file_write, file_read, cfg_.max_peers);
        if (r.peer_dropped) ++stats_.volume_peers_dropped;
        if (r.became_active) vol_active_.push_back(self);
    };
    touch(from, to, false);
    touch(to, from, true);
}

std::vector<std::string> StagingAnalytics::reasons_of(const Contribution& c, const std::string& share_path) const {
    if (!c.allowed) return {};
    return allow_.reasons(c.allowed, c.peer, FileClassifier::share_of(share_path), c.ts);
}

void StagingAnalytics::target_write(const IpAddr& target, const Contribution& c, const ConnId& conn,
                                    const std::string& share_path, const WriteFacts* file) {
    if (!roles_.target) return;
    const Timestamp now = clock_.now();
    HostState& h = host(target);
    RoleWindow& rs = role(h, Role::target);
    begin(rs, now);
    rs.expire(now);
    const std::string* archive = file && file->archive() ? &file->f->name : nullptr;
    if (!rs.add(c, share_path, archive, reasons_of(c, share_path))) ++stats_.peers_dropped;
    if (file && file->f && !c.allowed) rs.add_place(c.peer, share_path, file->f->name, file->f->username, archive, c.ts);
    if (archive) report_file(h, rs, c.peer, *file, c, conn);
    evaluate(h, Role::target, now, &conn);
}

void StagingAnalytics::collector_read(const IpAddr& collector, const Contribution& c, const ConnId& conn,
                                      const std::string& share_path) {
    if (!roles_.collector) return;
    const Timestamp now = clock_.now();
    HostState& h = host(collector);
    RoleWindow& rs = role(h, Role::collector);
    begin(rs, now);
    rs.expire(now);
    if (!rs.add(c, share_path, nullptr, reasons_of(c, share_path))) ++stats_.peers_dropped;
    evaluate(h, Role::collector, now, &conn);
}

void StagingAnalytics::collector_push(const IpAddr& collector, const Contribution& c, const ConnId& conn,
                                      const WriteFacts* file) {
    if (!roles_.collector) return;
    const Timestamp now = clock_.now();
    HostState* h = hosts_.find(collector);
    if (!h || !h->roles[idx(Role::collector)]) return;
    RoleWindow& rs = *h->roles[idx(Role::collector)];
    rs.expire(now);
    // Only writes after the host has pulled (within a horizon) are pushes.
    if (rs.longest().empty()) return;
    begin(rs, now);
    const std::string* archive = file && file->archive() ? &file->f->name : nullptr;
    if (!rs.add_push(c, archive, now)) ++stats_.peers_dropped;
    evaluate(*h, Role::collector, now, &conn);
}

void StagingAnalytics::map_share(const IpAddr& server, const IpAddr& client, const std::string& path, Timestamp t) {
    HostState& h = host(server);
    for (auto& x : h.mapped)
        if (x.client == client && x.path == path) {
            x.ts = std::max(x.ts, t);
            return;
        }
    if (h.mapped.size() >= kMaxMapped) h.mapped.erase(h.mapped.begin());
    h.mapped.push_back({client, path, t});
}

std::string StagingAnalytics::mapped_share(const IpAddr& server, const IpAddr& client, Timestamp t) const {
    std::string path;
    if (const HostState* h = hosts_.find(server)) {
        Timestamp best = 0;
        for (const MappedShare& m : h->mapped)
            if (m.client == client && m.ts >= best && m.ts + cfg_.window > t) {
                best = m.ts;
                path = m.path;
            }
    }
    return path;
}

void StagingAnalytics::tool_read(const IpAddr& reader, const Contribution& c, const ConnId& conn,
                                 const SmbFileEvent& f, const std::string& share_path) {
    // A read: the collector half's, keyed by the reader (docs/fleet.md).
    if (!roles_.collector) return;
    if (allow_.collector(reader) || c.allowed) {
        ++stats_.findings_allowlisted;
        return;
    }
    IndicatorSet on{};
    on[idx(Indicator::tool_transfer)] = true;
    const Assessment a = assess(on, Role::collector, cfg_);
    if (a.severity < cfg_.file_notice_min) {
        ++stats_.file_findings_quiet;
        return;
    }
    const Timestamp now = clock_.now();
    if (!should_raise(NoteType::tool_transfer, reader, c.peer, a.severity, now)) return;
    Notice n = tool_notice(f, share_path, reader, c.peer, conn, now, a, cfg_);
    raise(n);
}

void StagingAnalytics::place_in_progress(const IpAddr& target, const IpAddr& peer, const std::string& share_path,
                                         const std::string& name, const std::string& user, Timestamp t) {
    if (!roles_.target) return;
    const Timestamp now = clock_.now();
    HostState& h = host(target);
    RoleWindow& rs = role(h, Role::target);
    begin(rs, now);
    rs.expire(now);
    rs.add_place(peer, share_path, name, user, false, t, false);
}

void StagingAnalytics::transfer_open(Role r, const IpAddr& host_addr, const IpAddr& peer, const std::string& key,
                                     const std::string& what, std::uint64_t bytes, Timestamp t) {
    if (r == Role::target ? !roles_.target : !roles_.collector) return;
    auto& v = host(host_addr).open[idx(r)];
    for (OpenTransfer& o : v)
        if (o.key == key) {
            o.bytes += bytes;
            o.last = t;
            return;
        }
    if (v.size() >= kMaxOpen) v.erase(v.begin());
    v.push_back({key, peer, what, bytes, t, t});
}

void StagingAnalytics::transfer_closed(Role r, const IpAddr& host_addr, const std::string& key) {
    if (HostState* h = hosts_.find(host_addr))
        std::erase_if(h->open[idx(r)], [&](const OpenTransfer& o) { return o.key == key; });
}

std::vector<std::string> StagingAnalytics::in_progress(const HostState& h, Role r) const {
    std::vector<std::string> out;
    for (const OpenTransfer& o : h.open[idx(r)])
        out.push_back(o.what + (r == Role::target ? " from " : " on ") + o.peer.str() + ", " + human_bytes(o.bytes) +
                      " so far");
    return out;
}

// ---------------------------------------------------------------- roles

void StagingAnalytics::begin(RoleWindow& rs, Timestamp ts) {
    const std::int64_t p = clock_.period_of(ts);
    if (rs.period == p) return;
    if (rs.pending) emit_row(rs);
    rs.reset_period();
    rs.period = p;
}

Assessment StagingAnalytics::assess_role(const HostState& h, const RoleWindow& rs, Role r, bool eff,
                                         Timestamp ts) const {
    const bool anomaly = h.vol.anomaly_ts && !rs.win.expired(*h.vol.anomaly_ts, ts);
    const RoleFacts f = rs.facts(r, eff, anomaly, cfg_);
    Assessment a = assess(indicators(f, r, cfg_), r, cfg_);
    a.horizon = f.horizon;
    return a;
}

void StagingAnalytics::evaluate(HostState& h, Role r, Timestamp ts, const ConnId* conn) {
    RoleWindow& rs = *h.roles[idx(r)];
    const Assessment all = assess_role(h, rs, r, false, ts);
    const Indicator main = r == Role::target ? Indicator::fan_in : Indicator::pull_collector;
    if (all.has(main)) {
        const bool entity_allowed = r == Role::target ? allow_.target(h.addr) : allow_.collector(h.addr);
        const Assessment eff = entity_allowed ? Assessment{} : assess_role(h, rs, r, true, ts);
        if (eff.has(main)) {
            report_main(h, rs, r, eff, ts, conn);
        } else {
            std::vector<std::string> reasons;
            if (entity_allowed) {
                reasons.emplace_back(role_name(r));
            } else {
                for (const auto& i : rs.allowed_reasons) reasons.push_back(i.text);
                if (reasons.empty()) reasons.emplace_back("allow-list");
            }
            if (!rs.main_suppressed) {
                rs.main_suppressed = true;
                ++stats_.findings_allowlisted;
            }
            rs.mark_suppressed(reasons);
        }
    }
    snapshot(h, rs, r, all, ts);
}

void StagingAnalytics::snapshot(HostState& h, RoleWindow& rs, Role r, const Assessment& a, Timestamp ts) {
    // Writes that score nothing on the host (an archive in its writer's own
    // folder, a tool copied: docs/detection.md#data-lanes) are still listed.
    if (a.score == 0 && !rs.suppressed && rs.notices.empty() && (r != Role::target || !rs.has_file_marks()))
        return;
    if (rs.snap && a.score < rs.snap->score) return;
    // Refilled in place: within a period the row keeps its buffers, and the
    // columns whose inputs did not change since the last fill are kept.
    const bool fresh = !rs.snap;
    StagingRow& row = fresh ? rs.snap.emplace() : *rs.snap;
    row.ts = ts;
    row.host = h.addr;
    row.role = r;
    rs.fill_row(row, r, ts, cfg_.window, a.horizon, fresh || rs.names_changed);
    rs.names_changed = false;
    row.volume_anomaly = a.has(Indicator::volume_anomaly);
    row.score = a.score;
    row.severity = a.severity;
    if (row.detection_type != a.label) row.detection_type = a.label;
    if (fresh || !same_indicators(row.indicators, a.on)) row.indicators = indicator_columns(a, cfg_);
    if (!rs.pending) {
        rs.pending = true;
        pending_.push_back({h.addr, r});
    }
}

void StagingAnalytics::emit_row(RoleWindow& rs) {
    if (rs.update) {
        raise(*rs.update);
        rs.update.reset();
    }
    if (rs.snap) {
        StagingRow& row = *rs.snap;
        row.notices = rs.notices;
        std::sort(row.notices.begin(), row.notices.end());
        row.suppressed = rs.suppressed;
        row.suppressed_by = rs.suppressed_by;
        std::sort(row.suppressed_by.begin(), row.suppressed_by.end());
        out_.on_staging(row);
        ++stats_.staging_rows;
    }
    rs.snap.reset();
    rs.reset_period();
    rs.pending = false;
}

// ---------------------------------------------------------------- notices

bool StagingAnalytics::should_raise(NoteType n, const IpAddr& a, const IpAddr& b, Severity s, Timestamp ts,
                                    Duration at_least) {
    const bool raise = dedupe_.should_raise(n, a, b, s, ts, at_least);
    stats_.notices_deduplicated = dedupe_.repeats();
    return raise;
}

void StagingAnalytics::raise(Notice& n) {
    if (n.conn && !n.p) n.p = n.conn->resp_p;
    std::vector<Notice> due;
    const bool admitted = budget_.admit(n, due);
    for (const Notice& d : due) write_notice(d);
    if (admitted) write_notice(n);
    stats_.notices_aggregated = budget_.aggregated();
}

void StagingAnalytics::write_notice(const Notice& n) {
    ++stats_.notices;
    out_.on_notice(n);
}

void StagingAnalytics::close_budget_days(bool all) {
    std::vector<Notice> due;
    budget_.close_days(clock_.now(), all, due);
    for (const Notice& d : due) write_notice(d);
}

void StagingAnalytics::report_main(HostState& h, RoleWindow& rs, Role r, const Assessment& a, Timestamp ts,
                                   const ConnId* conn) {
    const NoteType note = r == Role::target ? NoteType::fan_in : NoteType::pull_collector;
    const std::uint32_t archives =
        r == Role::target ? rs.gathered(r, 0, true).c.archives : rs.data_pushes(true).archives;
    // A finding over a long horizon is not repeated before that horizon has passed.
    const Duration hold = a.horizon ? cfg_.long_windows[a.horizon - 1].length : 0;
    if (should_raise(note, h.addr, IpAddr{}, a.severity, ts, hold)) {
        Notice n = main_notice(h, rs, r, a, ts, conn);
        rs.notified_peers = n.sources;
        rs.notified_archives = archives;
        rs.update.reset();
        raise(n);
        rs.note_raised(note);
        return;
    }
    if (a.severity == Severity::none || !rs.grew(archives)) return;
    Notice n = main_notice(h, rs, r, a, ts, conn);
    n.sub = "update of an earlier notice; " + n.sub;
    rs.notified_peers = n.sources;
    rs.notified_archives = archives;
    rs.update = std::move(n);
}

Notice StagingAnalytics::main_notice(HostState& h, RoleWindow& rs, Role r, const Assessment& a, Timestamp ts,
                                     const ConnId* conn) const {
    WindowFacts w;
    w.ts = ts;
    w.conn = conn;
    w.host = h.addr;
    const PeerWindow& win = rs.horizon(a.horizon);
    // Only data being gathered: n counts peers over staging.max-peers too.
    const RoleWindow::Gathered g = rs.gathered(r, a.horizon, true, &w.peers);
    w.c = g.c;
    w.n = g.n;
    w.private_sources = g.own;
    w.software_sources = g.software;
    w.span = win.last_ts() - win.first_ts();
    w.horizon = a.horizon ? cfg_.long_windows[a.horizon - 1].length : 0;
    w.suppress_for = cfg_.suppress_for > 0 ? std::max(cfg_.suppress_for, w.horizon) : cfg_.suppress_for;
    Convergence::Place place;
    if (r == Role::target && rs.conv.converged(&place)) {
        w.converge_path = place.path;
        w.converge_sources = place.sources;
    }
    w.archives = rs.unallowed(rs.archive_names);
    w.in_progress = in_progress(h, r);
    if (r == Role::target) {
        w.shares = rs.unallowed(rs.shares);
        return fan_in_notice(w, a, cfg_);
    }
    std::vector<PeerBytes> pushed;
    w.pushed = rs.data_pushes(true, &pushed);
    for (const PeerBytes& p : pushed) w.push_targets.push_back(p.addr);
    return pull_notice(w, a, cfg_);
}

void StagingAnalytics::report_file(HostState& target, RoleWindow& rs, const IpAddr& source, const WriteFacts& wf,
                                   const Contribution& c, const ConnId& conn) {
    IndicatorSet on{};
    on[idx(Indicator::archive_name)] = wf.name_hit;
    on[idx(Indicator::archive_content)] = wf.content_hit;
    on[idx(Indicator::masquerade)] = wf.masquerade;
    on[idx(Indicator::admin_share)] = wf.admin;
    on[idx(Indicator::hidden_share)] = wf.hidden;
    on[idx(Indicator::staging_path)] = wf.staging_path;
    const Assessment a = assess(on, Role::target, cfg_);
    const NoteType note = wf.masquerade ? NoteType::archive_masquerade : NoteType::archive_write;

    const bool target_allowed = allow_.target(target.addr);
    if (target_allowed || c.allowed) {
        std::vector<std::string> reasons;
        if (target_allowed) reasons.emplace_back("target");
        for (auto& r : allow_.reasons(c.allowed, source, FileClassifier::share_of(wf.share_path), c.ts))
            reasons.push_back(std::move(r));
        rs.mark_suppressed(reasons);
        ++stats_.findings_allowlisted;
        return;
    }
    // A file alone becomes a notice only from notice.file-min-severity
    // (medium): an archive on a share is everyday business; its indicators
    // are still in the target's staging.log row.
    if (a.severity < cfg_.file_notice_min) {
        ++stats_.file_findings_quiet;
        return;
    }
    const Timestamp now = clock_.now();
    if (!should_raise(note, source, target.addr, a.severity, now)) return;
    Notice n = file_notice(wf, source, target.addr, conn, now, a, cfg_);
    raise(n);
    rs.note_raised(note);
}

}  // namespace sw
