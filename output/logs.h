// Every log, declared once: one column table per log (name, Zeek type,
// accessor) that drives both the TSV and the JSON writer. The files
// log_<name>.cpp hold the tables.
#pragma once

#include "analytics/findings.h"
#include "dissectors/event.h"
#include "output/schema.h"

namespace sw {

// Zeek's leading columns of every connection-related log: ts, uid,
// id.orig_h, id.orig_p, id.resp_h, id.resp_p, declared once here. `TsF`
// reads the record's time, `IdF` returns its `const ConnId*` (null: uid and
// id.* unset).
template <class TsF, class IdF>
auto with_conn_id(TsF ts, IdF, std::vector<Column<typename detail::accessor_arg<TsF>::type>> rest) {
    using Rec = typename detail::accessor_arg<TsF>::type;
    std::vector<Column<Rec>> c{
        col<FieldType::time>("ts", ts),
        col<FieldType::string>("uid",
                               [](const Rec& r) -> std::optional<std::string_view> {
                                   if (const ConnId* id = IdF{}(r)) return id->uid();
                                   return std::nullopt;
                               }),
        col<FieldType::addr>("id.orig_h",
                             [](const Rec& r) -> std::optional<IpAddr> {
                                 if (const ConnId* id = IdF{}(r)) return id->orig_h;
                                 return std::nullopt;
                             }),
        col<FieldType::port>("id.orig_p",
                             [](const Rec& r) -> std::optional<std::uint16_t> {
                                 if (const ConnId* id = IdF{}(r)) return id->orig_p;
                                 return std::nullopt;
                             }),
        col<FieldType::addr>("id.resp_h",
                             [](const Rec& r) -> std::optional<IpAddr> {
                                 if (const ConnId* id = IdF{}(r)) return id->resp_h;
                                 return std::nullopt;
                             }),
        col<FieldType::port>("id.resp_p",
                             [](const Rec& r) -> std::optional<std::uint16_t> {
                                 if (const ConnId* id = IdF{}(r)) return id->resp_p;
                                 return std::nullopt;
                             }),
    };
    c.insert(c.end(), rest.begin(), rest.end());
    return c;
}

const LogTable<ConnRecord>& conn_log();
const LogTable<WeirdEvent>& weird_log();
const LogTable<SshEvent>& ssh_log();
const LogTable<SmbFileEvent>& smb_files_log();
const LogTable<SmbMappingEvent>& smb_mapping_log();
const LogTable<NtlmEvent>& ntlm_log();
const LogTable<Notice>& notice_log();
const LogTable<VolumeRow>& volume_log();

// staging.log's set fields that a StagingRow does not hold as such (peers as
// addresses, peer_bytes as "addr=bytes") are built in a scratch that is
// reused from row to row.
struct StagingScratch {
    std::vector<IpAddr> peers;
    std::vector<std::string> peer_bytes;
};
struct StagingRecord {
    const StagingRow& row;
    const StagingScratch& scratch;
};
void prepare_staging(const StagingRow& r, StagingScratch& scratch);
const LogTable<StagingRecord>& staging_log();

}  // namespace sw
