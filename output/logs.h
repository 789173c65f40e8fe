// Every log's schema (declared once) and how an event becomes its row.
// One function pair per log; the files log_<name>.cpp hold them.
#pragma once

#include "analytics/findings.h"
#include "dissectors/event.h"
#include "output/schema.h"

namespace sw {

// Zeek's leading columns of every connection-related log: ts, uid,
// id.orig_h, id.orig_p, id.resp_h, id.resp_p. Declared once here.
Schema with_conn_id(std::string_view path, std::initializer_list<Field> rest);
// Starts a row with ts, uid and id.* (uid and id.* unset without a connection).
void begin_conn_row(Row& row, Timestamp ts, const ConnId* id);
inline void begin_conn_row(Row& row, Timestamp ts, const ConnId& id) { begin_conn_row(row, ts, &id); }

const Schema& conn_schema();
void conn_row(const ConnRecord& c, Row& row);

const Schema& weird_schema();
void weird_row(const WeirdEvent& w, Row& row);

const Schema& ssh_schema();
void ssh_row(const SshEvent& e, Row& row);
// Staging analytics logs (log_notice.cpp, log_staging.cpp, log_volume.cpp).
// Set-valued fields that a finding does not hold as strings/addresses are
// built in `scratch`, which must outlive the write of the row.
struct RowScratch {
    std::vector<IpAddr> addrs;
    std::vector<std::string> strs;
};
const Schema& notice_schema();
void notice_row(const Notice& n, Row& row);
const Schema& staging_schema();
void staging_row(const StagingRow& r, Row& row, RowScratch& scratch);
const Schema& volume_schema();
void volume_row(const VolumeRow& r, Row& row);
const Schema& smb_files_schema();
void smb_files_row(const SmbFileEvent& e, Row& row);
const Schema& smb_mapping_schema();
void smb_mapping_row(const SmbMappingEvent& e, Row& row);
const Schema& ntlm_schema();
void ntlm_row(const NtlmEvent& e, Row& row);

}  // namespace sw
