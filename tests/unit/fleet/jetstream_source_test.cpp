// fleet/jetstream_source: which subject partitions a correlator owns, and the
// partition hash every sensor and correlator must agree on.
#include "fleet/jetstream_source.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "fleet/nats_conn.h"

namespace sw::fleet {
namespace {

TEST(Partitions, ListsAndRanges) {
    EXPECT_EQ(parse_partitions("", 4), (std::vector<std::uint32_t>{0, 1, 2, 3}));
    EXPECT_EQ(parse_partitions("0,2", 4), (std::vector<std::uint32_t>{0, 2}));
    EXPECT_EQ(parse_partitions("1-3", 16), (std::vector<std::uint32_t>{1, 2, 3}));
    EXPECT_EQ(parse_partitions("5,1-2,2", 8), (std::vector<std::uint32_t>{1, 2, 5}));
    EXPECT_THROW(parse_partitions("4", 4), std::invalid_argument);
    EXPECT_THROW(parse_partitions("3-1", 4), std::invalid_argument);
    EXPECT_THROW(parse_partitions("a", 4), std::invalid_argument);
    EXPECT_THROW(parse_partitions("1x", 4), std::invalid_argument);
}

TEST(Partitions, HashIsFnv1aOfTheAddressText) {
    // FNV-1a 32 of "" is the offset basis; of "a" is 0xe40c292c (published test vector).
    EXPECT_EQ(partition_of("", 0xffffffffu), 2166136261u % 0xffffffffu);
    EXPECT_EQ(partition_of("a", 0xffffffffu), 0xe40c292cu % 0xffffffffu);
    EXPECT_EQ(partition_of("10.74.0.110", 1), 0u);
    EXPECT_LT(partition_of("10.74.0.110", 16), 16u);
}

}  // namespace
}  // namespace sw::fleet
