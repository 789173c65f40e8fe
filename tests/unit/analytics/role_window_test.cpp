// RoleWindow: contributions with their shares, archive names and allow-list
// reasons; pruning as the window slides; facts for scoring (with the onward
// bytes of a collector); the row's window part; the report period.
#include <gtest/gtest.h>

#include "analytics/role_window.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

Contribution contrib(Timestamp t, const char* peer, std::uint64_t bytes, std::uint8_t allowed = 0) {
    Contribution c;
    c.ts = t;
    c.peer = ip(peer);
    c.c.bytes = bytes;
    c.c.smb_bytes = bytes;
    c.c.files = 1;
    c.allowed = allowed;
    return c;
}

AnalyticsConfig window_cfg(std::vector<Horizon> longer = {}) {
    AnalyticsConfig c;
    c.window = 10 * kMinute;
    c.long_windows = std::move(longer);
    c.hash = KeyedHash::from_seed(1);
    return c;
}

RoleWindow make() { return RoleWindow(window_cfg(), 16); }

TEST(AnalyticsRoleWindow, NamesAreKeptOnceWithTheirLatestTime) {
    RoleWindow w = make();
    const std::string a = "a.zip", b = "b.zip";
    EXPECT_TRUE(w.add(contrib(at(10), "10.0.0.1", MB), "\\\\FS\\x", &a, {}));
    EXPECT_TRUE(w.add(contrib(at(20), "10.0.0.2", MB, kAllowShare), "\\\\FS\\x", &b, {"share:x"}));
    EXPECT_TRUE(w.add(contrib(at(30), "10.0.0.2", MB, kAllowShare), "\\\\FS\\y", nullptr, {"share:y"}));
    ASSERT_EQ(w.shares.size(), 2u);
    EXPECT_EQ(w.shares[0].text, "\\\\FS\\x");
    EXPECT_EQ(w.shares[0].ts, at(20));
    EXPECT_FALSE(w.shares[0].allowed);  // also seen in traffic no allow-list matched
    EXPECT_TRUE(w.shares[1].allowed);
    EXPECT_EQ(w.unallowed(w.shares), std::vector<std::string>{"\\\\FS\\x"});
    EXPECT_EQ(w.unallowed(w.archive_names), std::vector<std::string>{"a.zip"});
    ASSERT_EQ(w.allowed_reasons.size(), 2u);
    EXPECT_EQ(w.allowed_reasons[1].text, "share:y");
    EXPECT_EQ(w.win.all().bytes, 3 * MB);
    EXPECT_EQ(w.win.eff().bytes, MB);
}

TEST(AnalyticsRoleWindow, NamesLeaveWithTheWindow) {
    RoleWindow w = make();  // 10 min window, 10 s steps
    const std::string a = "a.zip", b = "b.zip";
    w.add(contrib(at(15), "10.0.0.1", MB), "\\\\FS\\x", &a, {});
    w.add(contrib(at(300), "10.0.0.2", MB, kAllowTime), "\\\\FS\\y", &b, {"time:t"});
    w.expire(at(609.999999));
    EXPECT_EQ(w.archive_names.size(), 2u);
    w.expire(at(610));  // a.zip's step (10 s) + 600 s
    ASSERT_EQ(w.archive_names.size(), 1u);
    EXPECT_EQ(w.archive_names[0].text, "b.zip");
    EXPECT_EQ(w.shares.size(), 1u);
    EXPECT_EQ(w.allowed_reasons.size(), 1u);
    w.expire(at(900));
    EXPECT_TRUE(w.archive_names.empty() && w.shares.empty() && w.allowed_reasons.empty());
    EXPECT_TRUE(w.idle());
}

TEST(AnalyticsRoleWindow, ArchiveNamesAreCapped) {
    RoleWindow w = make();
    for (int i = 0; i < 40; ++i) {
        const std::string n = "n" + std::to_string(i) + ".zip";
        w.add(contrib(at(i), "10.0.0.1", 1), "", &n, {});
    }
    ASSERT_EQ(w.archive_names.size(), RoleWindow::kMaxNames);
    EXPECT_EQ(w.archive_names.front().text, "n8.zip");  // the 8 oldest went
    EXPECT_TRUE(w.shares.empty());                      // no share path, no share
}

