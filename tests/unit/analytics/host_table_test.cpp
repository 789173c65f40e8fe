// HostTable: LRU order, eviction at the cap (at least 4) with the victim
// handed over before it goes, the peak and eviction counters.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "analytics/host_table.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using test::ip;

struct Entry {
    int touches = 0;
};

IpAddr host(int i) { return ip(("10.0.0." + std::to_string(i)).c_str()); }

TEST(AnalyticsHostTable, TouchCreatesFindDoesNot) {
    HostTable<Entry> t(8, KeyedHash::from_seed(1));
    EXPECT_EQ(t.find(host(1)), nullptr);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.oldest(), nullptr);
    auto never = [](const IpAddr&, Entry&) { FAIL() << "nothing to evict"; };
    t.touch(host(1), never).touches++;
    t.touch(host(1), never).touches++;
    ASSERT_NE(t.find(host(1)), nullptr);
    EXPECT_EQ(t.find(host(1))->touches, 2);
    EXPECT_EQ(t.size(), 1u);
    EXPECT_EQ(t.peak(), 1u);
    EXPECT_EQ(t.evicted(), 0u);
}

TEST(AnalyticsHostTable, EvictsTheLeastRecentlyActive) {
    HostTable<Entry> t(4, KeyedHash::from_seed(2));
    std::vector<IpAddr> evicted;
    auto ev = [&](const IpAddr& a, Entry& e) {
        evicted.push_back(a);
        e.touches = -1;  // still in the table while we look at it
    };
    for (int i = 1; i <= 4; ++i) t.touch(host(i), ev);
    EXPECT_EQ(*t.oldest(), host(1));
    t.touch(host(1), ev);  // 2 is now the oldest
    t.find(host(2));       // a look-up is no activity
    EXPECT_EQ(*t.oldest(), host(2));
    t.touch(host(5), ev);
    ASSERT_EQ(evicted, std::vector<IpAddr>{host(2)});
    EXPECT_EQ(t.find(host(2)), nullptr);
    EXPECT_EQ(t.size(), 4u);
    t.touch(host(6), ev);  // then 3
    t.touch(host(2), ev);  // then 4; 2 comes back empty
    EXPECT_EQ(evicted, (std::vector<IpAddr>{host(2), host(3), host(4)}));
    EXPECT_EQ(t.find(host(2))->touches, 0);
    EXPECT_EQ(*t.oldest(), host(1));
    EXPECT_EQ(t.evicted(), 3u);
    EXPECT_EQ(t.peak(), 4u);
}

TEST(AnalyticsHostTable, CapIsAtLeastFour) {
    HostTable<Entry> t(1, KeyedHash::from_seed(3));
    EXPECT_EQ(t.cap(), 4u);
    int evictions = 0;
    for (int i = 1; i <= 6; ++i) t.touch(host(i), [&](const IpAddr&, Entry&) { ++evictions; });
    EXPECT_EQ(evictions, 2);
    EXPECT_EQ(t.size(), 4u);
}

TEST(AnalyticsHostTable, ForEachVisitsEveryEntryOnce) {
    HostTable<Entry> t(100, KeyedHash::from_seed(4));
    for (int i = 1; i <= 50; ++i) t.touch(host(i), [](const IpAddr&, Entry&) {});
    std::map<IpAddr, int> seen;
    t.for_each([&](const IpAddr& a, Entry&) { ++seen[a]; });
    ASSERT_EQ(seen.size(), 50u);
    for (const auto& [a, n] : seen) EXPECT_EQ(n, 1) << a.str();
}

TEST(AnalyticsHostTable, LongRunKeepsOrderAndBounds) {
    // 10'000 touches over 64 addresses with a cap of 16: the eviction order
    // must be exactly that of a reference LRU list.
    HostTable<Entry> t(16, KeyedHash::from_seed(5));
    std::vector<IpAddr> ref;  // most recent first
    std::vector<IpAddr> got, want;
    std::uint64_t x = 12345;
    for (int i = 0; i < 10'000; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const IpAddr a = host(1 + static_cast<int>((x >> 33) % 64));
        auto it = std::find(ref.begin(), ref.end(), a);
        if (it != ref.end()) {
            ref.erase(it);
        } else if (ref.size() >= 16) {
            want.push_back(ref.back());
            ref.pop_back();
        }
        ref.insert(ref.begin(), a);
        t.touch(a, [&](const IpAddr& v, Entry&) { got.push_back(v); });
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(t.size(), 16u);
    EXPECT_EQ(t.evicted(), want.size());
    EXPECT_EQ(*t.oldest(), ref.back());
}

}  // namespace
}  // namespace sw
