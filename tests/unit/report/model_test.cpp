// report/model: the join of staging, notice, smb_files, ssh, conn and volume
// logs into findings, checked on a hand-written case (report_fixture.h).
#include "report/model.h"

#include <gtest/gtest.h>

#include "report_fixture.h"
#include "support.h"

namespace sw::report {
namespace {

TEST(ReportModel, JoinsTheFanInCase) {
    test::TempDir d;
    fixture::write_case(d.path());
    Model m = build_model({d.str()});

    // Most severe first; the later staging.log update of the same window wins;
    // the notice about 10.1.1.1 (no staging.log row) is a finding of its own.
    ASSERT_EQ(m.findings.size(), 3u);
    const Finding& f = m.findings[0];
    EXPECT_EQ(f.id, "f1");
    EXPECT_EQ(f.host, "10.74.0.110");
    EXPECT_EQ(f.severity, "high");
    EXPECT_EQ(f.score, 95);
    EXPECT_EQ(f.bytes, 4830381u);
    EXPECT_EQ(m.findings[1].host, "10.1.1.1");
    EXPECT_TRUE(m.findings[1].from_notice_only);
    EXPECT_EQ(m.findings[1].severity, "medium");
    EXPECT_EQ(m.findings[1].bytes, 9000000u);
    ASSERT_EQ(m.findings[1].peers.size(), 2u);
    EXPECT_EQ(m.findings[1].peers[0].host, "10.1.1.2");
    ASSERT_EQ(m.findings[1].indicators.size(), 2u);
    EXPECT_EQ(m.findings[1].indicators[1].name, "ssh_upload");
    EXPECT_EQ(m.findings[1].indicators[1].weight, 15);
    EXPECT_EQ(m.findings[2].host, "10.74.0.50");

    // Indicators with weights, from staging.log.
    ASSERT_EQ(f.indicators.size(), 6u);
    EXPECT_EQ(f.indicators[0].name, "fan_in");
    EXPECT_EQ(f.indicators[0].weight, 30);
    long sum = 0;
    for (const auto& i : f.indicators) sum += i.weight;
    EXPECT_EQ(sum, 95);

    // Sources by bytes, with their files, archives and encryption.
    ASSERT_EQ(f.peers.size(), 3u);
    EXPECT_EQ(f.peers[0].host, "10.74.0.131");
    EXPECT_EQ(f.peers[0].bytes, 2561862u);
    EXPECT_EQ(f.peers[0].files, 2u);
    EXPECT_EQ(f.peers[0].archives, 2u);
    EXPECT_TRUE(f.peers[0].encrypted);  // the SSH session
    EXPECT_TRUE(f.peers[0].ssh);
    EXPECT_EQ(f.peers[1].host, "10.74.0.182");
    EXPECT_EQ(f.peers[1].archives, 2u);
    EXPECT_FALSE(f.peers[1].encrypted);
    EXPECT_EQ(f.peers[2].host, "10.74.0.59");
    EXPECT_EQ(f.peers[2].files, 1u);

    // The five writes of the sources inside the window; not the bystander's, not the old one.
    ASSERT_EQ(f.file_rows_total, 5u);
    ASSERT_EQ(f.file_rows.size(), 5u);
    EXPECT_EQ(f.file_rows[0].name, "tmp\\ws1-hr-1675.zip");
    EXPECT_EQ(f.file_rows[0].user, "LAB\\stagelab");
    EXPECT_EQ(f.file_rows[0].path, "\\\\10.74.0.110\\stage$");
    EXPECT_EQ(f.file_rows[0].size, 541897u);
    EXPECT_EQ(f.file_rows[2].name, fixture::kHostile);
    for (const auto& fr : f.file_rows) EXPECT_TRUE(fr.archive) << fr.name;

    // Marks: 5 file writes, 1 SSH session, 4 connections from sources.
    EXPECT_EQ(f.marks_total, 10u);
    int writes = 0, ssh = 0, conns = 0;
    for (const auto& mk : f.marks) {
        writes += mk.kind == Mark::Kind::write;
        ssh += mk.kind == Mark::Kind::ssh;
        conns += mk.kind == Mark::Kind::conn;
    }
    EXPECT_EQ(writes, 5);
    EXPECT_EQ(ssh, 1);
    EXPECT_EQ(conns, 4);

    // Afterwards: the file written on, and the large outbound connection.
    ASSERT_EQ(f.outbound.size(), 2u);
    EXPECT_EQ(f.outbound[0].dst, "10.9.9.9");
    EXPECT_EQ(f.outbound[0].bytes, 2000000u);
    EXPECT_EQ(f.outbound[0].what, "wrote all.zip");
    EXPECT_EQ(f.outbound[1].dst, "10.8.8.8");
    EXPECT_EQ(f.outbound[1].bytes, 3000000u);

    // The notice joined to its finding.
    ASSERT_EQ(f.notices.size(), 1u);
    EXPECT_EQ(f.notices[0].uid, "C2wwz3CVG7P71w5JzC");
    EXPECT_EQ(f.msg, "10.74.0.110 received 4.8 MB from 3 hosts in 6 s");

    // Every uid the page links to is in the index.
    for (const char* uid : {"CJnRvBGDx3mU2jR82S", "C9wX8K0eMuD41AV47y", "C2wwz3CVG7P71w5JzC", "Cssh", "Cbig"})
        EXPECT_TRUE(m.conns.count(uid)) << uid;
    EXPECT_FALSE(m.conns.count("CJnRvBGDx3mU2jR82Sx"));
    EXPECT_TRUE(m.conns.at("Cssh").encrypted);

    // Overview.
    EXPECT_EQ(m.overview.bytes_by_proto.at("smb"), 4841981u);
    EXPECT_EQ(m.overview.bytes_by_proto.at("ssh"), 5000u);
    EXPECT_EQ(m.overview.bytes_by_proto.at("tcp"), 3005000u);
    EXPECT_EQ(m.overview.findings_by_severity.at("high"), 1u);
    EXPECT_EQ(m.overview.findings_by_severity.at("medium"), 1u);
    EXPECT_EQ(m.overview.findings_by_severity.at("low"), 1u);
    EXPECT_EQ(m.overview.findings_by_type.at("FanInVolume"), 1u);
    EXPECT_DOUBLE_EQ(m.overview.first, 1796200000.0);
    EXPECT_DOUBLE_EQ(m.overview.last, 1796283500.0);
    EXPECT_EQ(m.overview.hosts, 5u);
    EXPECT_EQ(m.overview.rows_by_log.at("smb_files"), 8u);
    EXPECT_EQ(m.overview.rows_by_log.at("staging"), 3u);

    // Hosts: the finding's host first, with its volume series and top peers.
    ASSERT_FALSE(m.hosts.empty());
    EXPECT_EQ(m.hosts[0].host, "10.74.0.110");
    EXPECT_TRUE(m.hosts[0].in_finding);
    ASSERT_EQ(m.hosts[0].volume.size(), 2u);
    EXPECT_EQ(m.hosts[0].bytes_in, 4830381u);
    EXPECT_EQ(m.hosts[0].bytes_out, 2000000u);
    ASSERT_FALSE(m.hosts[0].top_peers.empty());
    EXPECT_EQ(m.hosts[0].top_peers[0].first, "10.8.8.8");
    EXPECT_EQ(m.hosts[0].top_peers[0].second, 3005000u);
}

TEST(ReportModel, CapsAreCountedNotSilent) {
    test::TempDir d;
    fixture::write_case(d.path());
    ModelLimits lim;
    lim.files_per_finding = 2;
    lim.marks_per_finding = 3;
    lim.outbound_per_finding = 1;
    lim.detailed_findings = 1;
    Model m = build_model({d.str()}, lim);
    const Finding& f = m.findings[0];
    EXPECT_EQ(f.file_rows.size(), 2u);
    EXPECT_EQ(f.file_rows_total, 5u);
    EXPECT_EQ(f.marks.size(), 3u);
    EXPECT_EQ(f.marks_total, 10u);
    EXPECT_EQ(f.outbound.size(), 1u);
    EXPECT_EQ(f.outbound_total, 2u);
    // Past the detailed cap nothing is joined.
    lim.detailed_findings = 0;
    Model none = build_model({d.str()}, lim);
    EXPECT_EQ(none.findings[0].file_rows_total, 0u);
    EXPECT_TRUE(none.findings[0].marks.empty());
    EXPECT_EQ(none.findings.size(), 3u);
}

TEST(ReportModel, EmptyDirectoryHasNoFindings) {
    test::TempDir d;
    Model m = build_model({d.str()});
    EXPECT_TRUE(m.findings.empty());
    EXPECT_TRUE(m.hosts.empty());
    EXPECT_EQ(m.overview.first, 0);
}

TEST(ReportModel, Indicators) {
    auto v = indicators_from_sub("update of an earlier notice; sources: a 1 KB; indicators: fan_in:30, encrypted_smb:15");
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0].name, "fan_in");
    EXPECT_EQ(v[0].weight, 30);
    EXPECT_EQ(v[1].name, "encrypted_smb");
    EXPECT_EQ(v[1].weight, 15);
    EXPECT_TRUE(indicators_from_sub("content: zip").empty());
    EXPECT_EQ(severity_rank("high"), 3);
    EXPECT_EQ(severity_rank("bogus"), 0);
    EXPECT_TRUE(is_archive_name("A.ZIP"));
    EXPECT_TRUE(is_archive_name("x.tar.gz"));
    EXPECT_FALSE(is_archive_name("zip.docx"));
}

}  // namespace
}  // namespace sw::report
