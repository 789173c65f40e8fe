// Convergence: private (per-user) space against many sources converging on
// one directory; path helpers; expiry with the horizon; bounded tables.
#include "analytics/convergence.h"

#include <gtest/gtest.h>

#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

const std::string kHome = "\\\\FS01\\home$";
const std::string kStage = "\\\\FS01\\stage$";

Convergence make(std::uint32_t min_sources = 3) {
    return Convergence(3600 * kSecond, 16, min_sources, KeyedHash::from_seed(3));
}

TEST(AnalyticsConvergence, PathHelpers) {
    EXPECT_EQ(Convergence::top_folder("alice\\Documents\\x.zip"), "alice");
    EXPECT_EQ(Convergence::top_folder("\\alice/x.zip"), "alice");
    EXPECT_EQ(Convergence::top_folder("x.zip"), "");
    EXPECT_EQ(Convergence::dir_of("a\\b\\x.zip"), "a\\b");
    EXPECT_EQ(Convergence::dir_of("x.zip"), "");
    EXPECT_EQ(Convergence::user_of("CORP\\alice"), "alice");
    EXPECT_EQ(Convergence::user_of("bob@corp.example"), "bob");
    EXPECT_EQ(Convergence::user_of("carol"), "carol");
}

TEST(AnalyticsConvergence, AFolderNamedAfterTheUserIsPrivateAtOnce) {
    Convergence c = make();
    c.add(ip("10.0.0.1"), kHome, "Alice\\Documents\\a.zip", "CORP\\alice", true, at(10));
    EXPECT_TRUE(c.is_private(ip("10.0.0.1")));
    // The user's second machine writes there too: still the user's space.
    c.add(ip("10.0.0.2"), kHome, "alice\\Desktop\\b.zip", "CORP\\alice", true, at(20));
    EXPECT_TRUE(c.is_private(ip("10.0.0.1")));
    EXPECT_TRUE(c.is_private(ip("10.0.0.2")));
    // A third host in one user's folder is no longer one user's habit.
    c.add(ip("10.0.0.3"), kHome, "alice\\c.zip", "CORP\\alice", true, at(30));
    EXPECT_FALSE(c.is_private(ip("10.0.0.1")));
    EXPECT_EQ(c.private_count(), 0u);
    EXPECT_FALSE(c.converged());  // three different directories, one archive each
}

TEST(AnalyticsConvergence, AShareNamedAfterTheUserIsPrivate) {
    Convergence c = make();
    c.add(ip("10.0.0.1"), "\\\\FS01\\bob$", "x.zip", "CORP\\bob", true, at(10));
    EXPECT_TRUE(c.is_private(ip("10.0.0.1")));
    c.add(ip("10.0.0.2"), "\\\\FS01\\bob$", "y.zip", "CORP\\eve", true, at(10));
    EXPECT_FALSE(c.is_private(ip("10.0.0.2")));  // not eve's share, and bob writes there too
}

TEST(AnalyticsConvergence, ARoamingProfileFolderIsNamedAfterItsUser) {
    EXPECT_TRUE(Convergence::named_after("alice", "alice"));
    EXPECT_TRUE(Convergence::named_after("Alice.V6", "alice"));
    EXPECT_TRUE(Convergence::named_after("alice.v2", "ALICE"));
    EXPECT_FALSE(Convergence::named_after("alice.V", "alice"));
    EXPECT_FALSE(Convergence::named_after("alice.Vx", "alice"));
    EXPECT_FALSE(Convergence::named_after("alice.old", "alice"));
    EXPECT_FALSE(Convergence::named_after("alice2", "alice"));
    EXPECT_FALSE(Convergence::named_after("al", "alice"));
    EXPECT_FALSE(Convergence::named_after("alice", ""));
}

// Folder redirection, the home drive and the roaming profile put one user's
// writes below three folders on one server, all named after the user.
TEST(AnalyticsConvergence, OwnFoldersOnSeveralSharesArePrivate) {
    Convergence c = make();
    const IpAddr a = ip("10.0.0.1");
    c.add(a, kHome, "alice\\Documents\\photos.zip", "CORP\\alice", true, at(10));
    c.add(a, "\\\\FS01\\users$", "alice\\notes.txt", "CORP\\alice", false, at(20));
    c.add(a, "\\\\FS01\\profiles$", "alice.V6\\NTUSER.DAT", "CORP\\alice", false, at(30));
    EXPECT_TRUE(c.is_private(a));
    // A team folder is not the user's own.
    c.add(a, "\\\\FS01\\Projects", "Finance\\Budget.xlsx", "CORP\\alice", false, at(40));
    EXPECT_FALSE(c.is_private(a));
}

