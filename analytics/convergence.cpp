#include "analytics/convergence.h"

#include <algorithm>

namespace sw {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_sep(char c) { return c == '\\' || c == '/'; }

// FNV-1a of the ASCII-lower-cased bytes (case-insensitive like SMB names);
// keyed afterwards with the run's hash.
std::uint64_t fnv_ci(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : s) {
        h ^= static_cast<unsigned char>(lower(c));
        h *= 0x100000001b3ull;
    }
    return h;
}

bool equal_ci(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string_view last_component(std::string_view p) {
    while (!p.empty() && is_sep(p.back())) p.remove_suffix(1);
    const std::size_t k = p.find_last_of("\\/");
    return k == std::string_view::npos ? p : p.substr(k + 1);
}

}  // namespace

void Convergence::Writers::add(const IpAddr& a, Timestamp t) {
    for (std::uint8_t i = 0; i < n; ++i)
        if (addr[i] == a) {
            ts[i] = std::max(ts[i], t);
            return;
        }
    if (n < kMaxWriters) {
        addr[n] = a;
        ts[n] = t;
        ++n;
    } else if (more < 255) {
        ++more;
    }
}

void Convergence::Writers::expire(Timestamp cutoff) {
    std::uint8_t k = 0;
    for (std::uint8_t i = 0; i < n; ++i)
        if (ts[i] > cutoff) {
            addr[k] = addr[i];
            ts[k] = ts[i];
            ++k;
        }
    if (k < n) more = 0;  // the uncounted writers are older than the known ones at best
    n = k;
}

Convergence::Convergence(Duration horizon, std::uint32_t max_peers, std::uint32_t min_sources,
                         const KeyedHash& hash)
    : horizon_(horizon > 0 ? horizon : 1),
      max_peers_(std::max<std::uint32_t>(max_peers, 1)),
      min_sources_(std::max<std::uint32_t>(min_sources, 1)),
      hash_(hash),
      peers_(0, AddrHash{hash}) {}

std::string_view Convergence::top_folder(std::string_view name) {
    while (!name.empty() && is_sep(name.front())) name.remove_prefix(1);
    const std::size_t k = name.find_first_of("\\/");
    return k == std::string_view::npos ? std::string_view{} : name.substr(0, k);
}

std::string_view Convergence::dir_of(std::string_view name) {
    while (!name.empty() && is_sep(name.front())) name.remove_prefix(1);
    const std::size_t k = name.find_last_of("\\/");
    return k == std::string_view::npos ? std::string_view{} : name.substr(0, k);
}

std::string_view Convergence::user_of(std::string_view u) {
    const std::size_t bs = u.find_last_of('\\');
    if (bs != std::string_view::npos) u = u.substr(bs + 1);
    const std::size_t at = u.find('@');
    if (at != std::string_view::npos) u = u.substr(0, at);
    return u;
}

