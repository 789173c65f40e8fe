// The notices as an analyst reads them: every field of a notice.log row,
// including the English msg and sub, built from plain facts. Pure functions;
// StagingAnalytics gathers the facts from its windows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/analytics_config.h"
#include "analytics/event_adapter.h"
#include "analytics/findings.h"
#include "analytics/peer_window.h"
#include "analytics/scoring.h"

namespace sw {

// "under 1 s", "45 s", "40 min" (rounded, up to 120 min), "2.5 h".
std::string human_span(Duration d);
// "fan_in:30, archive_name:15": the indicators that hold with their weights.
std::string indicator_list(const Assessment& a, const AnalyticsConfig& cfg);

// A target's or collector's effective (not allow-listed) window.
struct WindowFacts {
    Timestamp ts = 0;
    const ConnId* conn = nullptr;   // the connection that completed it, if any
    IpAddr host;
    Counters c;                     // totals
    std::uint64_t n = 0;            // peers, counting those over staging.max-peers as one
    std::vector<PeerBytes> peers;   // sources / servers, by address
    Duration span = 0;              // first to last contribution
    std::vector<std::string> archives;  // archive names, sorted
    std::vector<std::string> shares;    // \\server\share, sorted (target)
    Counters pushed;                    // collector: what it wrote on
    std::vector<IpAddr> push_targets;   // collector: where, by address
    Duration horizon = 0;               // a longer horizon the finding was made over (0: staging.window)
    Duration suppress_for = -1;         // the notice's suppress_for (-1: notice.suppress-for)
    std::string converge_path;          // target: the directory archives of many sources converged on
    std::uint32_t converge_sources = 0;
    std::uint32_t private_sources = 0;  // sources writing only into (servers read only for) a space of their own
    std::uint32_t software_sources = 0; // peers left out for software (tools, deployment reads)
    // Transfers still open that contributed (ProgressEvent), oldest first:
    // "\\fs\stage$\a.zip from 10.0.0.5, 12.0 MB so far".
    std::vector<std::string> in_progress;
};

// Staging::Fan_In: many sources wrote to one target.
Notice fan_in_notice(const WindowFacts& w, const Assessment& a, const AnalyticsConfig& cfg);
// Staging::Pull_Collector: one client read from many servers (and pushed on).
Notice pull_notice(const WindowFacts& w, const Assessment& a, const AnalyticsConfig& cfg);
// Staging::Archive_Write / Archive_Masquerade: one archive written.
Notice file_notice(const WriteFacts& wf, const IpAddr& source, const IpAddr& target, const ConnId& conn,
                   Timestamp ts, const Assessment& a, const AnalyticsConfig& cfg);
// Staging::Tool_Transfer: `reader` read executable `f` off an admin share of `server`.
Notice tool_notice(const SmbFileEvent& f, const std::string& share_path, const IpAddr& reader,
                   const IpAddr& server, const ConnId& conn, Timestamp ts, const Assessment& a,
                   const AnalyticsConfig& cfg);
// Staging::Volume_Anomaly: `bytes` in the interval ending at `end`, against
// `baseline` learnt over `intervals` intervals.
Notice anomaly_notice(const IpAddr& host, Timestamp end, std::uint64_t bytes, double baseline,
                      std::uint64_t intervals, const Assessment& a, const AnalyticsConfig& cfg);

}  // namespace sw
