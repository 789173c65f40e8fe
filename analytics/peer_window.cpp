#include "analytics/peer_window.h"

#include <algorithm>

namespace sw {

void Counters::add(const Counters& o) {
    bytes += o.bytes;
    smb_bytes += o.smb_bytes;
    ssh_bytes += o.ssh_bytes;
    enc_bytes += o.enc_bytes;
    files += o.files;
    archives += o.archives;
    archive_names += o.archive_names;
    archive_contents += o.archive_contents;
    masquerades += o.masquerades;
    admin_writes += o.admin_writes;
    hidden_writes += o.hidden_writes;
    path_writes += o.path_writes;
}

void Counters::sub(const Counters& o) {
    bytes -= o.bytes;
    smb_bytes -= o.smb_bytes;
    ssh_bytes -= o.ssh_bytes;
    enc_bytes -= o.enc_bytes;
    files -= o.files;
    archives -= o.archives;
    archive_names -= o.archive_names;
    archive_contents -= o.archive_contents;
    masquerades -= o.masquerades;
    admin_writes -= o.admin_writes;
    hidden_writes -= o.hidden_writes;
    path_writes -= o.path_writes;
}

void PeerLanes::add(std::size_t lane, const Counters& c, bool effective) {
    (effective ? eff : all)[lane].add(c);
    (effective ? eff_total : all_total).add(c);
}

void PeerLanes::sub(std::size_t lane, const Counters& c, bool effective) {
    (effective ? eff : all)[lane].sub(c);
    (effective ? eff_total : all_total).sub(c);
}

PeerWindow::PeerWindow(Duration window, std::uint32_t max_peers, const KeyedHash& hash)
    : window_(window > 0 ? window : 1),
      step_(std::max<Duration>(1, (window > 0 ? window : 1) / kSteps)),
      max_peers_(max_peers),
      peers_(0, AddrHash{hash}) {}

std::int64_t PeerWindow::step_of(Timestamp t) const {
    std::int64_t q = t / step_;
    if (t % step_ != 0 && t < 0) --q;
    return q;
}

bool PeerWindow::expired(Timestamp ts, Timestamp now) const {
    return step_of(ts) * step_ + window_ <= now;
}

void PeerWindow::apply(const Record& r, bool adding) {
    // Totals over everything, and over what no allow-list matched.
    if (adding) {
        all_.add(r.c);
        if (!r.allowed) eff_.add(r.c);
    } else {
        all_.sub(r.c);
        if (!r.allowed) eff_.sub(r.c);
    }
    if (r.overflow) {
        if (adding) {
            overflow_bytes_all_ += r.c.bytes;
            if (!r.allowed) overflow_bytes_eff_ += r.c.bytes;
        } else {
            overflow_bytes_all_ -= r.c.bytes;
            if (!r.allowed) overflow_bytes_eff_ -= r.c.bytes;
        }
        return;
    }
    auto it = peers_.find(r.peer);
    if (it == peers_.end()) return;
    PeerTotals& pt = it->second;
    const bool had_all = pt.bytes_all > 0, had_eff = pt.bytes_eff > 0;
    const std::size_t lane = r.lane < kLanes ? std::size_t{r.lane} : std::size_t{kLaneData};
    if (adding) {
        pt.bytes_all += r.c.bytes;
        pt.lanes.add(lane, r.c, false);
        if (!r.allowed) {
            pt.bytes_eff += r.c.bytes;
            pt.lanes.add(lane, r.c, true);
        }
    } else {
        pt.bytes_all -= r.c.bytes;
        pt.lanes.sub(lane, r.c, false);
        if (!r.allowed) {
            pt.bytes_eff -= r.c.bytes;
            pt.lanes.sub(lane, r.c, true);
        }
    }
    const bool has_all = pt.bytes_all > 0, has_eff = pt.bytes_eff > 0;
    if (has_all != had_all) has_all ? ++n_all_ : --n_all_;
    if (has_eff != had_eff) has_eff ? ++n_eff_ : --n_eff_;
}

bool PeerWindow::add(const Contribution& c) {
    std::int64_t s = step_of(c.ts);
    Timestamp ts = c.ts;
    if (!recs_.empty() && s < recs_.back().step) {
        // A late event (its connection ended before the latest one seen):
        // counted in the latest step so the records stay in time order.
        s = recs_.back().step;
        ts = std::max(ts, s * step_);
    }
    last_ts_ = std::max(last_ts_, c.ts);

    bool overflow = false;
    auto pit = peers_.find(c.peer);
    if (pit == peers_.end()) {
        if (peers_.size() >= max_peers_) overflow = true;
        else pit = peers_.emplace(c.peer, PeerTotals{}).first;
    }
    if (overflow) ++overflow_;

    // Merge into this peer's record of the same step, if there is one (at
    // most one matches: a match is always merged). The peer's newest record
    // is tried first; the step's records are searched only when it is not it.
    Record* same = nullptr;
    if (!overflow) {
        Record* l = pit->second.last;
        if (l && l->step == s && l->allowed == c.allowed && l->lane == c.lane) same = l;
    }
    for (auto it = recs_.rbegin(); !same && it != recs_.rend() && it->step == s; ++it)
        if (it->overflow == overflow && it->allowed == c.allowed && it->lane == c.lane &&
            (overflow || it->peer == c.peer))
            same = &*it;
    if (same) {
        Record delta;
        delta.peer = c.peer;
        delta.overflow = overflow;
        delta.allowed = c.allowed;
        delta.lane = c.lane;
        delta.c = c.c;
        apply(delta, true);
        same->c.add(c.c);
        same->min_ts = std::min(same->min_ts, ts);
        ++same->contribs;
        return !overflow;
    }
    Record r;
    r.step = s;
    r.min_ts = ts;
    r.peer = overflow ? IpAddr{} : c.peer;
    r.overflow = overflow;
    r.allowed = c.allowed;
    r.lane = c.lane;
    r.contribs = 1;
    r.c = c.c;
    recs_.push_back(r);
    if (!overflow) {
        ++pit->second.records;
        pit->second.last = &recs_.back();
    }
    apply(recs_.back(), true);
    return !overflow;
}

void PeerWindow::expire(Timestamp now) {
    while (!recs_.empty() && recs_.front().step * step_ + window_ <= now) {
        const Record& r = recs_.front();
        apply(r, false);
        if (r.overflow) {
            overflow_ -= r.contribs;
        } else {
            auto it = peers_.find(r.peer);
            if (it != peers_.end() && --it->second.records == 0) peers_.erase(it);
        }
        recs_.pop_front();
        expired_any_ = true;
    }
}

bool PeerWindow::has_peer(const IpAddr& a) const {
    auto it = peers_.find(a);
    return it != peers_.end() && it->second.bytes_all > 0;
}

std::uint64_t PeerWindow::peer_bytes(const IpAddr& a, bool eff) const {
    auto it = peers_.find(a);
    if (it == peers_.end()) return 0;
    return eff ? it->second.bytes_eff : it->second.bytes_all;
}

std::vector<PeerBytes> PeerWindow::peers(bool eff) const {
    std::vector<PeerBytes> out;
    peers(eff, out);
    return out;
}

void PeerWindow::peers(bool eff, std::vector<PeerBytes>& out) const {
    out.clear();
    out.reserve(eff ? n_eff_ : n_all_);
    for (const auto& [a, pt] : peers_) {
        std::uint64_t b = eff ? pt.bytes_eff : pt.bytes_all;
        if (b > 0) out.push_back({a, b});
    }
    std::sort(out.begin(), out.end(), [](const PeerBytes& x, const PeerBytes& y) { return x.addr < y.addr; });
}

const PeerLanes* PeerWindow::peer_lanes(const IpAddr& a) const {
    auto it = peers_.find(a);
    return it == peers_.end() ? nullptr : &it->second.lanes;
}

Timestamp PeerWindow::first_ts() const { return recs_.empty() ? 0 : recs_.front().min_ts; }

}  // namespace sw
