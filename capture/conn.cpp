#include "capture/conn.h"

namespace sw {

void add_private_address_space(CidrSet& nets) {
    // In site.zeek's order.
    static constexpr const char* kPrivate[] = {
        "0.0.0.0/8",          "2002::/24",          // "this network" (RFC 791)
        "10.0.0.0/8",         "2002:a00::/24",      // private use (RFC 1918)
        "100.64.0.0/10",      "2002:6440::/26",     // shared address space, CGN (RFC 6598)
        "127.0.0.0/8",        "2002:7f00::/24",     // loopback (RFC 1122)
        "169.254.0.0/16",     "2002:a9fe::/32",     // link local (RFC 3927)
        "172.16.0.0/12",      "2002:ac10::/28",     // private use (RFC 1918)
        "192.0.0.0/24",       "2002:c000::/40",     // IETF protocol assignments (RFC 6890)
        "192.0.2.0/24",       "2002:c000:200::/40", // TEST-NET-1 (RFC 5737)
        "192.168.0.0/16",     "2002:c0a8::/32",     // private use (RFC 1918)
        "198.18.0.0/15",      "2002:c612::/31",     // benchmarking (RFC 2544)
        "198.51.100.0/24",    "2002:c633:6400::/40",// TEST-NET-2 (RFC 5737)
        "203.0.113.0/24",     "2002:cb00:7100::/40",// TEST-NET-3 (RFC 5737)
        "240.0.0.0/4",        "2002:f000::/20",     // reserved (RFC 1112)
        "255.255.255.255/32", "2002:ffff:ffff::/48",// limited broadcast (RFC 919, 8190)
        "::/128",                                   // unspecified (RFC 4291)
        "::1/128",                                  // loopback (RFC 4291)
        "64:ff9b:1::/48",                           // IPv4-IPv6 translation (RFC 8215)
        "100::/64",                                 // discard-only (RFC 6666)
        "2001::/23",                                // IETF protocol assignments (RFC 2928)
        "2001:2::/48",                              // benchmarking (RFC 5180)
        "2001:db8::/32",                            // documentation (RFC 3849)
        "fc00::/7",                                 // unique local (RFC 4193, 8190)
        "fe80::/10",                                // link-local unicast (RFC 4291)
    };
    for (const char* c : kPrivate) nets.add(*Cidr::parse(c));
}

std::string_view transport_name(Transport t) {
    switch (t) {
        case Transport::tcp: return "tcp";
        case Transport::udp: return "udp";
        case Transport::icmp: return "icmp";
        default: return "unknown_transport";
    }
}

std::string_view app_protocol_name(AppProtocol p) {
    switch (p) {
        case AppProtocol::smb: return "smb";
        case AppProtocol::ssh: return "ssh";
        case AppProtocol::none: break;
    }
    return "";
}

}  // namespace sw