bool Convergence::named_after(std::string_view folder, std::string_view user) {
    if (user.empty()) return false;
    if (equal_ci(folder, user)) return true;
    // Windows names roaming profile folders after the user and the profile
    // version (\\fs\profiles$\alice.V6).
    if (folder.size() < user.size() + 3 || !equal_ci(folder.substr(0, user.size()), user)) return false;
    std::string_view v = folder.substr(user.size());
    if (v[0] != '.' || (v[1] != 'V' && v[1] != 'v')) return false;
    v.remove_prefix(2);
    return std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool Convergence::in_own_space(std::string_view share_path, std::string_view name, std::string_view user) {
    const std::string_view u = user_of(user);
    if (u.empty()) return false;
    const std::string_view top = top_folder(name);
    if (!top.empty()) return named_after(top, u);
    std::string_view share = last_component(share_path);
    if (!share.empty() && share.back() == '$') share.remove_suffix(1);
    return equal_ci(share, u);
}

std::uint64_t Convergence::folder_key(std::string_view share_path, std::string_view top) const {
    return hash_(fnv_ci(share_path), fnv_ci(top));
}

void Convergence::add(const IpAddr& peer, std::string_view share_path, std::string_view name,
                      std::string_view user, bool archive, Timestamp ts, bool counted) {
    oldest_ = std::min(oldest_, ts);
    const std::string_view top = top_folder(name);
    const std::uint64_t key = folder_key(share_path, top);

    // The folder is named after the user: \home$\alice\..., or \\fs\alice$ (root).
    const bool user_named = in_own_space(share_path, name, user);

    auto it = peers_.find(peer);
    if (it == peers_.end()) {
        if (peers_.size() >= max_peers_) {
            // At the cap the least recently active source is forgotten.
            auto oldest = std::min_element(peers_.begin(), peers_.end(), [](const auto& a, const auto& b) {
                return a.second.ts < b.second.ts || (a.second.ts == b.second.ts && a.first < b.first);
            });
            peers_.erase(oldest);
        }
        Home h;
        h.folder = key;
        h.user_named = user_named;
        if (user_named) h.own[h.own_n++] = key;
        h.writes = counted ? 1 : 0;
        h.ts = ts;
        it = peers_.emplace(peer, h).first;
    } else {
        if (counted && it->second.writes < UINT16_MAX) ++it->second.writes;
        Home& h = it->second;
        if (h.folder != key) h.consistent = false;
        h.user_named = h.user_named && user_named;
        // The user's own folders are kept even when the source also writes
        // elsewhere (own_space_private); more than kept: no longer private by name.
        if (user_named && !h.own_overflow && std::find(h.own, h.own + h.own_n, key) == h.own + h.own_n) {
            if (h.own_n < kMaxOwnFolders) h.own[h.own_n++] = key;
            else h.own_overflow = true;
        }
        h.ts = std::max(h.ts, ts);
    }

    auto fit = folders_.find(key);
    if (fit == folders_.end()) {
        if (folders_.size() >= kMaxFolders) {
            auto oldest =
                std::min_element(folders_.begin(), folders_.end(), [](const auto& a, const auto& b) {
                    const Timestamp ta =
                        a.second.n ? *std::max_element(a.second.ts, a.second.ts + a.second.n) : 0;
                    const Timestamp tb =
                        b.second.n ? *std::max_element(b.second.ts, b.second.ts + b.second.n) : 0;
                    return ta < tb || (ta == tb && a.first < b.first);
                });
            folders_.erase(oldest);
        }
        fit = folders_.emplace(key, Writers{}).first;
    }
    fit->second.add(peer, ts);

    if (!archive) return;
    const std::string_view dir = dir_of(name);
    Dir* d = nullptr;
    for (Dir& x : dirs_) {
        const std::string_view p(x.path);
        if (p.size() == share_path.size() + (dir.empty() ? 0 : dir.size() + 1) &&
            equal_ci(p.substr(0, share_path.size()), share_path) &&
            (dir.empty() || equal_ci(p.substr(share_path.size() + 1), dir))) {
            d = &x;
            break;
        }
    }
    if (!d) {
        if (dirs_.size() >= kMaxDirs) {
            auto oldest = std::min_element(dirs_.begin(), dirs_.end(),
                                           [](const Dir& a, const Dir& b) { return a.ts < b.ts; });
            dirs_.erase(oldest);
        }
        Dir nd;
        nd.path = std::string(share_path);
        if (!dir.empty()) {
            nd.path += '\\';
            nd.path += dir;
        }
        dirs_.push_back(std::move(nd));
        d = &dirs_.back();
    }
    d->w.add(peer, ts);
    d->ts = std::max(d->ts, ts);
}

void Convergence::expire(Timestamp now) {
    // Nothing kept can have left: every kept time is at least oldest_.
    if (oldest_ == kNoTime || !dead(oldest_, now)) return;
    const Timestamp cutoff = now - horizon_;
    std::erase_if(peers_, [&](const auto& kv) { return dead(kv.second.ts, now); });
    for (auto it = folders_.begin(); it != folders_.end();) {
        it->second.expire(cutoff);
        if (it->second.n == 0)
            it = folders_.erase(it);
        else
            ++it;
    }
    for (Dir& d : dirs_) d.w.expire(cutoff);
    std::erase_if(dirs_, [](const Dir& d) { return d.w.n == 0; });
    oldest_ = oldest_kept();
}

Timestamp Convergence::oldest_kept() const {
    Timestamp t = kNoTime;
    for (const auto& kv : peers_) t = std::min(t, kv.second.ts);
    auto writers = [&](const Writers& w) {
        for (std::uint8_t i = 0; i < w.n; ++i) t = std::min(t, w.ts[i]);
    };
    for (const auto& kv : folders_) writers(kv.second);
    for (const Dir& d : dirs_) writers(d.w);
    return t;
}

bool Convergence::is_private(const IpAddr& peer) const {
    auto it = peers_.find(peer);
    if (it == peers_.end()) return false;
    const Home& h = it->second;
    if (consistent_private(peer, h)) return true;
    if (!h.user_named) return false;
    return own_folders_private(h);
}

bool Convergence::consistent_private(const IpAddr& peer, const Home& h) const {
    if (!h.consistent) return false;
    auto fit = folders_.find(h.folder);
    return fit != folders_.end() && fit->second.only(peer) && h.writes >= kMinPrivateWrites;
}

Convergence::Privacy Convergence::privacy(const IpAddr& peer) const {
    Privacy p;
    auto it = peers_.find(peer);
    if (it == peers_.end()) return p;
    const Home& h = it->second;
    p.own_space_private = own_folders_private(h);
    p.is_private = consistent_private(peer, h) || (h.user_named && p.own_space_private);
    return p;
}

bool Convergence::own_folders_private(const Home& h) const {
    if (h.own_overflow || h.own_n == 0) return false;
    // A folder whose writes have all left the horizon has no writers left:
    // it no longer speaks against the space (yesterday's roaming profile).
    bool live = false;
    for (std::uint8_t i = 0; i < h.own_n; ++i) {
        auto fit = folders_.find(h.own[i]);
        if (fit == folders_.end()) continue;
        if (fit->second.count() >= min_sources_) return false;
        live = true;
    }
    return live;
}

bool Convergence::own_space_private(const IpAddr& peer) const {
    auto it = peers_.find(peer);
    return it != peers_.end() && own_folders_private(it->second);
}

std::size_t Convergence::private_count() const {
    std::size_t n = 0;
    for (const auto& kv : peers_) n += is_private(kv.first);
    return n;
}

bool Convergence::converged(Place* best) const {
    const Dir* top = nullptr;
    std::uint32_t top_n = 0;
    for (const Dir& d : dirs_) {
        std::uint32_t n = 0;
        for (std::uint8_t i = 0; i < d.w.n; ++i) n += !is_private(d.w.addr[i]);
        n += d.w.more;
        if (n > top_n || (n == top_n && top && n > 0 && d.path < top->path)) {
            top = &d;
            top_n = n;
        }
    }
    if (!top || top_n < min_sources_) return false;
    if (best) {
        best->path = top->path;
        best->sources = top_n;
    }
    return true;
}

}  // namespace sw
