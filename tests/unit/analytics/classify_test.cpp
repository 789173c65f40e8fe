// Archive names, archive content, admin shares and staging paths; the small
// pure helpers of staging analytics (text, baseline, peer window).
#include <gtest/gtest.h>

#include <cmath>

#include "analytics/baseline.h"
#include "analytics/file_classifier.h"
#include "analytics/peer_window.h"
#include "analytics/text_format.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using test::ip;

TEST(AnalyticsArchiveName, PlainExtensionsAnyCase) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_EQ(fc.archive_extension("x.zip"), "zip");
    EXPECT_EQ(fc.archive_extension("X.ZIP"), "zip");
    EXPECT_EQ(fc.archive_extension("Q3 Results.Rar"), "rar");
    EXPECT_EQ(fc.archive_extension("dir\\sub\\data.7z"), "7z");
    EXPECT_EQ(fc.archive_extension("dir/sub/data.7Z"), "7z");
    for (const char* e : {"tar", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "zst", "cab", "iso", "lzh", "arj"})
        EXPECT_EQ(fc.archive_extension(std::string("f.") + e), e) << e;
}

TEST(AnalyticsArchiveName, DoubleExtensionsReportTheLongest) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_EQ(fc.archive_extension("Backup.Tar.Gz"), "tar.gz");
    EXPECT_EQ(fc.archive_extension("b.tar.bz2"), "tar.bz2");
    EXPECT_EQ(fc.archive_extension("b.tar.xz"), "tar.xz");
    EXPECT_EQ(fc.archive_extension("b.notes.gz"), "gz");
}

TEST(AnalyticsArchiveName, SplitVolumes) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_EQ(fc.archive_extension("data.7z.001"), "7z.001");
    EXPECT_EQ(fc.archive_extension("DATA.ZIP.002"), "zip.002");
    EXPECT_EQ(fc.archive_extension("x.tar.gz.003"), "tar.gz.003");
    EXPECT_EQ(fc.archive_extension("data.z01"), "z01");
    EXPECT_EQ(fc.archive_extension("data.Z99"), "z99");
    EXPECT_EQ(fc.archive_extension("data.r00"), "r00");
    EXPECT_EQ(fc.archive_extension("data.part1.rar"), "rar");
    EXPECT_EQ(fc.archive_extension("data.PART01.RAR"), "rar");
    // A numbered piece of something that is not an archive is not one.
    EXPECT_EQ(fc.archive_extension("movie.001"), "");
    EXPECT_EQ(fc.archive_extension("report.2023"), "");
}

TEST(AnalyticsArchiveName, NotArchives) {
    FileClassifier fc{AnalyticsConfig{}};
    for (const char* n : {"report.docx", "zip", "notes.txt", "zipcodes.csv", "x.zipper", "x.r0", "x.z1",
                          "archive.zip\\readme.txt", "", ".", "a.", "x.7z.notes"})
        EXPECT_EQ(fc.archive_extension(n), "") << n;
}

TEST(AnalyticsArchiveName, TrailingDotsAndSpacesAreIgnoredAsWindowsDoes) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_EQ(fc.archive_extension("x.zip."), "zip");
    EXPECT_EQ(fc.archive_extension("x.zip . "), "zip");
}

TEST(AnalyticsArchiveName, ConfiguredListReplacesTheDefault) {
    AnalyticsConfig c;
    c.archive_extensions = {".BAK", "tar.lz4"};
    FileClassifier fc{c};
    EXPECT_EQ(fc.archive_extension("db.bak"), "bak");
    EXPECT_EQ(fc.archive_extension("x.TAR.LZ4"), "tar.lz4");
    EXPECT_EQ(fc.archive_extension("x.zip"), "");
    EXPECT_EQ(fc.archive_extension("db.bak.001"), "bak.001");
    // Zip and RAR volume names are recognised by their shape.
    EXPECT_EQ(fc.archive_extension("x.z01"), "z01");
}

