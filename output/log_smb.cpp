#include "output/logs.h"

namespace sw {

using F = FieldType;

namespace {
template <class Rec>
auto ts_of() {
    return [](const Rec& e) { return e.ts; };
}
template <class Rec>
auto id_of() {
    return [](const Rec& e) -> const ConnId* { return &e.id; };
}
}  // namespace

// Zeek's smb_files.log, then our extensions: one row per file handle, written
// when the handle is closed (or its tree, session or connection ends).
const LogTable<SmbFileEvent>& smb_files_log() {
    using E = SmbFileEvent;
    static const LogTable<SmbFileEvent> t{
        "smb_files",
        with_conn_id(ts_of<E>(), id_of<E>(),
                     {
                         col<F::string>("fuid", [](const E& e) { return nonempty(e.fuid); }),
                         col<F::enum_>("action", [](const E& e) { return std::string_view(e.action); }),
                         col<F::string>("path", [](const E& e) { return nonempty(e.path); }),
                         col<F::string>("name", [](const E& e) { return nonempty(e.name); }),
                         col<F::count>("size", [](const E& e) { return e.size; }),
                         col<F::string>("prev_name", [](const E& e) { return nonempty(e.prev_name); }),
                         col<F::time>("times.modified", [](const E& e) { return e.t_modified; }),
                         col<F::time>("times.accessed", [](const E& e) { return e.t_accessed; }),
                         col<F::time>("times.created", [](const E& e) { return e.t_created; }),
                         col<F::time>("times.changed", [](const E& e) { return e.t_changed; }),
                         col<F::time>("close_ts", [](const E& e) { return e.close_ts; }),
                         col<F::string>("share", [](const E& e) { return nonempty(e.share); }),
                         col<F::string>("username", [](const E& e) { return nonempty(e.username); }),
                         col<F::string>("dialect", [](const E& e) { return nonempty(e.dialect); }),
                         col<F::count>("bytes_written", [](const E& e) { return e.bytes_written; }),
                         col<F::count>("bytes_read", [](const E& e) { return e.bytes_read; }),
                         col<F::count>("write_ranges", [](const E& e) { return e.write_ranges; }),
                         col<F::count>("missed_bytes", [](const E& e) { return e.missed_bytes; }),
                         col<F::string>("content_type", [](const E& e) { return nonempty(e.content_type); }),
                         col<F::double_>("entropy", [](const E& e) { return e.entropy; }),
                         col<F::string>("read_content_type", [](const E& e) { return nonempty(e.read_content_type); }),
                     })};
    return t;
}

// Zeek's smb_mapping.log plus dialect, encrypted and username.
const LogTable<SmbMappingEvent>& smb_mapping_log() {
    using E = SmbMappingEvent;
    static const LogTable<SmbMappingEvent> t{
        "smb_mapping",
        with_conn_id(ts_of<E>(), id_of<E>(),
                     {
                         col<F::string>("path", [](const E& e) { return nonempty(e.path); }),
                         col<F::string>("service", [](const E& e) { return nonempty(e.service); }),
                         col<F::string>("native_file_system", [](const E& e) { return nonempty(e.native_file_system); }),
                         col<F::string>("share_type", [](const E& e) { return nonempty(e.share_type); }),
                         col<F::string>("dialect", [](const E& e) { return nonempty(e.dialect); }),
                         col<F::bool_>("encrypted", [](const E& e) { return e.encrypted; }),
                         col<F::string>("username", [](const E& e) { return nonempty(e.username); }),
                     })};
    return t;
}

// Zeek's ntlm.log.
const LogTable<NtlmEvent>& ntlm_log() {
    using E = NtlmEvent;
    static const LogTable<NtlmEvent> t{
        "ntlm",
        with_conn_id(ts_of<E>(), id_of<E>(),
                     {
                         col<F::string>("username", [](const E& e) { return nonempty(e.username); }),
                         col<F::string>("hostname", [](const E& e) { return nonempty(e.hostname); }),
                         col<F::string>("domainname", [](const E& e) { return nonempty(e.domainname); }),
                         col<F::string>("server_nb_computer_name",
                                        [](const E& e) { return nonempty(e.server_nb_computer_name); }),
                         col<F::string>("server_dns_computer_name",
                                        [](const E& e) { return nonempty(e.server_dns_computer_name); }),
                         col<F::string>("server_tree_name", [](const E& e) { return nonempty(e.server_tree_name); }),
                         col<F::bool_>("success", [](const E& e) { return e.success; }),
                     })};
    return t;
}

}  // namespace sw
