// Notice text: every notice's fields and English msg/sub from plain facts.
// Strings are written out by hand from the rules (README "Detection").
#include <gtest/gtest.h>

#include "analytics/notice_text.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

Assessment with(std::initializer_list<Indicator> l, Role r, const AnalyticsConfig& cfg = {}) {
    IndicatorSet on{};
    for (Indicator i : l) on[static_cast<std::size_t>(i)] = true;
    return assess(on, r, cfg);
}

TEST(AnalyticsNoticeText, HumanSpan) {
    EXPECT_EQ(human_span(0), "under 1 s");
    EXPECT_EQ(human_span(999'999), "under 1 s");
    EXPECT_EQ(human_span(45 * kSecond), "45 s");
    EXPECT_EQ(human_span(59'600'000), "1 min");
    EXPECT_EQ(human_span(40 * kMinute), "40 min");
    EXPECT_EQ(human_span(120 * kMinute), "120 min");
    EXPECT_EQ(human_span(3 * 3600 * kSecond), "3.0 h");
}

TEST(AnalyticsNoticeText, IndicatorListUsesTheConfiguredWeights) {
    AnalyticsConfig cfg;
    cfg.weights[static_cast<std::size_t>(Indicator::staging_path)] = 7;
    const Assessment a = with({Indicator::staging_path, Indicator::archive_name}, Role::target, cfg);
    EXPECT_EQ(indicator_list(a, cfg), "archive_name:15, staging_path:7");  // Indicator order
    EXPECT_EQ(indicator_list(Assessment{}, cfg), "");
}

TEST(AnalyticsNoticeText, FanInListsTwentySourcesAndCountsTheRest) {
    AnalyticsConfig cfg;
    ConnId id = conn("10.0.1.22", 5000, "10.0.0.9", 445, "Cx");
    WindowFacts w;
    w.ts = at(300);
    w.conn = &id;
    w.host = ip("10.0.0.9");
    for (int i = 1; i <= 22; ++i) w.peers.push_back({ip(("10.0.1." + std::to_string(i)).c_str()), 2 * MB});
    w.n = 22;
    w.c.bytes = 44 * MB;
    w.c.ssh_bytes = 4 * MB;
    w.c.enc_bytes = 1'500'000;
    w.span = 299 * kSecond;
    w.shares = {"\\\\FS01\\a", "\\\\FS01\\b"};
    const Assessment a = with({Indicator::fan_in, Indicator::ssh_upload}, Role::target, cfg);
    const Notice n = fan_in_notice(w, a, cfg);
    EXPECT_EQ(n.note, NoteType::fan_in);
    EXPECT_EQ(n.ts, at(300));
    ASSERT_TRUE(n.conn);
    EXPECT_EQ(n.conn->uid(), "Cx");
    EXPECT_EQ(n.dst, ip("10.0.0.9"));
    EXPECT_FALSE(n.src);
    EXPECT_EQ(n.n, 22u);
    EXPECT_EQ(n.sources.size(), 22u);
    EXPECT_EQ(n.bytes, 44 * MB);
    EXPECT_EQ(n.score, 45u);
    EXPECT_EQ(n.severity, Severity::medium);
    EXPECT_EQ(n.detection_type, "FanInVolume");
    EXPECT_EQ(n.msg,
              "10.0.0.9 received 44.0 MB from 22 hosts in 5 min on \\\\FS01\\a and \\\\FS01\\b, 4.0 MB by SSH "
              "upload, 1.5 MB as encrypted SMB3");
    std::string sources;
    for (int i = 1; i <= 20; ++i) sources += (i > 1 ? ", 10.0.1." : "10.0.1.") + std::to_string(i) + " 2.0 MB";
    EXPECT_EQ(n.sub, "sources: " + sources + " and 2 more; indicators: fan_in:30, ssh_upload:15");
    EXPECT_EQ(n.mitre, std::vector<std::string>{"T1074.002"});
    EXPECT_EQ(n.suppress_for, cfg.suppress_for);
}

TEST(AnalyticsNoticeText, PullThenPushNamesWhereItWent) {
    AnalyticsConfig cfg;
    WindowFacts w;
    w.ts = at(600);
    w.host = ip("10.0.0.50");
    w.peers = {{ip("10.0.0.1"), 10 * MB}, {ip("10.0.0.2"), 10 * MB}, {ip("10.0.0.3"), 10 * MB}};
    w.n = 3;
    w.c.bytes = 30 * MB;
    w.span = 3600 * kSecond;
    w.archives = {"l.zip"};
    w.pushed.bytes = 5 * MB;
    w.pushed.archives = 1;
    w.push_targets = {ip("10.0.0.99"), ip("10.0.0.98")};
    const Assessment a =
        with({Indicator::pull_collector, Indicator::pull_then_push, Indicator::archive_name}, Role::collector, cfg);
    const Notice n = pull_notice(w, a, cfg);
    EXPECT_EQ(n.note, NoteType::pull_collector);
    EXPECT_FALSE(n.conn);
    EXPECT_EQ(n.src, ip("10.0.0.50"));
    EXPECT_FALSE(n.dst);
    EXPECT_EQ(n.archives, std::vector<std::string>{"l.zip"});
    EXPECT_EQ(n.score, 70u);
    EXPECT_EQ(n.severity, Severity::high);
    EXPECT_EQ(n.detection_type, "PullThenPush");
    EXPECT_EQ(n.msg,
              "10.0.0.50 pulled 30.0 MB from 3 servers in 60 min, then pushed 5.0 MB (1 archive) to 10.0.0.99 and "
              "10.0.0.98");
    EXPECT_EQ(n.sub,
              "servers: 10.0.0.1 10.0 MB, 10.0.0.2 10.0 MB, 10.0.0.3 10.0 MB; indicators: pull_collector:30, "
              "pull_then_push:25, archive_name:15");
    EXPECT_EQ(n.mitre, (std::vector<std::string>{"T1039", "T1074.002"}));

    // Without the push indicator the push is not mentioned.
    const Notice p = pull_notice(w, with({Indicator::pull_collector}, Role::collector, cfg), cfg);
    EXPECT_EQ(p.msg, "10.0.0.50 pulled 30.0 MB from 3 servers in 60 min");
    EXPECT_EQ(p.detection_type, "PullCollector");
}

TEST(AnalyticsNoticeText, FileNotices) {
    AnalyticsConfig cfg;
    const ConnId id = conn("10.0.0.1", 49001, "10.0.0.9", 445, "C1");
    SmbFileEvent f = smb_write(at(60), id, "\\\\FS01\\c$", "Temp\\x.dat", 3 * MB, "zip", "Fm");
    WriteFacts wf;
    wf.f = &f;
    wf.share_path = "\\\\FS01\\c$";
    wf.content = "zip";
    wf.content_hit = wf.masquerade = wf.admin = wf.staging_path = true;
    const Assessment a = with({Indicator::archive_content, Indicator::masquerade, Indicator::admin_share,
                               Indicator::staging_path},
                              Role::target, cfg);
    const Notice m = file_notice(wf, ip("10.0.0.1"), ip("10.0.0.9"), id, at(61), a, cfg);
    EXPECT_EQ(m.note, NoteType::archive_masquerade);
    EXPECT_EQ(m.ts, at(61));
    EXPECT_EQ(m.fuid, "Fm");
    EXPECT_EQ(m.file_mime_type, "application/zip");
    EXPECT_EQ(m.file_desc, "\\\\FS01\\c$\\Temp\\x.dat");
    EXPECT_EQ(m.score, 65u);  // 10 + 30 + 15 + 10
    EXPECT_EQ(m.detection_type, "ArchiveMasquerade");
    EXPECT_EQ(m.msg,
              "10.0.0.1 wrote zip archive content named Temp\\x.dat (3.0 MB) to \\\\FS01\\c$ (admin share, "
              "staging path)");
    EXPECT_EQ(m.sub, "content: zip; user: LAB\\alice; indicators: archive_content:10, masquerade:30, "
                     "admin_share:15, staging_path:10");
    EXPECT_EQ(m.mitre, (std::vector<std::string>{"T1036", "T1074.002", "T1560"}));

    // A rename to an archive name without data, on a share-less handle.
    SmbFileEvent r = smb_write(at(90), id, "", "b.7z", 0);
    r.prev_name = "b.txt";
    r.size = 2 * MB;
    r.username.clear();
    WriteFacts rf;
    rf.f = &r;
    rf.name_hit = rf.renamed = true;
    rf.archive_ext = "7z";
    const Notice n = file_notice(rf, ip("10.0.0.1"), ip("10.0.0.9"), id, at(90),
                                 with({Indicator::archive_name}, Role::target, cfg), cfg);
    EXPECT_EQ(n.note, NoteType::archive_write);
    EXPECT_EQ(n.file_desc, "b.7z");
    EXPECT_EQ(n.file_mime_type, "");
    EXPECT_EQ(n.bytes, 2 * MB);  // the file's size when nothing was written
    EXPECT_EQ(n.msg, "10.0.0.1 renamed b.txt to archive b.7z on 10.0.0.9");
    EXPECT_EQ(n.sub, "renamed from: b.txt; indicators: archive_name:15");
    EXPECT_EQ(n.mitre, (std::vector<std::string>{"T1074.002", "T1560"}));
}

TEST(AnalyticsNoticeText, VolumeAnomaly) {
    AnalyticsConfig cfg;
    cfg.volume_interval = 5 * kMinute;
    cfg.baseline_factor = 2.5;
    const Assessment a = with({Indicator::volume_anomaly}, Role::target, cfg);
    Notice n = anomaly_notice(ip("10.0.0.9"), at(600), 300 * MB, 2'000'000.4, 12, a, cfg);
    EXPECT_EQ(n.note, NoteType::volume_anomaly);
    EXPECT_EQ(n.ts, at(600));
    EXPECT_EQ(n.dst, ip("10.0.0.9"));
    EXPECT_EQ(n.bytes, 300 * MB);
    EXPECT_EQ(n.score, 20u);
    EXPECT_EQ(n.detection_type, "VolumeAnomaly");
    EXPECT_EQ(n.msg, "10.0.0.9 received 300.0 MB in 5 min, 150x its usual 2.0 MB per 5 min");
    EXPECT_EQ(n.sub, "larger than normal volume: baseline.factor 2.5, baseline over 12 intervals; indicators: "
                     "volume_anomaly:20");
    // A baseline under one byte has no meaningful ratio.
    n = anomaly_notice(ip("10.0.0.9"), at(600), 300 * MB, 0.2, 12, a, cfg);
    EXPECT_EQ(n.msg, "10.0.0.9 received 300.0 MB in 5 min, far above its usual 0 B per 5 min");
}

}  // namespace
}  // namespace sw
