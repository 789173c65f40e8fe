#include "capture/decode.h"

namespace sw {
namespace {

constexpr std::uint16_t kEthIpv4 = 0x0800;
constexpr std::uint16_t kEthIpv6 = 0x86dd;
constexpr std::uint16_t kEthVlan = 0x8100;
constexpr std::uint16_t kEthQinQ = 0x88a8;
constexpr std::uint16_t kEthQinQOld = 0x9100;
constexpr std::uint16_t kEthMplsUc = 0x8847;
constexpr std::uint16_t kEthMplsMc = 0x8848;
constexpr std::uint16_t kEthPppoeSess = 0x8864;
constexpr std::uint16_t kEthTeb = 0x6558;       // transparent Ethernet bridging (GRE)
constexpr std::uint16_t kEthErspan2 = 0x88be;
constexpr std::uint16_t kEthErspan3 = 0x22eb;

constexpr std::uint8_t kProtoIpip = 4;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoIpv6 = 41;
constexpr std::uint8_t kProtoGre = 47;

constexpr std::uint16_t kVxlanPort = 4789;

std::uint16_t ethertype_for_version(std::uint8_t first_byte) {
    switch (first_byte >> 4) {
        case 4: return kEthIpv4;
        case 6: return kEthIpv6;
        default: return 0;
    }
}

// Walks VLAN tags, MPLS labels and PPPoE from `ethertype` on; leaves `r` at
// the network header.
DecodeStatus parse_ethertype_chain(std::uint16_t ethertype, ByteReader r, L3View& out) {
    int tags = 0;
    for (int guard = 0; guard < 16; ++guard) {
        switch (ethertype) {
            case kEthVlan:
            case kEthQinQ:
            case kEthQinQOld: {
                auto tci = r.read_u16_be();
                auto next = r.read_u16_be();
                if (!tci || !next) return DecodeStatus::truncated;
                std::uint16_t id = *tci & 0x0fff;
                if (tags == 0) out.vlan = id;
                else if (tags == 1) out.inner_vlan = id;
                ++tags;
                ethertype = *next;
                continue;
            }
            case kEthMplsUc:
            case kEthMplsMc: {
                for (int labels = 0;; ++labels) {
                    auto label = r.read_u32_be();
                    if (!label) return DecodeStatus::truncated;
                    if (*label & 0x100) break;  // bottom of stack
                    if (labels > 8) return DecodeStatus::malformed;
                }
                auto first = r.peek_u8();
                if (!first) return DecodeStatus::truncated;
                ethertype = ethertype_for_version(*first);
                if (ethertype == 0) return DecodeStatus::not_ip;
                continue;
            }
            case kEthPppoeSess: {
                if (!r.skip(6)) return DecodeStatus::truncated;
                auto ppp = r.read_u16_be();
                if (!ppp) return DecodeStatus::truncated;
                if (*ppp == 0x0021) ethertype = kEthIpv4;
                else if (*ppp == 0x0057) ethertype = kEthIpv6;
                else return DecodeStatus::not_ip;
                continue;
            }
            case kEthIpv4:
            case kEthIpv6:
                out.ethertype = ethertype;
                out.data = r.rest();
                return DecodeStatus::ok;
            default:
                return DecodeStatus::not_ip;
        }
    }
    return DecodeStatus::malformed;
}

DecodeStatus raw_ip(Bytes frame, L3View& out) {
    if (frame.empty()) return DecodeStatus::truncated;
    out.ethertype = ethertype_for_version(frame[0]);
    if (out.ethertype == 0) return DecodeStatus::not_ip;
    out.data = frame;
    return DecodeStatus::ok;
}

DecodeStatus bsd_family(std::uint32_t family, Bytes rest, L3View& out) {
    switch (family) {
        case 2:  // AF_INET
            out.ethertype = kEthIpv4;
            break;
        case 10:  // Linux AF_INET6
        case 24:  // NetBSD/OpenBSD/BSD/OS AF_INET6
        case 28:  // FreeBSD
        case 30:  // Darwin
            out.ethertype = kEthIpv6;
            break;
        default:
            return DecodeStatus::not_ip;
    }
    out.data = rest;
    return DecodeStatus::ok;
}

bool is_ipv6_ext_header(std::uint8_t nh) {
    return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140;
}

}  // namespace

DecodeStatus parse_ethernet(Bytes frame, L3View& out) {
    ByteReader r(frame);
    if (!r.skip(12)) return DecodeStatus::truncated;
    auto type = r.read_u16_be();
    if (!type) return DecodeStatus::truncated;
    if (*type < 0x0600) return DecodeStatus::not_ip;  // 802.3 length field: LLC, STP, ...
    return parse_ethertype_chain(*type, r, out);
}

DecodeStatus parse_link(int lt, Bytes frame, L3View& out) {
    switch (lt) {
        case linktype::ethernet:
            return parse_ethernet(frame, out);
        case linktype::linux_sll: {
            ByteReader r(frame);
            auto proto = r.peek_u16_be(14);
            if (!proto || !r.skip(16)) return DecodeStatus::truncated;
            return parse_ethertype_chain(*proto, r, out);
        }
        case linktype::linux_sll2: {
            ByteReader r(frame);
            auto proto = r.peek_u16_be(0);
            if (!proto || !r.skip(20)) return DecodeStatus::truncated;
            return parse_ethertype_chain(*proto, r, out);
        }
        case linktype::raw:
        case linktype::raw_old:
        case linktype::ipv4:
        case linktype::ipv6:
            return raw_ip(frame, out);
        case linktype::null_bsd: {
            // The family is in the capturing host's byte order; every family
            // value we know fits in one byte, so whichever end is non-zero tells.
            if (frame.size() < 4) return DecodeStatus::truncated;
            std::uint32_t le = load_u32_le(frame.data());
            std::uint32_t be = load_u32_be(frame.data());
            return bsd_family(le <= 0xff ? le : be, frame.subspan(4), out);
        }
        case linktype::loop:
            if (frame.size() < 4) return DecodeStatus::truncated;
            return bsd_family(load_u32_be(frame.data()), frame.subspan(4), out);
        default:
            return DecodeStatus::unsupported_link;
    }
}

DecodeStatus parse_ipv4(Bytes data, std::uint32_t wire_remaining, IpView& out) {
    if (data.size() < 20) return DecodeStatus::truncated;
    const std::uint8_t* p = data.data();
    if ((p[0] >> 4) != 4) return DecodeStatus::malformed;
    std::uint32_t ihl = (p[0] & 0x0f) * 4u;
    if (ihl < 20) return DecodeStatus::malformed;
    if (data.size() < ihl) return DecodeStatus::truncated;
    std::uint32_t total = load_u16_be(p + 2);
    // TCP segmentation offload captures (taken on the sending host) may carry a
    // total length of 0; the frame length is the only truth then.
    if (total == 0) total = wire_remaining;
    if (total < ihl) return DecodeStatus::malformed;
    // A datagram longer than what was on the wire is broken, not truncated by
    // the capture (Zeek's "truncated_IP").
    if (total > wire_remaining) return DecodeStatus::truncated;

    out.version = 4;
    out.proto = p[9];
    out.src = IpAddr::v4(p + 12);
    out.dst = IpAddr::v4(p + 16);
    out.total_len = total;
    out.header_len = ihl;
    out.payload_len = total - ihl;
    std::size_t captured = std::min<std::size_t>(data.size(), total);  // drops Ethernet padding
    out.payload = data.subspan(ihl, captured - ihl);
    std::uint16_t frag = load_u16_be(p + 6);
    out.more_fragments = (frag & 0x2000) != 0;
    out.frag_offset = (frag & 0x1fffu) * 8u;
    out.is_fragment = out.more_fragments || out.frag_offset != 0;
    out.frag_id = load_u16_be(p + 4);
    return DecodeStatus::ok;
}

DecodeStatus parse_ipv6(Bytes data, std::uint32_t wire_remaining, IpView& out) {
    if (data.size() < 40) return DecodeStatus::truncated;
    const std::uint8_t* p = data.data();
    if ((p[0] >> 4) != 6) return DecodeStatus::malformed;
    std::uint32_t plen = load_u16_be(p + 4);
    if (plen == 0 && wire_remaining > 40) plen = wire_remaining - 40;  // TSO / jumbogram
    std::uint32_t total = 40 + plen;
    if (total > wire_remaining) return DecodeStatus::truncated;

    out.version = 6;
    out.src = IpAddr::v6(p + 8);
    out.dst = IpAddr::v6(p + 24);
    out.total_len = total;
    std::size_t captured = std::min<std::size_t>(data.size(), total);
    ByteReader r(data.subspan(40, captured - 40));
    std::uint8_t nh = p[6];
    std::uint32_t hdr = 40;
    for (int guard = 0; guard < 16; ++guard) {
        if (is_ipv6_ext_header(nh)) {
            auto next = r.peek_u8(0);
            auto len = r.peek_u8(1);
            if (!next || !len) return DecodeStatus::truncated;
            std::uint32_t n = (*len + 1u) * 8u;
            if (!r.skip(n)) return DecodeStatus::truncated;
            hdr += n;
            nh = *next;
        } else if (nh == 51) {  // AH
            auto next = r.peek_u8(0);
            auto len = r.peek_u8(1);
            if (!next || !len) return DecodeStatus::truncated;
            std::uint32_t n = (*len + 2u) * 4u;
            if (!r.skip(n)) return DecodeStatus::truncated;
            hdr += n;
            nh = *next;
        } else if (nh == 44) {  // fragment header
            auto next = r.read_u8();
            if (!next || !r.skip(1)) return DecodeStatus::truncated;
            auto offm = r.read_u16_be();
            auto id = r.read_u32_be();
            if (!offm || !id) return DecodeStatus::truncated;
            hdr += 8;
            out.frag_offset = static_cast<std::uint32_t>(*offm & 0xfff8u);
            out.more_fragments = (*offm & 1u) != 0;
            out.frag_id = *id;
            // An "atomic fragment" (offset 0, no more) is a whole datagram.
            out.is_fragment = out.more_fragments || out.frag_offset != 0;
            nh = *next;
            if (out.is_fragment) break;  // the rest is fragmentable data
        } else {
            break;
        }
    }
    if (hdr > total) return DecodeStatus::malformed;
    out.proto = nh;
    out.header_len = hdr;
    out.payload_len = total - hdr;
    out.payload = r.rest();
    return DecodeStatus::ok;
}

DecodeStatus parse_tcp(Bytes data, TcpView& out) {
    if (data.size() < 20) return DecodeStatus::truncated;
    const std::uint8_t* p = data.data();
    out.sport = load_u16_be(p);
    out.dport = load_u16_be(p + 2);
    out.seq = load_u32_be(p + 4);
    out.ack = load_u32_be(p + 8);
    out.header_len = (p[12] >> 4) * 4u;
    out.flags = p[13];
    out.window = load_u16_be(p + 14);
    if (out.header_len < 20) return DecodeStatus::malformed;
    if (data.size() < out.header_len) return DecodeStatus::truncated;
    return DecodeStatus::ok;
}

DecodeStatus parse_udp(Bytes data, UdpView& out) {
    if (data.size() < 8) return DecodeStatus::truncated;
    const std::uint8_t* p = data.data();
    out.sport = load_u16_be(p);
    out.dport = load_u16_be(p + 2);
    out.length = load_u16_be(p + 4);
    return DecodeStatus::ok;
}

DecodeStatus PacketDecoder::count(DecodeStatus s) {
    switch (s) {
        case DecodeStatus::not_ip: ++stats_.not_ip; break;
        case DecodeStatus::unsupported_link: ++stats_.unsupported_link; break;
        case DecodeStatus::truncated: ++stats_.truncated; break;
        case DecodeStatus::malformed: ++stats_.malformed; break;
        case DecodeStatus::other_l4: ++stats_.other_l4; break;
        default: break;
    }
    return s;
}

DecodeStatus PacketDecoder::decode(int lt, Timestamp ts, Bytes frame, std::uint32_t wirelen,
                                   DecodedPacket& out) {
    ++stats_.packets;
    out = DecodedPacket{};
    out.ts = ts;
    L3View l3;
    DecodeStatus s = parse_link(lt, frame, l3);
    if (s != DecodeStatus::ok) return count(s);
    out.vlan = l3.vlan;
    out.inner_vlan = l3.inner_vlan;
    std::size_t link_hdr = frame.size() - l3.data.size();
    std::uint32_t wire_remaining =
        wirelen > link_hdr ? wirelen - static_cast<std::uint32_t>(link_hdr) : 0;
    // A capture can claim less on the wire than it stored; trust the larger.
    wire_remaining = std::max<std::uint32_t>(wire_remaining, static_cast<std::uint32_t>(l3.data.size()));
    return count(decode_l3(l3, ts, wire_remaining, out, 0));
}

DecodeStatus PacketDecoder::decode_l3(const L3View& l3, Timestamp ts, std::uint32_t wire_remaining,
                                      DecodedPacket& out, int depth) {
    std::uint8_t version = l3.ethertype == kEthIpv4 ? 4 : 6;
    return decode_ip(l3.data, version, ts, wire_remaining, out, depth);
}

DecodeStatus PacketDecoder::decode_ip(Bytes data, std::uint8_t version, Timestamp ts,
                                      std::uint32_t wire_remaining, DecodedPacket& out, int depth) {
    IpView ip;
    DecodeStatus s = version == 4 ? parse_ipv4(data, wire_remaining, ip)
                                  : parse_ipv6(data, wire_remaining, ip);
    if (s != DecodeStatus::ok) return s;

    bool payload_cut = ip.payload.size() < ip.payload_len;
    if (ip.is_fragment) {
        if (payload_cut) {
            ++stats_.payload_truncated;
            return DecodeStatus::fragment_dropped;
        }
        FragmentKey key{ip.src, ip.dst, ip.frag_id, version == 4 ? ip.proto : std::uint8_t{0},
                        version};
        Bytes whole;
        switch (frags_.add(key, ip.frag_offset, ip.more_fragments, ip.payload, ts, whole)) {
            case FragmentReassembler::Result::held: return DecodeStatus::fragment_held;
            case FragmentReassembler::Result::dropped: return DecodeStatus::fragment_dropped;
            case FragmentReassembler::Result::complete: break;
        }
        ip.payload = whole;
        ip.payload_len = static_cast<std::uint32_t>(whole.size());
        ip.total_len = ip.header_len + ip.payload_len;
        ip.is_fragment = false;
        if (version == 6) {
            // Extension headers may follow the fragment header.
            ByteReader r(ip.payload);
            while (is_ipv6_ext_header(ip.proto)) {
                auto next = r.peek_u8(0);
                auto len = r.peek_u8(1);
                if (!next || !len || !r.skip((*len + 1u) * 8u)) return DecodeStatus::malformed;
                ip.proto = *next;
            }
            ip.payload = r.rest();
            ip.payload_len = static_cast<std::uint32_t>(ip.payload.size());
        }
    }
    return decode_transport(ip, payload_cut, ts, out, depth);
}

DecodeStatus PacketDecoder::decode_transport(const IpView& ip, bool payload_cut, Timestamp ts,
                                             DecodedPacket& out, int depth) {
    out.ip_version = ip.version;
    out.proto = ip.proto;
    out.src = ip.src;
    out.dst = ip.dst;
    out.ip_bytes = ip.total_len;
    out.tunnel_depth = static_cast<std::uint8_t>(depth);

    switch (ip.proto) {
        case kProtoTcp: {
            TcpView t;
            DecodeStatus s = parse_tcp(ip.payload, t);
            if (s != DecodeStatus::ok) return s;
            if (t.header_len > ip.payload_len) return DecodeStatus::malformed;
            out.sport = t.sport;
            out.dport = t.dport;
            out.seq = t.seq;
            out.ack = t.ack;
            out.tcp_flags = t.flags;
            out.window = t.window;
            out.payload = ip.payload.subspan(t.header_len);
            out.payload_len = ip.payload_len - t.header_len;
            if (payload_cut) ++stats_.payload_truncated;
            return DecodeStatus::ok;
        }
        case kProtoUdp: {
            UdpView u;
            DecodeStatus s = parse_udp(ip.payload, u);
            if (s != DecodeStatus::ok) return s;
            out.sport = u.sport;
            out.dport = u.dport;
            out.payload = ip.payload.subspan(8);
            out.payload_len = ip.payload_len >= 8 ? ip.payload_len - 8 : 0;
            if (out.payload.size() > out.payload_len) out.payload = out.payload.first(out.payload_len);
            if (cfg_.decap_vxlan && u.dport == kVxlanPort && depth < cfg_.max_tunnel_depth &&
                !payload_cut && out.payload.size() >= 8 && (out.payload[0] & 0x08)) {
                L3View inner;
                Bytes eth = out.payload.subspan(8);
                if (parse_ethernet(eth, inner) == DecodeStatus::ok) {
                    ++stats_.tunnelled;
                    std::uint16_t vlan = out.vlan, inner_vlan = out.inner_vlan;
                    auto r = decode_l3(inner, ts, static_cast<std::uint32_t>(inner.data.size()), out,
                                       depth + 1);
                    if (out.vlan == 0) out.vlan = vlan, out.inner_vlan = inner_vlan;
                    return r;
                }
            }
            if (payload_cut) ++stats_.payload_truncated;
            return DecodeStatus::ok;
        }
        case kProtoIpip:
        case kProtoIpv6:
            if (cfg_.decap_ipip && depth < cfg_.max_tunnel_depth && !payload_cut) {
                ++stats_.tunnelled;
                return decode_ip(ip.payload, ip.proto == kProtoIpip ? 4 : 6, ts,
                                 static_cast<std::uint32_t>(ip.payload.size()), out, depth + 1);
            }
            return DecodeStatus::other_l4;
        case kProtoGre:
            if (cfg_.decap_gre && depth < cfg_.max_tunnel_depth && !payload_cut) {
                ByteReader r(ip.payload);
                auto flags = r.read_u16_be();
                auto proto = r.read_u16_be();
                if (!flags || !proto) return DecodeStatus::truncated;
                if ((*flags & 0x7) != 0) return DecodeStatus::other_l4;  // GRE v1 (PPTP): not decoded
                bool seq_present = (*flags & 0x1000) != 0;
                std::size_t opt = ((*flags & 0x8000) ? 4 : 0) + ((*flags & 0x2000) ? 4 : 0) +
                                  (seq_present ? 4 : 0);
                if (!r.skip(opt)) return DecodeStatus::truncated;
                L3View inner;
                DecodeStatus s;
                switch (*proto) {
                    case kEthIpv4:
                    case kEthIpv6:
                        inner.ethertype = *proto;
                        inner.data = r.rest();
                        s = DecodeStatus::ok;
                        break;
                    case kEthTeb:
                        s = parse_ethernet(r.rest(), inner);
                        break;
                    case kEthErspan2:
                        // ERSPAN type I has no header of its own (no GRE sequence).
                        if (seq_present && !r.skip(8)) return DecodeStatus::truncated;
                        s = parse_ethernet(r.rest(), inner);
                        break;
                    case kEthErspan3: {
                        auto b11 = r.peek_u8(11);
                        if (!b11 || !r.skip(12)) return DecodeStatus::truncated;
                        if ((*b11 & 0x01) && !r.skip(8)) return DecodeStatus::truncated;  // O bit
                        s = parse_ethernet(r.rest(), inner);
                        break;
                    }
                    default:
                        return DecodeStatus::other_l4;
                }
                if (s != DecodeStatus::ok) return s;
                ++stats_.tunnelled;
                std::uint16_t vlan = out.vlan, inner_vlan = out.inner_vlan;
                auto res = decode_l3(inner, ts, static_cast<std::uint32_t>(inner.data.size()), out,
                                     depth + 1);
                if (out.vlan == 0) out.vlan = vlan, out.inner_vlan = inner_vlan;
                return res;
            }
            return DecodeStatus::other_l4;
        default:
            return DecodeStatus::other_l4;
    }
}

}  // namespace sw