// A user who writes to a team folder is not private, but the folders named
// after them are still their own space (their writes there are not gathered
// data) until hosts enough to make a fan-in write into one of them.
TEST(AnalyticsConvergence, OwnSpaceStaysPrivateWhenTheSourceAlsoWritesElsewhere) {
    Convergence c = make();
    const IpAddr a = ip("10.0.0.1");
    EXPECT_FALSE(c.own_space_private(a));  // unknown source
    c.add(a, "\\\\FS01\\Projects", "Finance\\Budget.xlsx", "CORP\\alice", false, at(5));
    EXPECT_FALSE(c.own_space_private(a));  // no own folder yet
    c.add(a, kHome, "alice\\Documents\\photos.zip", "CORP\\alice", true, at(10));
    c.add(a, "\\\\FS01\\profiles$", "alice.V6\\NTUSER.DAT", "CORP\\alice", false, at(20));
    EXPECT_FALSE(c.is_private(a));
    EXPECT_TRUE(c.own_space_private(a));
    c.add(ip("10.0.0.2"), kHome, "alice\\x.zip", "CORP\\alice", true, at(30));
    EXPECT_TRUE(c.own_space_private(a));  // the user's second machine
    c.add(ip("10.0.0.3"), kHome, "alice\\y.zip", "CORP\\alice", true, at(40));
    EXPECT_FALSE(c.own_space_private(a));  // three hosts converge on "alice"
}

// A user's folders written yesterday leave with the horizon while the user
// (writing to the team folder since) is still known: the folders still
// written stay the user's own space.
TEST(AnalyticsConvergence, AnOwnFolderThatLeftTheHorizonDoesNotEndTheSpace) {
    Convergence c = make();  // 1 h horizon
    const IpAddr a = ip("10.0.0.1");
    c.add(a, "\\\\FS01\\users$", "alice\\notes.txt", "CORP\\alice", false, at(0));
    c.add(a, "\\\\FS01\\Projects", "Finance\\Budget.xlsx", "CORP\\alice", false, at(3000));
    c.add(a, kHome, "alice\\p.zip", "CORP\\alice", true, at(3500));
    c.expire(at(3700));  // users$\alice (last write at 0) has left
    EXPECT_TRUE(c.own_space_private(a));
    c.expire(at(7200));  // everything has left: the source is forgotten
    EXPECT_FALSE(c.own_space_private(a));
}

// Expiry runs only when the oldest time kept is due, and after a sweep the
// next one is due at the oldest time left (not at the latest write).
TEST(AnalyticsConvergence, ExpiryIsDueAtTheOldestTimeKept) {
    Convergence c = make();  // 1 h horizon, 3 sources converge
    c.add(ip("10.0.0.1"), kStage, "collect\\a.zip", "CORP\\u1", true, at(0));
    c.add(ip("10.0.0.2"), kStage, "collect\\b.zip", "CORP\\u2", true, at(1000));
    c.add(ip("10.0.0.3"), kStage, "collect\\c.zip", "CORP\\u3", true, at(2000));
    Convergence::Place p;
    ASSERT_TRUE(c.converged(&p));
    EXPECT_EQ(p.path, kStage + "\\collect");
    EXPECT_EQ(p.sources, 3u);
    c.expire(at(3599.999999));
    EXPECT_TRUE(c.converged());
    c.expire(at(3600));  // 10.0.0.1's write (at 0) has left
    EXPECT_FALSE(c.converged());
    c.add(ip("10.0.0.1"), kStage, "collect\\d.zip", "CORP\\u1", true, at(4000));
    ASSERT_TRUE(c.converged(&p));
    EXPECT_EQ(p.sources, 3u);
    c.expire(at(4599.999999));
    EXPECT_TRUE(c.converged());
    c.expire(at(4600));  // 10.0.0.2's write (at 1000): due although 10.0.0.1 wrote at 4000
    EXPECT_FALSE(c.converged());
    EXPECT_FALSE(c.empty());
    c.expire(at(7600));  // 10.0.0.1 (4000) and 10.0.0.3 (2000) have left too
    EXPECT_TRUE(c.empty());
    c.expire(at(9000));  // nothing kept: nothing due
    EXPECT_TRUE(c.empty());
}

