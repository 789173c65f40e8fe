// capture/spsc_ring.h: the reader -> worker packet ring and the worker ->
// merge event ring of --threads N.
#include "capture/spsc_ring.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace sw {
namespace {

TEST(SpscRing, FullAfterCapacityItemsAndFreedByRelease) {
    SpscRing<int> r(8);
    ASSERT_EQ(r.capacity(), 8u);
    for (int i = 0; i < 8; ++i) {
        int* s = r.reserve();
        ASSERT_NE(s, nullptr) << i;
        *s = i;
        r.commit();
    }
    EXPECT_EQ(r.reserve(), nullptr);  // 8 in flight: full
    EXPECT_EQ(r.front(), nullptr);    // nothing published yet
    r.publish();
    ASSERT_NE(r.front(), nullptr);
    EXPECT_EQ(*r.front(), 0);
    r.pop();
    EXPECT_EQ(r.reserve(), nullptr);  // popped but not released: the producer cannot reuse it
    r.release();
    int* s = r.reserve();
    ASSERT_NE(s, nullptr);
    *s = 8;
    r.commit();
    r.publish();
    // Wrap-around: the ninth item went into slot 0 and comes out ninth.
    std::vector<int> got;
    while (const int* v = r.front()) {
        got.push_back(*v);
        r.pop();
    }
    r.release();
    EXPECT_EQ(got, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(SpscRing, CapacityRoundsUpToAPowerOfTwo) {
    SpscRing<int> r(100);
    EXPECT_EQ(r.capacity(), 128u);
}

TEST(SpscRing, SlotsKeepTheirStringsCapacity) {
    SpscRing<std::string> r(2);
    for (int round = 0; round < 3; ++round) {
        std::string* s = r.reserve();
        ASSERT_NE(s, nullptr);
        *s = std::string(100, static_cast<char>('a' + round));
        r.commit();
        r.publish();
        EXPECT_EQ(*r.front(), std::string(100, static_cast<char>('a' + round)));
        EXPECT_GE(r.front()->capacity(), 100u);
        r.pop();
        r.release();
    }
}

TEST(SpscByteRing, RecordsComeBackWithTheirSizes) {
    SpscByteRing r(4096);
    const std::size_t sizes[] = {0, 1, 7, 8, 9, 100};
    for (std::size_t n : sizes) {
        std::byte* d = r.reserve(n);
        ASSERT_NE(d, nullptr);
        for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<std::byte>(n + i);
        r.commit(n);
    }
    r.publish();
    for (std::size_t n : sizes) {
        std::size_t got = 99999;
        const std::byte* d = r.front(got);
        ASSERT_NE(d, nullptr);
        ASSERT_EQ(got, n);
        for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(d[i], static_cast<std::byte>(n + i));
        r.pop(got);
    }
    std::size_t got = 0;
    EXPECT_EQ(r.front(got), nullptr);
}

TEST(SpscByteRing, FullUntilReleasedThenWrapsToTheStart) {
    SpscByteRing r(4096);
    // 3 records of 1000 bytes (8 header + 1000) fill 3024 of 4096 bytes.
    for (int i = 0; i < 3; ++i) {
        std::byte* d = r.reserve(1000);
        ASSERT_NE(d, nullptr);
        std::memset(d, 'a' + i, 1000);
        r.commit(1000);
    }
    // A fourth still fits before the end (1072 bytes left there).
    std::byte* d = r.reserve(1000);
    ASSERT_NE(d, nullptr);
    std::memset(d, 'd', 1000);
    r.commit(1000);  // 4032 used, 64 left
    EXPECT_EQ(r.reserve(100), nullptr);  // full: 64 bytes at the end, nothing freed
    r.publish();
    std::size_t n = 0;
    ASSERT_NE(r.front(n), nullptr);
    r.pop(n);
    EXPECT_EQ(r.reserve(100), nullptr);  // popped, not released
    r.release();
    // 1008 bytes free at the start, 64 at the end: the record wraps.
    d = r.reserve(100);
    ASSERT_NE(d, nullptr);
    std::memset(d, 'e', 100);
    r.commit(100);
    r.publish();
    std::string order;
    while (const std::byte* p = r.front(n)) {
        order += static_cast<char>(p[0]);
        EXPECT_EQ(static_cast<char>(p[n - 1]), static_cast<char>(p[0]));
        r.pop(n);
    }
    EXPECT_EQ(order, "bcde");
}

TEST(SpscByteRing, RefusesRecordsOverHalfTheRing) {
    SpscByteRing r(8192);
    EXPECT_EQ(r.max_record(), 4096u - 8);
    EXPECT_EQ(r.reserve(4096), nullptr);
    EXPECT_NE(r.reserve(4088), nullptr);
}

// Two threads, batches of varying sizes, many wrap-arounds: every record
// arrives once, in order, intact.
TEST(SpscByteRing, TwoThreadsInBatchesKeepOrderAndContent) {
    SpscByteRing r(65536);
    constexpr std::uint32_t kRecords = 100000;
    std::thread producer([&] {
        unsigned round = 0;
        for (std::uint32_t i = 0; i < kRecords; ++i) {
            const std::size_t n = 4 + (i * 37) % 700;
            std::byte* d;
            while (!(d = r.reserve(n))) {
                r.publish();
                wait_a_little(round);
            }
            std::memcpy(d, &i, 4);
            for (std::size_t k = 4; k < n; ++k) d[k] = static_cast<std::byte>(i + k);
            r.commit(n);
            if (i % 17 == 0) r.publish();  // batches
        }
        r.publish();
    });
    std::uint32_t expect = 0;
    bool ok = true;
    unsigned round = 0;
    while (expect < kRecords && ok) {
        std::size_t n = 0;
        const std::byte* d = r.front(n);
        if (!d) {
            r.release();
            wait_a_little(round);
            continue;
        }
        std::uint32_t i;
        std::memcpy(&i, d, 4);
        ok = i == expect && n == 4 + (i * 37) % 700 && (n < 5 || d[n - 1] == static_cast<std::byte>(i + n - 1));
        r.pop(n);
        if (expect % 5 == 0) r.release();
        ++expect;
    }
    r.release();
    producer.join();
    EXPECT_TRUE(ok) << "record " << expect - 1;
    EXPECT_EQ(expect, kRecords);
}

}  // namespace
}  // namespace sw
