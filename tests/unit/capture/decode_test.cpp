// Link, IP and transport decoding: each link type, VLAN/QinQ, IPv6 extension
// headers, IPv4/IPv6 fragment reassembly, tunnels, and truncation (counted,
// never read past).
#include <gtest/gtest.h>

#include "capture/decode.h"
#include "support.h"

namespace sw {
namespace {

using test::hex;
using V = std::vector<std::uint8_t>;

Bytes B(const V& v) { return {v.data(), v.size()}; }
V cat(std::initializer_list<V> parts) {
    V out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// A TCP segment 10.0.0.1:40000 -> 10.0.0.2:445, seq 1000, ack 2000, flags PA.
V tcp_hdr() {
    return hex(R"(
        9c 40            # sport 40000
        01 bd            # dport 445
        00 00 03 e8      # seq 1000
        00 00 07 d0      # ack 2000
        50 18            # data offset 5, flags PSH|ACK
        ff ff            # window
        00 00 00 00      # checksum, urgent
    )");
}

V ipv4_hdr(std::uint16_t total_len, std::uint8_t proto = 6, std::uint16_t id = 1, std::uint16_t frag = 0x4000) {
    V h = hex(R"(
        45 00            # v4, ihl 5
        00 00            # total length (patched)
        00 00            # id (patched)
        00 00            # flags/fragment (patched)
        40 06 00 00      # ttl 64, proto (patched), checksum
        0a 00 00 01      # 10.0.0.1
        0a 00 00 02      # 10.0.0.2
    )");
    h[2] = static_cast<std::uint8_t>(total_len >> 8);
    h[3] = static_cast<std::uint8_t>(total_len);
    h[4] = static_cast<std::uint8_t>(id >> 8);
    h[5] = static_cast<std::uint8_t>(id);
    h[6] = static_cast<std::uint8_t>(frag >> 8);
    h[7] = static_cast<std::uint8_t>(frag);
    h[9] = proto;
    return h;
}

V ipv4_tcp(const V& payload) {
    return cat({ipv4_hdr(static_cast<std::uint16_t>(20 + 20 + payload.size())), tcp_hdr(), payload});
}

const V kEthHdr = hex("00 11 22 33 44 55  66 77 88 99 aa bb  08 00");  // dst, src, IPv4

struct Decoded {
    DecodeStatus status;
    DecodedPacket pkt;
};

Decoded decode(int lt, const V& frame, std::uint32_t wirelen = 0, PacketDecoder* dec = nullptr) {
    DecoderConfig cfg;
    PacketDecoder local(cfg);
    PacketDecoder& d = dec ? *dec : local;
    Decoded r;
    r.status = d.decode(lt, 1, B(frame), wirelen ? wirelen : static_cast<std::uint32_t>(frame.size()), r.pkt);
    return r;
}

void expect_tcp(const Decoded& d, std::size_t payload) {
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.pkt.proto, 6);
    EXPECT_EQ(d.pkt.src.str(), "10.0.0.1");
    EXPECT_EQ(d.pkt.dst.str(), "10.0.0.2");
    EXPECT_EQ(d.pkt.sport, 40000);
    EXPECT_EQ(d.pkt.dport, 445);
    EXPECT_EQ(d.pkt.seq, 1000u);
    EXPECT_EQ(d.pkt.ack, 2000u);
    EXPECT_EQ(d.pkt.tcp_flags, tcpflag::psh | tcpflag::ack);
    EXPECT_EQ(d.pkt.payload.size(), payload);
    EXPECT_EQ(d.pkt.payload_len, payload);
    EXPECT_EQ(d.pkt.ip_bytes, 40 + payload);
}

const V kPayload = hex("de ad be ef 01 02 03");

TEST(Decode, Ethernet) { expect_tcp(decode(linktype::ethernet, cat({kEthHdr, ipv4_tcp(kPayload)})), 7); }

TEST(Decode, EthernetPaddingIgnored) {
    // 60-byte minimum frame: padding after the IP datagram is not payload.
    V f = cat({kEthHdr, ipv4_tcp({}), V(6, 0)});
    expect_tcp(decode(linktype::ethernet, f), 0);
}

TEST(Decode, Vlan) {
    V f = cat({hex("00 11 22 33 44 55 66 77 88 99 aa bb  81 00  00 64  08 00"), ipv4_tcp(kPayload)});
    auto d = decode(linktype::ethernet, f);
    expect_tcp(d, 7);
    EXPECT_EQ(d.pkt.vlan, 100);
    EXPECT_EQ(d.pkt.inner_vlan, 0);
}

TEST(Decode, QinQ) {
    V f = cat({hex("00 11 22 33 44 55 66 77 88 99 aa bb  88 a8  00 0a  81 00  20 14  08 00"),
               ipv4_tcp(kPayload)});
    auto d = decode(linktype::ethernet, f);
    expect_tcp(d, 7);
    EXPECT_EQ(d.pkt.vlan, 10);
    EXPECT_EQ(d.pkt.inner_vlan, 20);  // PCP bits (0x2000) are not part of the id
}

TEST(Decode, LinuxCookedV1) {
    V sll = hex("00 00  00 01  00 06  00 11 22 33 44 55 00 00  08 00");  // 16 bytes, proto at 14
    expect_tcp(decode(linktype::linux_sll, cat({sll, ipv4_tcp(kPayload)})), 7);
}

TEST(Decode, LinuxCookedV2) {
    V sll2 = hex("08 00  00 00  00 00 00 02  00 01  00  06  00 11 22 33 44 55 00 00");  // 20 bytes, proto first
    expect_tcp(decode(linktype::linux_sll2, cat({sll2, ipv4_tcp(kPayload)})), 7);
}

TEST(Decode, RawIp) {
    expect_tcp(decode(linktype::raw, ipv4_tcp(kPayload)), 7);
    expect_tcp(decode(linktype::ipv4, ipv4_tcp(kPayload)), 7);
}

TEST(Decode, BsdNullBothByteOrders) {
    expect_tcp(decode(linktype::null_bsd, cat({hex("02 00 00 00"), ipv4_tcp(kPayload)})), 7);  // little endian
    expect_tcp(decode(linktype::null_bsd, cat({hex("00 00 00 02"), ipv4_tcp(kPayload)})), 7);  // big endian
    expect_tcp(decode(linktype::loop, cat({hex("00 00 00 02"), ipv4_tcp(kPayload)})), 7);
}

V ipv6_tcp(const V& ext, std::uint8_t first_nh, const V& payload) {
    std::uint16_t plen = static_cast<std::uint16_t>(ext.size() + 20 + payload.size());
    V h = hex(R"(
        60 00 00 00      # version 6
        00 00            # payload length (patched)
        00 40            # next header (patched), hop limit 64
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # 2001:db8::1
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   # 2001:db8::2
    )");
    h[4] = static_cast<std::uint8_t>(plen >> 8);
    h[5] = static_cast<std::uint8_t>(plen);
    h[6] = first_nh;
    return cat({h, ext, tcp_hdr(), payload});
}

TEST(Decode, Ipv6WithExtensionHeaders) {
    V ext = hex(R"(
        3c 00 01 04 00 00 00 00   # hop-by-hop: next = dest opts (60), len 0 (8 bytes)
        06 01 00 00 00 00 00 00   # dest opts: next = TCP, len 1 (16 bytes)
        00 00 00 00 00 00 00 00
    )");
    auto d = decode(linktype::raw, ipv6_tcp(ext, 0, kPayload));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.pkt.ip_version, 6);
    EXPECT_EQ(d.pkt.src.str(), "2001:db8::1");
    EXPECT_EQ(d.pkt.proto, 6);
    EXPECT_EQ(d.pkt.dport, 445);
    EXPECT_EQ(d.pkt.payload.size(), 7u);
    EXPECT_EQ(d.pkt.ip_bytes, 40 + 24 + 20 + 7u);
}

TEST(Decode, Ipv4Fragments) {
    DecoderConfig cfg;
    PacketDecoder dec(cfg);
    // A 3000-byte TCP payload split into fragments of 1480, 1480, 60 bytes of
    // IP payload (TCP header + data), delivered out of order.
    V l4 = cat({tcp_hdr(), V(3000, 0x41)});
    auto frag = [&](std::size_t off, std::size_t len, bool more) {
        std::uint16_t fo = static_cast<std::uint16_t>((off / 8) | (more ? 0x2000 : 0));
        V h = ipv4_hdr(static_cast<std::uint16_t>(20 + len), 6, 77, fo);
        return cat({kEthHdr, h, V(l4.begin() + static_cast<long>(off), l4.begin() + static_cast<long>(off + len))});
    };
    std::size_t total = l4.size();  // 3020
    auto d1 = decode(linktype::ethernet, frag(1480, 1480, true), 0, &dec);
    EXPECT_EQ(d1.status, DecodeStatus::fragment_held);
    auto d2 = decode(linktype::ethernet, frag(2960, total - 2960, false), 0, &dec);
    EXPECT_EQ(d2.status, DecodeStatus::fragment_held);
    auto d3 = decode(linktype::ethernet, frag(0, 1480, true), 0, &dec);
    ASSERT_EQ(d3.status, DecodeStatus::ok);
    EXPECT_EQ(d3.pkt.dport, 445);
    EXPECT_EQ(d3.pkt.payload.size(), 3000u);
    EXPECT_EQ(d3.pkt.ip_bytes, 20 + total);
    EXPECT_EQ(dec.frag_stats().reassembled, 1u);
}

TEST(Decode, Ipv6Fragments) {
    DecoderConfig cfg;
    PacketDecoder dec(cfg);
    V l4 = cat({tcp_hdr(), V(2000, 0x42)});
    auto frag = [&](std::size_t off, std::size_t len, bool more) {
        V fh = hex("06 00 00 00 00 00 12 34");  // next TCP, offset (patched), id 0x1234
        std::uint16_t om = static_cast<std::uint16_t>(off | (more ? 1 : 0));
        fh[2] = static_cast<std::uint8_t>(om >> 8);
        fh[3] = static_cast<std::uint8_t>(om);
        V h = ipv6_tcp({}, 44, {});  // header only; strip the TCP we added
        h.resize(40);
        std::uint16_t plen = static_cast<std::uint16_t>(8 + len);
        h[4] = static_cast<std::uint8_t>(plen >> 8);
        h[5] = static_cast<std::uint8_t>(plen);
        return cat({h, fh, V(l4.begin() + static_cast<long>(off), l4.begin() + static_cast<long>(off + len))});
    };
    EXPECT_EQ(decode(linktype::raw, frag(1232, l4.size() - 1232, false), 0, &dec).status,
              DecodeStatus::fragment_held);
    auto d = decode(linktype::raw, frag(0, 1232, true), 0, &dec);
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.pkt.proto, 6);
    EXPECT_EQ(d.pkt.payload.size(), 2000u);
}