// A refreshed time keeps an entry (the bound is only a lower bound).
TEST(AnalyticsConvergence, ARefreshedWriteStaysPastTheFirstOnesHorizon) {
    Convergence c = make();
    const IpAddr a = ip("10.0.0.1");
    for (int i = 0; i < 3; ++i) c.add(a, kHome, "team\\f" + std::to_string(i), "CORP\\alice", false, at(i * 1000));
    EXPECT_TRUE(c.is_private(a));  // three writes into one folder nobody else writes to
    c.expire(at(3600));            // due (the first write at 0), but the folder was written at 2000
    EXPECT_TRUE(c.is_private(a));
    c.expire(at(5600));
    EXPECT_FALSE(c.is_private(a));
    EXPECT_TRUE(c.empty());
}

// privacy() answers both questions with one lookup, the same as each alone.
TEST(AnalyticsConvergence, PrivacyIsBothAnswers) {
    Convergence c = make();
    const IpAddr alice = ip("10.0.0.1"), bob = ip("10.0.0.2"), eve = ip("10.0.0.3");
    c.add(alice, kHome, "alice\\a.zip", "CORP\\alice", true, at(1));
    c.add(alice, "\\\\FS01\\Projects", "Finance\\b.xlsx", "CORP\\alice", false, at(2));
    c.add(bob, kHome, "bob\\x.txt", "CORP\\bob", false, at(3));
    const Convergence::Privacy pa = c.privacy(alice), pb = c.privacy(bob), pe = c.privacy(eve);
    EXPECT_FALSE(pa.is_private);  // also writes to the team folder
    EXPECT_TRUE(pa.own_space_private);
    EXPECT_TRUE(pb.is_private);
    EXPECT_TRUE(pb.own_space_private);
    EXPECT_FALSE(pe.is_private || pe.own_space_private);  // unknown
    for (const IpAddr& x : {alice, bob, eve}) {
        EXPECT_EQ(c.privacy(x).is_private, c.is_private(x));
        EXPECT_EQ(c.privacy(x).own_space_private, c.own_space_private(x));
    }
}

TEST(AnalyticsConvergence, InOwnSpace) {
    EXPECT_TRUE(Convergence::in_own_space(kHome, "Alice\\Documents\\x.zip", "CORP\\alice"));
    EXPECT_TRUE(Convergence::in_own_space("\\\\FS01\\profiles$", "alice.V6\\NTUSER.DAT", "alice@corp"));
    EXPECT_TRUE(Convergence::in_own_space("\\\\FS01\\alice$", "x.zip", "CORP\\alice"));
    EXPECT_FALSE(Convergence::in_own_space("\\\\FS01\\alice$", "x.zip", ""));
    EXPECT_FALSE(Convergence::in_own_space(kHome, "bob\\x.zip", "CORP\\alice"));
    EXPECT_FALSE(Convergence::in_own_space(kHome, "x.zip", "CORP\\alice"));  // share root of home$
    EXPECT_FALSE(Convergence::in_own_space("\\\\WS1\\C$", "Temp\\alice.7z", "CORP\\alice"));
}

TEST(AnalyticsConvergence, OwnFoldersAreBoundedAndEachMustStayTheUsers) {
    Convergence c = make();
    const IpAddr a = ip("10.0.0.1");
    for (std::size_t i = 0; i < Convergence::kMaxOwnFolders; ++i)
        c.add(a, "\\\\FS01\\s" + std::to_string(i) + "$", "alice\\x.zip", "CORP\\alice", true, at(i));
    EXPECT_TRUE(c.is_private(a));
    // Three hosts in one of its folders: that folder is no longer one user's.
    c.add(ip("10.0.0.2"), "\\\\FS01\\s0$", "alice\\y.zip", "CORP\\alice", true, at(10));
    EXPECT_TRUE(c.is_private(a));
    c.add(ip("10.0.0.3"), "\\\\FS01\\s0$", "alice\\z.zip", "CORP\\alice", true, at(11));
    EXPECT_FALSE(c.is_private(a));
    // One more own folder than kept ends privacy by name.
    Convergence d = make();
    for (std::size_t i = 0; i <= Convergence::kMaxOwnFolders; ++i)
        d.add(a, "\\\\FS01\\s" + std::to_string(i) + "$", "alice\\x.zip", "CORP\\alice", true, at(i));
    EXPECT_FALSE(d.is_private(a));
}

