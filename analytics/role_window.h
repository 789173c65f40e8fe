// One host in one role (target: data arriving; collector: data pulled, then
// pushed on) over the sliding window (staging.window): the peers' bytes
// (PeerWindow), the shares and archive names seen, the allow-list reasons
// that matched, and the state of the current report period (the staging.log
// row being built, the notices raised, why it was suppressed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

    RoleWindow(Duration window, std::uint32_t max_peers, const KeyedHash& hash)
        : win(window, max_peers, hash), pushes(window, max_peers, hash) {}

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
    // A push by a collector (after expire and a non-empty win).
    bool add_push(const Contribution& c, const std::string* archive, Timestamp now);

    // What scoring needs, over all traffic or the effective (not allow-listed).
    RoleFacts facts(bool eff, bool volume_anomaly, const AnalyticsConfig& cfg) const;
    // Names not seen in allow-listed traffic only, sorted.
    std::vector<std::string> unallowed(const std::vector<NamedItem>& v) const;

    // The staging.log row's window part (peers, bytes, files, names, pushes).
    void fill_row(StagingRow& row, Role r, Timestamp ts, Duration period) const;

    // The report period: starts afresh (what was reported is cleared).
    void reset_period();
    void mark_suppressed(const std::vector<std::string>& reasons);
    void note_raised(NoteType n);
    // Sources or archives beyond what the last Fan_In / Pull_Collector showed.
    bool grew(std::uint32_t archives) const;
    // Nothing left in the window and nothing to report.
    bool idle() const { return win.empty() && pushes.empty() && !pending; }

    PeerWindow win;     // target: writers; collector: servers read from
    PeerWindow pushes;  // collector: hosts it wrote to after pulling
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
    // What the last Fan_In / Pull_Collector notice (raised or pending) showed.
    std::vector<IpAddr> notified_peers;  // sorted
    std::uint32_t notified_archives = 0;
    std::optional<Notice> update;
};

}  // namespace sw