TEST(AnalyticsArchiveContent, AliasesAndMimeTypes) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_EQ(fc.archive_content("zip"), "zip");
    EXPECT_EQ(fc.archive_content("ZIP"), "zip");
    EXPECT_EQ(fc.archive_content("application/x-7z-compressed"), "7z");
    EXPECT_EQ(fc.archive_content("gz"), "gzip");
    EXPECT_EQ(fc.archive_content("rar5"), "rar");
    EXPECT_EQ(fc.archive_content("pdf"), "");
    EXPECT_EQ(fc.archive_content(""), "");
    EXPECT_EQ(archive_mime_type("zip"), "application/zip");
    EXPECT_EQ(archive_mime_type("7z"), "application/x-7z-compressed");
    EXPECT_EQ(archive_mime_type("nothing"), "");

    AnalyticsConfig c;
    c.archive_content_types = {"zip"};
    FileClassifier only_zip{c};
    EXPECT_EQ(only_zip.archive_content("application/zip"), "zip");
    EXPECT_EQ(only_zip.archive_content("7z"), "");
}

TEST(AnalyticsArchiveContent, ContainerNames) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_TRUE(fc.is_container_name("Budget.XLSX"));
    EXPECT_TRUE(fc.is_container_name("dir\\app.jar"));
    EXPECT_FALSE(fc.is_container_name("x.zip"));
    EXPECT_FALSE(fc.is_container_name("holiday.jpg"));
    EXPECT_FALSE(fc.is_container_name("docx"));
}

TEST(AnalyticsShares, AdminAndHidden) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_TRUE(fc.is_admin_share("C$"));
    EXPECT_TRUE(fc.is_admin_share("admin$"));
    EXPECT_TRUE(fc.is_admin_share("stage$"));
    EXPECT_TRUE(fc.is_admin_share("\\\\FS01\\D$"));
    EXPECT_FALSE(fc.is_admin_share("IPC$"));
    EXPECT_FALSE(fc.is_admin_share("ipc$"));
    EXPECT_FALSE(fc.is_admin_share("data"));
    EXPECT_FALSE(fc.is_admin_share("$data"));
    EXPECT_FALSE(fc.is_admin_share(""));

    AnalyticsConfig c;
    c.admin_shares = {"C$", "ADMIN$"};
    c.admin_share_exceptions = {};
    FileClassifier strict{c};
    EXPECT_TRUE(strict.is_admin_share("c$"));
    EXPECT_FALSE(strict.is_admin_share("stage$"));
}

TEST(AnalyticsShares, StagingPaths) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_TRUE(fc.is_staging_path("C$", "Windows\\Temp\\x.zip"));
    EXPECT_TRUE(fc.is_staging_path("data", "temp\\a.zip"));
    EXPECT_TRUE(fc.is_staging_path("C$", "Users/Public/a.zip"));
    EXPECT_TRUE(fc.is_staging_path("Temp", "x.zip"));
    EXPECT_TRUE(fc.is_staging_path("C$", "ProgramData\\x.7z"));
    EXPECT_TRUE(fc.is_staging_path("C$", "Users\\bob\\AppData\\Local\\Temp\\x.7z"));
    EXPECT_TRUE(fc.is_staging_path("C$", "inetpub\\wwwroot\\x.zip"));
    EXPECT_TRUE(fc.is_staging_path("\\\\web01\\wwwroot", "x.zip"));
    // Whole components only: \Templates\ is not \Temp\.
    EXPECT_FALSE(fc.is_staging_path("data", "Templates\\a.zip"));
    EXPECT_FALSE(fc.is_staging_path("data", "a\\x.zip"));
    EXPECT_FALSE(fc.is_staging_path("data", "Temp"));

    AnalyticsConfig c;
    c.staging_paths = {"/drop/"};
    FileClassifier custom{c};
    EXPECT_TRUE(custom.is_staging_path("data", "DROP\\x"));
    EXPECT_FALSE(custom.is_staging_path("C$", "Windows\\Temp\\x.zip"));
}

