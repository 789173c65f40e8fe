// Staging analytics on event sequences built in the test: every indicator,
// window sliding and expiry, de-duplication, suppression, baseline warm-up,
// scoring and labels. Expected values are worked out by hand from the
// documented rules (README "Detection"), not read back from the code.
#include <gtest/gtest.h>

#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

const std::string kData = "\\\\FS01\\data";
const std::string kStage = "\\\\FS01\\stage$";

// Three sources write 12 MB each to 10.0.0.9 at 60 s, 120 s, 180 s.
void three_writers(StagingAnalytics& a, const std::string& tree = kData, bool archives = false) {
    for (int i = 1; i <= 3; ++i) {
        std::string src = "10.0.0." + std::to_string(i);
        std::string uid = "C" + std::to_string(i);
        std::string name = archives ? "loot\\part" + std::to_string(i) + ".7z" : "q" + std::to_string(i) + "\\report.pdf";
        a.on_event(smb_write(at(60.0 * i), conn(src.c_str(), 49000 + i, "10.0.0.9", 445, uid.c_str()), tree, name,
                             12 * MB, archives ? "7z" : "pdf", "Fa" + std::to_string(i)));
    }
}

// ------------------------------------------------------------------ fan-in

TEST(AnalyticsFanIn, RaisedWhenSourcesAndBytesReachTheThresholds) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    a.on_event(smb_write(at(60), conn("10.0.0.1", 49001, "10.0.0.9", 445, "C1"), kData, "q1\\report.pdf", 12 * MB));
    a.on_event(smb_write(at(120), conn("10.0.0.2", 49002, "10.0.0.9", 445, "C2"), kData, "b.pdf", 12 * MB));
    EXPECT_TRUE(rec.notices.empty());
    a.on_event(smb_write(at(180), conn("10.0.0.3", 49003, "10.0.0.9", 445, "C3"), kData, "c.pdf", 12 * MB));
    ASSERT_EQ(rec.notices.size(), 1u);
    const Notice& n = rec.notices[0];
    EXPECT_EQ(n.note, NoteType::fan_in);
    EXPECT_EQ(n.ts, at(180));
    ASSERT_TRUE(n.conn);
    EXPECT_EQ(n.conn->uid(), "C3");
    EXPECT_EQ(n.dst, ip("10.0.0.9"));
    EXPECT_FALSE(n.src);
    EXPECT_EQ(n.p, 445);
    EXPECT_EQ(n.n, 3u);
    EXPECT_EQ(n.sources, ips({"10.0.0.1", "10.0.0.2", "10.0.0.3"}));
    EXPECT_EQ(n.bytes, 36 * MB);
    EXPECT_TRUE(n.archives.empty());
    EXPECT_EQ(n.score, 30u);
    EXPECT_EQ(n.severity, Severity::low);
    EXPECT_EQ(n.detection_type, "FanInVolume");
    EXPECT_EQ(n.msg, "10.0.0.9 received 36.0 MB from 3 hosts in 2 min on \\\\FS01\\data");
    EXPECT_EQ(n.sub,
              "sources: 10.0.0.1 12.0 MB, 10.0.0.2 12.0 MB, 10.0.0.3 12.0 MB; indicators: fan_in:30");
    EXPECT_EQ(n.mitre, std::vector<std::string>{"T1074.002"});
    EXPECT_EQ(n.suppress_for, 3600 * kSecond);

    a.finish();
    ASSERT_EQ(rec.staging.size(), 1u);
    const StagingRow& r = rec.staging[0];
    EXPECT_EQ(r.ts, at(180));
    EXPECT_EQ(r.host, ip("10.0.0.9"));
    EXPECT_EQ(r.role, Role::target);
    EXPECT_EQ(r.period_start, kT0);
    EXPECT_EQ(r.window_start, at(60));
    ASSERT_EQ(r.peers.size(), 3u);
    EXPECT_EQ(r.peers[1].addr, ip("10.0.0.2"));
    EXPECT_EQ(r.peers[1].bytes, 12 * MB);
    EXPECT_EQ(r.bytes, 36 * MB);
    EXPECT_EQ(r.smb_bytes, 36 * MB);
    EXPECT_EQ(r.files, 3u);
    EXPECT_EQ(r.archives, 0u);
    EXPECT_EQ(r.shares, std::vector<std::string>{kData});
    EXPECT_FALSE(r.pushed_bytes);
    EXPECT_EQ(r.score, 30u);
    EXPECT_EQ(r.detection_type, "FanInVolume");
    EXPECT_EQ(r.indicators, std::vector<std::string>{"fan_in:30"});
    EXPECT_EQ(r.notices, std::vector<std::string>{"Staging::Fan_In"});
    EXPECT_FALSE(r.suppressed);
}

TEST(AnalyticsFanIn, NotRaisedBelowTheByteThreshold) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    for (int i = 1; i <= 5; ++i) {
        std::string src = "10.0.0." + std::to_string(i);
        a.on_event(smb_write(at(10.0 * i), conn(src.c_str(), 50000, "10.0.0.9", 445, "C"), kData, "a.pdf", 5 * MB));
    }
    a.finish();
    EXPECT_TRUE(rec.notices.empty());  // 25 MB < 30 MB
    EXPECT_TRUE(rec.staging.empty());  // nothing scored
}

TEST(AnalyticsFanIn, NotRaisedBelowTheSourceThreshold) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    for (int i = 0; i < 4; ++i)
        a.on_event(smb_write(at(10.0 * i), conn(i % 2 ? "10.0.0.1" : "10.0.0.2", 50000, "10.0.0.9", 445, "C"), kData,
                             "a.pdf", 20 * MB));
    a.finish();
    EXPECT_TRUE(rec.notices.empty());
}

TEST(AnalyticsFanIn, AContributionExpiresOneWindowAfterItsStep) {
    for (double third : {599.9, 600.0}) {
        Recorder rec;
        StagingAnalytics a(test_config(), rec);  // 10 min window, 10 s steps
        a.on_event(smb_write(at(0), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), kData, "a", 12 * MB));
        a.on_event(smb_write(at(300), conn("10.0.0.2", 1, "10.0.0.9", 445, "C2"), kData, "b", 12 * MB));
        a.on_event(smb_write(at(third), conn("10.0.0.3", 1, "10.0.0.9", 445, "C3"), kData, "c", 12 * MB));
        EXPECT_EQ(rec.of(NoteType::fan_in).size(), third < 600 ? 1u : 0u) << third;
    }
}

TEST(AnalyticsFanIn, WindowSlides) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    a.on_event(smb_write(at(0), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), kData, "a", 12 * MB));
    a.on_event(smb_write(at(300), conn("10.0.0.2", 1, "10.0.0.9", 445, "C2"), kData, "b", 12 * MB));
    a.on_event(smb_write(at(650), conn("10.0.0.3", 1, "10.0.0.9", 445, "C3"), kData, "c", 12 * MB));
    EXPECT_TRUE(rec.notices.empty());  // 10.0.0.1 left the window at 600 s
    a.on_event(smb_write(at(700), conn("10.0.0.4", 1, "10.0.0.9", 445, "C4"), kData, "d", 12 * MB));
    ASSERT_EQ(rec.notices.size(), 1u);
    EXPECT_EQ(rec.notices[0].sources, ips({"10.0.0.2", "10.0.0.3", "10.0.0.4"}));
    EXPECT_EQ(rec.notices[0].bytes, 36 * MB);
    EXPECT_EQ(rec.notices[0].msg, "10.0.0.9 received 36.0 MB from 3 hosts in 7 min on \\\\FS01\\data");
}

