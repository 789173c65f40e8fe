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

Contribution lane(Contribution c, std::uint8_t l, std::uint32_t archives = 0, std::uint32_t hidden = 0) {
    c.lane = l;
    c.c.archives = c.c.archive_names = c.c.archive_contents = archives;
    c.c.hidden_writes = hidden;
    return c;
}

// Fan-in on a file server: a team folder written by three users, who also
// save a personal zip each into their home folders on a hidden share. Only
// the team folder is data being gathered: the archives and the hidden share
// are their own space's and leave the facts, a tool copied is software.
TEST(AnalyticsRoleWindow, TargetFactsLeaveOutOwnSpaceAndSoftware) {
    AnalyticsConfig cfg = window_cfg();
    cfg.min_bytes = 3 * MB;
    RoleWindow w(cfg, 16);
    const std::string team = "\\\\FS01\\Projects", home = "\\\\FS01\\home$";
    const char* users[] = {"alice", "bob", "carol"};
    for (int i = 0; i < 3; ++i) {
        const std::string peer = "10.0.0." + std::to_string(i + 1);
        const std::string user = std::string("CORP\\") + users[i];
        const std::string zip = std::string(users[i]) + "\\p.zip";
        w.add(contrib(at(i), peer.c_str(), MB), team, nullptr, {});
        w.add_place(ip(peer.c_str()), team, "Finance\\Budget.xlsx", user, false, at(i));
        w.add(lane(contrib(at(i + 10), peer.c_str(), 2 * MB), kLaneOwn, 1, 1), home, &zip, {});
        w.add_place(ip(peer.c_str()), home, zip, user, true, at(i + 10));
    }
    w.add(lane(contrib(at(20), "10.0.0.9", 4 * MB), kLaneSoftware), "\\\\FS01\\C$", nullptr, {});
    const RoleFacts f = w.facts(Role::target, true, false, cfg);
    EXPECT_EQ(f.peers, 3u);  // the admin who copied a tool is no source
    EXPECT_EQ(f.window.bytes, 3 * MB);
    EXPECT_EQ(f.window.files, 3u);
    EXPECT_EQ(f.window.archives, 0u);
    EXPECT_EQ(f.window.hidden_writes, 0u);
    EXPECT_TRUE(fan_holds(f, cfg));
    std::vector<PeerBytes> peers;
    const RoleWindow::Gathered g = w.gathered(Role::target, 0, true, &peers);
    ASSERT_EQ(peers.size(), 3u);
    EXPECT_EQ(peers[0].addr, ip("10.0.0.1"));
    EXPECT_EQ(peers[0].bytes, MB);
    EXPECT_EQ(g.own, 0u);
    EXPECT_EQ(g.software, 1u);
    // The raw window still has everything (staging.log's row).
    EXPECT_EQ(w.win.eff().bytes, 13 * MB);
    EXPECT_EQ(w.win.eff().archives, 3u);
    // Three hosts writing into one user's folder: it is no longer that user's
    // own space, so those writes are data again.
    const std::string z = "alice\\q.zip";
    w.add(lane(contrib(at(30), "10.0.0.2", MB), kLaneOwn, 1), home, &z, {});
    w.add_place(ip("10.0.0.2"), home, z, "CORP\\alice", true, at(30));
    w.add(lane(contrib(at(31), "10.0.0.3", MB), kLaneOwn, 1), home, &z, {});
    w.add_place(ip("10.0.0.3"), home, z, "CORP\\alice", true, at(31));
    // Every source now has an own folder three hosts wrote into: all five archives count.
    EXPECT_EQ(w.facts(Role::target, true, false, cfg).window.archives, 5u);
}

