// dissectors/conn/conn_accounting.h: the consumer of flows no dissector claims.
#include <gtest/gtest.h>

#include "dissectors/conn/conn_accounting.h"
#include "support.h"

namespace sw {
namespace {

Bytes B(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

TEST(ConnAccounting, CountsAndSkips) {
    ConnAccounting a;
    EXPECT_EQ(a.on_data(Dir::orig, B("abc"), 0), kSkipAll);
    a.on_gap(Dir::resp, 10, false, 0);
    EXPECT_EQ(a.delivered(Dir::orig), 3u);
    EXPECT_EQ(a.gap_bytes(Dir::resp), 10u);
}

}  // namespace
}  // namespace sw