TEST(Decode, FragmentCapsAreEnforced) {
    DecoderConfig cfg;
    cfg.frag.max_datagram_bytes = 1000;
    PacketDecoder dec(cfg);
    V h = ipv4_hdr(20 + 800, 6, 9, static_cast<std::uint16_t>((800 / 8) | 0x2000));
    auto d = decode(linktype::raw, cat({h, V(800, 0)}), 0, &dec);  // would end at 1600 > 1000
    EXPECT_EQ(d.status, DecodeStatus::fragment_dropped);
    EXPECT_EQ(dec.frag_stats().dropped, 1u);
}

TEST(Decode, OverlappingFragmentsFirstDataWins) {
    FragmentReassembler r(FragmentConfig{});
    FragmentKey k{IpAddr::v4(0x0a000001), IpAddr::v4(0x0a000002), 5, 17, 4};
    V a(16, 'A'), b(16, 'B'), c(8, 'C');
    Bytes out;
    EXPECT_EQ(r.add(k, 8, true, B(a), 0, out), FragmentReassembler::Result::held);   // 8..24
    EXPECT_EQ(r.add(k, 0, true, B(b), 0, out), FragmentReassembler::Result::held);   // 0..16, overlaps 8..16
    ASSERT_EQ(r.add(k, 24, false, B(c), 0, out), FragmentReassembler::Result::complete);  // 24..32, last
    std::string got(reinterpret_cast<const char*>(out.data()), out.size());
    EXPECT_EQ(got, std::string(8, 'B') + std::string(16, 'A') + std::string(8, 'C'));
    EXPECT_EQ(r.stats().overlaps, 1u);
    EXPECT_EQ(r.in_flight(), 0u);
}

