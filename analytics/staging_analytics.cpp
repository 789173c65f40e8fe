#include "analytics/staging_analytics.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "analytics/text_format.h"

namespace sw {

namespace {

constexpr std::size_t kMaxShares = 16;    // shares remembered per host and role
constexpr std::size_t kMaxNames = 32;     // archive names remembered per host and role
constexpr std::size_t kMaxReasons = 8;    // allow-list reasons remembered per host and role
constexpr std::size_t kMaxMapped = 32;    // tree connects remembered per server
constexpr std::size_t kMaxListed = 20;    // sources spelled out in a notice's sub

template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

std::size_t idx(Indicator i) { return static_cast<std::size_t>(i); }

std::string join(const std::vector<std::string>& v, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += sep;
        out += v[i];
    }
    return out;
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

void add_unique(std::vector<std::string>& v, std::string s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

std::vector<IpAddr> addrs_of(const std::vector<PeerBytes>& p) {
    std::vector<IpAddr> out;
    out.reserve(p.size());
    for (const auto& x : p) out.push_back(x.addr);
    return out;
}

std::string indicator_list(const Assessment& a, const AnalyticsConfig& cfg) {
    std::string out;
    for (std::size_t i = 0; i < kIndicatorCount; ++i) {
        if (!a.on[i]) continue;
        if (!out.empty()) out += ", ";
        out += indicator_column_name(static_cast<Indicator>(i));
        out += ':';
        out += std::to_string(cfg.weights[i]);
    }
    return out;
}

}  // namespace

// What one SMB write or rename looked like.
struct StagingAnalytics::WriteFacts {
    const SmbFileEvent* f = nullptr;
    std::string share_path;
    std::string archive_ext;  // "" if the name is not an archive
    std::string content;      // canonical archive content type, "" if none
    bool name_hit = false, content_hit = false, masquerade = false;
    bool admin = false, staging_path = false, renamed = false;
    bool archive() const { return name_hit || content_hit; }
};

StagingAnalytics::StagingAnalytics(const AnalyticsConfig& cfg, FindingSink& out)
    : cfg_(cfg), out_(out), classify_(cfg_) {
    const Duration interval = std::max<Duration>(cfg_.volume_interval, 1);
    baseline_.alpha = BaselineParams::alpha_for(interval, cfg_.baseline_half_life);
    baseline_.warmup_intervals = static_cast<std::uint64_t>(
        std::max<Duration>(1, (cfg_.baseline_warmup + interval - 1) / interval));
    baseline_.factor = cfg_.baseline_factor;
    baseline_.floor_bytes = cfg_.baseline_min_bytes;
}

StagingAnalytics::~StagingAnalytics() = default;

Severity StagingAnalytics::severity_for(std::uint32_t score) const {
    if (score == 0) return Severity::none;
    if (score >= cfg_.severity_high) return Severity::high;
    if (score >= cfg_.severity_medium) return Severity::medium;
    return Severity::low;
}

std::string_view StagingAnalytics::label_for(const std::array<bool, kIndicatorCount>& on, Role role) {
    auto has = [&](Indicator i) { return on[idx(i)]; };
    if (role == Role::collector) {
        if (has(Indicator::pull_then_push)) return "PullThenPush";
        if (has(Indicator::pull_collector)) return "PullCollector";
    } else if (has(Indicator::fan_in)) {
        if (has(Indicator::fan_in_archives)) return "FanInArchiveStaging";
        if (has(Indicator::encrypted_smb)) return "EncryptedFanIn";
        return "FanInVolume";
    }
    const bool archive = has(Indicator::archive_name) || has(Indicator::archive_content);
    if (has(Indicator::masquerade)) return "ArchiveMasquerade";
    if (archive && has(Indicator::admin_share)) return "ArchiveToAdminShare";
    if (archive && has(Indicator::staging_path)) return "ArchiveInStagingDir";
    if (archive) return "ArchiveWrite";
    if (has(Indicator::volume_anomaly)) return "VolumeAnomaly";
    if (has(Indicator::encrypted_smb)) return "EncryptedVolume";
    if (has(Indicator::ssh_upload)) return "SshBulkUpload";
    if (has(Indicator::admin_share) || has(Indicator::staging_path)) return "StagingLocationWrite";
    return "";
}

// ---------------------------------------------------------------- hosts

StagingAnalytics::HostState& StagingAnalytics::host(const IpAddr& a) {
    auto it = hosts_.find(a);
    if (it != hosts_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return it->second;
    }
    if (hosts_.size() >= std::max<std::uint64_t>(cfg_.max_hosts, 4)) {
        auto victim = hosts_.find(lru_.back());
        if (victim != hosts_.end()) evict(victim->second);
    }
    lru_.push_front(a);
    HostState& h = hosts_[a];
    h.addr = a;
    h.lru = lru_.begin();
    stats_.hosts_tracked = hosts_.size();
    stats_.hosts_max = std::max<std::uint64_t>(stats_.hosts_max, hosts_.size());
    return h;
}

void StagingAnalytics::evict(HostState& h) {
    // Nothing already observed is lost silently: the host's pending staging
    // rows and its volume rows of the current interval are written now.
    for (auto& rs : h.roles)
        if (rs && rs->pending) emit_row(*rs);
    if (h.vol_active) {
        for (std::size_t p = 0; p < 3; ++p) {
            VolumeCounters& v = h.vol[p];
            if (!v.active) continue;
            VolumeRow r{interval_ * cfg_.volume_interval, h.addr, static_cast<VolumeProto>(p), v.in, v.out,
                        v.files_written, v.files_read, v.peers_in.size(), v.peers_out.size()};
            out_.on_volume(r);
            ++stats_.volume_rows;
        }
    }
    ++stats_.hosts_evicted;
    lru_.erase(h.lru);
    hosts_.erase(h.addr);
    stats_.hosts_tracked = hosts_.size();
}

StagingAnalytics::RoleState& StagingAnalytics::role(HostState& h, Role r) {
    auto& p = h.roles[static_cast<int>(r)];
    if (!p) p = std::make_unique<RoleState>(cfg_.window, std::max<std::uint32_t>(cfg_.max_peers, 1));
    return *p;
}

// ---------------------------------------------------------------- clock

void StagingAnalytics::advance(Timestamp now) {
    if (finished_) return;
    clock(now);
}

void StagingAnalytics::clock(Timestamp t) {
    const Duration I = std::max<Duration>(cfg_.volume_interval, 1);
    const Duration W = std::max<Duration>(cfg_.window, 1);
    if (!started_) {
        started_ = true;
        now_ = t;
        interval_ = floor_div(t, I);
        period_ = floor_div(t, W);
        return;
    }
    if (t <= now_) {
        if (floor_div(t, I) < interval_) ++stats_.late_events;
        return;
    }
    now_ = t;
    const std::int64_t k = floor_div(t, I), p = floor_div(t, W);
    const Timestamp interval_end = (interval_ + 1) * I;
    const Timestamp period_end = (period_ + 1) * W;
    // Boundaries in time order; a period ending with the interval goes first,
    // so what the interval's close finds belongs to the new period.
    if (p > period_ && period_end <= interval_end) {
        period_ = p;
        flush_rows(false);
        sweep();
    }
    if (k > interval_) {
        close_interval(interval_end);
        interval_ = k;
    }
    if (p > period_) {
        period_ = p;
        flush_rows(false);
        sweep();
    }
}

void StagingAnalytics::finish() {
    if (finished_) return;
    finished_ = true;
    if (!started_) return;
    close_interval(now_);
    flush_rows(true);
}

void StagingAnalytics::close_interval(Timestamp end) {
    const Timestamp start = interval_ * cfg_.volume_interval;
    std::sort(vol_active_.begin(), vol_active_.end());
    vol_active_.erase(std::unique(vol_active_.begin(), vol_active_.end()), vol_active_.end());
    struct Anomaly {
        IpAddr addr;
        std::uint64_t bytes;
        double baseline;
    };
    std::vector<Anomaly> anomalies;
    for (const IpAddr& a : vol_active_) {
        auto it = hosts_.find(a);
        if (it == hosts_.end() || !it->second.vol_active) continue;
        HostState& h = it->second;
        std::uint64_t in = 0;
        for (std::size_t p = 0; p < 3; ++p) {
            VolumeCounters& v = h.vol[p];
            if (!v.active) continue;
            VolumeRow r{start, h.addr, static_cast<VolumeProto>(p), v.in, v.out, v.files_written, v.files_read,
                        v.peers_in.size(), v.peers_out.size()};
            out_.on_volume(r);
            ++stats_.volume_rows;
            in += v.in;
            v.in = v.out = v.files_written = v.files_read = 0;
            v.peers_in.clear();
            v.peers_out.clear();
            v.active = false;
        }
        h.vol_active = false;
        VolumeBaseline::Verdict verdict = h.baseline.observe(interval_, in, baseline_);
        if (verdict.anomaly) anomalies.push_back({h.addr, in, verdict.baseline});
    }
    vol_active_.clear();

    for (const Anomaly& an : anomalies) {
        auto it = hosts_.find(an.addr);
        if (it == hosts_.end()) continue;
        HostState& h = it->second;
        h.anomaly_ts = end;
        RoleState& rs = role(h, Role::target);
        begin(h, rs, Role::target, end);
        rs.win.expire(end);
        bool time_ok = false;
        std::string time_text;
        for (const auto& w : cfg_.allow_times)
            if (w.contains(end)) {
                time_ok = true;
                time_text = w.text;
                break;
            }
        if (cfg_.allow_targets.contains(h.addr) || time_ok) {
            mark_suppressed(rs, {cfg_.allow_targets.contains(h.addr) ? std::string("target") : "time:" + time_text});
            ++stats_.findings_allowlisted;
        } else {
            Assessment a = assess(h, rs, Role::target, true, end);
            if (should_raise(NoteType::volume_anomaly, h.addr, IpAddr{}, a.severity, end)) {
                Notice n;
                n.ts = end;
                n.note = NoteType::volume_anomaly;
                n.dst = h.addr;
                n.bytes = an.bytes;
                n.score = a.score;
                n.severity = a.severity;
                n.detection_type = std::string(a.label);
                const std::string span = human_span(cfg_.volume_interval);
                char ratio[48];
                if (an.baseline >= 1.0)
                    std::snprintf(ratio, sizeof(ratio), "%.0fx", static_cast<double>(an.bytes) / an.baseline);
                else
                    std::snprintf(ratio, sizeof(ratio), "far above");
                n.msg = h.addr.str() + " received " + human_bytes(an.bytes) + " in " + span + ", " + ratio +
                        " its usual " + human_bytes(static_cast<std::uint64_t>(std::llround(an.baseline))) +
                        " per " + span;
                char factor[32];
                std::snprintf(factor, sizeof(factor), "%g", cfg_.baseline_factor);
                n.sub = "larger than normal volume: baseline.factor " + std::string(factor) +
                        ", baseline over " + std::to_string(h.baseline.intervals() - 1) +
                        " intervals; indicators: " + indicator_list(a, cfg_);
                n.mitre = {"T1074.002"};
                n.suppress_for = cfg_.suppress_for;
                raise(n);
                note_raised(rs, NoteType::volume_anomaly);
            }
        }
        evaluate(h, Role::target, end, nullptr);
        if (h.roles[static_cast<int>(Role::collector)]) {
            RoleState& cs = *h.roles[static_cast<int>(Role::collector)];
            begin(h, cs, Role::collector, end);
            cs.win.expire(end);
            cs.pushes.expire(end);
            if (!cs.win.empty()) evaluate(h, Role::collector, end, nullptr);
        }
    }
}

void StagingAnalytics::flush_rows(bool all) {
    struct Item {
        RoleState* rs;
        IpAddr host;
        Role role;
    };
    std::vector<Item> items;
    std::vector<PendingRole> keep;
    for (const PendingRole& p : pending_) {
        auto it = hosts_.find(p.host);
        if (it == hosts_.end()) continue;
        auto& rp = it->second.roles[static_cast<int>(p.role)];
        if (!rp || !rp->pending) continue;
        if (all || rp->period < period_) items.push_back({rp.get(), p.host, p.role});
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
    // once per report period, so idle state lives at most two windows.
    for (auto& [addr, h] : hosts_) {
        for (auto& rp : h.roles) {
            if (!rp) continue;
            rp->win.expire(now_);
            rp->pushes.expire(now_);
            prune_items(rp->shares, rp->win);
            prune_items(rp->archive_names, rp->win);
            prune_items(rp->allowed_reasons, rp->win);
            if (rp->win.empty() && rp->pushes.empty() && !rp->pending) rp.reset();
        }
        std::erase_if(h.mapped, [&](const MappedShare& m) { return m.ts + cfg_.window <= now_; });
        if (h.anomaly_ts && *h.anomaly_ts + cfg_.window <= now_) h.anomaly_ts.reset();
    }
    for (auto it = raised_.begin(); it != raised_.end();) {
        if (now_ - it->second.ts >= cfg_.suppress_for) it = raised_.erase(it);
        else ++it;
    }
}

// ---------------------------------------------------------------- events

void StagingAnalytics::on_event(const Event& e) {
    if (finished_) return;
    std::visit(overloaded{
                   [&](const SmbFileEvent& f) { on_file(f); },
                   [&](const SmbSessionEvent& s) { on_session(s); },
                   [&](const SshEvent& s) { on_ssh(s); },
                   [&](const ConnRecord& c) { on_conn(c); },
                   [&](const SmbMappingEvent& m) { on_mapping(m); },
                   [&](const auto&) {},
               },
               e);
}

void StagingAnalytics::count_volume(const IpAddr& from, const IpAddr& to, VolumeProto p, std::uint64_t bytes,
                                    bool file_write, bool file_read) {
    if (bytes == 0 && !file_write && !file_read) return;
    auto touch = [&](const IpAddr& self, const IpAddr& peer, bool incoming) {
        HostState& h = host(self);
        VolumeCounters& v = h.vol[static_cast<std::size_t>(p)];
        (incoming ? v.in : v.out) += bytes;
        if (file_write) ++v.files_written;
        if (file_read) ++v.files_read;
        if (bytes) {
            auto& peers = incoming ? v.peers_in : v.peers_out;
            if (std::find(peers.begin(), peers.end(), peer) == peers.end()) {
                if (peers.size() < std::max<std::uint32_t>(cfg_.max_peers, 1)) peers.push_back(peer);
                else ++stats_.volume_peers_dropped;
            }
        }
        v.active = true;
        if (!h.vol_active) {
            h.vol_active = true;
            vol_active_.push_back(self);
        }
    };
    touch(from, to, false);
    touch(to, from, true);
}

std::uint8_t StagingAnalytics::allow_bits(const IpAddr& data_source, std::string_view share, Timestamp ts) const {
    std::uint8_t bits = 0;
    if (cfg_.allow_sources.contains(data_source)) bits |= kAllowPeer;
    if (!share.empty())
        for (const auto& p : cfg_.allow_shares)
            if (wildcard_match_ci(p, share)) {
                bits |= kAllowShare;
                break;
            }
    for (const auto& w : cfg_.allow_times)
        if (w.contains(ts)) {
            bits |= kAllowTime;
            break;
        }
    return bits;
}

std::vector<std::string> StagingAnalytics::allow_reasons(std::uint8_t bits, const IpAddr& data_source,
                                                         std::string_view share, Timestamp ts) const {
    std::vector<std::string> out;
    if (bits & kAllowPeer) out.push_back("source:" + data_source.str());
    if (bits & kAllowShare) out.push_back("share:" + std::string(share));
    if (bits & kAllowTime)
        for (const auto& w : cfg_.allow_times)
            if (w.contains(ts)) {
                out.push_back("time:" + w.text);
                break;
            }
    return out;
}

void StagingAnalytics::prune_items(std::vector<NamedItem>& v, const PeerWindow& w) {
    std::erase_if(v, [&](const NamedItem& i) { return w.expired(i.ts, now_); });
}

namespace {
template <class Item>
void upsert_item(std::vector<Item>& v, const std::string& text, Timestamp ts, bool allowed, std::size_t cap) {
    for (auto& i : v)
        if (i.text == text) {
            i.ts = std::max(i.ts, ts);
            i.allowed = i.allowed && allowed;
            return;
        }
    if (v.size() >= cap) {
        auto oldest = std::min_element(v.begin(), v.end(), [](const Item& a, const Item& b) { return a.ts < b.ts; });
        v.erase(oldest);
    }
    v.push_back({text, ts, allowed});
}
}  // namespace

void StagingAnalytics::on_file(const SmbFileEvent& f) {
    if (f.is_pipe) return;
    const Timestamp t = f.close_ts ? f.close_ts : f.ts;
    clock(t);
    ++stats_.events;
    // A handle of an encrypted session: its bytes are in the session's
    // transform byte counts (SmbSessionEvent); counting both would double them.
    if (f.encrypted) return;
    const IpAddr client = f.id.orig_h, server = f.id.resp_h;
    if (client == server) return;

    const std::string_view share = !f.share.empty() ? std::string_view(f.share) : FileClassifier::share_of(f.path);
    std::string share_path = f.path;
    if (share_path.empty() && !share.empty()) share_path = "\\\\" + server.str() + "\\" + std::string(share);

    const std::uint64_t bw = f.bytes_written, br = f.bytes_read;
    WriteFacts wf;
    wf.f = &f;
    wf.share_path = share_path;
    wf.archive_ext = classify_.archive_extension(f.name);
    wf.renamed = !f.prev_name.empty();
    const bool is_write = !f.is_directory && (bw > 0 || (wf.renamed && !wf.archive_ext.empty()));

    if (bw) count_volume(client, server, VolumeProto::smb, bw, true, false);
    if (br) count_volume(server, client, VolumeProto::smb, br, false, true);

    if (is_write) {
        wf.content = classify_.archive_content(f.content_type);
        const bool container = classify_.is_container_name(f.name);
        wf.name_hit = !wf.archive_ext.empty();
        wf.content_hit = !wf.content.empty() && !container;
        wf.masquerade = wf.content_hit && !wf.name_hit;
        wf.admin = classify_.is_admin_share(share);
        wf.staging_path = classify_.is_staging_path(share, f.name);

        Contribution c;
        c.ts = t;
        c.peer = client;
        c.c.bytes = bw;
        c.c.smb_bytes = bw;
        c.c.files = bw > 0;
        c.c.archives = wf.archive();
        c.c.archive_names = wf.name_hit;
        c.c.archive_contents = wf.content_hit;
        c.c.masquerades = wf.masquerade;
        c.c.admin_writes = wf.admin;
        c.c.path_writes = wf.staging_path;
        c.allowed = allow_bits(client, share, t);
        target_write(server, c, f.id, share_path, &wf);

        Contribution push = c;
        push.peer = server;
        push.allowed = static_cast<std::uint8_t>((allow_bits(client, share, t) & ~kAllowPeer) |
                                                 (cfg_.allow_targets.contains(server) ? kAllowPeer : 0));
        collector_push(client, push, f.id, &wf);
    }
    if (br && !f.is_directory) {
        Contribution c;
        c.ts = t;
        c.peer = server;
        c.c.bytes = br;
        c.c.smb_bytes = br;
        c.c.files = 1;
        c.allowed = allow_bits(server, share, t);
        collector_read(client, c, f.id, share_path);
    }
}

void StagingAnalytics::on_session(const SmbSessionEvent& s) {
    const Timestamp t = s.end_ts ? s.end_ts : s.ts;
    clock(t);
    ++stats_.events;
    const IpAddr client = s.id.orig_h, server = s.id.resp_h;
    if (client == server) return;
    const std::uint64_t up = s.encrypted_bytes[idx(Dir::orig)], down = s.encrypted_bytes[idx(Dir::resp)];
    if (!up && !down) return;
    count_volume(client, server, VolumeProto::smb, up, false, false);
    count_volume(server, client, VolumeProto::smb, down, false, false);

    // The share of an encrypted session: the client's latest tree connect
    // to this server, when it was seen in clear (per-share encryption).
    std::string share_path;
    if (auto it = hosts_.find(server); it != hosts_.end()) {
        Timestamp best = 0;
        for (const MappedShare& m : it->second.mapped)
            if (m.client == client && m.ts >= best && m.ts + cfg_.window > t) {
                best = m.ts;
                share_path = m.path;
            }
    }
    const std::string_view share = FileClassifier::share_of(share_path);

    if (up) {
        Contribution c;
        c.ts = t;
        c.peer = client;
        c.c.bytes = up;
        c.c.smb_bytes = up;
        c.c.enc_bytes = up;
        c.c.admin_writes = classify_.is_admin_share(share);
        c.allowed = allow_bits(client, share, t);
        target_write(server, c, s.id, share_path, nullptr);
        Contribution push = c;
        push.peer = server;
        push.allowed = static_cast<std::uint8_t>((c.allowed & ~kAllowPeer) |
                                                 (cfg_.allow_targets.contains(server) ? kAllowPeer : 0));
        collector_push(client, push, s.id, nullptr);
    }
    if (down) {
        Contribution c;
        c.ts = t;
        c.peer = server;
        c.c.bytes = down;
        c.c.smb_bytes = down;
        c.c.enc_bytes = down;
        c.allowed = allow_bits(server, share, t);
        collector_read(client, c, s.id, share_path);
    }
}

void StagingAnalytics::on_ssh(const SshEvent& s) {
    const Timestamp t = s.ts + std::max<Duration>(s.duration, 0);
    clock(t);
    ++stats_.events;
    IpAddr client = s.client_h, server = s.server_h;
    if (client == IpAddr{} && server == IpAddr{}) {
        client = s.id.orig_h;
        server = s.id.resp_h;
    }
    if (s.id.orig_h == s.id.resp_h) return;
    count_volume(s.id.orig_h, s.id.resp_h, VolumeProto::ssh, s.orig_bytes, false, false);
    count_volume(s.id.resp_h, s.id.orig_h, VolumeProto::ssh, s.resp_bytes, false, false);
    if (client == server) return;
    // Keystrokes and screen output of an interactive session are not data
    // being moved; every other inference (upload, download, tunnel) is.
    if (s.inferred == "interactive") return;
    if (s.upload_bytes) {
        Contribution c;
        c.ts = t;
        c.peer = client;
        c.c.bytes = s.upload_bytes;
        c.c.ssh_bytes = s.upload_bytes;
        c.allowed = allow_bits(client, {}, t);
        target_write(server, c, s.id, {}, nullptr);
        Contribution push = c;
        push.peer = server;
        push.allowed = static_cast<std::uint8_t>((c.allowed & ~kAllowPeer) |
                                                 (cfg_.allow_targets.contains(server) ? kAllowPeer : 0));
        collector_push(client, push, s.id, nullptr);
    }
    if (s.download_bytes) {
        Contribution c;
        c.ts = t;
        c.peer = server;
        c.c.bytes = s.download_bytes;
        c.c.ssh_bytes = s.download_bytes;
        c.allowed = allow_bits(server, {}, t);
        collector_read(client, c, s.id, {});
    }
}

void StagingAnalytics::on_conn(const ConnRecord& c) {
    if (c.id.proto != Transport::tcp) return;
    // SMB and SSH volume comes from their dissectors' events.
    if (c.protocol == AppProtocol::smb || c.protocol == AppProtocol::ssh) return;
    const Timestamp t = c.ts + std::max<Duration>(c.duration, 0);
    clock(t);
    ++stats_.events;
    if (c.id.orig_h == c.id.resp_h) return;
    count_volume(c.id.orig_h, c.id.resp_h, VolumeProto::other_tcp, c.orig_bytes, false, false);
    count_volume(c.id.resp_h, c.id.orig_h, VolumeProto::other_tcp, c.resp_bytes, false, false);
}

void StagingAnalytics::on_mapping(const SmbMappingEvent& m) {
    clock(m.ts);
    ++stats_.events;
    if (m.path.empty() || m.id.orig_h == m.id.resp_h) return;
    HostState& h = host(m.id.resp_h);
    for (auto& x : h.mapped)
        if (x.client == m.id.orig_h && x.path == m.path) {
            x.ts = std::max(x.ts, m.ts);
            return;
        }
    if (h.mapped.size() >= kMaxMapped) h.mapped.erase(h.mapped.begin());
    h.mapped.push_back({m.id.orig_h, m.path, m.ts});
}

// ---------------------------------------------------------------- roles

void StagingAnalytics::begin(HostState& h, RoleState& rs, Role r, Timestamp ts) {
    (void)h;
    (void)r;
    const std::int64_t p = floor_div(ts, std::max<Duration>(cfg_.window, 1));
    if (rs.period == p) return;
    if (rs.pending) emit_row(rs);
    rs.notices.clear();
    rs.suppressed = false;
    rs.main_suppressed = false;
    rs.suppressed_by.clear();
    rs.period = p;
}

void StagingAnalytics::target_write(const IpAddr& target, const Contribution& c, const ConnId& conn,
                                    const std::string& share_path, const WriteFacts* file) {
    HostState& h = host(target);
    RoleState& rs = role(h, Role::target);
    begin(h, rs, Role::target, now_);
    rs.win.expire(now_);
    prune_items(rs.shares, rs.win);
    prune_items(rs.archive_names, rs.win);
    prune_items(rs.allowed_reasons, rs.win);
    if (!rs.win.add(c)) ++stats_.peers_dropped;
    if (!share_path.empty()) upsert_item(rs.shares, share_path, c.ts, c.allowed != 0, kMaxShares);
    if (file && file->archive()) upsert_item(rs.archive_names, file->f->name, c.ts, c.allowed != 0, kMaxNames);
    if (c.allowed) {
        std::string_view share = FileClassifier::share_of(share_path);
        for (auto& reason : allow_reasons(c.allowed, c.peer, share, c.ts))
            upsert_item(rs.allowed_reasons, reason, c.ts, true, kMaxReasons);
    }
    if (file && file->archive()) file_notice(h, rs, c.peer, *file, c, conn);
    evaluate(h, Role::target, now_, &conn);
}

void StagingAnalytics::collector_read(const IpAddr& collector, const Contribution& c, const ConnId& conn,
                                      const std::string& share_path) {
    HostState& h = host(collector);
    RoleState& rs = role(h, Role::collector);
    begin(h, rs, Role::collector, now_);
    rs.win.expire(now_);
    rs.pushes.expire(now_);
    prune_items(rs.shares, rs.win);
    prune_items(rs.archive_names, rs.win);
    prune_items(rs.allowed_reasons, rs.win);
    if (!rs.win.add(c)) ++stats_.peers_dropped;
    if (!share_path.empty()) upsert_item(rs.shares, share_path, c.ts, c.allowed != 0, kMaxShares);
    if (c.allowed) {
        std::string_view share = FileClassifier::share_of(share_path);
        for (auto& reason : allow_reasons(c.allowed, c.peer, share, c.ts))
            upsert_item(rs.allowed_reasons, reason, c.ts, true, kMaxReasons);
    }
    evaluate(h, Role::collector, now_, &conn);
}

void StagingAnalytics::collector_push(const IpAddr& collector, const Contribution& c, const ConnId& conn,
                                      const WriteFacts* file) {
    auto it = hosts_.find(collector);
    if (it == hosts_.end()) return;
    HostState& h = it->second;
    auto& rp = h.roles[static_cast<int>(Role::collector)];
    if (!rp) return;
    RoleState& rs = *rp;
    rs.win.expire(now_);
    // Only writes after the host has pulled (within the window) are pushes.
    if (rs.win.empty()) return;
    begin(h, rs, Role::collector, now_);
    rs.pushes.expire(now_);
    prune_items(rs.archive_names, rs.pushes);
    if (!rs.pushes.add(c)) ++stats_.peers_dropped;
    if (file && file->archive()) upsert_item(rs.archive_names, file->f->name, c.ts, c.allowed != 0, kMaxNames);
    evaluate(h, Role::collector, now_, &conn);
}

Assessment StagingAnalytics::finish_assessment(std::array<bool, kIndicatorCount> on, Role r) const {
    Assessment a;
    a.on = on;
    for (std::size_t i = 0; i < kIndicatorCount; ++i)
        if (on[i]) a.score += cfg_.weights[i];
    a.severity = severity_for(a.score);
    a.label = a.score ? label_for(on, r) : std::string_view{};
    return a;
}

Assessment StagingAnalytics::assess(const HostState& h, const RoleState& rs, Role r, bool eff, Timestamp ts) const {
    std::array<bool, kIndicatorCount> on{};
    on[idx(Indicator::volume_anomaly)] = h.anomaly_ts && !rs.win.expired(*h.anomaly_ts, ts);
    const Counters& c = eff ? rs.win.eff() : rs.win.all();
    const std::uint32_t n = eff ? rs.win.peers_eff() : rs.win.peers_all();
    const Counters* files = &c;
    if (r == Role::target) {
        const bool fan = n >= cfg_.min_sources && c.bytes >= cfg_.min_bytes && n > 0;
        on[idx(Indicator::fan_in)] = fan;
        on[idx(Indicator::fan_in_archives)] = fan && c.archives > 0;
        on[idx(Indicator::ssh_upload)] = c.ssh_bytes > 0 && c.ssh_bytes >= cfg_.min_bytes;
        on[idx(Indicator::encrypted_smb)] = c.enc_bytes > 0 && c.enc_bytes >= cfg_.min_bytes;
    } else {
        const Counters& p = eff ? rs.pushes.eff() : rs.pushes.all();
        files = &p;
        const bool pull = n >= cfg_.min_servers && c.bytes >= cfg_.min_bytes && n > 0;
        on[idx(Indicator::pull_collector)] = pull;
        if (pull) {
            bool push = p.archives > 0;
            if (!push && p.bytes > 0) {
                // Bytes sent on to hosts it did not pull from.
                std::uint64_t onward = 0;
                for (const PeerBytes& pb : rs.pushes.peers(eff))
                    if (!rs.win.has_peer(pb.addr)) onward += pb.bytes;
                push = onward > 0 && onward >= cfg_.push_min_bytes;
            }
            on[idx(Indicator::pull_then_push)] = push;
        }
    }
    on[idx(Indicator::archive_name)] = files->archive_names > 0;
    on[idx(Indicator::archive_content)] = files->archive_contents > 0;
    on[idx(Indicator::masquerade)] = files->masquerades > 0;
    on[idx(Indicator::admin_share)] = files->admin_writes > 0;
    on[idx(Indicator::staging_path)] = files->path_writes > 0;
    return finish_assessment(on, r);
}

void StagingAnalytics::evaluate(HostState& h, Role r, Timestamp ts, const ConnId* conn) {
    RoleState& rs = *h.roles[static_cast<int>(r)];
    const Assessment all = assess(h, rs, r, false, ts);
    const Indicator main = r == Role::target ? Indicator::fan_in : Indicator::pull_collector;
    if (all.has(main)) {
        const bool entity_allowed =
            r == Role::target ? cfg_.allow_targets.contains(h.addr) : cfg_.allow_collectors.contains(h.addr);
        const Assessment eff = entity_allowed ? Assessment{} : assess(h, rs, r, true, ts);
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
            mark_suppressed(rs, reasons);
        }
    }
    snapshot(h, rs, r, all, ts);
}

void StagingAnalytics::mark_suppressed(RoleState& rs, const std::vector<std::string>& reasons) {
    rs.suppressed = true;
    for (const auto& x : reasons) add_unique(rs.suppressed_by, x);
}

void StagingAnalytics::note_raised(RoleState& rs, NoteType n) { add_unique(rs.notices, std::string(note_name(n))); }

void StagingAnalytics::snapshot(HostState& h, RoleState& rs, Role r, const Assessment& a, Timestamp ts) {
    if (a.score == 0 && !rs.suppressed && rs.notices.empty()) return;
    if (rs.snap && a.score < rs.snap->score) return;
    StagingRow row;
    row.ts = ts;
    row.host = h.addr;
    row.role = r;
    row.period_start = rs.period * cfg_.window;
    row.window_start = rs.win.empty() ? ts : rs.win.first_ts();
    row.peers = rs.win.peers(false);
    row.peers_dropped = rs.win.overflow();
    const Counters& c = rs.win.all();
    row.bytes = c.bytes;
    row.smb_bytes = c.smb_bytes;
    row.ssh_bytes = c.ssh_bytes;
    row.encrypted_bytes = c.enc_bytes;
    row.files = c.files;
    const Counters& f = r == Role::target ? c : rs.pushes.all();
    row.archives = f.archives;
    row.masquerades = f.masquerades;
    row.admin_share_writes = f.admin_writes;
    row.staging_path_writes = f.path_writes;
    for (const auto& i : rs.archive_names) row.archive_names.push_back(i.text);
    std::sort(row.archive_names.begin(), row.archive_names.end());
    for (const auto& i : rs.shares) row.shares.push_back(i.text);
    std::sort(row.shares.begin(), row.shares.end());
    if (r == Role::collector) {
        row.pushed_bytes = rs.pushes.all().bytes;
        row.push_targets = addrs_of(rs.pushes.peers(false));
    }
    row.volume_anomaly = a.has(Indicator::volume_anomaly);
    row.score = a.score;
    row.severity = a.severity;
    row.detection_type = std::string(a.label);
    for (std::size_t i = 0; i < kIndicatorCount; ++i)
        if (a.on[i])
            row.indicators.push_back(std::string(indicator_column_name(static_cast<Indicator>(i))) + ":" +
                                     std::to_string(cfg_.weights[i]));
    rs.snap = std::move(row);
    if (!rs.pending) {
        rs.pending = true;
        pending_.push_back({h.addr, r});
    }
}

void StagingAnalytics::emit_row(RoleState& rs) {
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
    rs.notices.clear();
    rs.suppressed = false;
    rs.main_suppressed = false;
    rs.suppressed_by.clear();
    rs.pending = false;
}

// ---------------------------------------------------------------- notices

bool StagingAnalytics::should_raise(NoteType n, const IpAddr& a, const IpAddr& b, Severity s, Timestamp ts) {
    if (s == Severity::none) return false;
    if (cfg_.suppress_for <= 0) return true;
    NoticeKey k{n, a, b};
    auto it = raised_.find(k);
    if (it == raised_.end() || ts - it->second.ts >= cfg_.suppress_for || s > it->second.severity) {
        raised_[k] = Raised{ts, s};
        return true;
    }
    ++stats_.notices_deduplicated;
    return false;
}

void StagingAnalytics::raise(Notice& n) {
    if (n.conn && !n.p) n.p = n.conn->resp_p;
    ++stats_.notices;
    out_.on_notice(n);
}

void StagingAnalytics::report_main(HostState& h, RoleState& rs, Role r, const Assessment& a, Timestamp ts,
                                   const ConnId* conn) {
    const NoteType note = r == Role::target ? NoteType::fan_in : NoteType::pull_collector;
    auto build = [&] { return r == Role::target ? fan_in_notice(h, rs, a, ts, conn) : pull_notice(h, rs, a, ts, conn); };
    const std::uint32_t archives = r == Role::target ? rs.win.eff().archives : rs.pushes.eff().archives;
    if (should_raise(note, h.addr, IpAddr{}, a.severity, ts)) {
        Notice n = build();
        rs.notified_peers = n.sources;
        rs.notified_archives = archives;
        rs.update.reset();
        raise(n);
        note_raised(rs, note);
        return;
    }
    if (a.severity == Severity::none) return;
    bool grew = archives > rs.notified_archives;
    if (!grew) {
        for (const PeerBytes& p : rs.win.peers(true))
            if (!std::binary_search(rs.notified_peers.begin(), rs.notified_peers.end(), p.addr)) {
                grew = true;
                break;
            }
    }
    if (!grew) return;
    Notice n = build();
    n.sub = "update of an earlier notice; " + n.sub;
    rs.notified_peers = n.sources;
    rs.notified_archives = archives;
    rs.update = std::move(n);
}

Notice StagingAnalytics::fan_in_notice(HostState& h, RoleState& rs, const Assessment& a, Timestamp ts,
                                      const ConnId* conn) {
    const Counters& c = rs.win.eff();
    const std::vector<PeerBytes> peers = rs.win.peers(true);
    Notice n;
    n.ts = ts;
    if (conn) n.conn = *conn;
    n.note = NoteType::fan_in;
    n.dst = h.addr;
    n.n = rs.win.peers_eff();  // counts peers over staging.max-peers too
    n.sources = addrs_of(peers);
    n.bytes = c.bytes;
    for (const auto& i : rs.archive_names)
        if (!i.allowed) n.archives.push_back(i.text);
    std::sort(n.archives.begin(), n.archives.end());
    std::vector<std::string> shares;
    for (const auto& i : rs.shares)
        if (!i.allowed) shares.push_back(i.text);
    std::sort(shares.begin(), shares.end());
    n.score = a.score;
    n.severity = a.severity;
    n.detection_type = std::string(a.label);

    n.msg = h.addr.str() + " received " + human_bytes(c.bytes) + " from " + plural(*n.n, "host", "hosts") +
            " in " + human_span(rs.win.last_ts() - rs.win.first_ts());
    if (c.archives) {
        n.msg += ", " + plural(c.archives, "archive", "archives");
        if (!shares.empty()) n.msg += " to " + join(shares, " and ");
    } else if (!shares.empty()) {
        n.msg += " on " + join(shares, " and ");
    }
    if (c.ssh_bytes) n.msg += ", " + human_bytes(c.ssh_bytes) + " by SSH upload";
    if (c.enc_bytes) n.msg += ", " + human_bytes(c.enc_bytes) + " as encrypted SMB3";

    std::vector<std::string> per_source;
    for (std::size_t i = 0; i < peers.size() && i < kMaxListed; ++i)
        per_source.push_back(peers[i].addr.str() + " " + human_bytes(peers[i].bytes));
    n.sub = "sources: " + join(per_source, ", ");
    if (peers.size() > kMaxListed) n.sub += " and " + std::to_string(peers.size() - kMaxListed) + " more";
    n.sub += "; indicators: " + indicator_list(a, cfg_);
    n.mitre = {"T1074.002"};
    n.suppress_for = cfg_.suppress_for;
    return n;
}

Notice StagingAnalytics::pull_notice(HostState& h, RoleState& rs, const Assessment& a, Timestamp ts,
                                    const ConnId* conn) {
    const Counters& c = rs.win.eff();
    const std::vector<PeerBytes> servers = rs.win.peers(true);
    Notice n;
    n.ts = ts;
    if (conn) n.conn = *conn;
    n.note = NoteType::pull_collector;
    n.src = h.addr;
    n.n = rs.win.peers_eff();
    n.sources = addrs_of(servers);
    n.bytes = c.bytes;
    for (const auto& i : rs.archive_names)
        if (!i.allowed) n.archives.push_back(i.text);
    std::sort(n.archives.begin(), n.archives.end());
    n.score = a.score;
    n.severity = a.severity;
    n.detection_type = std::string(a.label);

    n.msg = h.addr.str() + " pulled " + human_bytes(c.bytes) + " from " +
            plural(*n.n, "server", "servers") + " in " +
            human_span(rs.win.last_ts() - rs.win.first_ts());
    if (a.has(Indicator::pull_then_push)) {
        const Counters& p = rs.pushes.eff();
        std::vector<std::string> targets;
        for (const PeerBytes& pb : rs.pushes.peers(true)) targets.push_back(pb.addr.str());
        n.msg += ", then pushed " + human_bytes(p.bytes);
        if (p.archives) n.msg += " (" + plural(p.archives, "archive", "archives") + ")";
        if (!targets.empty()) n.msg += " to " + join(targets, " and ");
    }
    std::vector<std::string> per_server;
    for (std::size_t i = 0; i < servers.size() && i < kMaxListed; ++i)
        per_server.push_back(servers[i].addr.str() + " " + human_bytes(servers[i].bytes));
    n.sub = "servers: " + join(per_server, ", ");
    if (servers.size() > kMaxListed) n.sub += " and " + std::to_string(servers.size() - kMaxListed) + " more";
    n.sub += "; indicators: " + indicator_list(a, cfg_);
    n.mitre = {"T1039", "T1074.002"};
    n.suppress_for = cfg_.suppress_for;
    return n;
}

void StagingAnalytics::file_notice(HostState& target, RoleState& rs, const IpAddr& source, const WriteFacts& wf,
                                   const Contribution& c, const ConnId& conn) {
    std::array<bool, kIndicatorCount> on{};
    on[idx(Indicator::archive_name)] = wf.name_hit;
    on[idx(Indicator::archive_content)] = wf.content_hit;
    on[idx(Indicator::masquerade)] = wf.masquerade;
    on[idx(Indicator::admin_share)] = wf.admin;
    on[idx(Indicator::staging_path)] = wf.staging_path;
    const Assessment a = finish_assessment(on, Role::target);
    const NoteType note = wf.masquerade ? NoteType::archive_masquerade : NoteType::archive_write;

    const bool target_allowed = cfg_.allow_targets.contains(target.addr);
    if (target_allowed || c.allowed) {
        std::vector<std::string> reasons;
        if (target_allowed) reasons.emplace_back("target");
        for (auto& r : allow_reasons(c.allowed, source, FileClassifier::share_of(wf.share_path), c.ts))
            reasons.push_back(std::move(r));
        mark_suppressed(rs, reasons);
        ++stats_.findings_allowlisted;
        return;
    }
    if (!should_raise(note, source, target.addr, a.severity, now_)) return;

    const SmbFileEvent& f = *wf.f;
    const std::uint64_t bytes = f.bytes_written ? f.bytes_written : f.size.value_or(0);
    const std::string where = wf.share_path.empty() ? target.addr.str() : wf.share_path;
    Notice n;
    n.ts = now_;
    n.conn = conn;
    n.fuid = f.fuid;
    n.file_mime_type = std::string(archive_mime_type(wf.content));
    n.file_desc = wf.share_path.empty() ? f.name : wf.share_path + "\\" + f.name;
    n.note = note;
    n.src = source;
    n.dst = target.addr;
    n.sources = {source};
    n.bytes = bytes;
    n.archives = {f.name};
    n.score = a.score;
    n.severity = a.severity;
    n.detection_type = std::string(a.label);
    if (wf.masquerade)
        n.msg = source.str() + " wrote " + wf.content + " archive content named " + f.name + " (" +
                human_bytes(bytes) + ") to " + where;
    else if (wf.renamed && f.bytes_written == 0)
        n.msg = source.str() + " renamed " + f.prev_name + " to archive " + f.name + " on " + where;
    else
        n.msg = source.str() + " wrote archive " + f.name + " (" + human_bytes(bytes) + ") to " + where;
    if (wf.admin && wf.staging_path) n.msg += " (admin/hidden share, staging path)";
    else if (wf.admin) n.msg += " (admin/hidden share)";
    else if (wf.staging_path) n.msg += " (staging path)";
    std::vector<std::string> sub;
    if (!wf.content.empty()) sub.push_back("content: " + wf.content);
    if (!f.username.empty()) sub.push_back("user: " + f.username);
    if (wf.renamed) sub.push_back("renamed from: " + f.prev_name);
    sub.push_back("indicators: " + indicator_list(a, cfg_));
    n.sub = join(sub, "; ");
    if (wf.masquerade) n.mitre = {"T1036", "T1074.002", "T1560"};
    else n.mitre = {"T1074.002", "T1560"};
    n.suppress_for = cfg_.suppress_for;
    raise(n);
    note_raised(rs, note);
}

}  // namespace sw
