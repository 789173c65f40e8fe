// The memory budget (capture/memory_budget.h): charges by area, owners that
// give back what they charged, water marks, and the pool and flow table
// charging in their real units.
#include <gtest/gtest.h>

#include "capture/flow_table.h"
#include "capture/memory_budget.h"
#include "capture/segment_pool.h"

namespace sw {
namespace {

TEST(MemoryBudget, AreasAddUpAndWaterMarksAreEighths) {
    MemoryBudget b(1024);
    b.charge(MemoryArea::flows, 100);
    b.charge(MemoryArea::analytics, 28);
    b.charge(MemoryArea::flows, -40);
    EXPECT_EQ(b.used(MemoryArea::flows), 60u);
    EXPECT_EQ(b.used(), 88u);
    EXPECT_EQ(b.high_water(), 896u);
    EXPECT_EQ(b.low_water(), 768u);
    EXPECT_FALSE(b.pressed());
    b.charge(MemoryArea::reassembly, 809);  // 897 > 896
    EXPECT_TRUE(b.pressed());
    EXPECT_STREQ(MemoryBudget::shed_name(MemoryShed::idle_flow), "memory_shed_idle_flow");
}

TEST(MemoryBudget, ChargeGivesBackWhatItChargedAndMovesWithBind) {
    MemoryBudget a(1 << 20), b(1 << 20);
    {
        MemoryCharge c;
        c.add(50);  // unbound: only remembered
        EXPECT_EQ(a.used(), 0u);
        c.bind(&a, MemoryArea::dissectors);
        EXPECT_EQ(a.used(MemoryArea::dissectors), 50u);
        c.set(200);
        EXPECT_EQ(a.used(), 200u);
        c.bind(&b, MemoryArea::dissectors);
        EXPECT_EQ(a.used(), 0u);
        EXPECT_EQ(b.used(), 200u);
    }
    EXPECT_EQ(b.used(), 0u);  // destroyed: given back
}

TEST(MemoryBudget, PoolChargesWholeBlocks) {
    MemoryBudget b(64 << 20);
    SegmentPool pool(1 << 20, &b);
    const std::uint32_t x = pool.alloc(), y = pool.alloc();
    EXPECT_EQ(b.used(MemoryArea::reassembly), 2u * SegmentPool::kBlockSize);  // whatever they hold
    pool.release(x);
    EXPECT_EQ(b.used(MemoryArea::reassembly), SegmentPool::kBlockSize);
    pool.release(y);
    EXPECT_EQ(b.used(), 0u);
}

TEST(MemoryBudget, FlowTableChargesLiveFlows) {
    MemoryBudget b(64 << 20);
    FlowTable t(16, &b);
    FlowKey k1, k2;
    k1.pa = 1;
    k2.pa = 2;
    Flow* f1 = t.insert(k1, 11);
    t.insert(k2, 22);
    EXPECT_EQ(b.used(MemoryArea::flows), 2u * static_cast<std::uint64_t>(FlowTable::kFlowCost));
    t.remove(f1);
    EXPECT_EQ(b.used(MemoryArea::flows), static_cast<std::uint64_t>(FlowTable::kFlowCost));
}

}  // namespace
}  // namespace sw
