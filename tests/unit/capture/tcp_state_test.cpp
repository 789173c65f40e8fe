// TcpHistory (conn.log's history letters in 16 bytes) and the scaled history
// letters' thresholds of TcpConnState.
#include <gtest/gtest.h>

#include <string>

#include "capture/tcp_state.h"

namespace sw {
namespace {

// Inline up to kInline letters, then on the heap, growing at 32, 64, 128:
// the letters read back exactly at every length; copies and moves keep them.
TEST(TcpHistory, GrowsFromInlineToHeapKeepingEveryLetter) {
    TcpHistory h;
    std::string want;
    for (int i = 0; i < 300; ++i) {
        const char c = static_cast<char>('A' + i % 26);
        h.push_back(c);
        want.push_back(c);
        ASSERT_EQ(h.view(), want) << i;
        if (i == 13 || i == 14 || i == 31 || i == 32 || i == 299) {
            TcpHistory copy(h);
            EXPECT_EQ(copy.view(), want);
            TcpHistory moved(std::move(copy));
            EXPECT_EQ(moved.view(), want);
            EXPECT_EQ(copy.size(), 0u);  // NOLINT(bugprone-use-after-move): the moved-from state is empty
            TcpHistory assigned;
            assigned.push_back('x');
            assigned = moved;
            EXPECT_EQ(assigned.view(), want);
        }
    }
    EXPECT_EQ(sizeof(TcpHistory), 16u);
}

// Zeek's ScaledHistoryEntry: a retransmission letter at the 1st, 10th and
// 100th retransmission, none in between.
TEST(TcpConnState, RetransmissionLetterAtPowersOfTen) {
    TcpConnState s;
    constexpr std::uint8_t kSyn = 0x02, kAck = 0x10, kPsh = 0x08;
    s.on_packet(Dir::orig, kSyn, 1000, 0, 0, 100);
    s.on_packet(Dir::resp, kSyn | kAck, 5000, 1001, 0, 100);
    s.on_packet(Dir::orig, kPsh | kAck, 1001, 5001, 10, 100);  // bytes 1..10
    std::size_t letters_after[101] = {};
    for (int n = 1; n <= 100; ++n) {
        s.on_packet(Dir::orig, kPsh | kAck, 1001, 5001, 10, 100);  // the same bytes again
        letters_after[n] = s.history().size();
    }
    EXPECT_EQ(s.history(), "ShDTTT");
    EXPECT_EQ(letters_after[1], 4u);
    EXPECT_EQ(letters_after[9], 4u);
    EXPECT_EQ(letters_after[10], 5u);
    EXPECT_EQ(letters_after[99], 5u);
    EXPECT_EQ(letters_after[100], 6u);
}

}  // namespace
}  // namespace sw
