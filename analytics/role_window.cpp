#include "analytics/role_window.h"

#include <algorithm>

namespace sw {

namespace {

// Returns whether the list of texts changed (a new one, an old one replaced).
bool upsert(std::vector<RoleWindow::NamedItem>& v, std::string_view text, Timestamp ts, bool allowed,
            std::size_t cap) {
    for (auto& i : v)
        if (i.text == text) {
            i.ts = std::max(i.ts, ts);
            i.allowed = i.allowed && allowed;
            return false;
        }
    if (v.size() >= cap) {
        auto oldest = std::min_element(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.ts < b.ts; });
        v.erase(oldest);
    }
    v.push_back({std::string(text), ts, allowed});
    return true;
}

void add_unique(std::vector<std::string>& v, std::string s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

}  // namespace

RoleWindow::RoleWindow(const AnalyticsConfig& cfg, std::uint32_t max_peers)
    : win(cfg.window, max_peers, cfg.hash),
      pushes(cfg.window, max_peers, cfg.hash),
      conv(cfg.long_windows.empty() ? cfg.window : std::max(cfg.window, cfg.long_windows.back().length), max_peers,
           cfg.min_sources, cfg.hash) {
    longer.reserve(cfg.long_windows.size());
    for (const Horizon& h : cfg.long_windows) longer.emplace_back(h.length, max_peers, cfg.hash);
}

void RoleWindow::prune(const PeerWindow& w, Timestamp now) {
    auto gone = [&](const NamedItem& i) { return w.expired(i.ts, now); };
    if (&w == &longest()) {
        if (std::erase_if(shares, gone)) names_changed = true;
        std::erase_if(allowed_reasons, gone);
    }
    if (std::erase_if(archive_names, gone)) names_changed = true;
}

void RoleWindow::expire(Timestamp now) {
    win.expire(now);
    for (auto& w : longer) w.expire(now);
    pushes.expire(now);
    conv.expire(now);
    prune(longest(), now);
}

bool RoleWindow::add(const Contribution& c, const std::string& share_path, const std::string* archive,
                     const std::vector<std::string>& reasons) {
    const bool counted = win.add(c);
    for (auto& w : longer) w.add(c);
    if (!share_path.empty() && upsert(shares, share_path, c.ts, c.allowed != 0, kMaxShares)) names_changed = true;
    if (archive && upsert(archive_names, *archive, c.ts, c.allowed != 0, kMaxNames)) names_changed = true;
    for (const auto& r : reasons) upsert(allowed_reasons, r, c.ts, true, kMaxReasons);
    return counted;
}

bool RoleWindow::add_push(const Contribution& c, const std::string* archive, Timestamp now) {
    pushes.expire(now);
    prune(pushes, now);
    const bool counted = pushes.add(c);
    if (archive && upsert(archive_names, *archive, c.ts, c.allowed != 0, kMaxNames)) names_changed = true;
    return counted;
}

RoleWindow::Gathered RoleWindow::gathered(Role r, std::size_t h, bool eff) const {
    return gathered(r, h, eff, nullptr);
}

RoleWindow::Gathered RoleWindow::gathered(Role r, std::size_t h, bool eff, std::vector<PeerBytes>* peers) const {
    const PeerWindow& w = horizon(h);
    Gathered g;
    g.c = eff ? w.eff() : w.all();
    g.n = eff ? w.peers_eff() : w.peers_all();
    const bool target = r == Role::target;
    // Sums are order-independent, so the table's order is harmless here;
    // the peers listed are sorted below.
    w.for_each_peer([&](const IpAddr& a, const PeerLanes& pl) {
        const Counters& total = pl.total(eff);
        if (total.bytes == 0 && total.files == 0) return;
        const Counters& own = pl.of(kLaneOwn, eff);
        const Counters& soft = pl.of(kLaneSoftware, eff);
        Counters drop;
        bool own_only = false;
        if (target) {
            const Convergence::Privacy pv = conv.empty() ? Convergence::Privacy{} : conv.privacy(a);
            const bool own_private = pv.own_space_private;
            if (pv.is_private) {
                drop = total;
                own_only = true;
                Counters kept = total;
                kept.sub(soft);
                if (own_private) kept.sub(own);
                g.kept_private.add(kept);
            } else {
                if (own_private) drop.add(own);
                drop.add(soft);
                own_only = own.bytes > 0 && soft.bytes == 0;
            }
        } else {
            // A server read mostly for software is a deployment source.
            const std::uint64_t rest = total.bytes - own.bytes;
            if (soft.bytes > 0 && soft.bytes * 2 >= rest) drop = total;
            else {
                drop.add(own);
                drop.add(soft);
            }
            own_only = own.bytes > 0 && soft.bytes == 0;
        }
        if (drop.bytes == 0 && drop.files == 0) {
            if (peers && total.bytes > 0) peers->push_back({a, total.bytes});
            return;
        }
        g.c.sub(drop);
        if (total.bytes == 0) return;
        if (total.bytes > drop.bytes) {
            if (peers) peers->push_back({a, total.bytes - drop.bytes});
            return;
        }
        --g.n;
        own_only ? ++g.own : ++g.software;
    });
    if (peers)
        std::sort(peers->begin(), peers->end(), [](const PeerBytes& x, const PeerBytes& y) { return x.addr < y.addr; });
    return g;
}

Counters RoleWindow::data_pushes(bool eff, std::vector<PeerBytes>* peers) const {
    Counters c;
    pushes.for_each_peer([&](const IpAddr& a, const PeerLanes& pl) {
        const Counters& d = pl.of(kLaneData, eff);
        c.add(d);
        if (peers && d.bytes > 0) peers->push_back({a, d.bytes});
    });
    // Pushes over staging.max-peers are not told apart: they count as data.
    const Counters& all = eff ? pushes.eff() : pushes.all();
    Counters tracked;
    pushes.for_each_peer([&](const IpAddr&, const PeerLanes& pl) { tracked.add(pl.total(eff)); });
    Counters over = all;
    over.sub(tracked);
    c.add(over);
    if (peers)
        std::sort(peers->begin(), peers->end(), [](const PeerBytes& x, const PeerBytes& y) { return x.addr < y.addr; });
    return c;
}

std::vector<PeerBytes> RoleWindow::converging_peers(std::size_t h, bool eff) const {
    std::vector<PeerBytes> out;
    gathered(Role::target, h, eff, &out);
    return out;
}

RoleFacts RoleWindow::facts(Role r, bool eff, bool volume_anomaly, const AnalyticsConfig& cfg) const {
    const bool target = r == Role::target;
    RoleFacts f;
    Gathered g;
    for (std::size_t h = 0; h < horizons(); ++h) {
        // Every contribution goes to all horizons: while neither this one nor
        // the one before has dropped anything, they hold the same and so
        // gather the same (the common case within the shortest window).
        if (h == 0 || horizon(h).expired_any() || horizon(h - 1).expired_any()) g = gathered(r, h, eff);
        RoleFacts x;
        x.window = g.c;
        x.kept_private = g.kept_private;
        x.peers = g.n;
        x.horizon = static_cast<std::uint8_t>(h);
        if (h > 0) {
            x.need_peers = cfg.long_windows[h - 1].min_sources;
            x.need_bytes = cfg.long_windows[h - 1].min_bytes;
        }
        if (h == 0) f = x;
        if (target ? fan_holds(x, cfg) : pull_holds(x, cfg)) {
            f = x;
            break;
        }
    }
    if (!target) {
        f.pushes = data_pushes(eff);
        // Sent on to hosts it did not read from over the horizon the pull
        // was found on (a push back to a server it read from is not onward).
        if (needs_onward_bytes(f, cfg)) {
            const PeerWindow& pulled = horizon(f.horizon);
            pushes.for_each_peer([&](const IpAddr& a, const PeerLanes& pl) {
                if (!pulled.has_peer(a)) f.onward_bytes += pl.of(kLaneData, eff).bytes;
            });
        }
    }
    f.volume_anomaly = volume_anomaly;
    f.converged = target && conv.converged();
    return f;
}

std::vector<std::string> RoleWindow::unallowed(const std::vector<NamedItem>& v) const {
    std::vector<std::string> out;
    for (const auto& i : v)
        if (!i.allowed) out.push_back(i.text);
    std::sort(out.begin(), out.end());
    return out;
}

void RoleWindow::fill_row(StagingRow& row, Role r, Timestamp ts, Duration period_len, std::size_t h,
                          bool names) const {
    const PeerWindow& w = horizon(h < horizons() ? h : 0);
    row.period_start = period * period_len;
    row.window_start = w.empty() ? ts : w.first_ts();
    w.peers(false, row.peers);
    row.peers_dropped = w.overflow();
    const Counters& c = w.all();
    row.bytes = c.bytes;
    row.smb_bytes = c.smb_bytes;
    row.ssh_bytes = c.ssh_bytes;
    row.encrypted_bytes = c.enc_bytes;
    row.files = c.files;
    const Counters& f = r == Role::target ? c : pushes.all();
    row.archives = f.archives;
    row.masquerades = f.masquerades;
    row.admin_share_writes = f.admin_writes;
    row.staging_path_writes = f.path_writes;
    if (names) {
        auto texts = [](const std::vector<NamedItem>& from, std::vector<std::string>& to) {
            // Assigned in place: the row's strings keep their buffers.
            to.resize(from.size());
            for (std::size_t i = 0; i < from.size(); ++i) to[i] = from[i].text;
            std::sort(to.begin(), to.end());
        };
        texts(archive_names, row.archive_names);
        texts(shares, row.shares);
    }
    row.push_targets.clear();
    if (r == Role::collector) {
        row.pushed_bytes = pushes.all().bytes;
        pushes.for_each_peer([&](const IpAddr& a, const PeerLanes& pl) {
            if (pl.total(false).bytes > 0) row.push_targets.push_back(a);
        });
        std::sort(row.push_targets.begin(), row.push_targets.end());
    } else {
        row.pushed_bytes.reset();
    }
}

void RoleWindow::reset_period() {
    notices.clear();
    suppressed = false;
    main_suppressed = false;
    suppressed_by.clear();
}

void RoleWindow::mark_suppressed(const std::vector<std::string>& reasons) {
    suppressed = true;
    for (const auto& x : reasons) add_unique(suppressed_by, x);
}

void RoleWindow::note_raised(NoteType n) { add_unique(notices, std::string(note_name(n))); }

bool RoleWindow::grew(std::uint32_t archives) const {
    if (archives > notified_archives) return true;
    for (const PeerBytes& p : converging_peers(0, true))
        if (!std::binary_search(notified_peers.begin(), notified_peers.end(), p.addr)) return true;
    return false;
}

}  // namespace sw
