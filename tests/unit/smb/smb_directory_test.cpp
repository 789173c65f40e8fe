// The multichannel directory (smb_directory): sessions keyed by (server,
// SessionId) with the run's keyed hash, the least recently used dropped at
// the cap in O(1), counted.
#include <gtest/gtest.h>

#include "dissectors/smb2/smb_directory.h"

namespace sw::smb {
namespace {

ServerKey server(std::uint8_t b) {
    ServerKey k;
    k.bytes.fill(b);
    return k;
}

TEST(SmbDirectory, LeastRecentlyUsedSessionGoesAtTheCap) {
    SmbDirectory dir(2, 8, KeyedHash::from_seed(7));
    dir.set_username(server(1), 10, "alice");
    dir.set_username(server(1), 11, "bob");
    EXPECT_EQ(dir.username(server(1), 10), "alice");  // 10 used last now: 11 is the oldest
    dir.set_username(server(2), 10, "carol");         // same SessionId, other server: a new entry
    EXPECT_EQ(dir.sessions(), 2u);
    EXPECT_EQ(dir.evictions(), 1u);
    EXPECT_EQ(dir.username(server(1), 11), "");  // evicted
    EXPECT_EQ(dir.username(server(1), 10), "alice");
    EXPECT_EQ(dir.username(server(2), 10), "carol");
}

TEST(SmbDirectory, RemovedSessionFreesItsPlace) {
    SmbDirectory dir(2, 8, KeyedHash::from_seed(8));
    dir.publish_tree(server(1), 1, {5, "\\\\fs\\a", 1, false});
    dir.publish_tree(server(1), 2, {6, "\\\\fs\\b", 1, false});
    dir.remove_session(server(1), 1);
    dir.publish_tree(server(1), 3, {7, "\\\\fs\\c", 1, false});
    EXPECT_EQ(dir.evictions(), 0u);
    EXPECT_EQ(dir.sessions(), 2u);
    EXPECT_EQ(dir.find_tree(server(1), 1, 5), nullptr);
    ASSERT_NE(dir.find_tree(server(1), 2, 6), nullptr);
    EXPECT_EQ(dir.find_tree(server(1), 2, 6)->path, "\\\\fs\\b");
    ASSERT_NE(dir.find_tree(server(1), 3, 7), nullptr);
}

TEST(SmbDirectory, SameAnswersWhateverTheHashKey) {
    // The key changes bucket placement only: lookups and evictions agree.
    for (std::uint64_t seed : {1, 2, 3}) {
        SmbDirectory dir(3, 8, KeyedHash::from_seed(seed));
        for (std::uint64_t sid = 1; sid <= 5; ++sid) dir.set_username(server(9), sid, "u" + std::to_string(sid));
        EXPECT_EQ(dir.evictions(), 2u);
        EXPECT_EQ(dir.username(server(9), 1), "");
        EXPECT_EQ(dir.username(server(9), 2), "");
        EXPECT_EQ(dir.username(server(9), 3), "u3");
        EXPECT_EQ(dir.username(server(9), 5), "u5");
    }
}

}  // namespace
}  // namespace sw::smb