TEST(AnalyticsFanIn, ArchivesToAHiddenShareMakeItHigh) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    three_writers(a, kStage, true);
    ASSERT_EQ(rec.notices.size(), 4u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(rec.notices[i].note, NoteType::archive_write) << i;

    const Notice& w = rec.notices[0];
    EXPECT_EQ(w.ts, at(60));
    EXPECT_EQ(w.src, ip("10.0.0.1"));
    EXPECT_EQ(w.dst, ip("10.0.0.9"));
    EXPECT_EQ(w.fuid, "Fa1");
    EXPECT_EQ(w.file_mime_type, "application/x-7z-compressed");
    EXPECT_EQ(w.file_desc, "\\\\FS01\\stage$\\loot\\part1.7z");
    EXPECT_EQ(w.score, 30u);  // archive name 15 + archive content 10 + hidden share 5
    EXPECT_EQ(w.severity, Severity::low);
    EXPECT_EQ(w.detection_type, "ArchiveToHiddenShare");
    EXPECT_EQ(w.msg, "10.0.0.1 wrote archive loot\\part1.7z (12.0 MB) to \\\\FS01\\stage$ (hidden share)");
    EXPECT_EQ(w.sub, "content: 7z; user: LAB\\alice; indicators: archive_name:15, archive_content:10, hidden_share:5");
    EXPECT_EQ(w.mitre, (std::vector<std::string>{"T1074.002", "T1560"}));
    EXPECT_EQ(w.archives, std::vector<std::string>{"loot\\part1.7z"});
    EXPECT_EQ(w.sources, ips({"10.0.0.1"}));
    EXPECT_EQ(w.bytes, 12 * MB);

    const Notice& f = rec.notices[3];
    EXPECT_EQ(f.note, NoteType::fan_in);
    // All three archives landed in \\FS01\stage$\loot: convergence.
    EXPECT_EQ(f.score, 85u);  // 30 + 15 + 10 + 15 + 10 + 5
    EXPECT_EQ(f.severity, Severity::high);
    EXPECT_EQ(f.detection_type, "FanInArchiveStaging");
    EXPECT_EQ(f.archives, (std::vector<std::string>{"loot\\part1.7z", "loot\\part2.7z", "loot\\part3.7z"}));
    EXPECT_EQ(f.msg, "10.0.0.9 received 36.0 MB from 3 hosts in 2 min, 3 archives to \\\\FS01\\stage$, archives of "
                     "3 sources converging on \\\\FS01\\stage$\\loot");
    EXPECT_EQ(f.sub,
              "sources: 10.0.0.1 12.0 MB, 10.0.0.2 12.0 MB, 10.0.0.3 12.0 MB; indicators: fan_in:30, "
              "fan_in_archives:15, convergence:10, archive_name:15, archive_content:10, hidden_share:5");
}

TEST(AnalyticsFanIn, SshUploadsAlone) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    for (int i = 1; i <= 3; ++i) {
        std::string src = "10.0.0." + std::to_string(i);
        a.on_event(ssh_transfer(at(100.0 * i), conn(src.c_str(), 40000, "10.0.0.9", 22, "S"), 12 * MB, 0));
    }
    ASSERT_EQ(rec.notices.size(), 1u);
    const Notice& n = rec.notices[0];
    EXPECT_EQ(n.note, NoteType::fan_in);
    EXPECT_EQ(n.p, 22);
    EXPECT_EQ(n.sources, ips({"10.0.0.1", "10.0.0.2", "10.0.0.3"}));
    EXPECT_EQ(n.score, 45u);  // fan-in 30 + SSH bulk upload 15
    EXPECT_EQ(n.severity, Severity::medium);
    EXPECT_EQ(n.detection_type, "FanInVolume");
    EXPECT_EQ(n.msg, "10.0.0.9 received 36.0 MB from 3 hosts in 3 min, 36.0 MB by SSH upload");
}

TEST(AnalyticsFanIn, EncryptedSmb3IsFlaggedByVolume) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    for (int i = 1; i <= 3; ++i) {
        std::string src = "10.0.0." + std::to_string(i);
        a.on_event(smb_encrypted_session(at(60.0 * i), conn(src.c_str(), 49000, "10.0.0.9", 445, "E"), 12 * MB,
                                         100'000));
    }
    ASSERT_EQ(rec.notices.size(), 1u);
    EXPECT_EQ(rec.notices[0].score, 45u);  // fan-in 30 + encrypted SMB3 15
    EXPECT_EQ(rec.notices[0].detection_type, "EncryptedFanIn");
    EXPECT_EQ(rec.notices[0].msg, "10.0.0.9 received 36.0 MB from 3 hosts in 2 min, 36.0 MB as encrypted SMB3");
}

TEST(AnalyticsFanIn, EncryptedSessionsInheritTheShareOfTheirTreeConnect) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    for (int i = 1; i <= 3; ++i) {
        std::string src = "10.0.0." + std::to_string(i);
        ConnId id = conn(src.c_str(), 49000, "10.0.0.9", 445, "E");
        SmbMappingEvent m;
        m.ts = at(60.0 * i - 30);
        m.id = id;
        m.path = kStage;
        m.share_type = "DISK";
        m.encrypted = true;
        a.on_event(m);
        a.on_event(smb_encrypted_session(at(60.0 * i), id, 12 * MB, 100'000));
    }
    ASSERT_EQ(rec.notices.size(), 1u);
    EXPECT_EQ(rec.notices[0].score, 50u);  // + hidden share 5
    EXPECT_EQ(rec.notices[0].severity, Severity::medium);
    EXPECT_EQ(rec.notices[0].detection_type, "EncryptedFanIn");
    EXPECT_EQ(rec.notices[0].msg,
              "10.0.0.9 received 36.0 MB from 3 hosts in 2 min on \\\\FS01\\stage$, 36.0 MB as encrypted SMB3");
}

TEST(AnalyticsFanIn, InteractiveSshIsNotATransfer) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    for (int i = 1; i <= 3; ++i) {
        std::string src = "10.0.0." + std::to_string(i);
        SshEvent e = ssh_transfer(at(100.0 * i), conn(src.c_str(), 40000, "10.0.0.9", 22, "S"), 12 * MB, 0);
        e.inferred = "interactive";
        a.on_event(e);
    }
    a.finish();
    EXPECT_TRUE(rec.notices.empty());
    // Still SSH volume: three intervals, each with the client and 10.0.0.9.
    EXPECT_EQ(rec.volume.size(), 6u);
}

TEST(AnalyticsFanIn, FileEventsOfEncryptedSessionsAreNotCountedTwice) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    ConnId id = conn("10.0.0.1", 49000, "10.0.0.9", 445, "E");
    SmbFileEvent f = smb_write(at(10), id, kStage, "", 12 * MB);
    f.encrypted = true;
    a.on_event(f);
    a.on_event(smb_encrypted_session(at(20), id, 12 * MB, 0));
    a.finish();
    ASSERT_EQ(rec.volume.size(), 2u);
    EXPECT_EQ(rec.volume[1].bytes_in, 12 * MB);
    EXPECT_TRUE(rec.notices.empty());
}

TEST(AnalyticsFanIn, OrdinaryFileServerStaysLow) {
    // Ten users save office documents (zip containers) to a normal share.
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    const char* names[] = {"Budget.xlsx", "Minutes.docx", "Deck.pptx", "Plan.odt", "Notes.txt"};
    for (int i = 1; i <= 10; ++i) {
        std::string src = "10.0.1." + std::to_string(i);
        a.on_event(smb_write(at(20.0 * i), conn(src.c_str(), 50000, "10.0.0.9", 445, "C"), kData, names[i % 5],
                             5 * MB, i % 5 == 4 ? "" : "zip"));
    }
    a.finish();
    // The fan-in at the sixth writer, and its update with all ten.
    ASSERT_EQ(rec.notices.size(), 2u);
    for (const auto& n : rec.notices) {
        EXPECT_EQ(n.note, NoteType::fan_in);
        EXPECT_EQ(n.severity, Severity::low);
        EXPECT_EQ(n.detection_type, "FanInVolume");
    }
    EXPECT_EQ(rec.notices[0].n, 6u);
    EXPECT_EQ(rec.notices[1].n, 10u);
    ASSERT_EQ(rec.staging.size(), 1u);
    EXPECT_EQ(rec.staging[0].archives, 0u);
    EXPECT_EQ(rec.staging[0].masquerades, 0u);
}

TEST(AnalyticsFanIn, PeerCapStillCountsTheRestAsOneSource) {
    AnalyticsConfig c = test_config();
    c.max_peers = 2;
    Recorder rec;
    StagingAnalytics a(c, rec);
    three_writers(a);
    ASSERT_EQ(rec.notices.size(), 1u);
    EXPECT_EQ(rec.notices[0].n, 3u);
    EXPECT_EQ(rec.notices[0].sources, ips({"10.0.0.1", "10.0.0.2"}));  // the third was over the cap
    EXPECT_EQ(a.stats().peers_dropped, 1u);
    a.finish();
    ASSERT_EQ(rec.staging.size(), 1u);
    EXPECT_EQ(rec.staging[0].peers_dropped, 1u);
}

// ------------------------------------------------------------------ archives

TEST(AnalyticsArchive, MasqueradeIsContentUnderAnInnocentName) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    a.on_event(smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), kData, "holiday.jpg", 2 * MB, "zip",
                         "Fm"));
    ASSERT_EQ(rec.notices.size(), 1u);
    const Notice& n = rec.notices[0];
    EXPECT_EQ(n.note, NoteType::archive_masquerade);
    EXPECT_EQ(n.score, 40u);  // masquerade 30 + archive content 10
    EXPECT_EQ(n.severity, Severity::medium);
    EXPECT_EQ(n.detection_type, "ArchiveMasquerade");
    EXPECT_EQ(n.msg, "10.0.0.1 wrote zip archive content named holiday.jpg (2.0 MB) to \\\\FS01\\data");
    EXPECT_EQ(n.file_mime_type, "application/zip");
    EXPECT_EQ(n.mitre, (std::vector<std::string>{"T1036", "T1074.002", "T1560"}));
}

