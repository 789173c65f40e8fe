#include "output/logs.h"

namespace sw {

// Zeek's smb_files.log, then our extensions: one row per file handle, written
// when the handle is closed (or its tree, session or connection ends).
const Schema& smb_files_schema() {
    static const Schema s =
        with_conn_id("smb_files", {{"fuid", FieldType::string},         {"action", FieldType::enum_},
                                   {"path", FieldType::string},         {"name", FieldType::string},
                                   {"size", FieldType::count},          {"prev_name", FieldType::string},
                                   {"times.modified", FieldType::time}, {"times.accessed", FieldType::time},
                                   {"times.created", FieldType::time},  {"times.changed", FieldType::time},
                                   {"close_ts", FieldType::time},       {"share", FieldType::string},
                                   {"username", FieldType::string},     {"dialect", FieldType::string},
                                   {"bytes_written", FieldType::count}, {"bytes_read", FieldType::count},
                                   {"write_ranges", FieldType::count},  {"missed_bytes", FieldType::count},
                                   {"content_type", FieldType::string}, {"entropy", FieldType::double_}});
    return s;
}

void smb_files_row(const SmbFileEvent& e, Row& row) {
    begin_conn_row(row, e.ts, e.id);
    row.str_or_unset(e.fuid)
        .str(e.action)
        .str_or_unset(e.path)
        .str_or_unset(e.name)
        .opt_count(e.size)
        .str_or_unset(e.prev_name)
        .opt_time(e.t_modified)
        .opt_time(e.t_accessed)
        .opt_time(e.t_created)
        .opt_time(e.t_changed)
        .time(e.close_ts)
        .str_or_unset(e.share)
        .str_or_unset(e.username)
        .str_or_unset(e.dialect)
        .count(e.bytes_written)
        .count(e.bytes_read)
        .count(e.write_ranges)
        .count(e.missed_bytes)
        .str_or_unset(e.content_type)
        .opt_dbl(e.entropy);
}

// Zeek's smb_mapping.log plus dialect, encrypted and username.
const Schema& smb_mapping_schema() {
    static const Schema s = with_conn_id("smb_mapping", {{"path", FieldType::string},
                                                         {"service", FieldType::string},
                                                         {"native_file_system", FieldType::string},
                                                         {"share_type", FieldType::string},
                                                         {"dialect", FieldType::string},
                                                         {"encrypted", FieldType::bool_},
                                                         {"username", FieldType::string}});
    return s;
}

void smb_mapping_row(const SmbMappingEvent& e, Row& row) {
    begin_conn_row(row, e.ts, e.id);
    row.str_or_unset(e.path)
        .str_or_unset(e.service)
        .str_or_unset(e.native_file_system)
        .str_or_unset(e.share_type)
        .str_or_unset(e.dialect)
        .boolean(e.encrypted)
        .str_or_unset(e.username);
}

// Zeek's ntlm.log.
const Schema& ntlm_schema() {
    static const Schema s = with_conn_id("ntlm", {{"username", FieldType::string},
                                                  {"hostname", FieldType::string},
                                                  {"domainname", FieldType::string},
                                                  {"server_nb_computer_name", FieldType::string},
                                                  {"server_dns_computer_name", FieldType::string},
                                                  {"server_tree_name", FieldType::string},
                                                  {"success", FieldType::bool_}});
    return s;
}

void ntlm_row(const NtlmEvent& e, Row& row) {
    begin_conn_row(row, e.ts, e.id);
    row.str_or_unset(e.username)
        .str_or_unset(e.hostname)
        .str_or_unset(e.domainname)
        .str_or_unset(e.server_nb_computer_name)
        .str_or_unset(e.server_dns_computer_name)
        .str_or_unset(e.server_tree_name)
        .opt_bool(e.success);
}

}  // namespace sw