// One source filling one folder of its own (not named after its user) is
// no fan-in source, but what it wrote still speaks for itself: an archive
// into C$ keeps its file indicators on the host.
TEST(AnalyticsRoleWindow, APrivateSourcesOwnWritesStillScoreAsFiles) {
    AnalyticsConfig cfg = window_cfg();
    RoleWindow w(cfg, 16);
    const std::string cd = "\\\\WS1\\C$", z = "Windows\\Temp\\x.rar";
    for (int i = 0; i < 3; ++i) {
        Contribution c = lane(contrib(at(i), "10.0.0.1", MB), kLaneData, i == 0 ? 1 : 0);
        c.c.admin_writes = 1;
        w.add(c, cd, i == 0 ? &z : nullptr, {});
        w.add_place(ip("10.0.0.1"), cd, i == 0 ? z : "Windows\\Temp\\f" + std::to_string(i), "CORP\\adm", i == 0,
                    at(i));
    }
    ASSERT_TRUE(w.conv.is_private(ip("10.0.0.1")));
    const RoleFacts f = w.facts(Role::target, true, false, cfg);
    EXPECT_EQ(f.peers, 0u);
    EXPECT_EQ(f.window.bytes, 0u);
    EXPECT_EQ(f.kept_private.archives, 1u);
    EXPECT_EQ(f.kept_private.admin_writes, 3u);
    const IndicatorSet on = indicators(f, Role::target, cfg);
    EXPECT_TRUE(on[static_cast<std::size_t>(Indicator::archive_name)]);
    EXPECT_TRUE(on[static_cast<std::size_t>(Indicator::admin_share)]);
    EXPECT_FALSE(on[static_cast<std::size_t>(Indicator::fan_in)]);
    EXPECT_FALSE(on[static_cast<std::size_t>(Indicator::fan_in_archives)]);
    EXPECT_TRUE(w.has_file_marks());
}

// A workstation reads its roaming profile and home folder (its own files),
// a package from the distribution point (mostly software) and the team
// folder: one server of data, not a collector of three.
TEST(AnalyticsRoleWindow, CollectorFactsLeaveOutOwnFilesAndDeploymentServers) {
    AnalyticsConfig cfg = window_cfg();
    cfg.min_bytes = MB;
    RoleWindow w(cfg, 16);
    w.add(lane(contrib(at(1), "10.0.0.1", 2 * MB), kLaneOwn), "\\\\FS02\\profiles$", nullptr, {});
    w.add(lane(contrib(at(2), "10.0.0.2", 3 * MB), kLaneSoftware), "\\\\DIST\\software$", nullptr, {});
    w.add(contrib(at(3), "10.0.0.2", MB), "\\\\DIST\\software$", nullptr, {});  // setup.ini
    w.add(contrib(at(4), "10.0.0.3", 2 * MB), "\\\\FS01\\Projects", nullptr, {});
    RoleFacts f = w.facts(Role::collector, true, false, cfg);
    EXPECT_EQ(f.peers, 1u);
    EXPECT_EQ(f.window.bytes, 2 * MB);
    EXPECT_FALSE(pull_holds(f, cfg));
    std::vector<PeerBytes> servers;
    const RoleWindow::Gathered g = w.gathered(Role::collector, 0, true, &servers);
    EXPECT_EQ(g.own, 1u);
    EXPECT_EQ(g.software, 1u);
    ASSERT_EQ(servers.size(), 1u);
    EXPECT_EQ(servers[0].addr, ip("10.0.0.3"));
    // More data than software from the distribution point: a source of data
    // again, counted without its software.
    w.add(contrib(at(5), "10.0.0.2", 3 * MB), "\\\\DIST\\software$", nullptr, {});
    f = w.facts(Role::collector, true, false, cfg);
    EXPECT_EQ(f.peers, 2u);
    EXPECT_EQ(f.window.bytes, 6 * MB);
}