TEST(AnalyticsArchive, OfficeDocumentsAreNotArchives) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    a.on_event(smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), kData, "Q3.DOCX", 2 * MB, "zip"));
    a.on_event(smb_write(at(20), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), kData, "app.jar", 2 * MB, "zip"));
    a.finish();
    EXPECT_TRUE(rec.notices.empty());
    EXPECT_TRUE(rec.staging.empty());
}

TEST(AnalyticsArchive, LocationsChangeScoreAndLabel) {
    struct Case {
        std::string tree, name;
        std::uint32_t score;
        Severity sev;
        const char* label;
        const char* suffix;
    };
    const Case cases[] = {
        {"\\\\WS5\\C$", "Windows\\Temp\\out.rar", 40, Severity::medium, "ArchiveToAdminShare",
         " (admin share, staging path)"},
        {"\\\\WS5\\tools$", "out.rar", 20, Severity::low, "ArchiveToHiddenShare", " (hidden share)"},
        {kData, "x.zip", 15, Severity::low, "ArchiveWrite", ""},
        {kData, "Users\\Public\\x.zip", 25, Severity::low, "ArchiveInStagingDir", " (staging path)"},
        {"\\\\WS5\\IPC$", "x.zip", 15, Severity::low, "ArchiveWrite", ""},
    };
    for (const Case& c : cases) {
        Recorder rec;
        StagingAnalytics a(test_config(), rec);
        a.on_event(smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.5", 445, "C1"), c.tree, c.name, 3 * MB));
        ASSERT_EQ(rec.notices.size(), 1u) << c.name;
        EXPECT_EQ(rec.notices[0].note, NoteType::archive_write);
        EXPECT_EQ(rec.notices[0].score, c.score) << c.name;
        EXPECT_EQ(rec.notices[0].severity, c.sev) << c.name;
        EXPECT_EQ(rec.notices[0].detection_type, c.label) << c.name;
        EXPECT_EQ(rec.notices[0].msg, "10.0.0.1 wrote archive " + c.name + " (3.0 MB) to " + c.tree + c.suffix);
    }
}

TEST(AnalyticsArchive, SplitVolumesAreArchiveWrites) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    const char* names[] = {"d.7z.001", "d.z01", "d.r00", "d.part1.rar"};
    int i = 0;
    for (const char* n : names) {
        std::string src = "10.0.0." + std::to_string(++i);
        a.on_event(smb_write(at(10.0 * i), conn(src.c_str(), 1, "10.0.0.9", 445, "C"), kData, n, MB));
    }
    ASSERT_EQ(rec.notices.size(), 4u);
    for (const auto& n : rec.notices) EXPECT_EQ(n.note, NoteType::archive_write);
}

TEST(AnalyticsArchive, RenameToAnArchiveNameIsAnArchiveWrite) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    SmbFileEvent f = smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), kData, "stage\\data.zip", 0);
    f.prev_name = "stage\\data.bin";
    f.action = "SMB::FILE_RENAME";
    a.on_event(f);
    SmbFileEvent g = smb_write(at(11), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), kData, "stage\\b.txt", 0);
    g.prev_name = "stage\\a.txt";
    a.on_event(g);
    ASSERT_EQ(rec.notices.size(), 1u);
    EXPECT_EQ(rec.notices[0].note, NoteType::archive_write);
    EXPECT_EQ(rec.notices[0].msg, "10.0.0.1 renamed stage\\data.bin to archive stage\\data.zip on \\\\FS01\\data");
    EXPECT_EQ(rec.notices[0].sub, "user: LAB\\alice; renamed from: stage\\data.bin; indicators: archive_name:15");
}

TEST(AnalyticsArchive, PipesAndReadsAreNotWrites) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    SmbFileEvent p = smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), "\\\\FS01\\IPC$", "x.zip", MB);
    p.is_pipe = true;
    a.on_event(p);
    a.on_event(smb_read(at(20), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), kData, "x.zip", MB));
    EXPECT_TRUE(rec.notices.empty());
}

// ------------------------------------------------------------------ pull collector

void three_pulls(StagingAnalytics& a) {
    for (int i = 1; i <= 3; ++i) {
        std::string srv = "10.0.0.1" + std::to_string(i);
        std::string tree = "\\\\FS1" + std::to_string(i) + "\\data";
        a.on_event(smb_read(at(60.0 * i), conn("10.0.0.50", 50000 + i, srv.c_str(), 445, "R"), tree, "db.mdf",
                            12 * MB));
    }
}

TEST(AnalyticsPull, CollectorThenPushOfAnArchiveEscalates) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    three_pulls(a);
    ASSERT_EQ(rec.notices.size(), 1u);
    const Notice& p = rec.notices[0];
    EXPECT_EQ(p.note, NoteType::pull_collector);
    EXPECT_EQ(p.src, ip("10.0.0.50"));
    EXPECT_FALSE(p.dst);
    EXPECT_EQ(p.sources, ips({"10.0.0.11", "10.0.0.12", "10.0.0.13"}));
    EXPECT_EQ(p.n, 3u);
    EXPECT_EQ(p.bytes, 36 * MB);
    EXPECT_EQ(p.score, 30u);
    EXPECT_EQ(p.severity, Severity::low);
    EXPECT_EQ(p.detection_type, "PullCollector");
    EXPECT_EQ(p.msg, "10.0.0.50 pulled 36.0 MB from 3 servers in 2 min");
    EXPECT_EQ(p.mitre, (std::vector<std::string>{"T1039", "T1074.002"}));

    a.on_event(smb_write(at(240), conn("10.0.0.50", 50010, "10.0.0.99", 445, "P1"), "\\\\DROP\\in", "loot.zip",
                         5 * MB, "zip"));
    ASSERT_EQ(rec.notices.size(), 3u);
    EXPECT_EQ(rec.notices[1].note, NoteType::archive_write);
    EXPECT_EQ(rec.notices[1].score, 25u);
    const Notice& e = rec.notices[2];
    EXPECT_EQ(e.note, NoteType::pull_collector);  // raised again: its severity rose
    EXPECT_EQ(e.conn->uid(), "P1");
    EXPECT_EQ(e.score, 80u);  // pull 30 + push 25 + archive name 15 + content 10
    EXPECT_EQ(e.severity, Severity::high);
    EXPECT_EQ(e.detection_type, "PullThenPush");
    EXPECT_EQ(e.archives, std::vector<std::string>{"loot.zip"});
    EXPECT_EQ(e.msg, "10.0.0.50 pulled 36.0 MB from 3 servers in 2 min, then pushed 5.0 MB (1 archive) to 10.0.0.99");

    a.finish();
    ASSERT_EQ(rec.staging.size(), 2u);
    const StagingRow& c = rec.staging[0];  // same ts as the target's row; lower address first
    EXPECT_EQ(c.host, ip("10.0.0.50"));
    EXPECT_EQ(c.role, Role::collector);
    EXPECT_EQ(c.peers.size(), 3u);
    EXPECT_EQ(c.bytes, 36 * MB);
    EXPECT_EQ(c.files, 3u);
    EXPECT_EQ(c.archives, 1u);
    EXPECT_EQ(c.archive_names, std::vector<std::string>{"loot.zip"});
    EXPECT_EQ(c.shares, (std::vector<std::string>{"\\\\FS11\\data", "\\\\FS12\\data", "\\\\FS13\\data"}));
    EXPECT_EQ(c.pushed_bytes, 5 * MB);
    EXPECT_EQ(c.push_targets, ips({"10.0.0.99"}));
    EXPECT_EQ(c.score, 80u);
    EXPECT_EQ(c.detection_type, "PullThenPush");
    EXPECT_EQ(c.indicators, (std::vector<std::string>{"pull_collector:30", "pull_then_push:25", "archive_name:15",
                                                      "archive_content:10"}));
    EXPECT_EQ(c.notices, std::vector<std::string>{"Staging::Pull_Collector"});
    const StagingRow& t = rec.staging[1];
    EXPECT_EQ(t.host, ip("10.0.0.99"));
    EXPECT_EQ(t.role, Role::target);
    EXPECT_EQ(t.score, 25u);
    EXPECT_EQ(t.detection_type, "ArchiveWrite");
    EXPECT_EQ(t.notices, std::vector<std::string>{"Staging::Archive_Write"});
}

