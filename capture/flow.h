// A bidirectional flow: the canonical key, Zeek-style identity, counters, TCP
// state and the two reassemblers. Flows live in the FlowTable's slabs and are
// reused; everything a flow owns is reset, not reallocated, when it is.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "capture/conn.h"
#include "capture/decode.h"
#include "capture/keyed_hash.h"
#include "capture/stream.h"
#include "capture/tcp_reassembler.h"
#include "capture/tcp_state.h"

namespace sw {

// Canonical 5-tuple plus VLANs: endpoint `a` is the lower (address, port), so
// both directions of a connection have the same key and the same hash. That
// is what lets a later version shard flows across workers by hash.
struct FlowKey {
    IpAddr a, b;
    std::uint16_t pa = 0, pb = 0;
    std::uint16_t vlan = 0, inner_vlan = 0;
    std::uint8_t proto = 0;
    friend bool operator==(const FlowKey&, const FlowKey&) = default;
};

// Builds the canonical key; `src_is_a` tells which endpoint sent the packet.
FlowKey make_flow_key(const DecodedPacket& p, bool& src_is_a);
// Symmetric (the key is canonical) and keyed: see keyed_hash.h.
std::uint64_t flow_hash(const FlowKey& k, const KeyedHash& hash);

enum class TimeoutClass : std::uint8_t { attempt, tcp, closed, udp, other, count_ };

// Per-transport state the other transport never touches (they share bytes).
struct TcpFlowExtra {
    std::uint32_t reasm_base[2];  // start_seq each reassembler was started with
    // Capture loss (Zeek's capture_loss.log): per direction, how far the
    // peer has acknowledged, as a stream offset.
    std::uint64_t acked_end[2];
};
struct UdpFlowExtra {
    std::uint64_t payload[2];  // conn.log orig_bytes / resp_bytes
    // conn.log history: '^' (flipped), then 'D' / 'd' once each, in order.
    char history[3];
    std::uint8_t history_len;
    std::string_view history_view() const { return {history, history_len}; }
    void add_history(char c) {
        if (std::string_view(history, history_len).find(c) == std::string_view::npos && history_len < 3)
            history[history_len++] = c;
    }
};

// A Flow is also its consumer's skip hand-off: a skip goes straight into the
// direction's reassembler, the one owner of the count (see stream.h).
//
// Size matters (docs/performance.md, "Idle flow state"): one per live
// connection, 496 bytes. The canonical key is not stored: it is the ConnId's
// two endpoints, in the order `a_is_orig` says. Rarely used reassembly
// state lives in side records (tcp_reassembler.h).
struct Flow final : SkipHandoff {
    void skip(Dir d, std::uint64_t n) override { reasm[idx(d)].add_skip(n); }
    MemoryBudget* budget() const override { return mem; }

    // Whether this flow is the one of key `k`.
    bool has_key(const FlowKey& k) const {
        if (id.ip_proto != k.proto || id.vlan != k.vlan || id.inner_vlan != k.inner_vlan) return false;
        return a_is_orig ? id.orig_p == k.pa && id.resp_p == k.pb && id.orig_h == k.a && id.resp_h == k.b
                         : id.resp_p == k.pa && id.orig_p == k.pb && id.resp_h == k.a && id.orig_h == k.b;
    }

    // --- table bookkeeping (FlowTable only)
    std::uint32_t hash_lo = 0;  // low half of the flow hash (the index slot keeps the high half)
    std::uint32_t self = 0;
    std::uint32_t prev = 0, next = 0;  // intrusive list links (index + 1; 0 = none)

    // --- identity: also the key (see has_key)
    ConnId id;
    TimeoutClass tclass = TimeoutClass::other;
    bool linked = false;
    bool a_is_orig = true;  // the key's endpoint `a` is the originator
    bool consumer_made = false;

    Timestamp deadline = 0;
    Timestamp start = 0, last = 0;
    std::uint64_t pkts[2] = {0, 0};
    std::uint64_t ip_bytes[2] = {0, 0};

    // --- per transport (the engine sets the one of id.proto when it makes the flow)
    union {
        TcpFlowExtra tcpx;
        UdpFlowExtra udp;
    };
    TcpConnState tcp;
    TcpReassembler reasm[2];

    // --- the dissector side
    std::unique_ptr<StreamConsumer> consumer;
    MemoryBudget* mem = nullptr;  // the engine's (what the consumer charges)

    Flow() : tcpx{} {}
};

}  // namespace sw
