// The bounded tables of an SMB connection (smb_tables.h): cap, eviction of
// the oldest entry in age order, the eviction counter, age kept across a
// rename, iteration independent of the hash key, and the pending table's
// open-addressing index against a reference model.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "dissectors/smb2/smb_tables.h"

namespace sw::smb {
namespace {

using Table = OrderedTable<std::uint64_t, std::string, U64Hash>;

std::vector<std::uint64_t> keys(Table& t) {
    std::vector<std::uint64_t> out;
    t.for_each([&](std::uint64_t k, std::string&) { out.push_back(k); });
    return out;
}

TEST(OrderedTable, CapEvictsTheOldestAndCounts) {
    Table t(3, U64Hash{KeyedHash::from_seed(1)});
    std::vector<std::uint64_t> evicted;
    auto evict = [&](std::uint64_t k) {
        evicted.push_back(k);
        t.erase(k);
    };
    for (std::uint64_t k : {30, 10, 20}) {
        t.make_room(evict);
        t.insert(k, "v" + std::to_string(k));
    }
    EXPECT_TRUE(evicted.empty());
    EXPECT_EQ(t.evictions(), 0u);
    t.make_room(evict);
    t.insert(40, "v40");
    t.make_room(evict);
    t.insert(50, "v50");
    // Inserted 30, 10, 20, 40, 50 with room for 3: 30 then 10 go, in that order.
    EXPECT_EQ(evicted, (std::vector<std::uint64_t>{30, 10}));
    EXPECT_EQ(t.evictions(), 2u);
    EXPECT_EQ(t.size(), 3u);
    EXPECT_EQ(keys(t), (std::vector<std::uint64_t>{20, 40, 50}));
    ASSERT_NE(t.find(40), nullptr);
    EXPECT_EQ(*t.find(40), "v40");
    EXPECT_EQ(t.find(30), nullptr);
}

TEST(OrderedTable, TouchMakesYoungestAndRekeyKeepsAge) {
    Table t(3, U64Hash{KeyedHash::from_seed(2)});
    t.insert(1, "a");
    t.insert(2, "b");
    t.insert(3, "c");
    t.touch(1);  // 2, 3, 1
    t.rekey(2, 9);  // 9 keeps 2's place: 9, 3, 1
    EXPECT_EQ(keys(t), (std::vector<std::uint64_t>{9, 3, 1}));
    EXPECT_EQ(t.find(2), nullptr);
    ASSERT_NE(t.find(9), nullptr);
    EXPECT_EQ(*t.find(9), "b");
    std::vector<std::uint64_t> evicted;
    t.make_room([&](std::uint64_t k) {
        evicted.push_back(k);
        t.erase(k);
    });
    EXPECT_EQ(evicted, (std::vector<std::uint64_t>{9}));
    EXPECT_EQ(t.evictions(), 1u);
}

TEST(OrderedTable, InsertOfAnExistingKeyReplacesItAsYoungest) {
    Table t(4, U64Hash{});
    t.insert(1, "a");
    t.insert(2, "b");
    t.insert(1, "c");
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(keys(t), (std::vector<std::uint64_t>{2, 1}));
    EXPECT_EQ(*t.find(1), "c");
}

TEST(OrderedTable, OrderDoesNotDependOnTheHashKey) {
    // Rows emitted while iterating (open files at connection end) must not
    // change with the run's hash key (--seed).
    std::vector<std::vector<std::uint64_t>> orders;
    for (std::uint64_t seed : {1, 2, 3, 12345}) {
        Table t(1000, U64Hash{KeyedHash::from_seed(seed)});
        for (std::uint64_t i = 0; i < 500; ++i) t.insert((i * 7919) % 1009, "x");
        std::vector<std::uint64_t> mid = t.keys_if([](const std::string&) { return true; });
        orders.push_back(mid);
    }
    ASSERT_EQ(orders[0].size(), 500u);
    EXPECT_EQ(orders[0][0], 0u);
    EXPECT_EQ(orders[0][1], 7919u % 1009);
    for (const auto& o : orders) EXPECT_EQ(o, orders[0]);
}

struct P {
    std::uint64_t key = 0;
    int value = 0;
};

TEST(PendingTable, SameKeyReusesItsEntryAsYoungest) {
    PendingTable<P> t(3, KeyedHash::from_seed(3));
    int evicted = 0;
    auto ev = [&](P&) { ++evicted; };
    t.add(1, ev).value = 10;
    t.add(2, ev).value = 20;
    t.add(3, ev).value = 30;
    t.add(1, ev).value = 11;  // a retransmission: no eviction, 1 is youngest now
    EXPECT_EQ(evicted, 0);
    EXPECT_EQ(t.size(), 3u);
    std::vector<std::uint64_t> order;
    t.for_each([&](P& p) { order.push_back(p.key); });
    EXPECT_EQ(order, (std::vector<std::uint64_t>{2, 3, 1}));
    EXPECT_EQ(t.find(1)->value, 11);
}

TEST(PendingTable, CapEvictsTheOldestAndCounts) {
    PendingTable<P> t(3, KeyedHash::from_seed(4));
    std::vector<std::uint64_t> evicted;
    auto ev = [&](P& p) { evicted.push_back(p.key); };
    for (std::uint64_t k : {5, 6, 7}) t.add(k, ev);
    t.drop(*t.find(6));  // answered
    t.add(8, ev);        // the freed slot: no eviction
    EXPECT_TRUE(evicted.empty());
    t.add(9, ev);  // full: 5 (the oldest) goes
    t.add(10, ev); // then 7
    EXPECT_EQ(evicted, (std::vector<std::uint64_t>{5, 7}));
    EXPECT_EQ(t.evictions(), 2u);
    EXPECT_EQ(t.size(), 3u);
    EXPECT_EQ(t.find(5), nullptr);
    EXPECT_EQ(t.find(7), nullptr);
    ASSERT_NE(t.find(8), nullptr);
    ASSERT_NE(t.find(9), nullptr);
    ASSERT_NE(t.find(10), nullptr);
}

// [MS-SMB2] 3.3.1.1 / 3.2.5.19: MessageId 0xFFFFFFFFFFFFFFFF is never a
// request's; the table neither keeps nor finds it, and other entries are
// untouched.
TEST(PendingTable, ReservedMessageIdIsNeverEntered) {
    PendingTable<P> t(2, KeyedHash::from_seed(6));
    int evicted = 0;
    auto ev = [&](P&) { ++evicted; };
    t.add(1, ev).value = 10;
    t.add(2, ev).value = 20;
    P& r = t.add(~std::uint64_t{0}, ev);
    r.value = 99;
    EXPECT_EQ(evicted, 0);  // no eviction for it at the cap
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(t.rejected(), 1u);
    EXPECT_EQ(t.find(~std::uint64_t{0}), nullptr);
    t.drop(r);  // nothing
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(t.find(1)->value, 10);
    EXPECT_EQ(t.find(2)->value, 20);
    std::vector<std::uint64_t> order;
    t.for_each([&](P& p) { order.push_back(p.key); });
    EXPECT_EQ(order, (std::vector<std::uint64_t>{1, 2}));
}

TEST(PendingTable, DropOfAStaleReferenceIsIgnored) {
    PendingTable<P> t(4, KeyedHash{});
    P& a = t.add(1, [](P&) {});
    t.drop(a);
    t.drop(a);  // twice: nothing
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.find(1), nullptr);
}

TEST(PendingTable, AgreesWithAReferenceModel) {
    // Random adds, retransmissions and drops over few keys (many collisions
    // in the open-addressing index, backward-shift deletions): the table and
    // a map kept by hand agree after every step.
    PendingTable<P> t(64, KeyedHash::from_seed(5));
    std::map<std::uint64_t, int> model;
    std::vector<std::uint64_t> age;  // oldest first
    std::uint64_t x = 99;
    for (int step = 0; step < 20000; ++step) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const std::uint64_t key = (x >> 33) % 200;
        if ((x >> 20) % 3 == 0) {
            if (P* p = t.find(key)) t.drop(*p);
            model.erase(key);
            std::erase(age, key);
        } else {
            const bool had = model.count(key) != 0;
            std::uint64_t evicted = ~0ull;
            t.add(key, [&](P& p) { evicted = p.key; }).value = step;
            if (had) {
                std::erase(age, key);
            } else if (model.size() >= 64) {
                ASSERT_EQ(evicted, age.front()) << "step " << step;
                model.erase(age.front());
                age.erase(age.begin());
            }
            model[key] = step;
            age.push_back(key);
        }
        ASSERT_EQ(t.size(), model.size()) << "step " << step;
    }
    for (std::uint64_t k = 0; k < 200; ++k) {
        P* p = t.find(k);
        auto it = model.find(k);
        ASSERT_EQ(p != nullptr, it != model.end()) << k;
        if (p) {
            EXPECT_EQ(p->value, it->second);
        }
    }
    std::vector<std::uint64_t> order;
    t.for_each([&](P& p) { order.push_back(p.key); });
    EXPECT_EQ(order, age);
}

}  // namespace
}  // namespace sw::smb
