#include "output/logs.h"

namespace sw {

// staging.log: one row per target or collector per report period, with every
// indicator's value, so an analyst can see why it scored what it scored.
const Schema& staging_schema() {
    static const Schema s{"staging",
                          {{"ts", FieldType::time},
                           {"host", FieldType::addr},
                           {"role", FieldType::string},
                           {"period_start", FieldType::time},
                           {"window_start", FieldType::time},
                           {"n_peers", FieldType::count},
                           {"peers", FieldType::set_addr},
                           {"peer_bytes", FieldType::vector_string},
                           {"peers_dropped", FieldType::count},
                           {"bytes", FieldType::count},
                           {"smb_bytes", FieldType::count},
                           {"ssh_bytes", FieldType::count},
                           {"encrypted_bytes", FieldType::count},
                           {"files", FieldType::count},
                           {"archives", FieldType::count},
                           {"masquerades", FieldType::count},
                           {"admin_share_writes", FieldType::count},
                           {"staging_path_writes", FieldType::count},
                           {"archive_names", FieldType::set_string},
                           {"shares", FieldType::set_string},
                           {"pushed_bytes", FieldType::count},
                           {"push_targets", FieldType::set_addr},
                           {"volume_anomaly", FieldType::bool_},
                           {"score", FieldType::count},
                           {"severity", FieldType::string},
                           {"detection_type", FieldType::string},
                           {"indicators", FieldType::set_string},
                           {"notices", FieldType::set_string},
                           {"suppressed", FieldType::bool_},
                           {"suppressed_by", FieldType::set_string}}};
    return s;
}

void staging_row(const StagingRow& r, Row& row, RowScratch& scratch) {
    scratch.addrs.clear();
    scratch.strs.clear();
    for (const PeerBytes& p : r.peers) {
        scratch.addrs.push_back(p.addr);
        scratch.strs.push_back(p.addr.str() + "=" + std::to_string(p.bytes));
    }
    row.clear().time(r.ts).addr(r.host).str(role_name(r.role)).time(r.period_start).time(r.window_start);
    row.count(r.peers.size()).addrs(scratch.addrs).strings(scratch.strs).count(r.peers_dropped);
    row.count(r.bytes).count(r.smb_bytes).count(r.ssh_bytes).count(r.encrypted_bytes).count(r.files);
    row.count(r.archives).count(r.masquerades).count(r.admin_share_writes).count(r.staging_path_writes);
    row.strings(r.archive_names).strings(r.shares);
    row.opt_count(r.pushed_bytes);
    if (r.role == Role::collector)
        row.addrs(r.push_targets);
    else
        row.unset();
    row.boolean(r.volume_anomaly).count(r.score).str_or_unset(severity_name(r.severity));
    row.str_or_unset(r.detection_type).strings(r.indicators).strings(r.notices);
    row.boolean(r.suppressed).strings(r.suppressed_by);
}

}  // namespace sw
