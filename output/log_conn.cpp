#include "output/logs.h"

namespace sw {

Schema with_conn_id(std::string_view path, std::initializer_list<Field> rest) {
    std::vector<Field> f{{"ts", FieldType::time},        {"uid", FieldType::string},
                         {"id.orig_h", FieldType::addr}, {"id.orig_p", FieldType::port},
                         {"id.resp_h", FieldType::addr}, {"id.resp_p", FieldType::port}};
    f.insert(f.end(), rest.begin(), rest.end());
    return Schema(path, std::move(f));
}

void begin_conn_row(Row& row, Timestamp ts, const ConnId* id) {
    row.clear().time(ts);
    if (id)
        row.str(id->uid()).addr(id->orig_h).port(id->orig_p).addr(id->resp_h).port(id->resp_p);
    else
        row.unset().unset().unset().unset().unset();
}

// Zeek's conn.log, field for field (Zeek 7.1+ order, with ip_proto), followed
// by our extensions.
const Schema& conn_schema() {
    static const Schema s = with_conn_id("conn", {{"proto", FieldType::enum_},
                                                  {"service", FieldType::string},
                                                  {"duration", FieldType::interval},
                                                  {"orig_bytes", FieldType::count},
                                                  {"resp_bytes", FieldType::count},
                                                  {"conn_state", FieldType::string},
                                                  {"local_orig", FieldType::bool_},
                                                  {"local_resp", FieldType::bool_},
                                                  {"missed_bytes", FieldType::count},
                                                  {"history", FieldType::string},
                                                  {"orig_pkts", FieldType::count},
                                                  {"orig_ip_bytes", FieldType::count},
                                                  {"resp_pkts", FieldType::count},
                                                  {"resp_ip_bytes", FieldType::count},
                                                  {"tunnel_parents", FieldType::set_string},
                                                  {"ip_proto", FieldType::count},
                                                  {"vlan", FieldType::int_},
                                                  {"inner_vlan", FieldType::int_}});
    return s;
}

void conn_row(const ConnRecord& c, Row& row) {
    begin_conn_row(row, c.ts, c.id);
    row.str(transport_name(c.id.proto)).str_or_unset(app_protocol_name(c.protocol));
    if (c.sized)
        row.interval(c.duration).count(c.orig_bytes).count(c.resp_bytes);
    else
        row.unset().unset().unset();
    row.str(c.conn_state)
        .opt_bool(c.local_orig)
        .opt_bool(c.local_resp)
        .count(c.missed_bytes)
        .str_or_unset(c.history)
        .count(c.orig_pkts)
        .count(c.orig_ip_bytes)
        .count(c.resp_pkts)
        .count(c.resp_ip_bytes)
        .unset()
        .count(c.id.ip_proto);
    if (c.id.vlan)
        row.integer(c.id.vlan);
    else
        row.unset();
    if (c.id.inner_vlan)
        row.integer(c.id.inner_vlan);
    else
        row.unset();
}

}  // namespace sw