TEST(AnalyticsRoleWindow, CollectorFactsCountOnlyOnwardPushes) {
    AnalyticsConfig cfg;
    cfg.min_bytes = 3 * MB;
    RoleWindow w = make();
    w.add(contrib(at(1), "10.0.0.1", MB), "", nullptr, {});
    w.add(contrib(at(2), "10.0.0.2", MB), "", nullptr, {});
    w.add(contrib(at(3), "10.0.0.3", MB), "", nullptr, {});
    const std::string z = "l.zip";
    EXPECT_TRUE(w.add_push(contrib(at(4), "10.0.0.1", 5 * MB), nullptr, at(4)));  // back to a server
    EXPECT_TRUE(w.add_push(contrib(at(5), "10.0.0.99", 2 * MB), nullptr, at(5)));  // onward
    EXPECT_TRUE(w.add_push(contrib(at(6), "10.0.0.98", 7 * MB, kAllowPeer), nullptr, at(6)));  // allowed target
    RoleFacts all = w.facts(Role::collector, false, true, cfg);
    EXPECT_EQ(all.window.bytes, 3 * MB);
    EXPECT_EQ(all.peers, 3u);
    EXPECT_EQ(all.pushes.bytes, 14 * MB);
    EXPECT_EQ(all.onward_bytes, 9 * MB);
    EXPECT_TRUE(all.volume_anomaly);
    RoleFacts eff = w.facts(Role::collector, true, false, cfg);
    EXPECT_EQ(eff.pushes.bytes, 7 * MB);
    EXPECT_EQ(eff.onward_bytes, 2 * MB);
    // An archive among the pushes makes the onward bytes unneeded: not computed.
    Contribution archive = contrib(at(7), "10.0.0.1", 0);
    archive.c.archives = 1;
    EXPECT_TRUE(w.add_push(archive, &z, at(7)));
    EXPECT_EQ(w.facts(Role::collector, false, false, cfg).onward_bytes, 0u);
    EXPECT_EQ(w.archive_names.size(), 1u);
}

TEST(AnalyticsRoleWindow, RowPartAndPeriod) {
    RoleWindow w = make();
    w.period = kT0 / (10 * kMinute);
    const std::string b = "b.zip", a = "a.zip";
    w.add(contrib(at(30), "10.0.0.2", 2 * MB), "\\\\FS\\z", &b, {});
    w.add(contrib(at(20), "10.0.0.1", MB), "\\\\FS\\a", &a, {});
    StagingRow row;
    w.fill_row(row, Role::target, at(40), 10 * kMinute);
    EXPECT_EQ(row.period_start, kT0);
    EXPECT_EQ(row.window_start, at(30));  // a late contribution joins the latest step
    ASSERT_EQ(row.peers.size(), 2u);
    EXPECT_EQ(row.peers[0].addr, ip("10.0.0.1"));
    EXPECT_EQ(row.bytes, 3 * MB);
    EXPECT_EQ(row.files, 2u);
    EXPECT_EQ(row.archive_names, (std::vector<std::string>{"a.zip", "b.zip"}));
    EXPECT_EQ(row.shares, (std::vector<std::string>{"\\\\FS\\a", "\\\\FS\\z"}));
    EXPECT_FALSE(row.pushed_bytes);

    w.mark_suppressed({"target", "time:t"});
    w.mark_suppressed({"target"});
    w.note_raised(NoteType::fan_in);
    w.note_raised(NoteType::fan_in);
    EXPECT_EQ(w.suppressed_by, (std::vector<std::string>{"target", "time:t"}));
    EXPECT_EQ(w.notices, std::vector<std::string>{"Staging::Fan_In"});
    w.reset_period();
    EXPECT_FALSE(w.suppressed);
    EXPECT_TRUE(w.suppressed_by.empty() && w.notices.empty());
}

TEST(AnalyticsRoleWindow, GrowthSinceTheLastNotice) {
    RoleWindow w = make();
    w.add(contrib(at(1), "10.0.0.1", MB), "", nullptr, {});
    w.add(contrib(at(2), "10.0.0.2", MB), "", nullptr, {});
    w.notified_peers = ips({"10.0.0.1", "10.0.0.2"});
    w.notified_archives = 1;
    EXPECT_FALSE(w.grew(1));
    EXPECT_TRUE(w.grew(2));
    w.add(contrib(at(3), "10.0.0.3", MB, kAllowPeer), "", nullptr, {});
    EXPECT_FALSE(w.grew(1));  // an allow-listed source is no growth
    w.add(contrib(at(4), "10.0.0.4", MB), "", nullptr, {});
    EXPECT_TRUE(w.grew(1));
}

}  // namespace
}  // namespace sw
