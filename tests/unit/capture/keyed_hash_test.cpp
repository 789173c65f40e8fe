// capture/keyed_hash.h: the keyed hash of every attacker-keyed table.
#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include "capture/keyed_hash.h"

namespace sw {
namespace {

TEST(KeyedHash, KeyChangesEveryHash) {
    // Two keys must disagree on (almost) every input, or bucket collisions
    // could be computed without knowing the key.
    KeyedHash a = KeyedHash::from_seed(1), b = KeyedHash::from_seed(2);
    EXPECT_EQ(KeyedHash::from_seed(1)(42, 7), a(42, 7));  // a seed reproduces
    int same_bucket = 0;
    for (std::uint64_t i = 0; i < 4096; ++i)
        if ((a(i) & 1023) == (b(i) & 1023)) ++same_bucket;
    EXPECT_LT(same_bucket, 20);  // 4 expected by chance
    // Inputs that differ in one bit spread over the buckets for one key.
    std::vector<int> buckets(256);
    for (std::uint64_t i = 0; i < 256 * 64; ++i) ++buckets[a(i << 20) & 255];
    for (int n : buckets) EXPECT_GT(n, 20);  // 64 expected in each
    // Byte strings: length and content both matter.
    std::byte x[17] = {};
    EXPECT_NE(a.bytes({x, 16}), a.bytes({x, 17}));
    x[16] = std::byte{1};
    std::byte y[17] = {};
    EXPECT_NE(a.bytes(x), a.bytes(y));
    EXPECT_NE(KeyedHash::random()(1, 2), KeyedHash::random()(1, 2));
}

}  // namespace
}  // namespace sw