TEST(AnalyticsPull, WritesBeforeThePullAreNotPushes) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    a.on_event(smb_write(at(30), conn("10.0.0.50", 1, "10.0.0.99", 445, "P"), "\\\\DROP\\in", "loot.zip", 5 * MB));
    three_pulls(a);
    auto pulls = rec.of(NoteType::pull_collector);
    ASSERT_EQ(pulls.size(), 1u);
    EXPECT_EQ(pulls[0]->detection_type, "PullCollector");
    EXPECT_EQ(pulls[0]->score, 30u);
}

TEST(AnalyticsPull, SshUploadOnwardIsAPush) {
    struct Case {
        const char* dst;
        std::uint64_t bytes;
        bool push;
    };
    const Case cases[] = {
        {"10.0.0.77", 2 * MB, true},    // to a new host, over staging.push-min-bytes
        {"10.0.0.77", MB / 2, false},   // too little
        {"10.0.0.11", 2 * MB, false},   // back to a server it pulled from
    };
    for (const Case& c : cases) {
        Recorder rec;
        StagingAnalytics a(test_config(), rec);
        three_pulls(a);
        a.on_event(ssh_transfer(at(300), conn("10.0.0.50", 40000, c.dst, 22, "S"), c.bytes, 0));
        auto pulls = rec.of(NoteType::pull_collector);
        ASSERT_EQ(pulls.size(), c.push ? 2u : 1u) << c.dst << " " << c.bytes;
        if (c.push) {
            EXPECT_EQ(pulls[1]->score, 55u);
            EXPECT_EQ(pulls[1]->severity, Severity::medium);
            EXPECT_EQ(pulls[1]->detection_type, "PullThenPush");
            EXPECT_EQ(pulls[1]->msg, "10.0.0.50 pulled 36.0 MB from 3 servers in 2 min, then pushed 2.0 MB to 10.0.0.77");
        }
    }
}

TEST(AnalyticsPull, SshDownloadsCount) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    for (int i = 1; i <= 3; ++i) {
        std::string srv = "10.0.0.1" + std::to_string(i);
        a.on_event(ssh_transfer(at(60.0 * i), conn("10.0.0.50", 40000, srv.c_str(), 22, "S"), 0, 12 * MB));
    }
    auto pulls = rec.of(NoteType::pull_collector);
    ASSERT_EQ(pulls.size(), 1u);
    EXPECT_EQ(pulls[0]->sources, ips({"10.0.0.11", "10.0.0.12", "10.0.0.13"}));
}

// ------------------------------------------------------------------ de-duplication

TEST(AnalyticsDedupe, SameNoteAndKeyIsSuppressedForTheInterval) {
    AnalyticsConfig c = test_config();
    c.suppress_for = 5 * kMinute;
    Recorder rec;
    StagingAnalytics a(c, rec);
    three_writers(a);  // Fan_In at 180 s
    a.on_event(smb_write(at(200), conn("10.0.0.4", 1, "10.0.0.9", 445, "C4"), kData, "d", 12 * MB));
    a.on_event(smb_write(at(240), conn("10.0.0.5", 1, "10.0.0.9", 445, "C5"), kData, "e", 12 * MB));
    EXPECT_EQ(rec.notices.size(), 1u);
    EXPECT_EQ(a.stats().notices_deduplicated, 2u);
    a.on_event(smb_write(at(479), conn("10.0.0.6", 1, "10.0.0.9", 445, "C6"), kData, "f", 12 * MB));
    EXPECT_EQ(rec.notices.size(), 1u);
    // 300 s after the first: raised again, now with seven sources.
    a.on_event(smb_write(at(480), conn("10.0.0.7", 1, "10.0.0.9", 445, "C7"), kData, "g", 12 * MB));
    ASSERT_EQ(rec.notices.size(), 2u);
    EXPECT_EQ(rec.notices[1].ts, at(480));
    EXPECT_EQ(rec.notices[1].n, 7u);
}

TEST(AnalyticsDedupe, DifferentKeysAreIndependent) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    // Same source and target twice: one notice; another source: another.
    a.on_event(smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "a.zip", MB));
    a.on_event(smb_write(at(20), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "b.zip", MB));
    a.on_event(smb_write(at(30), conn("10.0.0.2", 1, "10.0.0.9", 445, "C"), kData, "c.zip", MB));
    a.on_event(smb_write(at(40), conn("10.0.0.1", 1, "10.0.0.8", 445, "C"), kData, "d.zip", MB));
    ASSERT_EQ(rec.notices.size(), 3u);
    EXPECT_EQ(rec.notices[0].archives, std::vector<std::string>{"a.zip"});
    EXPECT_EQ(rec.notices[1].archives, std::vector<std::string>{"c.zip"});
    EXPECT_EQ(rec.notices[2].archives, std::vector<std::string>{"d.zip"});
}

TEST(AnalyticsDedupe, HigherSeverityIsRaisedAgain) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    three_writers(a);  // low FanInVolume
    a.on_event(smb_write(at(200), conn("10.0.0.4", 1, "10.0.0.9", 445, "C4"), kData, "x.7z", 12 * MB, "7z"));
    auto fans = rec.of(NoteType::fan_in);
    ASSERT_EQ(fans.size(), 2u);
    EXPECT_EQ(fans[0]->severity, Severity::low);
    EXPECT_EQ(fans[1]->score, 70u);  // 30 + 15 + 15 + 10
    EXPECT_EQ(fans[1]->severity, Severity::high);
    EXPECT_EQ(fans[1]->detection_type, "FanInArchiveStaging");
    EXPECT_EQ(fans[1]->msg, "10.0.0.9 received 48.0 MB from 4 hosts in 2 min, 1 archive to \\\\FS01\\data");
}

TEST(AnalyticsDedupe, GrowthIsWrittenOnceAsAnUpdateWhenThePeriodEnds) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    three_writers(a);
    a.on_event(smb_write(at(200), conn("10.0.0.4", 1, "10.0.0.9", 445, "C4"), kData, "d", 12 * MB));
    a.on_event(smb_write(at(240), conn("10.0.0.5", 1, "10.0.0.9", 445, "C5"), kData, "e", 12 * MB));
    a.on_event(smb_write(at(250), conn("10.0.0.5", 1, "10.0.0.9", 445, "C5"), kData, "f", 1 * MB));
    EXPECT_EQ(rec.notices.size(), 1u);
    a.advance(at(599));
    EXPECT_EQ(rec.notices.size(), 1u);
    a.advance(at(600));
    ASSERT_EQ(rec.notices.size(), 2u);
    const Notice& u = rec.notices[1];
    EXPECT_EQ(u.ts, at(240));  // when the finding last grew
    EXPECT_EQ(u.conn->uid(), "C5");
    EXPECT_EQ(u.n, 5u);
    EXPECT_EQ(u.bytes, 60 * MB);
    EXPECT_EQ(u.sub.rfind("update of an earlier notice; sources: 10.0.0.1 12.0 MB", 0), 0u) << u.sub;
    a.finish();
    EXPECT_EQ(rec.notices.size(), 2u);
}

TEST(AnalyticsDedupe, ZeroDisablesDeduplication) {
    AnalyticsConfig c = test_config();
    c.suppress_for = 0;
    Recorder rec;
    StagingAnalytics a(c, rec);
    three_writers(a);
    a.on_event(smb_write(at(200), conn("10.0.0.4", 1, "10.0.0.9", 445, "C4"), kData, "d", 12 * MB));
    EXPECT_EQ(rec.of(NoteType::fan_in).size(), 2u);
}

// ------------------------------------------------------------------ suppression

TEST(AnalyticsSuppress, AllowListedTargetGetsNoNoticeButAStagingRow) {
    AnalyticsConfig c = test_config();
    c.allow_targets.add(*Cidr::parse("10.0.0.8/29"));
    Recorder rec;
    StagingAnalytics a(c, rec);
    three_writers(a, kStage, true);
    a.finish();
    EXPECT_TRUE(rec.notices.empty());
    ASSERT_EQ(rec.staging.size(), 1u);
    const StagingRow& r = rec.staging[0];
    EXPECT_EQ(r.host, ip("10.0.0.9"));
    EXPECT_TRUE(r.suppressed);
    EXPECT_EQ(r.suppressed_by, std::vector<std::string>{"target"});
    EXPECT_TRUE(r.notices.empty());
    EXPECT_EQ(r.score, 85u);  // what it would have scored
    EXPECT_EQ(r.severity, Severity::high);
    EXPECT_EQ(r.detection_type, "FanInArchiveStaging");
    EXPECT_EQ(a.stats().findings_allowlisted, 4u);  // three archive writes and the fan-in
}

