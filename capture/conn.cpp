#include "capture/conn.h"

namespace sw {

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