TEST(AnalyticsShares, Wildcards) {
    EXPECT_TRUE(wildcard_match_ci("*$", "C$"));
    EXPECT_TRUE(wildcard_match_ci("back*", "BackupShare"));
    EXPECT_TRUE(wildcard_match_ci("a?c", "abc"));
    EXPECT_TRUE(wildcard_match_ci("*", ""));
    EXPECT_TRUE(wildcard_match_ci("a*b*c", "aXXbYYc"));
    EXPECT_FALSE(wildcard_match_ci("a*b", "ac"));
    EXPECT_FALSE(wildcard_match_ci("data", "data2"));
    EXPECT_FALSE(wildcard_match_ci("", "x"));
}

TEST(AnalyticsText, HumanBytes) {
    EXPECT_EQ(human_bytes(0), "0 B");
    EXPECT_EQ(human_bytes(999), "999 B");
    EXPECT_EQ(human_bytes(1000), "1.0 KB");
    EXPECT_EQ(human_bytes(1'234'567), "1.2 MB");
    EXPECT_EQ(human_bytes(1'200'000'000), "1.2 GB");
    EXPECT_EQ(human_bytes(999'960), "1.0 MB");  // not "1000.0 KB"
    EXPECT_EQ(human_bytes(36'000'000), "36.0 MB");
}

TEST(AnalyticsText, HumanSpan) {
    EXPECT_EQ(human_span(0), "under 1 s");
    EXPECT_EQ(human_span(999'999), "under 1 s");
    EXPECT_EQ(human_span(45 * kSecond), "45 s");
    EXPECT_EQ(human_span(59'600'000), "1 min");
    EXPECT_EQ(human_span(40 * kMinute), "40 min");
    EXPECT_EQ(human_span(120 * kMinute), "120 min");
    EXPECT_EQ(human_span(3 * 3600 * kSecond), "3.0 h");
}

// ------------------------------------------------------------- baseline

TEST(AnalyticsBaseline, AlphaFromHalfLife) {
    // After 60 one-minute intervals of weight (1 - alpha), half is left.
    double a = BaselineParams::alpha_for(kMinute, 3600 * kSecond);
    EXPECT_NEAR(std::pow(1 - a, 60), 0.5, 1e-12);
}

TEST(AnalyticsBaseline, WarmUpIsAPlainMeanAndNeverAlerts) {
    BaselineParams p;
    p.alpha = 0.1;
    p.warmup_intervals = 3;
    p.factor = 10;
    p.floor_bytes = 0;
    VolumeBaseline b;
    EXPECT_FALSE(b.observe(0, 100, p).anomaly);
    // A burst during warm-up is not an anomaly, whatever its size.
    auto v = b.observe(1, 1'000'000, p);
    EXPECT_FALSE(v.warmed);
    EXPECT_FALSE(v.anomaly);
    EXPECT_DOUBLE_EQ(b.value(), (100.0 + 1'000'000.0) / 2);
}

TEST(AnalyticsBaseline, AnomalyAfterWarmUpAndClippedUpdate) {
    BaselineParams p;
    p.alpha = 0.1;
    p.warmup_intervals = 3;
    p.factor = 10;
    p.floor_bytes = 1000;
    VolumeBaseline b;
    b.observe(0, 100, p);
    b.observe(1, 200, p);
    b.observe(2, 300, p);
    EXPECT_DOUBLE_EQ(b.value(), 200.0);
    // 2000 = 10 x 200 is not above it.
    auto v = b.observe(3, 2000, p);
    EXPECT_TRUE(v.warmed);
    EXPECT_FALSE(v.anomaly);
    EXPECT_DOUBLE_EQ(b.value(), 200.0 + 0.1 * (2000 - 200));  // 380
    v = b.observe(4, 5000, p);
    EXPECT_TRUE(v.anomaly);
    EXPECT_DOUBLE_EQ(v.baseline, 380.0);
    // The anomalous interval enters the baseline clipped to factor x baseline.
    EXPECT_DOUBLE_EQ(b.value(), 380.0 + 0.1 * (3800 - 380));
}

TEST(AnalyticsBaseline, FloorStopsTinyAnomalies) {
    BaselineParams p;
    p.alpha = 0.5;
    p.warmup_intervals = 1;
    p.factor = 10;
    p.floor_bytes = 10'000;
    VolumeBaseline b;
    b.observe(0, 10, p);
    EXPECT_FALSE(b.observe(1, 9'999, p).anomaly);  // 1000x, but under the floor
    VolumeBaseline c;
    c.observe(0, 10, p);
    EXPECT_TRUE(c.observe(1, 10'000, p).anomaly);
}

TEST(AnalyticsBaseline, IdleIntervalsCountAsZero) {
    BaselineParams p;
    p.alpha = 0.25;
    p.warmup_intervals = 4;
    p.factor = 10;
    p.floor_bytes = 0;
    VolumeBaseline b;
    b.observe(0, 300, p);
    // Intervals 1 and 2 idle: mean of (300, 0, 0) = 100 before interval 3.
    auto v = b.observe(3, 500, p);
    EXPECT_DOUBLE_EQ(v.baseline, 100.0);
    EXPECT_FALSE(v.warmed);
    EXPECT_DOUBLE_EQ(b.value(), (300.0 + 500.0) / 4);  // 200, four intervals
    // Intervals 4..9 idle (EWMA phase): 200 x 0.75^6, then compared.
    v = b.observe(10, 0, p);
    EXPECT_TRUE(v.warmed);
    EXPECT_NEAR(v.baseline, 200.0 * std::pow(0.75, 6), 1e-9);
    EXPECT_EQ(b.intervals(), 11u);
}

// ------------------------------------------------------------- peer window

Contribution contrib(Timestamp t, const char* peer, std::uint64_t bytes, std::uint8_t allowed = 0) {
    Contribution c;
    c.ts = t;
    c.peer = ip(peer);
    c.c.bytes = bytes;
    c.c.files = 1;
    c.allowed = allowed;
    return c;
}

TEST(AnalyticsPeerWindow, ExpiresOneWindowAfterTheStepStarts) {
    PeerWindow w(60 * kSecond, 16);  // steps of 1 s
    w.add(contrib(test::at(0.5), "10.0.0.1", 100));
    w.add(contrib(test::at(10), "10.0.0.2", 200));
    EXPECT_EQ(w.peers_all(), 2u);
    EXPECT_EQ(w.all().bytes, 300u);
    w.expire(test::at(59.999999));
    EXPECT_EQ(w.peers_all(), 2u);
    w.expire(test::at(60));  // step [0 s, 1 s) + 60 s
    EXPECT_EQ(w.peers_all(), 1u);
    EXPECT_EQ(w.all().bytes, 200u);
    EXPECT_FALSE(w.has_peer(ip("10.0.0.1")));
    EXPECT_TRUE(w.has_peer(ip("10.0.0.2")));
    w.expire(test::at(70));
    EXPECT_TRUE(w.empty());
    EXPECT_EQ(w.peers_all(), 0u);
    EXPECT_EQ(w.all().bytes, 0u);
    EXPECT_EQ(w.all().files, 0u);
}

TEST(AnalyticsPeerWindow, StepOfAWindowNotDivisibleBySixty) {
    PeerWindow w(90 * kSecond, 16);  // steps of 1.5 s
    EXPECT_EQ(w.step(), 1'500'000);
    EXPECT_FALSE(w.expired(test::at(1.6), test::at(91.499999)));
    EXPECT_TRUE(w.expired(test::at(1.6), test::at(91.5)));
}

TEST(AnalyticsPeerWindow, MergesAndSums) {
    PeerWindow w(60 * kSecond, 16);
    for (int i = 0; i < 1000; ++i) w.add(contrib(test::at(5 + i * 0.001), "10.0.0.1", 10));
    EXPECT_EQ(w.peers_all(), 1u);
    EXPECT_EQ(w.all().bytes, 10'000u);
    EXPECT_EQ(w.all().files, 1000u);
    EXPECT_EQ(w.peer_bytes(ip("10.0.0.1"), false), 10'000u);
    EXPECT_EQ(w.first_ts(), test::at(5));
    EXPECT_EQ(w.last_ts(), test::at(5.999));
}

TEST(AnalyticsPeerWindow, PeersOverTheCapStillCountAsOne) {
    PeerWindow w(60 * kSecond, 2);
    EXPECT_TRUE(w.add(contrib(test::at(1), "10.0.0.1", 100)));
    EXPECT_TRUE(w.add(contrib(test::at(1), "10.0.0.2", 100)));
    EXPECT_FALSE(w.add(contrib(test::at(2), "10.0.0.3", 100)));
    EXPECT_FALSE(w.add(contrib(test::at(2), "10.0.0.4", 100)));
    EXPECT_EQ(w.overflow(), 2u);
    EXPECT_EQ(w.peers_all(), 3u);  // two by name, the rest as one
    EXPECT_EQ(w.all().bytes, 400u);
    EXPECT_EQ(w.peers(false).size(), 2u);
    w.expire(test::at(62));
    EXPECT_EQ(w.overflow(), 0u);
    EXPECT_EQ(w.peers_all(), 0u);
}

TEST(AnalyticsPeerWindow, AllowListedContributionsAreKeptApart) {
    PeerWindow w(60 * kSecond, 16);
    w.add(contrib(test::at(1), "10.0.0.1", 100, kAllowPeer));
    w.add(contrib(test::at(1), "10.0.0.2", 50));
    w.add(contrib(test::at(2), "10.0.0.2", 25, kAllowTime));
    EXPECT_EQ(w.peers_all(), 2u);
    EXPECT_EQ(w.peers_eff(), 1u);
    EXPECT_EQ(w.all().bytes, 175u);
    EXPECT_EQ(w.eff().bytes, 50u);
    EXPECT_EQ(w.peer_bytes(ip("10.0.0.2"), true), 50u);
    EXPECT_EQ(w.peer_bytes(ip("10.0.0.2"), false), 75u);
    auto eff = w.peers(true);
    ASSERT_EQ(eff.size(), 1u);
    EXPECT_EQ(eff[0].addr, ip("10.0.0.2"));
}

TEST(AnalyticsPeerWindow, ZeroByteContributionsAreNotPeers) {
    PeerWindow w(60 * kSecond, 16);
    Contribution c = contrib(test::at(1), "10.0.0.1", 0);
    c.c.archives = 1;
    w.add(c);
    EXPECT_EQ(w.peers_all(), 0u);
    EXPECT_EQ(w.all().archives, 1u);
}

TEST(AnalyticsPeerWindow, LateContributionsStayInOrder) {
    PeerWindow w(60 * kSecond, 16);
    w.add(contrib(test::at(10), "10.0.0.1", 100));
    w.add(contrib(test::at(5), "10.0.0.2", 100));  // ended earlier, reported later
    // Counted in the latest step: it lives until 10 s + 60 s.
    w.expire(test::at(65));
    EXPECT_EQ(w.peers_all(), 2u);
    w.expire(test::at(70));
    EXPECT_TRUE(w.empty());
}

TEST(AnalyticsPeerWindow, PeersSortedByAddress) {
    PeerWindow w(60 * kSecond, 16);
    w.add(contrib(test::at(1), "10.0.0.20", 1));
    w.add(contrib(test::at(1), "10.0.0.3", 2));
    w.add(contrib(test::at(1), "9.0.0.1", 3));
    auto p = w.peers(false);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[0].addr, ip("9.0.0.1"));
    EXPECT_EQ(p[1].addr, ip("10.0.0.3"));
    EXPECT_EQ(p[2].addr, ip("10.0.0.20"));
}

}  // namespace
}  // namespace sw