TEST(AnalyticsSuppress, AllowListedSourceDoesNotCount) {
    AnalyticsConfig c = test_config();
    c.allow_sources.add(*Cidr::parse("10.0.0.1/32"));
    Recorder rec;
    StagingAnalytics a(c, rec);
    three_writers(a);
    EXPECT_TRUE(rec.notices.empty());
    a.on_event(smb_write(at(240), conn("10.0.0.4", 1, "10.0.0.9", 445, "C4"), kData, "d", 12 * MB));
    ASSERT_EQ(rec.notices.size(), 1u);
    EXPECT_EQ(rec.notices[0].sources, ips({"10.0.0.2", "10.0.0.3", "10.0.0.4"}));
    EXPECT_EQ(rec.notices[0].bytes, 36 * MB);
    a.finish();
    ASSERT_EQ(rec.staging.size(), 1u);
    EXPECT_TRUE(rec.staging[0].suppressed);  // before 10.0.0.4 came
    EXPECT_EQ(rec.staging[0].suppressed_by, std::vector<std::string>{"source:10.0.0.1"});
    EXPECT_EQ(rec.staging[0].peers.size(), 4u);
    EXPECT_EQ(rec.staging[0].bytes, 48 * MB);
    EXPECT_EQ(rec.staging[0].notices, std::vector<std::string>{"Staging::Fan_In"});
}

TEST(AnalyticsSuppress, AllowListedShare) {
    AnalyticsConfig c = test_config();
    c.allow_shares = {"back*"};
    Recorder rec;
    StagingAnalytics a(c, rec);
    three_writers(a, "\\\\FS01\\Backups", true);
    a.finish();
    EXPECT_TRUE(rec.notices.empty());
    ASSERT_EQ(rec.staging.size(), 1u);
    EXPECT_TRUE(rec.staging[0].suppressed);
    EXPECT_EQ(rec.staging[0].suppressed_by, std::vector<std::string>{"share:Backups"});
}

TEST(AnalyticsSuppress, TimeOfDayWindows) {
    // The writes happen at 22:01-22:03 UTC.
    struct Case {
        int start, end;
        const char* text;
        bool suppressed;
    };
    const Case cases[] = {
        {77400, 82800, "21:30-23:00", true},
        {75600, 3600, "21:00-01:00", true},  // wraps midnight
        {3600, 7200, "01:00-02:00", false},
        {75600, 79260, "21:00-22:01", false},  // the end is exclusive
        {79380, 82800, "22:03-23:00", true},   // only the third write, but the fan-in needs it
    };
    for (const Case& k : cases) {
        AnalyticsConfig c = test_config();
        c.allow_times = {TimeOfDayWindow{k.start, k.end, k.text}};
        Recorder rec;
        StagingAnalytics a(c, rec);
        three_writers(a);
        a.finish();
        EXPECT_EQ(rec.notices.empty(), k.suppressed) << k.text;
        ASSERT_EQ(rec.staging.size(), 1u);
        EXPECT_EQ(rec.staging[0].suppressed, k.suppressed) << k.text;
        if (k.suppressed) {
            EXPECT_EQ(rec.staging[0].suppressed_by, std::vector<std::string>{std::string("time:") + k.text});
        }
    }
}

TEST(AnalyticsSuppress, AllowListedCollector) {
    AnalyticsConfig c = test_config();
    c.allow_collectors.add(*Cidr::parse("10.0.0.50"));
    Recorder rec;
    StagingAnalytics a(c, rec);
    three_pulls(a);
    a.finish();
    EXPECT_TRUE(rec.notices.empty());
    ASSERT_EQ(rec.staging.size(), 1u);
    EXPECT_EQ(rec.staging[0].role, Role::collector);
    EXPECT_TRUE(rec.staging[0].suppressed);
    EXPECT_EQ(rec.staging[0].suppressed_by, std::vector<std::string>{"collector"});
}

TEST(AnalyticsSuppress, ServersAllowListedAsSourcesDoNotMakeACollector) {
    // Clients pulling from a deployment server (SCCM distribution point).
    AnalyticsConfig c = test_config();
    c.allow_sources.add(*Cidr::parse("10.0.0.12/32"));
    Recorder rec;
    StagingAnalytics a(c, rec);
    three_pulls(a);
    EXPECT_TRUE(rec.notices.empty());
}

// ------------------------------------------------------------------ baseline

AnalyticsConfig baseline_config() {
    AnalyticsConfig c = test_config();
    c.volume_interval = 60 * kSecond;
    c.baseline_warmup = 5 * kMinute;
    c.baseline_factor = 10;
    c.baseline_min_bytes = 50 * MB;
    c.min_bytes = 1'000'000'000;  // keep fan-in out of it
    return c;
}

TEST(AnalyticsBaselineAnomaly, RaisedAfterWarmUp) {
    Recorder rec;
    StagingAnalytics a(baseline_config(), rec);
    for (int k = 0; k < 5; ++k)
        a.on_event(smb_write(at(30 + 60.0 * k), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "f.bin", MB));
    a.on_event(smb_write(at(330), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "big.bin", 200 * MB));
    EXPECT_TRUE(rec.notices.empty());
    a.advance(at(360));  // closes interval 5
    ASSERT_EQ(rec.notices.size(), 1u);
    const Notice& n = rec.notices[0];
    EXPECT_EQ(n.note, NoteType::volume_anomaly);
    EXPECT_EQ(n.ts, at(360));
    EXPECT_EQ(n.dst, ip("10.0.0.9"));
    EXPECT_FALSE(n.conn);
    EXPECT_EQ(n.bytes, 200 * MB);
    EXPECT_EQ(n.score, 20u);
    EXPECT_EQ(n.severity, Severity::low);
    EXPECT_EQ(n.detection_type, "VolumeAnomaly");
    EXPECT_EQ(n.msg, "10.0.0.9 received 200.0 MB in 1 min, 200x its usual 1.0 MB per 1 min");
    EXPECT_EQ(n.sub, "larger than normal volume: baseline.factor 10, baseline over 5 intervals; indicators: "
                     "volume_anomaly:20");
    a.finish();
    ASSERT_EQ(rec.staging.size(), 1u);
    EXPECT_TRUE(rec.staging[0].volume_anomaly);
    EXPECT_EQ(rec.staging[0].ts, at(360));
    EXPECT_EQ(rec.staging[0].notices, std::vector<std::string>{"Staging::Volume_Anomaly"});
}

TEST(AnalyticsBaselineAnomaly, NotDuringWarmUp) {
    Recorder rec;
    StagingAnalytics a(baseline_config(), rec);
    a.on_event(smb_write(at(30), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "f.bin", MB));
    a.on_event(smb_write(at(90), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "f.bin", MB));
    a.on_event(smb_write(at(150), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "big.bin", 200 * MB));
    a.advance(at(400));
    a.finish();
    EXPECT_TRUE(rec.notices.empty());
}

TEST(AnalyticsBaselineAnomaly, AllowListedTargetIsSuppressed) {
    AnalyticsConfig c = baseline_config();
    c.allow_targets.add(*Cidr::parse("10.0.0.9"));
    Recorder rec;
    StagingAnalytics a(c, rec);
    for (int k = 0; k < 5; ++k)
        a.on_event(smb_write(at(30 + 60.0 * k), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "f.bin", MB));
    a.on_event(smb_write(at(330), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "big.bin", 200 * MB));
    a.finish();
    EXPECT_TRUE(rec.notices.empty());
    ASSERT_EQ(rec.staging.size(), 1u);
    EXPECT_TRUE(rec.staging[0].suppressed);
    EXPECT_TRUE(rec.staging[0].volume_anomaly);
}

// ------------------------------------------------------------------ scoring

// Severity and labels as pure functions: scoring_test.cpp.

TEST(AnalyticsScore, WeightsAreConfigurable) {
    AnalyticsConfig c = test_config();
    c.weights[static_cast<std::size_t>(Indicator::fan_in)] = 60;
    Recorder rec;
    StagingAnalytics a(c, rec);
    three_writers(a);
    ASSERT_EQ(rec.notices.size(), 1u);
    EXPECT_EQ(rec.notices[0].score, 60u);
    EXPECT_EQ(rec.notices[0].severity, Severity::high);

    // A zero weight switches the indicator off: no score, no notice.
    AnalyticsConfig z = test_config();
    z.weights[static_cast<std::size_t>(Indicator::fan_in)] = 0;
    Recorder rec2;
    StagingAnalytics b(z, rec2);
    three_writers(b);
    b.finish();
    EXPECT_TRUE(rec2.notices.empty());
    EXPECT_TRUE(rec2.staging.empty());
}

