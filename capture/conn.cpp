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

}  // namespace sw
