// Packet decoding with IP fragment reassembly: a sequence of frames through
// one PacketDecoder (link layers, VLAN/MPLS, tunnels, IPv4/IPv6 fragments)
// with small fragment caps so eviction and expiry run too.
//
// Input: repeated [link selector u8][frame length u16][time step u8][frame].
// Checks: the fragment table and its byte count stay within their caps; a
// decoded payload never claims more captured bytes than the headers say.
#include "capture/decode.h"
#include "fuzz_common.h"

namespace {
constexpr int kLinks[] = {sw::linktype::ethernet, sw::linktype::raw,   sw::linktype::linux_sll,
                          sw::linktype::linux_sll2, sw::linktype::null_bsd, sw::linktype::loop,
                          sw::linktype::ipv4,     sw::linktype::ipv6,  sw::linktype::raw_old};
}

SW_FUZZ_ENTRY(fuzz_decode)(const std::uint8_t* data, std::size_t size) {
    sw::fuzz::Input in(data, size);
    sw::DecoderConfig cfg;
    cfg.frag.max_datagrams = 8;
    cfg.frag.max_fragments = 16;
    cfg.frag.max_held_bytes = 16 * 1024;
    cfg.frag.timeout = 30 * sw::kSecond;
    sw::PacketDecoder dec(cfg);
    sw::Timestamp ts = 1'000'000 * sw::kSecond;
    while (!in.empty()) {
        const std::uint8_t sel = in.u8();
        const std::uint16_t len = in.u16();
        const std::uint8_t step = in.u8();
        auto frame = in.bytes(len);
        ts += static_cast<sw::Timestamp>(step) * sw::kSecond / 4;
        // Bit 7: the frame was longer on the wire (snaplen cut).
        const std::uint32_t wirelen = static_cast<std::uint32_t>(frame.size()) + ((sel & 0x80) ? step * 16u : 0u);
        sw::DecodedPacket out;
        const auto st = dec.decode(kLinks[(sel & 0x7f) % std::size(kLinks)], ts, frame, wirelen, out);
        if (st == sw::DecodeStatus::ok) {
            SW_FUZZ_CHECK(out.payload.size() <= out.payload_len || out.payload.size() <= frame.size(),
                          "payload larger than both header length and frame");
        }
        if (sel & 0x40) dec.expire(ts);
        const auto& fs = dec.frag_stats();
        SW_FUZZ_CHECK(fs.reassembled <= fs.fragments, "more datagrams reassembled than fragments seen");
    }
    return 0;
}
