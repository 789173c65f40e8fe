// Connection identity and the finished-connection record (conn.log's content).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "capture/types.h"

namespace sw {

enum class Transport : std::uint8_t { tcp, udp, icmp, unknown };
std::string_view transport_name(Transport t);

// The application protocol a dissector confirmed on a flow. Set by the
// dissector that claimed the flow; consumers switch on it.
enum class AppProtocol : std::uint8_t { none, smb, ssh };
// conn.log's `service` for it: "" (unset), "smb", "ssh". The only place the
// name is spelled.
std::string_view app_protocol_name(AppProtocol p);

// Who talks to whom, in Zeek's orig/resp orientation, plus the uid. Dissectors
// get a reference to this for the whole life of the flow.
struct ConnId {
    IpAddr orig_h, resp_h;
    std::uint16_t orig_p = 0, resp_p = 0;
    Transport proto = Transport::unknown;
    std::uint8_t ip_proto = 0;
    std::uint16_t vlan = 0, inner_vlan = 0;
    std::array<char, 24> uid_buf{};
    std::uint8_t uid_len = 0;

    std::string_view uid() const { return {uid_buf.data(), uid_len}; }
};

// Everything conn.log says about one connection, computed as Zeek computes it.
struct ConnRecord {
    ConnId id;
    Timestamp ts = 0;                 // first packet
    Duration duration = 0;
    bool sized = false;               // Zeek sets duration/orig_bytes/resp_bytes only if duration > 0
    AppProtocol protocol = AppProtocol::none;  // conn.log `service` (app_protocol_name)
    std::uint64_t orig_bytes = 0, resp_bytes = 0;
    std::string_view conn_state;      // static string
    std::optional<bool> local_orig, local_resp;
    std::uint64_t missed_bytes = 0;
    std::string history;
    std::uint64_t orig_pkts = 0, orig_ip_bytes = 0, resp_pkts = 0, resp_ip_bytes = 0;
    // Why the flow ended: "closed", "timeout", "evicted", "end_of_input".
    std::string_view end_reason;
};

// Where the flow layer sends finished connections and protocol anomalies.
struct WeirdRecord {
    Timestamp ts = 0;
    std::optional<ConnId> id;  // unset for packet-level weirds without a flow
    std::string name;
    std::string addl;
    std::string source;  // "capture", "SMB", "SSH", ...
};

class FlowSink {
public:
    virtual ~FlowSink() = default;
    virtual void on_conn(const ConnRecord& rec) = 0;
    virtual void on_weird(const WeirdRecord& w) = 0;
};

// Zeek's Site::private_address_space (scripts/base/utils/site.zeek): the IANA
// special-purpose blocks that are not routable on the Internet, IPv4 and their
// 6to4 forms, and IPv6's. With Site::private_address_space_is_local (on by
// default in Zeek, --private-is-local here) they count as local networks for
// conn.log local_orig/local_resp and ssh.log direction.
void add_private_address_space(CidrSet& nets);

}  // namespace sw
