#include "output/logs.h"

namespace sw {

using F = FieldType;
using C = ConnRecord;

// Zeek's conn.log, field for field (Zeek 7.1+ order, with ip_proto), followed
// by our extensions. duration, orig_bytes and resp_bytes are unset when the
// duration is 0, as in Zeek.
const LogTable<ConnRecord>& conn_log() {
    static const LogTable<ConnRecord> t{
        "conn",
        with_conn_id([](const C& c) { return c.ts; }, [](const C& c) -> const ConnId* { return &c.id; },
                     {
                         col<F::enum_>("proto", [](const C& c) { return transport_name(c.id.proto); }),
                         col<F::string>("service", [](const C& c) { return nonempty(app_protocol_name(c.protocol)); }),
                         col<F::interval>("duration",
                                          [](const C& c) { return c.sized ? std::optional(c.duration) : std::nullopt; }),
                         col<F::count>("orig_bytes",
                                       [](const C& c) { return c.sized ? std::optional(c.orig_bytes) : std::nullopt; }),
                         col<F::count>("resp_bytes",
                                       [](const C& c) { return c.sized ? std::optional(c.resp_bytes) : std::nullopt; }),
                         col<F::string>("conn_state", [](const C& c) { return c.conn_state; }),
                         col<F::bool_>("local_orig", [](const C& c) { return c.local_orig; }),
                         col<F::bool_>("local_resp", [](const C& c) { return c.local_resp; }),
                         col<F::count>("missed_bytes", [](const C& c) { return c.missed_bytes; }),
                         col<F::string>("history", [](const C& c) { return nonempty(c.history); }),
                         col<F::count>("orig_pkts", [](const C& c) { return c.orig_pkts; }),
                         col<F::count>("orig_ip_bytes", [](const C& c) { return c.orig_ip_bytes; }),
                         col<F::count>("resp_pkts", [](const C& c) { return c.resp_pkts; }),
                         col<F::count>("resp_ip_bytes", [](const C& c) { return c.resp_ip_bytes; }),
                         // Inner packets of tunnels are analysed, outer ones are not logged.
                         unset_col<F::set_string, C>("tunnel_parents"),
                         col<F::count>("ip_proto", [](const C& c) { return c.id.ip_proto; }),
                         col<F::int_>("vlan",
                                      [](const C& c) -> std::optional<std::int64_t> {
                                          if (!c.id.vlan) return std::nullopt;
                                          return c.id.vlan;
                                      }),
                         col<F::int_>("inner_vlan",
                                      [](const C& c) -> std::optional<std::int64_t> {
                                          if (!c.id.inner_vlan) return std::nullopt;
                                          return c.id.inner_vlan;
                                      }),
                     })};
    return t;
}

}  // namespace sw
