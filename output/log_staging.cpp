#include "output/logs.h"

#include <charconv>

namespace sw {

using F = FieldType;
using S = StagingRecord;

void prepare_staging(const StagingRow& r, StagingScratch& s) {
    s.peers.clear();
    // Reuse the strings' buffers from row to row.
    if (s.peer_bytes.size() < r.peers.size()) s.peer_bytes.resize(r.peers.size());
    char buf[64];
    for (std::size_t i = 0; i < r.peers.size(); ++i) {
        const PeerBytes& p = r.peers[i];
        s.peers.push_back(p.addr);
        std::string& out = s.peer_bytes[i];
        out.assign(buf, p.addr.format(buf));
        out += '=';
        auto res = std::to_chars(buf, buf + sizeof(buf), p.bytes);
        out.append(buf, res.ptr);
    }
    s.peer_bytes.resize(r.peers.size());
}

// staging.log: one row per target or collector per report period, with every
// indicator's value, so an analyst can see why it scored what it scored.
const LogTable<StagingRecord>& staging_log() {
    static const LogTable<StagingRecord> t{
        "staging",
        {
            col<F::time>("ts", [](const S& s) { return s.row.ts; }),
            col<F::addr>("host", [](const S& s) { return s.row.host; }),
            col<F::string>("role", [](const S& s) { return role_name(s.row.role); }),
            col<F::time>("period_start", [](const S& s) { return s.row.period_start; }),
            col<F::time>("window_start", [](const S& s) { return s.row.window_start; }),
            col<F::count>("n_peers", [](const S& s) { return std::uint64_t{s.row.peers.size()}; }),
            col<F::set_addr>("peers", [](const S& s) { return std::span<const IpAddr>(s.scratch.peers); }),
            col<F::vector_string>("peer_bytes",
                                  [](const S& s) { return std::span<const std::string>(s.scratch.peer_bytes); }),
            col<F::count>("peers_dropped", [](const S& s) { return s.row.peers_dropped; }),
            col<F::count>("bytes", [](const S& s) { return s.row.bytes; }),
            col<F::count>("smb_bytes", [](const S& s) { return s.row.smb_bytes; }),
            col<F::count>("ssh_bytes", [](const S& s) { return s.row.ssh_bytes; }),
            col<F::count>("encrypted_bytes", [](const S& s) { return s.row.encrypted_bytes; }),
            col<F::count>("files", [](const S& s) { return s.row.files; }),
            col<F::count>("archives", [](const S& s) { return s.row.archives; }),
            col<F::count>("masquerades", [](const S& s) { return s.row.masquerades; }),
            col<F::count>("admin_share_writes", [](const S& s) { return s.row.admin_share_writes; }),
            col<F::count>("staging_path_writes", [](const S& s) { return s.row.staging_path_writes; }),
            col<F::set_string>("archive_names",
                               [](const S& s) { return std::span<const std::string>(s.row.archive_names); }),
            col<F::set_string>("shares", [](const S& s) { return std::span<const std::string>(s.row.shares); }),
            col<F::count>("pushed_bytes", [](const S& s) { return s.row.pushed_bytes; }),
            col<F::set_addr>("push_targets",
                             [](const S& s) -> std::optional<std::span<const IpAddr>> {
                                 if (s.row.role != Role::collector) return std::nullopt;
                                 return std::span<const IpAddr>(s.row.push_targets);
                             }),
            col<F::bool_>("volume_anomaly", [](const S& s) { return s.row.volume_anomaly; }),
            col<F::count>("score", [](const S& s) { return s.row.score; }),
            col<F::string>("severity", [](const S& s) { return nonempty(severity_name(s.row.severity)); }),
            col<F::string>("detection_type", [](const S& s) { return nonempty(s.row.detection_type); }),
            col<F::set_string>("indicators", [](const S& s) { return std::span<const std::string>(s.row.indicators); }),
            col<F::set_string>("notices", [](const S& s) { return std::span<const std::string>(s.row.notices); }),
            col<F::bool_>("suppressed", [](const S& s) { return s.row.suppressed; }),
            col<F::set_string>("suppressed_by",
                               [](const S& s) { return std::span<const std::string>(s.row.suppressed_by); }),
        }};
    return t;
}

}  // namespace sw
