// The report's model: the logs joined by uid and host into what an analyst
// asks first. A finding is a staging.log row (one per host and window; the
// latest update wins) with the notices about the same host; a notice with no
// staging.log row (a correlator's logs, older sensors) becomes a finding of
// its own. smb_files, ssh and conn rows are joined to findings by host and
// peer within the finding's window; volume.log and conn.log give the per-host
// charts and the overview.
//
// Memory stays bounded on big logs: rows are streamed, and every per-finding
// and per-host list keeps at most the caps in ModelLimits (what is left out
// is counted and said on the page).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "report/log_reader.h"

namespace sw::report {

struct ModelLimits {
    std::size_t detailed_findings = 100;   // findings drawn in full; the rest are listed
    std::size_t listed_findings = 10000;   // rows of the finding list
    std::size_t files_per_finding = 50;    // file rows kept per finding
    std::size_t marks_per_finding = 500;   // timeline marks per finding
    std::size_t lanes = 40;                // sources drawn per picture
    std::size_t outbound_per_finding = 100;
    std::size_t hosts = 50;                // host sections (finding hosts first, then by bytes)
    std::size_t peers_per_host = 10;
    std::size_t host_pairs = 200000;       // (host, peer) byte counters kept from conn.log
    std::size_t uids = 20000;              // connections in the uid index
    double slack_seconds = 60;             // rows this far outside a window still join it
    std::uint64_t large_outbound = 1000000;  // bytes: an outbound connection worth listing
};

struct Indicator {
    std::string name;
    long weight = 0;
};

struct Peer {
    std::string host;
    std::uint64_t bytes = 0;
    std::uint64_t files = 0;
    std::uint64_t archives = 0;
    bool encrypted = false;  // SSH or encrypted SMB3 seen between peer and host
    bool ssh = false;
};

struct FileRow {
    double ts = 0;
    double end = 0;
    std::string uid, fuid, orig, resp, action, path, name, user, content_type, share;
    std::uint64_t size = 0;
    bool archive = false;
};

struct Mark {
    enum class Kind { write, read, ssh, conn } kind = Kind::conn;
    double ts = 0, end = 0;
    std::string peer, uid, fuid, label;
    std::uint64_t bytes = 0;
    bool archive = false;
    bool encrypted = false;
};

struct Outbound {
    double ts = 0;
    std::string uid, fuid, dst, proto, what;
    std::uint64_t bytes = 0;
};

struct NoticeRef {
    double ts = 0;
    std::string uid, fuid, note, msg, sub, severity, detection_type, src, dst;
    long score = 0;
};

struct Finding {
    std::string id;  // anchor: "f1", "f2", ... in report order
    double ts = 0, window_start = 0;
    std::string host, role, severity, detection_type, msg;
    long score = 0;
    std::vector<Indicator> indicators;
    std::vector<Peer> peers;
    std::uint64_t peers_dropped = 0;
    std::uint64_t bytes = 0, smb_bytes = 0, ssh_bytes = 0, encrypted_bytes = 0, files = 0, archives = 0;
    std::vector<std::string> archive_names, shares, push_targets, suppressed_by;
    std::uint64_t pushed_bytes = 0;
    bool suppressed = false;
    bool from_notice_only = false;
    std::vector<NoticeRef> notices;
    std::vector<FileRow> file_rows;
    std::uint64_t file_rows_total = 0;
    std::vector<Mark> marks;
    std::uint64_t marks_total = 0;
    std::vector<Outbound> outbound;
    std::uint64_t outbound_total = 0;
    const Peer* peer(const std::string& h) const;
};

struct VolumePoint {
    double ts = 0;
    std::uint64_t in = 0, out = 0;
};

struct HostInfo {
    std::string host;
    std::uint64_t bytes_in = 0, bytes_out = 0;
    std::vector<VolumePoint> volume;  // by volume.log interval, summed over protocols
    std::vector<std::pair<std::string, std::uint64_t>> top_peers;
    bool in_finding = false;
};

struct ConnInfo {
    double ts = 0, duration = 0;
    std::string orig, resp, proto, service;
    std::uint64_t orig_p = 0, resp_p = 0, orig_bytes = 0, resp_bytes = 0;
    bool encrypted = false;
};

struct Overview {
    std::vector<std::string> dirs;
    double first = 0, last = 0;  // time span of everything read (0: nothing)
    std::uint64_t hosts = 0;
    std::map<std::string, std::uint64_t> bytes_by_proto;
    std::map<std::string, std::uint64_t> findings_by_severity;
    std::map<std::string, std::uint64_t> findings_by_type;
    std::map<std::string, std::uint64_t> rows_by_log;
    std::uint64_t smb_file_rows = 0;
    std::uint64_t bad_lines = 0;
    std::uint64_t suppressed = 0;
};

struct Model {
    ModelLimits limits;
    Overview overview;
    std::vector<Finding> findings;  // most severe first
    std::vector<HostInfo> hosts;
    std::map<std::string, ConnInfo> conns;  // the uid index: uids referenced by the page
    std::uint64_t conns_dropped = 0;
};

// Severity rank: high 3, medium 2, low 1, anything else 0.
int severity_rank(std::string_view s);
// "fan_in:30" -> {fan_in, 30}; also parses the "indicators: a:15, b:10" tail of a notice's sub.
std::vector<Indicator> parse_indicators(const std::vector<std::string>& items);
std::vector<Indicator> indicators_from_sub(std::string_view sub);
bool is_archive_name(std::string_view name);

// Reads every log in `dirs` and builds the model.
Model build_model(const std::vector<std::string>& dirs, const ModelLimits& limits = {});

}  // namespace sw::report