TEST(Decode, FragmentsExpire) {
    FragmentConfig cfg;
    cfg.timeout = 10 * kSecond;
    FragmentReassembler r(cfg);
    FragmentKey k{IpAddr::v4(0x0a000001), IpAddr::v4(0x0a000002), 6, 17, 4};
    V a(16, 'A');
    Bytes out;
    r.add(k, 0, true, B(a), 0, out);
    r.expire(5 * kSecond);
    EXPECT_EQ(r.in_flight(), 1u);
    r.expire(11 * kSecond);
    EXPECT_EQ(r.in_flight(), 0u);
    EXPECT_EQ(r.stats().timed_out, 1u);
}

TEST(Decode, TruncatedHeadersAreCountedNotRead) {
    DecoderConfig cfg;
    PacketDecoder dec(cfg);
    V full = cat({kEthHdr, ipv4_tcp(kPayload)});
    for (std::size_t cut : {5u, 13u, 14u + 10u, 14u + 20u + 10u}) {
        V f(full.begin(), full.begin() + static_cast<long>(cut));
        // Captured `cut` bytes of a frame that was longer on the wire.
        auto d = decode(linktype::ethernet, f, static_cast<std::uint32_t>(full.size()), &dec);
        EXPECT_EQ(d.status, DecodeStatus::truncated) << "cut at " << cut;
    }
    EXPECT_EQ(dec.stats().truncated, 4u);
}

