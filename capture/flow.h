// A bidirectional flow: the canonical key, Zeek-style identity, counters, TCP
// state and the two reassemblers. Flows live in the FlowTable's slabs and are
// reused; everything a flow owns is reset, not reallocated, when it is.
#pragma once

#include <cstdint>
#include <memory>

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

// A Flow is also its consumer's skip hand-off: a skip goes straight into the
// direction's reassembler, the one owner of the count (see stream.h).
struct Flow final : SkipHandoff {
    void skip(Dir d, std::uint64_t n) override { reasm[idx(d)].add_skip(n); }
    MemoryBudget* budget() const override { return mem; }

    // --- table bookkeeping (FlowTable only)
    FlowKey key;
    std::uint64_t hash = 0;
    std::uint32_t self = 0;
    std::uint32_t prev = 0, next = 0;  // intrusive list links (index + 1; 0 = none)
    TimeoutClass tclass = TimeoutClass::other;
    bool linked = false;
    Timestamp deadline = 0;

    // --- identity and counters
    ConnId id;
    Timestamp start = 0, last = 0;
    std::uint64_t pkts[2] = {0, 0};
    std::uint64_t ip_bytes[2] = {0, 0};
    std::uint64_t udp_payload[2] = {0, 0};
    bool flipped = false;
    std::string udp_history;

    // --- TCP
    TcpConnState tcp;
    TcpReassembler reasm[2];
    std::uint32_t reasm_base[2] = {0, 0};  // start_seq the reassembler was started with
    // Capture loss (Zeek's capture_loss.log): per direction, how far the
    // peer has acknowledged, as a stream offset.
    std::uint64_t acked_end[2] = {0, 0};

    // --- the dissector side
    std::unique_ptr<StreamConsumer> consumer;
    bool consumer_made = false;
    MemoryBudget* mem = nullptr;  // the engine's (what the consumer charges)
};

}  // namespace sw
