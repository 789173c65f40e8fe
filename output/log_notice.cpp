#include "output/logs.h"

namespace sw {

// Zeek's notice.log fields, in Zeek's order, then stagewatch's extensions.
const Schema& notice_schema() {
    static const Schema s = with_conn_id("notice", {{"fuid", FieldType::string},
                                                    {"file_mime_type", FieldType::string},
                                                    {"file_desc", FieldType::string},
                                                    {"proto", FieldType::enum_},
                                                    {"note", FieldType::enum_},
                                                    {"msg", FieldType::string},
                                                    {"sub", FieldType::string},
                                                    {"src", FieldType::addr},
                                                    {"dst", FieldType::addr},
                                                    {"p", FieldType::port},
                                                    {"n", FieldType::count},
                                                    {"peer_descr", FieldType::string},
                                                    {"actions", FieldType::set_enum},
                                                    {"email_dest", FieldType::set_string},
                                                    {"suppress_for", FieldType::interval},
                                                    {"score", FieldType::count},
                                                    {"severity", FieldType::string},
                                                    {"detection_type", FieldType::string},
                                                    {"sources", FieldType::set_addr},
                                                    {"bytes", FieldType::count},
                                                    {"archives", FieldType::set_string},
                                                    {"mitre", FieldType::set_string}});
    return s;
}

void notice_row(const Notice& n, Row& row) {
    static const std::vector<std::string> actions{"Notice::ACTION_LOG"};
    static const std::vector<std::string> no_email;
    begin_conn_row(row, n.ts, n.conn ? &*n.conn : nullptr);
    row.str_or_unset(n.fuid).str_or_unset(n.file_mime_type).str_or_unset(n.file_desc);
    if (n.conn)
        row.str(transport_name(n.conn->proto));
    else
        row.unset();
    row.str(note_name(n.note)).str_or_unset(n.msg).str_or_unset(n.sub);
    row.opt(n.src, [](Row& r, const IpAddr& a) { r.addr(a); });
    row.opt(n.dst, [](Row& r, const IpAddr& a) { r.addr(a); });
    row.opt(n.p, [](Row& r, std::uint16_t p) { r.port(p); });
    row.opt_count(n.n);
    row.unset();  // peer_descr: a standalone sensor has no peer
    row.strings(actions).strings(no_email).interval(n.suppress_for);
    row.count(n.score).str(severity_name(n.severity)).str_or_unset(n.detection_type);
    row.addrs(n.sources).count(n.bytes).strings(n.archives).strings(n.mitre);
}

}  // namespace sw
