#include "output/logs.h"

namespace sw {

// Zeek's ssh.log (fields in Zeek's order; host_key_fingerprint as Zeek 8.1
// names it), then our extensions: HASSH, volumes after NEWKEYS, why the
// authentication result is unknown, and the transfer inference.
const Schema& ssh_schema() {
    static const Schema s = with_conn_id(
        "ssh", {{"version", FieldType::count},          {"auth_success", FieldType::bool_},
                {"auth_attempts", FieldType::count},    {"direction", FieldType::enum_},
                {"client", FieldType::string},          {"server", FieldType::string},
                {"cipher_alg", FieldType::string},      {"mac_alg", FieldType::string},
                {"compression_alg", FieldType::string}, {"kex_alg", FieldType::string},
                {"host_key_alg", FieldType::string},    {"host_key_fingerprint", FieldType::string},
                {"hassh", FieldType::string},           {"hasshServer", FieldType::string},
                {"hasshAlgorithms", FieldType::string}, {"hasshServerAlgorithms", FieldType::string},
                {"orig_bytes", FieldType::count},       {"resp_bytes", FieldType::count},
                {"orig_pkts", FieldType::count},        {"resp_pkts", FieldType::count},
                {"auth_note", FieldType::string},       {"inferred", FieldType::string},
                {"transfer_bytes", FieldType::count},   {"duration", FieldType::interval}});
    return s;
}

void ssh_row(const SshEvent& e, Row& row) {
    begin_conn_row(row, e.ts, e.id);
    if (e.version)
        row.count(*e.version);
    else
        row.unset();
    row.opt_bool(e.auth_success)
        .count(e.auth_attempts)
        .str_or_unset(e.direction)
        .str_or_unset(e.client)
        .str_or_unset(e.server)
        .str_or_unset(e.cipher_alg)
        .str_or_unset(e.mac_alg)
        .str_or_unset(e.compression_alg)
        .str_or_unset(e.kex_alg)
        .str_or_unset(e.host_key_alg)
        .str_or_unset(e.host_key_fingerprint)
        .str_or_unset(e.hassh)
        .str_or_unset(e.hassh_server)
        .str_or_unset(e.hassh_algorithms)
        .str_or_unset(e.hassh_server_algorithms)
        .count(e.orig_bytes)
        .count(e.resp_bytes)
        .count(e.orig_pkts)
        .count(e.resp_pkts)
        .str_or_unset(e.auth_note)
        .str_or_unset(e.inferred);
    if (e.inferred.empty())
        row.unset();
    else
        row.count(e.transfer_bytes);
    row.interval(e.duration);
}

}  // namespace sw
