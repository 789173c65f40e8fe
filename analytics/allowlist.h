// Allow-lists (known business traffic): targets, data sources, collectors,
// shares and time-of-day windows. A matching finding is not raised as a
// notice but still appears in staging.log with suppressed=T and the reasons.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/analytics_config.h"
#include "analytics/peer_window.h"

namespace sw {

class AllowList {
public:
    explicit AllowList(const AnalyticsConfig& cfg);

    // The first allowed time-of-day window `ts` falls in, or null: the one
    // place allow-times are checked.
    const TimeOfDayWindow* time_window(Timestamp ts) const;
    bool target(const IpAddr& a) const { return targets_.contains(a); }
    bool collector(const IpAddr& a) const { return collectors_.contains(a); }

    // What a contribution matched (AllowBits): its data's source host, the
    // share (empty: none), the time. A share pattern with a backslash
    // (\\BUILD01\artifacts$, \\10.1.2.3\*) is matched against the tree
    // path `share_path` (\\server\share, as the client wrote it), one
    // without against the share name.
    std::uint8_t bits(const IpAddr& data_source, std::string_view share, Timestamp ts,
                      std::string_view share_path = {}) const;
    // The same write seen as a push by its writer: the peer is then the host
    // written to, so the peer bit says whether that target is allow-listed.
    std::uint8_t push_bits(std::uint8_t write_bits, const IpAddr& target) const;
    // "source:10.0.0.5", "share:backup$", "time:22:00-06:00", in that order.
    std::vector<std::string> reasons(std::uint8_t bits, const IpAddr& data_source, std::string_view share,
                                     Timestamp ts) const;

private:
    CidrSet targets_, sources_, collectors_;
    std::vector<std::string> shares_;
    std::vector<TimeOfDayWindow> times_;
};

}  // namespace sw
