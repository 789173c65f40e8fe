#include "analytics/volume_baseline.h"

#include <algorithm>
#include <cmath>

namespace sw {

double BaselineParams::alpha_for(Duration interval, Duration half_life) {
    if (half_life <= 0) return 1.0;
    return 1.0 - std::pow(0.5, static_cast<double>(interval) / static_cast<double>(half_life));
}

void VolumeBaseline::catch_up(std::int64_t k, const BaselineParams& p) {
    if (!started_ || k <= last_ + 1) return;
    std::uint64_t idle = static_cast<std::uint64_t>(k - last_ - 1);
    // Mean phase: averaging in `j` zeros scales the mean by n / (n + j).
    if (n_ < p.warmup_intervals) {
        std::uint64_t j = std::min(idle, p.warmup_intervals - n_);
        b_ = n_ + j ? b_ * static_cast<double>(n_) / static_cast<double>(n_ + j) : 0;
        n_ += j;
        idle -= j;
    }
    // EWMA phase: each zero interval multiplies by (1 - alpha).
    if (idle) {
        b_ *= std::pow(1.0 - p.alpha, static_cast<double>(idle));
        n_ = n_ + idle < n_ ? n_ : n_ + idle;
    }
    last_ = k - 1;
}

BaselineParams BaselineParams::from(const AnalyticsConfig& cfg) {
    BaselineParams p;
    const Duration interval = std::max<Duration>(cfg.volume_interval, 1);
    p.alpha = alpha_for(interval, cfg.baseline_half_life);
    p.warmup_intervals =
        static_cast<std::uint64_t>(std::max<Duration>(1, (cfg.baseline_warmup + interval - 1) / interval));
    p.factor = cfg.baseline_factor;
    p.floor_bytes = cfg.baseline_min_bytes;
    return p;
}

VolumeBaseline::Verdict VolumeBaseline::observe(std::int64_t k, std::uint64_t bytes_in,
                                                const BaselineParams& p) {
    Verdict v;
    if (started_ && k <= last_) return v;  // not in order: ignore
    catch_up(k, p);
    const double x = static_cast<double>(bytes_in);
    v.baseline = b_;
    v.warmed = started_ && n_ >= p.warmup_intervals;
    v.anomaly = v.warmed && bytes_in >= p.floor_bytes && x > p.factor * b_;
    if (n_ < p.warmup_intervals) {
        b_ += (x - b_) / static_cast<double>(n_ + 1);
    } else {
        const double used = v.anomaly ? p.factor * b_ : x;
        b_ += p.alpha * (used - b_);
    }
    if (n_ != UINT64_MAX) ++n_;
    last_ = k;
    started_ = true;
    return v;
}

HostVolume::Counted HostVolume::count(VolumeProto p, const IpAddr& peer, bool incoming, std::uint64_t bytes,
                                      bool file_write, bool file_read, std::uint32_t max_peers) {
    Counted r;
    Counters& v = vol_[static_cast<std::size_t>(p)];
    (incoming ? v.in : v.out) += bytes;
    if (file_write) ++v.files_written;
    if (file_read) ++v.files_read;
    if (bytes) {
        auto& peers = incoming ? v.peers_in : v.peers_out;
        if (std::find(peers.begin(), peers.end(), peer) == peers.end()) {
            if (peers.size() < std::max<std::uint32_t>(max_peers, 1)) peers.push_back(peer);
            else r.peer_dropped = true;
        }
    }
    v.active = true;
    r.became_active = !active_;
    active_ = true;
    return r;
}

std::uint64_t HostVolume::flush(Timestamp start, const IpAddr& host, FindingSink& out, std::uint64_t& rows) {
    std::uint64_t in = 0;
    for (std::size_t p = 0; p < vol_.size(); ++p) {
        Counters& v = vol_[p];
        if (!v.active) continue;
        out.on_volume(VolumeRow{start, host, static_cast<VolumeProto>(p), v.in, v.out, v.files_written,
                                v.files_read, v.peers_in.size(), v.peers_out.size()});
        ++rows;
        in += v.in;
        v.in = v.out = v.files_written = v.files_read = 0;
        v.peers_in.clear();
        v.peers_out.clear();
        v.active = false;
    }
    active_ = false;
    return in;
}

}  // namespace sw
