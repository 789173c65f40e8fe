// One host in one role (target: data arriving; collector: data pulled, then
// pushed on) over the sliding window (staging.window) and the longer
// horizons (staging.long-windows): the peers' bytes (PeerWindow, one per
// horizon, each bounded by its 60 steps), where the data landed
// (Convergence, targets only), the shares and archive names seen (kept as
// long as the longest horizon), the allow-list reasons that matched, and the
// state of the current report period (the staging.log row being built, the
// notices raised, why it was suppressed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/convergence.h"
#include "analytics/findings.h"
#include "analytics/peer_window.h"
#include "analytics/scoring.h"

namespace sw {

class RoleWindow {
public:
    static constexpr std::size_t kMaxShares = 16;   // shares remembered
    static constexpr std::size_t kMaxNames = 32;    // archive names remembered
    static constexpr std::size_t kMaxReasons = 8;   // allow-list reasons remembered

    struct NamedItem {
        std::string text;
        Timestamp ts = 0;
        bool allowed = false;  // only ever seen in allow-listed traffic
    };

    RoleWindow(const AnalyticsConfig& cfg, std::uint32_t max_peers);

    // Horizon h: 0 is `win`, k is the k-th of staging.long-windows.
    std::size_t horizons() const { return 1 + longer.size(); }
    const PeerWindow& horizon(std::size_t h) const { return h == 0 ? win : longer[h - 1]; }
    const PeerWindow& longest() const { return longer.empty() ? win : longer.back(); }

    // Drops what has left `w` at `now`: for `win` the shares, archive names
    // and reasons; for `pushes` the archive names (a collector's are its pushes').
    void prune(const PeerWindow& w, Timestamp now);
    // win (and pushes) expired to `now`, names pruned by win.
    void expire(Timestamp now);

    // A contribution to the window (a write to a target or a read by a
    // collector) on `share_path` ("" if none), of the archive named
    // `archive` (null if none), with the allow-list reasons it matched.
    // Returns false when its peer was over staging.max-peers.
    bool add(const Contribution& c, const std::string& share_path, const std::string* archive,
             const std::vector<std::string>& reasons);
    // Where a file write landed (targets): name relative to the share, the
    // session's user.
    void add_place(const IpAddr& peer, const std::string& share_path, std::string_view name,
                   std::string_view user, bool archive, Timestamp ts, bool counted = true) {
        conv.add(peer, share_path, name, user, archive, ts, counted);
    }
    // A push by a collector (after expire and a non-empty win).
    bool add_push(const Contribution& c, const std::string* archive, Timestamp now);

    // What scoring needs, over all traffic or the effective (not allow-listed),
    // over the first horizon where fan-in / the pull holds (else the first).
    // Only data being gathered counts (gathered()).
    RoleFacts facts(Role r, bool eff, bool volume_anomaly, const AnalyticsConfig& cfg) const;

    // What of horizon h counts as data being gathered (docs/detection.md#data-lanes):
    //   target: a source writing only into a space of its own is left out
    //     (Convergence::is_private); of the others, writes into their own
    //     folders (kLaneOwn, while Convergence::own_space_private) and
    //     software (kLaneSoftware) are left out;
    //   collector: reads of the client's own files and of software are left
    //     out, and a server read mostly for software (at least half of what
    //     was read from it, own files aside) is a deployment source and left
    //     out entirely.
    // `c` and `n` (peers with bytes left, the over-the-cap peer as one) are
    // what remains; `own` / `software` count the peers left out for each reason.
    // A source private by the same-folder rule (not named after its user)
    // leaves the fan-in, but its data-lane writes stay in `kept_private`.
    struct Gathered {
        Counters c;
        Counters kept_private;  // target: see RoleFacts::kept_private
        std::uint32_t n = 0;
        std::uint32_t own = 0, software = 0;
    };
    Gathered gathered(Role r, std::size_t h, bool eff) const;
    // The same with the peers that remain and their bytes, sorted by address.
    Gathered gathered(Role r, std::size_t h, bool eff, std::vector<PeerBytes>* peers) const;
    // Pushes that are data moved on (neither into the collector's own space
    // nor software), with the hosts pushed to.
    Counters data_pushes(bool eff, std::vector<PeerBytes>* peers = nullptr) const;
    // Peers of horizon h whose data counts (targets: not private), with their bytes.
    std::vector<PeerBytes> converging_peers(std::size_t h, bool eff) const;
    // Names not seen in allow-listed traffic only, sorted.
    std::vector<std::string> unallowed(const std::vector<NamedItem>& v) const;

    // The staging.log row's window part (peers, bytes, files, names, pushes),
    // assigned in place so that a row refilled keeps its buffers. `names`
    // false: the row's archive names and shares are left as they are (the
    // caller knows they still match: names_version unchanged).
    void fill_row(StagingRow& row, Role r, Timestamp ts, Duration period, std::size_t h = 0,
                  bool names = true) const;

    // The report period: starts afresh (what was reported is cleared).
    void reset_period();
    void mark_suppressed(const std::vector<std::string>& reasons);
    void note_raised(NoteType n);
    // Sources or archives beyond what the last Fan_In / Pull_Collector showed.
    bool grew(std::uint32_t archives) const;
    // Target: the window holds writes a staging.log row shows (archives,
    // admin share, staging path, masquerade) whatever they scored.
    bool has_file_marks() const {
        const Counters& c = win.all();
        return c.archives || c.admin_writes || c.path_writes || c.masquerades;
    }
    // Nothing left in the window and nothing to report.
    bool idle() const {
        for (const auto& w : longer)
            if (!w.empty()) return false;
        return win.empty() && pushes.empty() && conv.empty() && !pending;
    }

    PeerWindow win;     // target: writers; collector: servers read from
    std::vector<PeerWindow> longer;  // the same over staging.long-windows
    PeerWindow pushes;  // collector: hosts it wrote to after pulling
    Convergence conv;   // target: where the writes landed
    std::vector<NamedItem> shares;           // target: shares written to; collector: read from
    std::vector<NamedItem> archive_names;    // target: archives received; collector: pushed
    std::vector<NamedItem> allowed_reasons;  // allow-list matches in the window

    // Report period state.
    std::int64_t period = INT64_MIN;
    std::optional<StagingRow> snap;
    std::vector<std::string> notices;
    std::vector<std::string> suppressed_by;
    bool suppressed = false;
    bool main_suppressed = false;  // the fan-in / pull finding itself
    bool pending = false;
    // The texts of `shares` or `archive_names` changed since `snap` was
    // last filled. (A flag in what was padding: sizeof(RoleWindow) is
    // charged to the memory budget, and stats.log shows the budget.)
    bool names_changed = false;
    // What the last Fan_In / Pull_Collector notice (raised or pending) showed.
    std::vector<IpAddr> notified_peers;  // sorted
    std::uint32_t notified_archives = 0;
    std::optional<Notice> update;
};

}  // namespace sw
