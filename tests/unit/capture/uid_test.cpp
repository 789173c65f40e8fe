// capture/uid.*: connection/file uids (Zeek's "C" + base62 of 96 random bits).
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "capture/uid.h"

namespace sw {
namespace {

TEST(Uid, SeededGeneratorsRepeatAndDiffer) {
    UidGenerator a(7), b(7), c(8);
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        std::string x = a.next('C');
        EXPECT_EQ(x, b.next('C'));
        EXPECT_EQ(x[0], 'C');
        EXPECT_GE(x.size(), 12u);
        EXPECT_LE(x.size(), 18u);
        for (char ch : x.substr(1)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch))) << x;
        seen.insert(x);
    }
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_NE(UidGenerator(7).next('C'), c.next('C'));
    char buf[24];
    EXPECT_EQ(base62(0, buf), 1u);
    EXPECT_EQ(buf[0], '0');
    EXPECT_EQ(base62(61, buf), 1u);
    EXPECT_EQ(buf[0], 'z');
    EXPECT_EQ(base62(62, buf), 2u);
    EXPECT_EQ(std::string(buf, 2), "10");
}

}  // namespace
}  // namespace sw