TEST(Decode, SnaplenCutPayloadKeepsHeaders) {
    V full = cat({kEthHdr, ipv4_tcp(V(1000, 1))});
    V f(full.begin(), full.begin() + 14 + 40 + 100);  // snaplen: 100 payload bytes kept
    auto d = decode(linktype::ethernet, f, static_cast<std::uint32_t>(full.size()));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.pkt.payload.size(), 100u);
    EXPECT_EQ(d.pkt.payload_len, 1000u);
    EXPECT_TRUE(d.pkt.payload_truncated());
    EXPECT_EQ(d.pkt.ip_bytes, 1040u);
}

TEST(Decode, InconsistentLengthsAreMalformedOrTruncated) {
    V p = ipv4_tcp(kPayload);
    p[0] = 0x44;  // IHL 4 < 5
    EXPECT_EQ(decode(linktype::raw, p).status, DecodeStatus::malformed);
    V q = ipv4_tcp(kPayload);
    q[2] = 0x10;  // total length 4096 > what was on the wire
    EXPECT_EQ(decode(linktype::raw, q).status, DecodeStatus::truncated);
    V t = ipv4_tcp(kPayload);
    t[20 + 12] = 0x40;  // TCP data offset 4 < 5
    EXPECT_EQ(decode(linktype::raw, t).status, DecodeStatus::malformed);
}

TEST(Decode, NonIpAndUnknownLinks) {
    V arp = hex("ff ff ff ff ff ff 00 11 22 33 44 55 08 06 00 01 08 00 06 04 00 01");
    EXPECT_EQ(decode(linktype::ethernet, arp).status, DecodeStatus::not_ip);
    EXPECT_EQ(decode(147, ipv4_tcp(kPayload)).status, DecodeStatus::unsupported_link);
}

TEST(Decode, VxlanInnerPacketIsUsed) {
    V inner = cat({kEthHdr, ipv4_tcp(kPayload)});
    V vx = cat({hex("08 00 00 00 00 00 01 00"), inner});  // I flag, VNI 1
    V udp = cat({hex("c0 00 12 b5"), V{static_cast<std::uint8_t>((8 + vx.size()) >> 8),
                                       static_cast<std::uint8_t>(8 + vx.size())},
                 hex("00 00"), vx});
    V outer = cat({ipv4_hdr(static_cast<std::uint16_t>(20 + udp.size()), 17), udp});
    outer[12] = 192;  // outer addresses 192.0.2.x so inner/outer differ
    outer[16] = 192;
    auto d = decode(linktype::raw, outer);
    expect_tcp(d, 7);
    EXPECT_EQ(d.pkt.tunnel_depth, 1);
}

TEST(Decode, GreTransparentEthernet) {
    V inner = cat({kEthHdr, ipv4_tcp(kPayload)});
    V gre = cat({hex("00 00 65 58"), inner});
    V outer = cat({ipv4_hdr(static_cast<std::uint16_t>(20 + gre.size()), 47), gre});
    auto d = decode(linktype::raw, outer);
    expect_tcp(d, 7);
}

}  // namespace
}  // namespace sw