// ------------------------------------------------------------------ volume and periods

TEST(AnalyticsVolume, RowsPerHostProtocolAndInterval) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    a.on_event(smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), kData, "a", 5 * MB));
    a.on_event(smb_read(at(20), conn("10.0.0.2", 1, "10.0.0.9", 445, "C2"), kData, "b", 3 * MB));
    a.on_event(ssh_transfer(at(30), conn("10.0.0.1", 50000, "10.0.0.8", 22, "S1"), MB, 0));
    a.on_event(tcp_conn(at(35), 5 * kSecond, conn("10.0.0.3", 40000, "10.0.0.9", 8080, "T1"), 1000, 2000));
    // SMB and SSH connections are counted from their dissectors' events.
    a.on_event(tcp_conn(at(1), 40 * kSecond, conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), 9 * MB, 1, AppProtocol::smb));
    a.on_event(tcp_conn(at(1), 40 * kSecond, conn("10.0.0.1", 1, "10.0.0.8", 22, "S1"), 9 * MB, 1, AppProtocol::ssh));
    EXPECT_TRUE(rec.volume.empty());
    a.on_event(smb_write(at(70), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), kData, "c", MB));
    auto row = [](const char* h, VolumeProto p, std::uint64_t in, std::uint64_t out, std::uint64_t fw,
                  std::uint64_t fr, std::uint64_t pin, std::uint64_t pout) {
        return std::make_tuple(ip(h), p, in, out, fw, fr, pin, pout);
    };
    using S = VolumeProto;
    std::vector<decltype(row("", S::smb, 0, 0, 0, 0, 0, 0))> want = {
        row("10.0.0.1", S::smb, 0, 5 * MB, 1, 0, 0, 1),
        row("10.0.0.1", S::ssh, 3000, MB + 4000, 0, 0, 1, 1),
        row("10.0.0.2", S::smb, 3 * MB, 0, 0, 1, 1, 0),
        row("10.0.0.3", S::other_tcp, 2000, 1000, 0, 0, 1, 1),
        row("10.0.0.8", S::ssh, MB + 4000, 3000, 0, 0, 1, 1),
        row("10.0.0.9", S::smb, 5 * MB, 3 * MB, 1, 1, 1, 1),
        row("10.0.0.9", S::other_tcp, 1000, 2000, 0, 0, 1, 1),
    };
    ASSERT_EQ(rec.volume.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        const VolumeRow& v = rec.volume[i];
        EXPECT_EQ(v.ts, kT0) << i;
        EXPECT_EQ(std::make_tuple(v.host, v.proto, v.bytes_in, v.bytes_out, v.files_written, v.files_read,
                                  v.peers_in, v.peers_out),
                  want[i])
            << i;
    }
    // A connection record that ended before the current interval (it was
    // reported at its inactivity timeout) counts in the current interval.
    a.on_event(tcp_conn(at(5), kSecond, conn("10.0.0.3", 40001, "10.0.0.9", 80, "T2"), 500, 0));
    EXPECT_EQ(a.stats().late_events, 1u);
    a.finish();
    ASSERT_EQ(rec.volume.size(), want.size() + 4);
    const VolumeRow& late = rec.volume[want.size() + 1];
    EXPECT_EQ(late.ts, at(60));
    EXPECT_EQ(late.host, ip("10.0.0.3"));
    EXPECT_EQ(late.proto, S::other_tcp);
    EXPECT_EQ(late.bytes_out, 500u);
}

TEST(AnalyticsVolume, EvictedHostsAreWrittenNotLost) {
    AnalyticsConfig c = test_config();
    c.max_hosts = 4;
    Recorder rec;
    StagingAnalytics a(c, rec);
    a.on_event(smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "a", MB));
    a.on_event(smb_write(at(11), conn("10.0.0.2", 1, "10.0.0.8", 445, "C"), kData, "a", MB));
    a.on_event(smb_write(at(12), conn("10.0.0.3", 1, "10.0.0.7", 445, "C"), kData, "a", MB));
    EXPECT_EQ(a.stats().hosts_evicted, 2u);  // 10.0.0.1, then 10.0.0.9
    EXPECT_EQ(rec.volume.size(), 2u);
    EXPECT_EQ(rec.volume[0].host, ip("10.0.0.1"));
    EXPECT_EQ(rec.volume[1].host, ip("10.0.0.9"));
    a.finish();
    ASSERT_EQ(rec.volume.size(), 6u);
    std::uint64_t in = 0, out = 0;
    for (const auto& v : rec.volume) in += v.bytes_in, out += v.bytes_out;
    EXPECT_EQ(in, 3 * MB);
    EXPECT_EQ(out, 3 * MB);
    EXPECT_LE(a.stats().hosts_max, 4u);
}

TEST(AnalyticsPeriods, OneStagingRowPerPeriodWrittenWhenThePeriodEnds) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);  // 10 min periods
    a.on_event(smb_write(at(60), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "a.zip", MB));
    a.advance(at(599));
    EXPECT_TRUE(rec.staging.empty());
    a.advance(at(600));
    ASSERT_EQ(rec.staging.size(), 1u);
    EXPECT_EQ(rec.staging[0].period_start, kT0);
    EXPECT_EQ(rec.staging[0].ts, at(60));
    a.on_event(smb_write(at(700), conn("10.0.0.1", 1, "10.0.0.9", 445, "C"), kData, "b.zip", MB));
    a.finish();
    ASSERT_EQ(rec.staging.size(), 2u);
    EXPECT_EQ(rec.staging[1].period_start, at(600));
    EXPECT_EQ(rec.staging[1].ts, at(700));
    // a.zip (written at 60 s) left the window at 660 s; its Archive_Write
    // key is still suppressed, so b.zip raises no notice but is in the row.
    EXPECT_EQ(rec.notices.size(), 1u);
    EXPECT_EQ(rec.staging[1].archive_names, std::vector<std::string>{"b.zip"});
}

TEST(AnalyticsPeriods, SameInputSameOutput) {
    auto run = [] {
        Recorder rec;
        StagingAnalytics a(test_config(), rec);
        three_writers(a, kStage, true);
        three_pulls(a);
        a.on_event(smb_write(at(240), conn("10.0.0.50", 1, "10.0.0.99", 445, "P"), "\\\\DROP\\in", "l.zip", 5 * MB));
        a.advance(at(2000));
        a.finish();
        std::vector<std::string> out;
        for (const auto& n : rec.notices) out.push_back(n.msg + "|" + std::to_string(n.ts));
        for (const auto& r : rec.staging)
            out.push_back(r.host.str() + "|" + std::to_string(r.ts) + "|" + std::to_string(r.score));
        for (const auto& v : rec.volume)
            out.push_back(v.host.str() + "|" + std::to_string(v.ts) + "|" + std::to_string(v.bytes_in));
        return out;
    };
    auto first = run();
    EXPECT_EQ(first.size() > 10, true);
    EXPECT_EQ(first, run());
}

