// FlowTable: lookup, removal with backward shift, slot reuse, and what one
// idle TCP flow costs: at most 512 bytes (issue 12; it was 864 before the
// cold parts moved out, see docs/performance.md#idle-flow-state). The bound
// below fails as soon as someone grows the flow again.
#include <gtest/gtest.h>

#include <cstdio>
#include <utility>
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

// The key is not stored: a flow is found by its ConnId's endpoints, in
// either orientation, and only with the same protocol and VLANs.
TEST(FlowTable, FindsByTheIdentityInEitherOrientation) {
    const KeyedHash h = KeyedHash::from_seed(7);
    FlowTable t(16);
    const FlowKey k = key(1);
    Flow* f = t.insert(k, flow_hash(k, h));
    // As the engine does when the responder (key endpoint b) is the originator.
    std::swap(f->id.orig_h, f->id.resp_h);
    std::swap(f->id.orig_p, f->id.resp_p);
    f->a_is_orig = false;
    EXPECT_EQ(t.find(k, flow_hash(k, h)), f);
    FlowKey other = k;
    other.vlan = 7;
    EXPECT_EQ(t.find(other, flow_hash(k, h)), nullptr);  // same hash, other VLAN
    other = k;
    other.proto = 17;
    EXPECT_EQ(t.find(other, flow_hash(k, h)), nullptr);
    other = k;
    std::swap(other.pa, other.pb);  // same addresses, ports the other way round
    EXPECT_EQ(t.find(other, flow_hash(k, h)), nullptr);
}

// An idle TCP flow (handshake seen, data delivered in order or none, no
// dissector claimed it) owns nothing on the heap and no side record: its TCP
// history is within TcpHistory's inline buffer, the reassemblers made no
// side record (tests/unit/capture/flow_engine_test.cpp checks that through
// the memory budget), there is no consumer. So its state is the Flow in its
// slab plus its share of the index: two 8-byte slots per flow at the
// index's highest load (1/2).
TEST(FlowTable, IdleTcpFlowStateIsAtMost512Bytes) {
    const std::size_t per_flow = sizeof(Flow) + 2 * 8;
    std::printf("sizeof(Flow) %zu: TcpConnState %zu (TcpEndpoint %zu, TcpHistory %zu), TcpReassembler %zu, "
                "ConnId %zu, TcpFlowExtra %zu, UdpFlowExtra %zu; idle TCP flow %zu bytes; side record %zu\n",
                sizeof(Flow), sizeof(TcpConnState), sizeof(TcpEndpoint), sizeof(TcpHistory), sizeof(TcpReassembler),
                sizeof(ConnId), sizeof(TcpFlowExtra), sizeof(UdpFlowExtra), per_flow, sizeof(ReassemblyExt));
    EXPECT_LE(per_flow, 512u);
    EXPECT_EQ(FlowTable::kFlowCost, static_cast<std::int64_t>(per_flow));
    Flow f;
    EXPECT_EQ(f.consumer, nullptr);
    EXPECT_FALSE(f.reasm[0].has_ext());
    EXPECT_FALSE(f.reasm[1].has_ext());
    EXPECT_EQ(f.reasm[0].held(), 0u);
}

}  // namespace
}  // namespace sw
