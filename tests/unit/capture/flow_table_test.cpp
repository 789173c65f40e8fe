// FlowTable: lookup, removal with backward shift, slot reuse, and what one
// idle TCP flow costs. Issue 12 aims at 512 bytes; today it is 864 (848 of
// Flow, of which TcpConnState 272 and two TcpReassemblers 272: see
// docs/performance.md#idle-flow-state). The bound below keeps it from
// growing past 14 cache lines unnoticed.
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "capture/flow_table.h"

namespace sw {
namespace {

FlowKey key(std::uint32_t i) {
    FlowKey k;
    k.a = IpAddr::v4(0x0a000000u + i);
    k.b = IpAddr::v4(0x0a640001u);
    k.pa = static_cast<std::uint16_t>(40000 + i % 20000);
    k.pb = 445;
    k.proto = 6;
    return k;
}

TEST(FlowTable, FindsRemovesAndReusesSlots) {
    const KeyedHash h = KeyedHash::from_seed(7);
    FlowTable t(100000);
    std::vector<Flow*> flows;
    for (std::uint32_t i = 0; i < 5000; ++i) flows.push_back(t.insert(key(i), flow_hash(key(i), h)));
    EXPECT_EQ(t.size(), 5000u);
    for (std::uint32_t i = 0; i < 5000; ++i) ASSERT_EQ(t.find(key(i), flow_hash(key(i), h)), flows[i]) << i;
    // Remove every other one: the rest stay findable across the shifted clusters.
    for (std::uint32_t i = 0; i < 5000; i += 2) t.remove(flows[i]);
    EXPECT_EQ(t.size(), 2500u);
    for (std::uint32_t i = 0; i < 5000; ++i) {
        Flow* f = t.find(key(i), flow_hash(key(i), h));
        if (i % 2) EXPECT_EQ(f, flows[i]) << i;
        else EXPECT_EQ(f, nullptr) << i;
    }
    // New flows take the freed slots: no new slab.
    std::vector<Flow*> again;
    for (std::uint32_t i = 0; i < 2500; ++i) again.push_back(t.insert(key(10000 + i), flow_hash(key(10000 + i), h)));
    for (Flow* f : again) {
        bool reused = false;
        for (std::uint32_t i = 0; i < 5000 && !reused; i += 2) reused = f == flows[i];
        EXPECT_TRUE(reused);
    }
}

// An idle TCP flow (handshake seen, no data buffered, no dissector claimed
// it) owns nothing on the heap: its TCP history is within the string's inline
// buffer, the reassemblers hold no segments, there is no consumer. So its
// state is the Flow in its slab plus its share of the index: two 8-byte
// slots per flow at the index's highest load (1/2).
TEST(FlowTable, IdleTcpFlowStateStaysWithin14CacheLines) {
    const std::size_t per_flow = sizeof(Flow) + 2 * 8;
    std::printf("sizeof(Flow) %zu, TcpConnState %zu, TcpReassembler %zu, ConnId %zu, FlowKey %zu; "
                "idle TCP flow %zu bytes\n",
                sizeof(Flow), sizeof(TcpConnState), sizeof(TcpReassembler), sizeof(ConnId), sizeof(FlowKey), per_flow);
    EXPECT_LE(per_flow, 14u * 64);
    Flow f;
    EXPECT_EQ(f.consumer, nullptr);
    EXPECT_EQ(f.reasm[0].held(), 0u);
    EXPECT_EQ(f.reasm[1].held(), 0u);
}

}  // namespace
}  // namespace sw
