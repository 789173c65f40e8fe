// capture/byte_reader.h: the one reader every parser uses; a failed read
// changes nothing.
#include <gtest/gtest.h>

#include "capture/byte_reader.h"
#include "support.h"

namespace sw {
namespace {

TEST(ByteReader, FailedReadsChangeNothing) {
    auto v = test::hex("01 02 03 04 05 06 07 08 09");
    ByteReader r(Bytes(v.data(), v.size()));
    EXPECT_EQ(*r.read_u8(), 1);
    EXPECT_EQ(*r.read_u16_be(), 0x0203);
    EXPECT_EQ(*r.read_u16_le(), 0x0504);
    EXPECT_FALSE(r.read_u64_le());  // only 4 left
    EXPECT_EQ(r.remaining(), 4u);
    EXPECT_EQ(*r.peek_u32_be(), 0x06070809u);
    auto sub = r.sub_reader(2);
    ASSERT_TRUE(sub);
    EXPECT_EQ(*sub->read_u16_le(), 0x0706);
    EXPECT_FALSE(sub->read_u8());
    EXPECT_EQ(r.remaining(), 2u);
    EXPECT_FALSE(r.sub_reader(3));
    EXPECT_EQ(r.remaining(), 2u);
    EXPECT_EQ(*r.read_u16_be(), 0x0809);
    EXPECT_TRUE(r.empty());
    EXPECT_FALSE(r.skip(1));
}

}  // namespace
}  // namespace sw