TEST(AnalyticsRobustness, OddEventsGiveExactlyTheseRows) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    // Self-traffic: the clock moves (to 10 s), nothing is counted.
    a.on_event(smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.1", 445, "C"), kData, "x.zip", MB));
    // Empty events carry time 0, long before the current interval: late,
    // and between a host and itself (both addresses unset).
    a.on_event(SmbFileEvent{});
    // No names at all, the largest byte count, zip content: a masquerade.
    a.on_event(smb_write(at(5), conn("10.0.0.1", 1, "10.0.0.2", 445, "C"), "", "", ~0ull, "zip"));
    a.on_event(SshEvent{});
    a.on_event(SmbSessionEvent{});
    a.on_event(NtlmEvent{});  // not an analytics event
    a.advance(at(1));          // earlier than the clock, same interval: nothing
    EXPECT_TRUE(rec.volume.empty());
    EXPECT_TRUE(rec.staging.empty());
    a.finish();
    a.finish();
    a.on_event(smb_write(at(50), conn("10.0.0.3", 1, "10.0.0.4", 445, "C"), kData, "x.zip", MB));  // after the end

    EXPECT_EQ(a.stats().events, 5u);
    EXPECT_EQ(a.stats().late_events, 3u);
    EXPECT_EQ(a.stats().hosts_tracked, 2u);

    ASSERT_EQ(rec.notices.size(), 1u);
    const Notice& n = rec.notices[0];
    EXPECT_EQ(n.note, NoteType::archive_masquerade);
    EXPECT_EQ(n.ts, at(10));  // the clock's time, not the event's earlier one
    EXPECT_EQ(n.src, ip("10.0.0.1"));
    EXPECT_EQ(n.dst, ip("10.0.0.2"));
    EXPECT_EQ(n.bytes, ~0ull);
    EXPECT_EQ(n.score, 40u);  // archive content 10 + masquerade 30
    EXPECT_EQ(n.severity, Severity::medium);
    EXPECT_EQ(n.detection_type, "ArchiveMasquerade");
    EXPECT_EQ(n.msg, "10.0.0.1 wrote zip archive content named  (18.4 EB) to 10.0.0.2");
    EXPECT_EQ(n.file_desc, "");
    EXPECT_EQ(n.file_mime_type, "application/zip");

    ASSERT_EQ(rec.volume.size(), 2u);
    EXPECT_EQ(rec.volume[0].ts, kT0);
    EXPECT_EQ(rec.volume[0].host, ip("10.0.0.1"));
    EXPECT_EQ(rec.volume[0].bytes_in, 0u);
    EXPECT_EQ(rec.volume[0].bytes_out, ~0ull);
    EXPECT_EQ(rec.volume[0].files_written, 1u);
    EXPECT_EQ(rec.volume[0].peers_out, 1u);
    EXPECT_EQ(rec.volume[1].host, ip("10.0.0.2"));
    EXPECT_EQ(rec.volume[1].bytes_in, ~0ull);
    EXPECT_EQ(rec.volume[1].peers_in, 1u);

    ASSERT_EQ(rec.staging.size(), 1u);
    const StagingRow& r = rec.staging[0];
    EXPECT_EQ(r.ts, at(10));
    EXPECT_EQ(r.host, ip("10.0.0.2"));
    EXPECT_EQ(r.role, Role::target);
    EXPECT_EQ(r.period_start, kT0);
    EXPECT_EQ(r.window_start, at(5));
    EXPECT_EQ(r.bytes, ~0ull);
    EXPECT_EQ(r.files, 1u);
    EXPECT_EQ(r.archives, 1u);
    EXPECT_EQ(r.masquerades, 1u);
    EXPECT_EQ(r.archive_names, std::vector<std::string>{""});  // the nameless file, as it was named
    EXPECT_TRUE(r.shares.empty());
    EXPECT_EQ(r.score, 40u);
    EXPECT_EQ(r.indicators, (std::vector<std::string>{"archive_content:10", "masquerade:30"}));
    EXPECT_EQ(r.notices, std::vector<std::string>{"Staging::Archive_Masquerade"});
}

// ------------------------------------------------------------------ policy (defaults)

// The defaults of the notice policy, the long horizon and per-user space
// (test_config() turns them off for the one-window tests above).
AnalyticsConfig policy_config() {
    AnalyticsConfig c;
    c.hash = KeyedHash::from_seed(5);
    return c;
}

TEST(StagingPolicy, AFileBelowMediumIsInStagingLogOnly) {
    Recorder rec;
    StagingAnalytics a(policy_config(), rec);
    a.on_event(smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.5", 445, "C1"), kData, "x.zip", 3 * MB, "zip"));
    a.on_event(smb_write(at(20), conn("10.0.0.1", 1, "10.0.0.6", 445, "C2"), "\\\\WS6\\C$", "Windows\\Temp\\o.rar",
                         3 * MB, "rar"));
    a.finish();
    // x.zip: archive name 15 + content 10 = 25, low: no notice.
    ASSERT_EQ(rec.notices.size(), 1u);
    EXPECT_EQ(rec.notices[0].dst, ip("10.0.0.6"));  // 15 + 10 + 15 + 10 = 50, medium
    EXPECT_EQ(rec.notices[0].score, 50u);
    EXPECT_EQ(a.stats().file_findings_quiet, 1u);
    ASSERT_EQ(rec.staging.size(), 2u);
    EXPECT_EQ(rec.staging[0].host, ip("10.0.0.5"));
    EXPECT_EQ(rec.staging[0].score, 25u);
    EXPECT_EQ(rec.staging[0].indicators, (std::vector<std::string>{"archive_name:15", "archive_content:10"}));
    EXPECT_TRUE(rec.staging[0].notices.empty());
}

TEST(StagingPolicy, UsersFillingTheirOwnHomeFoldersAreNotAFanIn) {
    Recorder rec;
    StagingAnalytics a(policy_config(), rec);
    for (int i = 1; i <= 6; ++i) {
        const std::string src = "10.0.0." + std::to_string(i);
        for (int j = 0; j < 3; ++j)
            a.on_event(smb_write(at(100.0 * i + j), conn(src.c_str(), 49000, "10.0.0.9", 445, "H"),
                                 "\\\\FS01\\home$", "ws" + std::to_string(i) + "\\Documents\\p" + std::to_string(j) +
                                                        ".zip",
                                 20 * MB, "zip"));
    }
    a.finish();
    EXPECT_TRUE(rec.notices.empty());
    ASSERT_EQ(rec.staging.size(), 1u);
    const StagingRow& r = rec.staging[0];
    EXPECT_EQ(r.peers.size(), 6u);  // every writer is still listed
    EXPECT_EQ(r.score, 30u);        // archive name 15 + content 10 + hidden share 5: low
    EXPECT_EQ(r.severity, Severity::low);
    EXPECT_EQ(r.indicators,
              (std::vector<std::string>{"archive_name:15", "archive_content:10", "hidden_share:5"}));
}

TEST(StagingPolicy, StagingSpreadOverAWorkingDayIsFoundOverTheLongHorizon) {
    Recorder rec;
    StagingAnalytics a(policy_config(), rec);
    for (int i = 1; i <= 3; ++i) {
        const std::string src = "10.0.0." + std::to_string(i);
        a.on_event(smb_write(at(3 * 3600.0 * (i - 1) + 60), conn(src.c_str(), 49000 + i, "10.0.0.9", 445, "S"),
                             kStage, "collect\\ws" + std::to_string(i) + ".7z", 20 * MB, "7z",
                             "Fs" + std::to_string(i)));
    }
    a.finish();
    const auto fans = rec.of(NoteType::fan_in);
    ASSERT_EQ(fans.size(), 1u);
    const Notice& n = *fans[0];
    EXPECT_EQ(n.ts, at(6 * 3600.0 + 60));
    EXPECT_EQ(n.sources, ips({"10.0.0.1", "10.0.0.2", "10.0.0.3"}));
    EXPECT_EQ(n.bytes, 60 * MB);
    EXPECT_EQ(n.score, 85u);  // 30 + 15 + 10 + 15 + 10 + 5
    EXPECT_EQ(n.severity, Severity::high);
    EXPECT_EQ(n.detection_type, "FanInArchiveStaging");
    EXPECT_EQ(n.suppress_for, 86400 * kSecond);  // a day-long finding is not repeated hourly
    EXPECT_EQ(n.msg, "10.0.0.9 received 60.0 MB from 3 hosts in 6.0 h (24.0 h horizon), 3 archives to "
                     "\\\\FS01\\stage$, archives of 3 sources converging on \\\\FS01\\stage$\\collect");
    // No single hour held three sources: without the long horizon, nothing.
    AnalyticsConfig one = policy_config();
    one.long_windows = {};
    Recorder rec1;
    StagingAnalytics b(one, rec1);
    for (int i = 1; i <= 3; ++i) {
        const std::string src = "10.0.0." + std::to_string(i);
        b.on_event(smb_write(at(3 * 3600.0 * (i - 1) + 60), conn(src.c_str(), 49000 + i, "10.0.0.9", 445, "S"),
                             kStage, "collect\\ws" + std::to_string(i) + ".7z", 20 * MB, "7z"));
    }
    b.finish();
    EXPECT_TRUE(rec1.of(NoteType::fan_in).empty());
}

TEST(StagingPolicy, ADailyBudgetPerHostAggregatesTheRest) {
    AnalyticsConfig c = policy_config();
    c.daily_budget = 2;
    Recorder rec;
    StagingAnalytics a(c, rec);
    for (int i = 1; i <= 5; ++i) {
        const std::string src = "10.0.0." + std::to_string(i);
        a.on_event(smb_write(at(10.0 * i), conn(src.c_str(), 1, "10.0.0.9", 445, "C"), "\\\\FS01\\C$",
                             "Temp\\x" + std::to_string(i) + ".rar", MB, "rar"));
    }
    a.finish();
    ASSERT_EQ(rec.notices.size(), 3u);
    EXPECT_EQ(rec.notices[0].note, NoteType::archive_write);
    EXPECT_EQ(rec.notices[1].note, NoteType::archive_write);
    EXPECT_EQ(rec.notices[2].note, NoteType::notice_budget);
    EXPECT_EQ(rec.notices[2].n, 3u);
    EXPECT_EQ(rec.notices[2].ts, at(50));
    EXPECT_EQ(a.stats().notices_aggregated, 3u);
}

// ------------------------------------------------------------------ roles (fleet correlators)

// The pull-then-push sequence above, run by the target half and the
// collector half separately: each raises only its own notices and rows, and
// together they are the whole (docs/fleet.md, "Partitions").
TEST(AnalyticsRoles, TargetAndCollectorHalvesTogetherAreTheWhole) {
    auto run = [](AnalyticsRoles roles, Recorder& rec) {
        StagingAnalytics a(test_config(), rec, roles);
        three_pulls(a);
        a.on_event(smb_write(at(240), conn("10.0.0.50", 50010, "10.0.0.99", 445, "P1"), "\\\\DROP\\in", "loot.zip",
                             5 * MB, "zip"));
        a.finish();
    };
    Recorder both, target, collector;
    run({}, both);
    run({.target = true, .collector = false}, target);
    run({.target = false, .collector = true}, collector);

    ASSERT_EQ(both.notices.size(), 3u);
    ASSERT_EQ(target.notices.size(), 1u);
    EXPECT_EQ(target.notices[0].note, NoteType::archive_write);
    EXPECT_EQ(target.notices[0].score, both.notices[1].score);
    ASSERT_EQ(collector.notices.size(), 2u);
    EXPECT_EQ(collector.notices[0].note, NoteType::pull_collector);
    EXPECT_EQ(collector.notices[0].score, 30u);
    EXPECT_EQ(collector.notices[1].note, NoteType::pull_collector);
    EXPECT_EQ(collector.notices[1].score, 80u);  // the push still escalates it
    EXPECT_EQ(collector.notices[1].msg, both.notices[2].msg);

    ASSERT_EQ(target.staging.size(), 1u);
    EXPECT_EQ(target.staging[0].role, Role::target);
    EXPECT_EQ(target.staging[0].host, ip("10.0.0.99"));
    ASSERT_EQ(collector.staging.size(), 1u);
    EXPECT_EQ(collector.staging[0].role, Role::collector);
    EXPECT_EQ(collector.staging[0].score, 80u);
    // Host volume belongs to the target half only.
    EXPECT_EQ(target.volume.size(), both.volume.size());
    EXPECT_FALSE(both.volume.empty());
    EXPECT_TRUE(collector.volume.empty());
}

// ------------------------------------------------------------------ tool transfer (T1570)

TEST(AnalyticsToolTransfer, ExecutableReadOffAnAdminShareIsAMediumNotice) {
    Recorder rec;
    AnalyticsConfig cfg = test_config();
    cfg.file_notice_min = Severity::medium;  // the default policy
    StagingAnalytics a(cfg, rec);
    const ConnId id = conn("10.0.0.5", 50001, "10.0.0.9", 445, "T1");
    SmbFileEvent exe = smb_read(at(10), id, "\\\\SRV9\\C$", "Windows\\Temp\\psexec.exe", 400000);
    exe.read_content_type = "pe";
    SmbFileEvent ini = smb_read(at(20), id, "\\\\SRV9\\C$", "Windows\\system.ini", 2400);
    ini.read_content_type = "text";
    SmbFileEvent on_data = smb_read(at(30), id, "\\\\SRV9\\data", "setup.exe", 400000);
    on_data.read_content_type = "pe";
    SmbFileEvent elf = smb_read(at(40), conn("10.0.0.6", 50002, "10.0.0.9", 445, "T2"), "\\\\SRV9\\ADMIN$",
                                "agent", 9000);
    elf.read_content_type = "elf";
    for (const auto& e : {exe, ini, on_data, elf}) a.on_event(e);
    a.finish();
    auto t = rec.of(NoteType::tool_transfer);
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(note_name(t[0]->note), "Staging::Tool_Transfer");
    EXPECT_EQ(t[0]->src, ip("10.0.0.5"));
    EXPECT_EQ(t[0]->dst, ip("10.0.0.9"));
    EXPECT_EQ(t[0]->score, 35u);
    EXPECT_EQ(t[0]->severity, Severity::medium);
    EXPECT_EQ(t[0]->detection_type, "ToolTransfer");
    EXPECT_EQ(t[0]->mitre, std::vector<std::string>{"T1570"});
    EXPECT_EQ(t[0]->file_mime_type, "application/x-dosexec");
    EXPECT_EQ(t[0]->file_desc, "\\\\SRV9\\C$\\Windows\\Temp\\psexec.exe");
    EXPECT_EQ(t[0]->msg, "10.0.0.5 read executable Windows\\Temp\\psexec.exe (pe, 400.0 KB) from admin share "
                         "\\\\SRV9\\C$");
    EXPECT_EQ(t[1]->src, ip("10.0.0.6"));
    EXPECT_EQ(t[1]->file_mime_type, "application/x-executable");

    // The collector half raises it; the target half does not.
    Recorder target;
    StagingAnalytics ta(cfg, target, {.target = true, .collector = false});
    ta.on_event(exe);
    ta.finish();
    EXPECT_TRUE(target.of(NoteType::tool_transfer).empty());
    // Allow-listed collector: counted as allow-listed, no notice.
    cfg.allow_collectors.add(*Cidr::parse("10.0.0.5"));
    Recorder allowed;
    StagingAnalytics aa(cfg, allowed);
    aa.on_event(exe);
    aa.finish();
    EXPECT_TRUE(allowed.of(NoteType::tool_transfer).empty());
    EXPECT_EQ(aa.stats().findings_allowlisted, 1u);
}

}  // namespace
}  // namespace sw

