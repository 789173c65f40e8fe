// fleet/jetstream_source: which subject partitions a correlator owns (the
// hash itself: partition_test.cpp).
#include "fleet/jetstream_source.h"

#include <gtest/gtest.h>

#include <stdexcept>

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

}  // namespace
}  // namespace sw::fleet
