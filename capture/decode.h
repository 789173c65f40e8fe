// Link, network and transport decoding.
//
// The parse_* functions are pure (bytes in, a view out) so they can be tested
// and fuzzed alone. PacketDecoder strings them together and owns the one piece
// of state decoding needs: IP fragment reassembly. One decoder per worker.
#pragma once

#include <cstdint>

#include "capture/byte_reader.h"
#include "capture/ip_reassembly.h"
#include "capture/types.h"

namespace sw {

// libpcap link types we decode (LINKTYPE_* values as stored in files).
namespace linktype {
constexpr int null_bsd = 0;     // BSD loopback: 4-byte family, host byte order
constexpr int ethernet = 1;
constexpr int raw_old = 12;     // DLT_RAW on some BSDs
constexpr int raw = 101;        // LINKTYPE_RAW
constexpr int loop = 108;       // OpenBSD loopback: 4-byte family, network order
constexpr int linux_sll = 113;
constexpr int ipv4 = 228;
constexpr int ipv6 = 229;
constexpr int linux_sll2 = 276;
}  // namespace linktype

namespace tcpflag {
constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20;
}

enum class DecodeStatus : std::uint8_t {
    ok,
    not_ip,            // ARP, LLDP, ...: nothing for us
    unsupported_link,  // link type we do not decode
    truncated,         // captured bytes end inside a header
    malformed,         // header fields inconsistent (bad IHL, lengths, ...)
    fragment_held,     // an IP fragment was stored; the datagram is not complete yet
    fragment_dropped,  // a fragment was refused (caps, overlap, bad offsets)
    other_l4,          // IP packet of a protocol we don't track as a flow
};

// What the flow layer needs from one packet. Views point into the packet (or
// into the decoder's reassembly buffer) and are valid until the next decode().
struct DecodedPacket {
    Timestamp ts = 0;
    std::uint16_t vlan = 0;        // outermost 802.1Q/802.1ad id (0 = none)
    std::uint16_t inner_vlan = 0;  // second tag of QinQ
    std::uint8_t ip_version = 0;
    std::uint8_t proto = 0;  // IPPROTO_*
    std::uint8_t tunnel_depth = 0;
    IpAddr src, dst;
    std::uint32_t ip_bytes = 0;  // IP total length from the header (Zeek's num_bytes_ip)
    std::uint16_t sport = 0, dport = 0;
    // TCP only
    std::uint32_t seq = 0, ack = 0;
    std::uint16_t window = 0;
    std::uint8_t tcp_flags = 0;
    // Transport payload: `payload` is what was captured, `payload_len` what the
    // headers say. They differ only for snaplen-truncated packets.
    Bytes payload;
    std::uint32_t payload_len = 0;
    bool payload_truncated() const { return payload.size() < payload_len; }
};

// --- pure per-layer parsers -------------------------------------------------

struct L3View {
    std::uint16_t ethertype = 0;  // 0x0800 / 0x86dd, or 0 if unknown
    Bytes data;                   // starts at the IP header
    std::uint16_t vlan = 0, inner_vlan = 0;
};

// Parses a link header of the given type and any VLAN/MPLS tags behind it.
DecodeStatus parse_link(int linktype, Bytes frame, L3View& out);
// Ethernet II (+ 802.1Q / 802.1ad / QinQ tags, MPLS).
DecodeStatus parse_ethernet(Bytes frame, L3View& out);

struct IpView {
    std::uint8_t version = 0;
    std::uint8_t proto = 0;      // upper-layer protocol after extension headers
    IpAddr src, dst;
    std::uint32_t total_len = 0; // header + payload as the header says
    Bytes payload;               // captured upper-layer bytes, clipped to total_len
    std::uint32_t payload_len = 0;  // upper-layer length as the header says
    // Fragmentation
    bool is_fragment = false;
    std::uint32_t frag_id = 0;
    std::uint32_t frag_offset = 0;  // bytes
    bool more_fragments = false;
    std::uint32_t header_len = 0;   // bytes before payload (incl. v6 ext headers)
};

// `wire_remaining` is how many bytes of this packet were on the wire from the
// IP header on (caplen < wire length means the capture was cut short).
DecodeStatus parse_ipv4(Bytes data, std::uint32_t wire_remaining, IpView& out);
DecodeStatus parse_ipv6(Bytes data, std::uint32_t wire_remaining, IpView& out);

struct TcpView {
    std::uint16_t sport = 0, dport = 0;
    std::uint32_t seq = 0, ack = 0;
    std::uint8_t flags = 0;
    std::uint16_t window = 0;
    std::uint32_t header_len = 0;
};
DecodeStatus parse_tcp(Bytes data, TcpView& out);

struct UdpView {
    std::uint16_t sport = 0, dport = 0;
    std::uint16_t length = 0;
};
DecodeStatus parse_udp(Bytes data, UdpView& out);

// --- the decoder -------------------------------------------------------------

struct DecoderConfig {
    FragmentConfig frag;
    bool decap_vxlan = true;  // UDP 4789
    bool decap_gre = true;    // GRE incl. ERSPAN II/III, transparent Ethernet bridging
    bool decap_ipip = true;   // IPv4/IPv6 in IP
    int max_tunnel_depth = 3;
};

struct DecoderStats {
    std::uint64_t packets = 0;
    std::uint64_t not_ip = 0;
    std::uint64_t unsupported_link = 0;
    std::uint64_t truncated = 0;          // headers cut short: dropped
    std::uint64_t payload_truncated = 0;  // headers complete, payload cut short (snaplen)
    std::uint64_t malformed = 0;
    std::uint64_t other_l4 = 0;
    std::uint64_t tunnelled = 0;
};

class PacketDecoder {
public:
    explicit PacketDecoder(const DecoderConfig& cfg) : cfg_(cfg), frags_(cfg.frag) {}

    // Decodes one captured frame. `wirelen` is the original length on the wire.
    DecodeStatus decode(int linktype, Timestamp ts, Bytes frame, std::uint32_t wirelen,
                        DecodedPacket& out);

    const DecoderStats& stats() const { return stats_; }
    const FragmentStats& frag_stats() const { return frags_.stats(); }
    void expire(Timestamp now) { frags_.expire(now); }

private:
    DecodeStatus decode_l3(const L3View& l3, Timestamp ts, std::uint32_t wire_remaining,
                           DecodedPacket& out, int depth);
    DecodeStatus decode_ip(Bytes data, std::uint8_t version, Timestamp ts,
                           std::uint32_t wire_remaining, DecodedPacket& out, int depth);
    DecodeStatus decode_transport(const IpView& ip, bool payload_cut, Timestamp ts,
                                  DecodedPacket& out, int depth);
    DecodeStatus count(DecodeStatus s);

    DecoderConfig cfg_;
    FragmentReassembler frags_;
    DecoderStats stats_;
};

}  // namespace sw