namespace sw {
namespace {

using namespace sw::test;

ProgressEvent writing(Timestamp t, const ConnId& id, const std::string& fuid, const std::string& name,
                      std::uint64_t bytes) {
    ProgressEvent p;
    p.ts = t;
    p.id = id;
    p.kind = ProgressEvent::Kind::smb_file;
    p.fuid = fuid;
    p.path = "\\\\FS01\\data";
    p.share = "data";
    p.name = name;
    p.written = bytes;
    return p;
}

TEST(AnalyticsProgress, FanInIsRaisedByATransferStillInProgressAndListsIt) {
    Recorder rec;
    StagingAnalytics a(test_config(), rec);
    a.on_event(smb_write(at(60), conn("10.0.0.1", 49001, "10.0.0.9", 445, "C1"), kData, "q1\\report.pdf", 12 * MB));
    a.on_event(smb_write(at(120), conn("10.0.0.2", 49002, "10.0.0.9", 445, "C2"), kData, "b.pdf", 12 * MB));
    EXPECT_TRUE(rec.notices.empty());
    const ConnId c3 = conn("10.0.0.3", 49003, "10.0.0.9", 445, "C3");
    a.on_event(writing(at(179), c3, "Fc", "c.pdf", 5 * MB));  // below min-bytes in all: nothing yet
    EXPECT_TRUE(rec.notices.empty());
    a.on_event(writing(at(239), c3, "Fc", "c.pdf", 7 * MB));
    ASSERT_EQ(rec.notices.size(), 1u);
    const Notice& n = rec.notices[0];
    EXPECT_EQ(n.note, NoteType::fan_in);
    EXPECT_EQ(n.ts, at(239));
    EXPECT_EQ(n.sources, ips({"10.0.0.1", "10.0.0.2", "10.0.0.3"}));
    EXPECT_EQ(n.bytes, 36 * MB);
    EXPECT_NE(n.msg.find(", 1 transfer still in progress"), std::string::npos) << n.msg;
    EXPECT_NE(n.sub.find("; in progress: \\\\FS01\\data\\c.pdf from 10.0.0.3, 12.0 MB so far;"), std::string::npos)
        << n.sub;

    // The close adds only what the progress did not count: the window holds
    // 36 MB, not 48, and the transfer is no longer in progress.
    SmbFileEvent f = smb_write(at(250), c3, kData, "c.pdf", 12 * MB, "pdf", "Fc");
    f.progress_written = 12 * MB;
    a.on_event(f);
    a.on_event(smb_write(at(260), conn("10.0.0.4", 49004, "10.0.0.9", 445, "C4"), kData, "d.pdf", 12 * MB));
    a.finish();
    ASSERT_FALSE(rec.staging.empty());
    const StagingRow& row = rec.staging.back();
    EXPECT_EQ(row.bytes, 48 * MB);
    ASSERT_GE(rec.notices.size(), 2u);  // the update with the fourth source
    EXPECT_EQ(rec.notices.back().bytes, 48 * MB);
    EXPECT_EQ(rec.notices.back().sub.find("in progress"), std::string::npos) << rec.notices.back().sub;
}

}  // namespace
}  // namespace sw
