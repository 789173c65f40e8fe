// What staging analytics produces: notices, staging rows and volume rows, and
// the sink they go to. Output implements FindingSink to write notice.log,
// staging.log and volume.log; analytics never depends on output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/conn.h"
#include "capture/types.h"

namespace sw {

enum class Severity : std::uint8_t { none = 0, low = 1, medium = 2, high = 3 };
std::string_view severity_name(Severity s);  // "low", "medium", "high" ("" for none)

// Notice types (Zeek's `note`).
enum class NoteType : std::uint8_t {
    fan_in,
    pull_collector,
    archive_write,
    archive_masquerade,
    volume_anomaly,
    notice_budget,  // a host's notices over notice.daily-budget, aggregated
    tool_transfer,  // an executable read off an admin share (T1570)
};
std::string_view note_name(NoteType n);  // "Staging::Fan_In", ...

struct PeerBytes {
    IpAddr addr;
    std::uint64_t bytes = 0;
};

// One notice.log row (Zeek's notice fields plus ours).
struct Notice {
    Timestamp ts = 0;
    std::optional<ConnId> conn;  // the connection that completed the finding
    std::string fuid;
    std::string file_mime_type;
    std::string file_desc;       // \\server\share\name for file notices
    NoteType note = NoteType::fan_in;
    std::string msg;
    std::string sub;
    std::optional<IpAddr> src, dst;
    std::optional<std::uint16_t> p;
    std::optional<std::uint64_t> n;
    Duration suppress_for = 0;
    std::uint32_t score = 0;
    Severity severity = Severity::none;
    std::string detection_type;
    std::vector<IpAddr> sources;        // sorted
    std::uint64_t bytes = 0;
    std::vector<std::string> archives;  // sorted, capped
    std::vector<std::string> mitre;
};

enum class Role : std::uint8_t { target, collector };
std::string_view role_name(Role r);  // "target", "collector"

// One staging.log row: a target (data arriving) or collector (data pulled)
// in one report period (staging.window long), at the moment its score peaked.
struct StagingRow {
    Timestamp ts = 0;            // when the reported state was reached
    IpAddr host;
    Role role = Role::target;
    Timestamp period_start = 0;  // report period this row covers
    Timestamp window_start = 0;  // earliest activity still in the sliding window
    std::vector<PeerBytes> peers;  // sources (target) or servers (collector), by address
    std::uint64_t peers_dropped = 0;  // contributions from peers beyond staging.max-peers
    std::uint64_t bytes = 0;
    std::uint64_t smb_bytes = 0, ssh_bytes = 0, encrypted_bytes = 0;
    std::uint64_t files = 0;
    std::uint64_t archives = 0;      // archive files (by name or content) written
    std::uint64_t masquerades = 0;
    std::uint64_t admin_share_writes = 0, staging_path_writes = 0;
    std::vector<std::string> archive_names;  // sorted, at most 32
    std::vector<std::string> shares;         // \\server\share, sorted
    // Collector role only: what it wrote onward after pulling.
    std::optional<std::uint64_t> pushed_bytes;
    std::vector<IpAddr> push_targets;
    bool volume_anomaly = false;
    std::uint32_t score = 0;
    Severity severity = Severity::none;
    std::string detection_type;
    std::vector<std::string> indicators;  // "fan_in:30", ... in Indicator order
    std::vector<std::string> notices;     // notes raised for this host/role in the period
    bool suppressed = false;
    std::vector<std::string> suppressed_by;  // "target", "source 10.0.0.5", "share backup$", ...
};

enum class VolumeProto : std::uint8_t { smb = 0, ssh = 1, other_tcp = 2 };
std::string_view volume_proto_name(VolumeProto p);  // "smb", "ssh", "other_tcp"

// One volume.log row: a host's traffic of one protocol in one interval.
struct VolumeRow {
    Timestamp ts = 0;  // interval start
    IpAddr host;
    VolumeProto proto = VolumeProto::smb;
    std::uint64_t bytes_in = 0, bytes_out = 0;
    std::uint64_t files_written = 0, files_read = 0;
    std::uint64_t peers_in = 0, peers_out = 0;
};

class FindingSink {
public:
    virtual ~FindingSink() = default;
    virtual void on_notice(const Notice& n) = 0;
    virtual void on_staging(const StagingRow& r) = 0;
    virtual void on_volume(const VolumeRow& r) = 0;
};

// Counters for the run summary / stats log.
struct AnalyticsStats {
    std::uint64_t events = 0;
    std::uint64_t hosts_tracked = 0, hosts_max = 0;
    std::uint64_t hosts_evicted = 0;        // LRU evictions at staging.max-hosts
    std::uint64_t peers_dropped = 0;        // contributions beyond staging.max-peers
    std::uint64_t volume_peers_dropped = 0; // peers not counted in a volume row at the cap
    std::uint64_t notices = 0;
    std::uint64_t notices_deduplicated = 0; // suppressed by notice.suppress-for
    std::uint64_t notices_aggregated = 0;   // over notice.daily-budget
    std::uint64_t file_findings_quiet = 0;  // per-file findings below medium (staging.log only)
    std::uint64_t findings_allowlisted = 0; // suppressed by an allow-list
    std::uint64_t staging_rows = 0, volume_rows = 0;
    std::uint64_t late_events = 0;          // events older than the current interval
};

}  // namespace sw