TEST(AnalyticsConvergence, TheSameOwnFolderEveryTimeIsPrivate) {
    Convergence c = make();
    const IpAddr a = ip("10.0.0.1");
    c.add(a, kHome, "ws1\\d1.docx", "LAB\\stagelab", false, at(10));
    c.add(a, kHome, "ws1\\d2.docx", "LAB\\stagelab", false, at(20));
    EXPECT_FALSE(c.is_private(a));  // two writes are not a habit yet
    c.add(a, kHome, "ws1\\p.zip", "LAB\\stagelab", true, at(30));
    EXPECT_TRUE(c.is_private(a));
    // Writing anywhere else ends it.
    c.add(a, kStage, "drop\\x.zip", "LAB\\stagelab", true, at(40));
    EXPECT_FALSE(c.is_private(a));
}

TEST(AnalyticsConvergence, AFolderSharedWithAnotherSourceIsNotPrivate) {
    Convergence c = make();
    for (int i = 0; i < 3; ++i)
        c.add(ip("10.0.0.1"), kStage, "collect\\a" + std::to_string(i) + ".7z", "", true, at(i));
    EXPECT_TRUE(c.is_private(ip("10.0.0.1")));
    c.add(ip("10.0.0.2"), kStage, "collect\\sub\\b.7z", "", true, at(10));
    EXPECT_FALSE(c.is_private(ip("10.0.0.1")));
    EXPECT_FALSE(c.is_private(ip("10.0.0.2")));
}

TEST(AnalyticsConvergence, ArchivesOfManySourcesInOneDirectory) {
    Convergence c = make();
    c.add(ip("10.0.0.1"), kStage, "collect\\a.7z", "", true, at(1));
    c.add(ip("10.0.0.2"), kStage, "COLLECT\\b.7z", "", true, at(2));  // case-insensitive
    c.add(ip("10.0.0.3"), kStage, "other\\c.7z", "", true, at(3));
    c.add(ip("10.0.0.3"), kStage, "collect\\notes.txt", "", false, at(4));  // not an archive
    Convergence::Place p;
    EXPECT_FALSE(c.converged(&p));
    c.add(ip("10.0.0.4"), kStage, "collect\\d.zip", "", true, at(5));
    ASSERT_TRUE(c.converged(&p));
    EXPECT_EQ(p.path, "\\\\FS01\\stage$\\collect");
    EXPECT_EQ(p.sources, 3u);
}

TEST(AnalyticsConvergence, EverythingLeavesWithTheHorizon) {
    Convergence c = make();
    for (int i = 1; i <= 3; ++i)
        c.add(ip(("10.0.0." + std::to_string(i)).c_str()), kStage, "x.7z", "", true, at(i));
    EXPECT_TRUE(c.converged());
    c.expire(at(3600 + 1.5));  // the first two writers are older than the horizon
    EXPECT_FALSE(c.converged());
    EXPECT_FALSE(c.empty());
    c.expire(at(3600 + 3));
    EXPECT_TRUE(c.empty());
}

TEST(AnalyticsConvergence, TablesAreBounded) {
    Convergence c(3600 * kSecond, 4, 3, KeyedHash::from_seed(3));
    for (int i = 0; i < 40; ++i) {
        const std::string dir = "d" + std::to_string(i) + "\\x.7z";
        c.add(ip(("10.0.1." + std::to_string(i)).c_str()), kStage, dir, "", true, at(i));
    }
    // Only the 4 most recent sources are remembered; the oldest is private no more (unknown).
    EXPECT_FALSE(c.is_private(ip("10.0.1.0")));
    EXPECT_FALSE(c.converged());
    // Many writers to one directory saturate the writer list, still counted.
    for (int i = 0; i < 12; ++i)
        c.add(ip(("10.0.2." + std::to_string(i)).c_str()), kStage, "all\\y.7z", "", true, at(100));
    Convergence::Place p;
    ASSERT_TRUE(c.converged(&p));
    EXPECT_EQ(p.sources, 12u);
}

}  // namespace
}  // namespace sw