// Pulls found over a long horizon: a push back to a server read from hours
// ago is not onward, and pushes into the collector's own space are not pushes.
TEST(AnalyticsRoleWindow, OnwardPushesAreJudgedOverThePullsHorizon) {
    AnalyticsConfig cfg = window_cfg({{6 * 3600 * kSecond, 3, 3 * MB}});
    cfg.min_bytes = 3 * MB;
    RoleWindow w(cfg, 16);
    w.add(contrib(at(0), "10.0.0.1", MB), "", nullptr, {});
    w.add(contrib(at(3600), "10.0.0.2", MB), "", nullptr, {});
    w.add(contrib(at(7200), "10.0.0.3", MB), "", nullptr, {});
    w.expire(at(7300));
    EXPECT_TRUE(w.add_push(contrib(at(7300), "10.0.0.1", 2 * MB), nullptr, at(7300)));  // read 2 h ago
    const std::string z = "alice\\p.zip";
    EXPECT_TRUE(w.add_push(lane(contrib(at(7301), "10.0.0.1", MB), kLaneOwn, 1), &z, at(7301)));
    RoleFacts f = w.facts(Role::collector, true, false, cfg);
    EXPECT_EQ(f.horizon, 1u);
    EXPECT_TRUE(pull_holds(f, cfg));
    EXPECT_EQ(f.pushes.bytes, 2 * MB);
    EXPECT_EQ(f.pushes.archives, 0u);
    EXPECT_EQ(f.onward_bytes, 0u);
    EXPECT_FALSE(indicators(f, Role::collector, cfg)[static_cast<std::size_t>(Indicator::pull_then_push)]);
    EXPECT_TRUE(w.add_push(contrib(at(7302), "10.0.0.99", 2 * MB), nullptr, at(7302)));
    f = w.facts(Role::collector, true, false, cfg);
    EXPECT_EQ(f.onward_bytes, 2 * MB);
    EXPECT_TRUE(indicators(f, Role::collector, cfg)[static_cast<std::size_t>(Indicator::pull_then_push)]);
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

// A longer horizon gathers on its own once the shorter window dropped
// something (before that both hold the same contributions).
TEST(AnalyticsRoleWindow, ALongerHorizonKeepsWhatTheWindowDropped) {
    AnalyticsConfig cfg = window_cfg({{3600 * kSecond, 3, 3 * MB}});
    cfg.min_bytes = 3 * MB;
    RoleWindow w(cfg, 16);  // 10 min window, 1 h horizon
    w.add(contrib(at(0), "10.0.0.1", MB), "", nullptr, {});
    w.add(contrib(at(60), "10.0.0.2", MB), "", nullptr, {});
    RoleFacts f = w.facts(Role::target, true, false, cfg);
    EXPECT_EQ(f.horizon, 0u);  // nothing holds: the first horizon's facts
    EXPECT_EQ(f.peers, 2u);
    EXPECT_EQ(f.window.bytes, 2 * MB);
    w.expire(at(610));  // 10.0.0.1 leaves the 10 min window only
    w.add(contrib(at(620), "10.0.0.3", MB), "", nullptr, {});
    f = w.facts(Role::target, true, false, cfg);
    EXPECT_EQ(f.horizon, 1u);  // fan-in holds over the hour: 3 sources, 3 MB
    EXPECT_EQ(f.peers, 3u);
    EXPECT_EQ(f.window.bytes, 3 * MB);
    EXPECT_EQ(w.gathered(Role::target, 0, true).n, 2u);
}

// A row refilled in place (the pending row of a period) equals a fresh one;
// names are kept (names=false) only while they did not change.
TEST(AnalyticsRoleWindow, ARowRefilledInPlaceEqualsAFreshOne) {
    AnalyticsConfig cfg = window_cfg();
    RoleWindow w(cfg, 16);
    w.period = kT0 / (10 * kMinute);
    const std::string a = "a_long_archive_name_0001.zip", b = "b.zip";
    const std::string s1 = "\\\\FS\\share_with_a_long_name", s2 = "\\\\FS\\b";
    w.add(contrib(at(1), "10.0.0.2", MB), s1, &a, {});
    StagingRow row;
    w.fill_row(row, Role::target, at(1), 10 * kMinute);
    EXPECT_TRUE(w.names_changed);
    w.names_changed = false;
    w.add(contrib(at(2), "10.0.0.1", MB), s1, &a, {});
    EXPECT_FALSE(w.names_changed);  // same names, later times
    w.fill_row(row, Role::target, at(2), 10 * kMinute, 0, false);
    w.add(contrib(at(3), "10.0.0.3", MB), s2, &b, {});
    EXPECT_TRUE(w.names_changed);
    w.fill_row(row, Role::target, at(3), 10 * kMinute, 0, true);
    StagingRow fresh;
    w.fill_row(fresh, Role::target, at(3), 10 * kMinute);
    ASSERT_EQ(row.peers.size(), 3u);
    EXPECT_EQ(row.peers[0].addr, ip("10.0.0.1"));
    EXPECT_EQ(row.bytes, 3 * MB);
    EXPECT_EQ(row.archive_names, (std::vector<std::string>{a, b}));
    EXPECT_EQ(row.shares, (std::vector<std::string>{s2, s1}));
    EXPECT_EQ(row.archive_names, fresh.archive_names);
    EXPECT_EQ(row.shares, fresh.shares);
    ASSERT_EQ(row.peers.size(), fresh.peers.size());
    for (std::size_t i = 0; i < row.peers.size(); ++i) {
        EXPECT_EQ(row.peers[i].addr, fresh.peers[i].addr);
        EXPECT_EQ(row.peers[i].bytes, fresh.peers[i].bytes);
    }
    EXPECT_EQ(row.window_start, fresh.window_start);
    EXPECT_FALSE(row.pushed_bytes);
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
