// capture/util.h: the one human_bytes and the one overloaded visitor.
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "capture/util.h"

namespace sw {
namespace {

TEST(Util, HumanBytes) {
    EXPECT_EQ(human_bytes(0), "0 B");
    EXPECT_EQ(human_bytes(999), "999 B");
    EXPECT_EQ(human_bytes(1000), "1.0 KB");
    EXPECT_EQ(human_bytes(1'234'567), "1.2 MB");
    EXPECT_EQ(human_bytes(1'200'000'000), "1.2 GB");
    EXPECT_EQ(human_bytes(999'960), "1.0 MB");  // not "1000.0 KB"
    EXPECT_EQ(human_bytes(36'000'000), "36.0 MB");
    EXPECT_EQ(human_bytes(27'200'000), "27.2 MB");
    EXPECT_EQ(human_bytes(~0ull), "18.4 EB");  // 18'446'744'073'709'551'615
}

TEST(Util, OverloadedPicksTheMatchingLambda) {
    auto name = [](const std::variant<int, std::string, double>& v) {
        return std::visit(overloaded{
                              [](int i) { return "int " + std::to_string(i); },
                              [](const std::string& s) { return "string " + s; },
                              [](const auto&) { return std::string("other"); },
                          },
                          v);
    };
    EXPECT_EQ(name(7), "int 7");
    EXPECT_EQ(name(std::string("x")), "string x");
    EXPECT_EQ(name(1.5), "other");
}

}  // namespace
}  // namespace sw

namespace sw {
namespace {

TEST(Util, SampledOccurrenceIsPowersOfTen) {
    std::vector<std::uint64_t> kept;
    for (std::uint64_t n = 1; n <= 100000; ++n)
        if (sampled_occurrence(n)) kept.push_back(n);
    EXPECT_EQ(kept, (std::vector<std::uint64_t>{1, 10, 100, 1000, 10000, 100000}));
    EXPECT_TRUE(sampled_occurrence(10000000000000000000ull));
    EXPECT_FALSE(sampled_occurrence(UINT64_MAX));  // no overflow past 10^19
}

}  // namespace
}  // namespace sw
