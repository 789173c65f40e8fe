// A sliding window of what peers contributed to one host (bytes written to a
// target, bytes read by a collector, or pushed onward by a collector), with
// bounded memory.
//
// The window advances in steps of window/60: a contribution made at time t is
// recorded in step floor(t/step) and expires once packet time reaches that
// step's start + window. Contributions of one peer in one step are merged, so
// memory is at most (tracked peers + 1) x 60 records however many events
// arrive. At most `max_peers` peers are tracked by name; contributions from
// further peers still count in the totals (an "overflow" peer) and are
// counted as dropped.
//
// Each contribution carries an allow-list mask: the totals are kept twice,
// over everything ("all") and over contributions no allow-list matched
// ("eff"), so a finding can be raised on the effective traffic and still be
// reported, suppressed, when only allow-listed traffic makes it.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "analytics/addr_hash.h"
#include "analytics/findings.h"
#include "capture/types.h"

namespace sw {

struct Counters {
    std::uint64_t bytes = 0;
    std::uint64_t smb_bytes = 0, ssh_bytes = 0, enc_bytes = 0;
    std::uint32_t files = 0;
    std::uint32_t archives = 0;          // files that are archives by name or content
    std::uint32_t archive_names = 0;     // ... by name
    std::uint32_t archive_contents = 0;  // ... by content (not an expected container)
    std::uint32_t masquerades = 0;
    std::uint32_t admin_writes = 0, hidden_writes = 0, path_writes = 0;

    void add(const Counters& o);
    void sub(const Counters& o);
};

// Allow-list reasons a contribution matched (bit mask).
enum AllowBits : std::uint8_t {
    kAllowPeer = 1,   // the data's source host is allow-listed
    kAllowShare = 2,  // the share is allow-listed
    kAllowTime = 4,   // it happened in an allowed time-of-day window
};

// What kind of data a contribution is (docs/detection.md#data-lanes): data
// that may be gathered, a write into / read from the space of the session's
// own user (home folder, roaming profile), or software (executables,
// installers, scripts). Kept apart per peer so that scoring can leave out
// what is not data being gathered.
enum Lane : std::uint8_t {
    kLaneData = 0,
    kLaneOwn = 1,
    kLaneSoftware = 2,
};
constexpr std::size_t kLanes = 3;

struct Contribution {
    Timestamp ts = 0;
    IpAddr peer;
    Counters c;
    std::uint8_t allowed = 0;
    std::uint8_t lane = kLaneData;
};

// One peer's counters in the window by lane, over all traffic and over what
// no allow-list matched.
struct PeerLanes {
    Counters all[kLanes];
    Counters eff[kLanes];
    // Sums over the lanes, kept with them (add / sub).
    Counters all_total, eff_total;
    const Counters& of(Lane l, bool effective) const { return effective ? eff[l] : all[l]; }
    // Sum over the lanes.
    const Counters& total(bool effective) const { return effective ? eff_total : all_total; }
    void add(std::size_t lane, const Counters& c, bool effective);
    void sub(std::size_t lane, const Counters& c, bool effective);
};

class PeerWindow {
public:
    static constexpr int kSteps = 60;

    // `hash` keys the peer table (AnalyticsConfig::hash).
    PeerWindow(Duration window, std::uint32_t max_peers, const KeyedHash& hash = {});
    // Movable, not copyable: a peer's totals point at its newest record, and
    // a moved deque keeps its elements where they were; a copy would not.
    PeerWindow(const PeerWindow&) = delete;
    PeerWindow& operator=(const PeerWindow&) = delete;
    PeerWindow(PeerWindow&&) = default;
    PeerWindow& operator=(PeerWindow&&) = default;

    // Adds a contribution (expire() first). Returns false when the peer was
    // over the cap (its counters are still in the totals).
    bool add(const Contribution& c);
    // Drops everything whose step has left the window at `now`.
    void expire(Timestamp now);
    // Whether something observed at `ts` has left the window at `now`.
    bool expired(Timestamp ts, Timestamp now) const;

    bool empty() const { return recs_.empty(); }
    const Counters& all() const { return all_; }
    const Counters& eff() const { return eff_; }
    // Distinct peers that contributed bytes (all / not allow-listed). Peers
    // over the cap are not told apart: together they count as one, so this
    // is a lower bound once the cap is reached.
    std::uint32_t peers_all() const { return n_all_ + (overflow_bytes_all_ > 0); }
    std::uint32_t peers_eff() const { return n_eff_ + (overflow_bytes_eff_ > 0); }
    // Contributions currently in the window that came from peers over the cap.
    std::uint64_t overflow() const { return overflow_; }
    bool has_peer(const IpAddr& a) const;
    std::uint64_t peer_bytes(const IpAddr& a, bool eff) const;
    // Peers with bytes, sorted by address.
    std::vector<PeerBytes> peers(bool eff) const;
    // The same into `out` (cleared first; its buffer is kept).
    void peers(bool eff, std::vector<PeerBytes>& out) const;
    // A tracked peer's counters by lane (null if not tracked).
    const PeerLanes* peer_lanes(const IpAddr& a) const;
    // Calls fn(addr, const PeerLanes&) for every tracked peer (table order:
    // only for order-independent sums).
    template <class Fn>
    void for_each_peer(Fn&& fn) const {
        for (const auto& kv : peers_) fn(kv.first, kv.second.lanes);
    }
    // Whether expire() ever dropped a record. Two windows that were made
    // together, were given the same contributions and never dropped one
    // hold the same peers with the same counters (RoleWindow::facts).
    bool expired_any() const { return expired_any_; }
    // Earliest and latest contribution time in the window.
    Timestamp first_ts() const;
    Timestamp last_ts() const { return last_ts_; }
    Duration step() const { return step_; }

private:
    struct Record {
        std::int64_t step = 0;
        Timestamp min_ts = 0;
        IpAddr peer;
        bool overflow = false;
        std::uint8_t allowed = 0;
        std::uint8_t lane = kLaneData;
        std::uint32_t contribs = 0;
        Counters c;
    };
    struct PeerTotals {
        std::uint64_t bytes_all = 0, bytes_eff = 0;
        std::uint32_t records = 0;
        PeerLanes lanes;
        // The peer's newest record (a deque keeps references across
        // push_back and pop_front; it leaves last, with the peer).
        Record* last = nullptr;
    };
    std::int64_t step_of(Timestamp t) const;
    void apply(const Record& r, bool adding);

    Duration window_;
    Duration step_;
    std::uint32_t max_peers_;
    bool expired_any_ = false;  // (next to max_peers_: what was padding)
    std::deque<Record> recs_;
    std::unordered_map<IpAddr, PeerTotals, AddrHash> peers_;
    Counters all_, eff_;
    std::uint32_t n_all_ = 0, n_eff_ = 0;
    std::uint64_t overflow_ = 0;
    std::uint64_t overflow_bytes_all_ = 0, overflow_bytes_eff_ = 0;
    Timestamp last_ts_ = 0;
};

}  // namespace sw
