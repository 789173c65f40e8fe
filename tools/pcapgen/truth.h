// What pcapgen put on the wire, recorded as it is generated and written as a
// JSON sidecar so tests can check a dissector's numbers against it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/pcapgen/options.h"

namespace pcapgen {

struct HostTruth {
    std::string ip;
    std::string name;
    std::string user;  // clients only
};

struct SmbSessionTruth {
    std::string client;
    std::uint16_t client_port = 0;
    std::string server;
    std::string server_name;
    std::string dialect;  // "3.1.1" / "2.1"
    std::string user, domain, workstation;
    std::string tree;  // \\SERVER\share
    std::uint64_t session_id = 0;
    std::uint64_t start_ns = 0;
    std::uint32_t files = 0;
    std::uint64_t bytes_written = 0;
    std::uint64_t bytes_read = 0;
};

struct SmbFileTruth {
    std::uint32_t session = 0;  // index into smb_sessions
    std::string name;           // path relative to the share, backslashes
    std::string magic;          // "zip", "7z", "rar", "ooxml", "pdf" or ""
    bool write = true;
    std::uint64_t size = 0;
    std::uint32_t writes = 0;
    std::uint64_t bytes_written = 0;
    std::uint32_t reads = 0;
    std::uint64_t bytes_read = 0;
    std::uint64_t fid_persistent = 0;
    std::uint64_t fid_volatile = 0;
    std::string renamed_from;  // enterprise-day Office saves: the temporary name
};

struct SshTruth {
    std::string client;
    std::uint16_t client_port = 0;
    std::string server;
    std::string client_banner, server_banner;
    bool upload = true;
    std::uint64_t file_bytes = 0;  // scp payload
    std::uint64_t orig_bytes = 0;  // TCP payload client -> server, retransmissions excluded
    std::uint64_t resp_bytes = 0;  // TCP payload server -> client
};

struct BackgroundTruth {
    std::uint64_t flows = 0, http = 0, dns = 0, other = 0;
    std::uint64_t orig_bytes = 0, resp_bytes = 0;
};

struct Totals {
    std::uint64_t packets = 0;
    std::uint64_t wire_bytes = 0;  // sum of frame lengths
    std::uint64_t pcap_bytes = 0;  // file size
    std::uint64_t tcp_connections = 0;
    std::uint64_t data_segments = 0;
    std::uint64_t retransmitted_segments = 0;
    std::uint64_t reordered_pairs = 0;
    std::uint64_t first_ns = 0, last_ns = 0;
    std::uint64_t bytes_by_kind[3] = {0, 0, 0};  // smb, ssh, background (wire bytes)
};

// enterprise-day: what each host is, the staging injected, the benign rest.
struct RoleTruth {
    std::string ip, name, role, user;
};
struct StagingCaseTruth {
    std::uint32_t id = 0;
    std::string kind;   // "smb", "scp", "smb-encrypted"
    std::string speed;  // "fast" (minutes) or "slow" (sources spread over hours)
    std::string target, target_name, share, dir, account;
    std::vector<std::string> sources;
    std::uint32_t day = 0;
    std::uint64_t first_ns = 0, last_ns = 0;  // planned session starts
    std::uint64_t bytes = 0;                  // file bytes sent
};
struct EnterpriseTruth {
    bool on = false;
    std::uint32_t days = 0;
    std::uint64_t day0_ns = 0;  // UTC midnight of the first day
    std::vector<RoleTruth> hosts;
    std::vector<StagingCaseTruth> cases;
    std::vector<std::string> allow_collectors;  // the backup server
    std::vector<std::pair<std::string, std::uint64_t>> patterns;  // benign sessions by pattern
};

struct Truth {
    std::vector<HostTruth> clients, servers;
    std::vector<SmbSessionTruth> smb_sessions;
    std::vector<SmbFileTruth> smb_files;
    std::vector<SshTruth> ssh_sessions;
    BackgroundTruth background;
    EnterpriseTruth enterprise;
    Totals totals;

    // Throws std::runtime_error when the file cannot be written.
    void write_json(const std::string& path, const Options& o) const;
};

}  // namespace pcapgen
