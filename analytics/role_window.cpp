#include "analytics/role_window.h"

#include <algorithm>

namespace sw {

namespace {

void upsert(std::vector<RoleWindow::NamedItem>& v, std::string_view text, Timestamp ts, bool allowed,
            std::size_t cap) {
    for (auto& i : v)
        if (i.text == text) {
            i.ts = std::max(i.ts, ts);
            i.allowed = i.allowed && allowed;
            return;
        }
    if (v.size() >= cap) {
        auto oldest = std::min_element(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.ts < b.ts; });
        v.erase(oldest);
    }
    v.push_back({std::string(text), ts, allowed});
}

void add_unique(std::vector<std::string>& v, std::string s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

}  // namespace

void RoleWindow::prune(const PeerWindow& w, Timestamp now) {
    auto gone = [&](const NamedItem& i) { return w.expired(i.ts, now); };
    if (&w == &win) {
        std::erase_if(shares, gone);
        std::erase_if(allowed_reasons, gone);
    }
    std::erase_if(archive_names, gone);
}

void RoleWindow::expire(Timestamp now) {
    win.expire(now);
    pushes.expire(now);
    prune(win, now);
}

bool RoleWindow::add(const Contribution& c, const std::string& share_path, const std::string* archive,
                     const std::vector<std::string>& reasons) {
    const bool counted = win.add(c);
    if (!share_path.empty()) upsert(shares, share_path, c.ts, c.allowed != 0, kMaxShares);
    if (archive) upsert(archive_names, *archive, c.ts, c.allowed != 0, kMaxNames);
    for (const auto& r : reasons) upsert(allowed_reasons, r, c.ts, true, kMaxReasons);
    return counted;
}

bool RoleWindow::add_push(const Contribution& c, const std::string* archive, Timestamp now) {
    pushes.expire(now);
    prune(pushes, now);
    const bool counted = pushes.add(c);
    if (archive) upsert(archive_names, *archive, c.ts, c.allowed != 0, kMaxNames);
    return counted;
}

RoleFacts RoleWindow::facts(bool eff, bool volume_anomaly, const AnalyticsConfig& cfg) const {
    RoleFacts f;
    f.window = eff ? win.eff() : win.all();
    f.peers = eff ? win.peers_eff() : win.peers_all();
    f.pushes = eff ? pushes.eff() : pushes.all();
    f.volume_anomaly = volume_anomaly;
    if (needs_onward_bytes(f, cfg))
        for (const PeerBytes& pb : pushes.peers(eff))
            if (!win.has_peer(pb.addr)) f.onward_bytes += pb.bytes;
    return f;
}

std::vector<std::string> RoleWindow::unallowed(const std::vector<NamedItem>& v) const {
    std::vector<std::string> out;
    for (const auto& i : v)
        if (!i.allowed) out.push_back(i.text);
    std::sort(out.begin(), out.end());
    return out;
}

void RoleWindow::fill_row(StagingRow& row, Role r, Timestamp ts, Duration period_len) const {
    row.period_start = period * period_len;
    row.window_start = win.empty() ? ts : win.first_ts();
    row.peers = win.peers(false);
    row.peers_dropped = win.overflow();
    const Counters& c = win.all();
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
    for (const auto& i : archive_names) row.archive_names.push_back(i.text);
    std::sort(row.archive_names.begin(), row.archive_names.end());
    for (const auto& i : shares) row.shares.push_back(i.text);
    std::sort(row.shares.begin(), row.shares.end());
    if (r == Role::collector) {
        row.pushed_bytes = pushes.all().bytes;
        for (const PeerBytes& p : pushes.peers(false)) row.push_targets.push_back(p.addr);
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
    for (const PeerBytes& p : win.peers(true))
        if (!std::binary_search(notified_peers.begin(), notified_peers.end(), p.addr)) return true;
    return false;
}

}  // namespace sw
