// Scoring, as pure functions: what a role's window holds (RoleFacts) gives
// the indicators; the indicators give the score (sum of their weights), the
// severity (severity.medium / severity.high) and the label (detection_type).
// No state: every rule here can be tested with exact values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/analytics_config.h"
#include "analytics/findings.h"
#include "analytics/peer_window.h"

namespace sw {

using IndicatorSet = std::array<bool, kIndicatorCount>;

// The indicators that hold for one target/collector (or one file write),
// their score, severity and label.
struct Assessment {
    IndicatorSet on{};
    std::uint32_t score = 0;
    Severity severity = Severity::none;
    std::string_view label;  // detection_type, "" when nothing holds
    std::uint8_t horizon = 0;  // the horizon the window indicators were found over
    bool has(Indicator i) const { return on[static_cast<std::size_t>(i)]; }
};

// What one role's sliding window holds, over all traffic or over what no
// allow-list matched.
struct RoleFacts {
    Counters window;                 // target: writes in; collector: reads
    // target: writes of sources left out of the fan-in as private that still
    // speak for themselves in the file indicators (an archive into C$ from a
    // source filling one folder of its own); not part of fan-in or
    // fan-in-archives (docs/detection.md#data-lanes).
    Counters kept_private;
    std::uint32_t peers = 0;         // distinct sources / servers with bytes
    Counters pushes;                 // collector: what it wrote after pulling
    std::uint64_t onward_bytes = 0;  // collector: pushed to hosts it did not pull from
    bool volume_anomaly = false;     // the host's latest anomaly is still in the window
    bool converged = false;          // target: archives of many sources in one directory
    // The horizon these facts are over (0: staging.window, k: long_windows[k-1])
    // and its thresholds; 0 means the first horizon's (staging.min-sources /
    // min-servers, staging.min-bytes).
    std::uint8_t horizon = 0;
    std::uint32_t need_peers = 0;
    std::uint64_t need_bytes = 0;
};

// A collector pulled from at least staging.min-servers servers and
// staging.min-bytes bytes.
bool pull_holds(const RoleFacts& f, const AnalyticsConfig& cfg);
// Fan-in: at least the horizon's sources and bytes arrived.
bool fan_holds(const RoleFacts& f, const AnalyticsConfig& cfg);
// Whether indicators() reads RoleFacts::onward_bytes (computing it costs a
// pass over the pushes' peers, so callers fill it only then).
bool needs_onward_bytes(const RoleFacts& f, const AnalyticsConfig& cfg);
IndicatorSet indicators(const RoleFacts& f, Role r, const AnalyticsConfig& cfg);

Severity severity_for(std::uint32_t score, const AnalyticsConfig& cfg);
// The strongest pattern among the indicators, in the role.
std::string_view label_for(const IndicatorSet& on, Role role);
Assessment assess(const IndicatorSet& on, Role r, const AnalyticsConfig& cfg);
// "fan_in:30", ... for the indicators that hold, in Indicator order.
std::vector<std::string> indicator_columns(const Assessment& a, const AnalyticsConfig& cfg);

}  // namespace sw
