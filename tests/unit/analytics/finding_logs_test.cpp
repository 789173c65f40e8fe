// notice.log, staging.log and volume.log exactly as written for a scenario
// built by hand, and volume.log against conn.log on real captures.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "output/finding_writer.h"
#include "output/log_set.h"
#include "support.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

std::string tsv(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += '\t';
        out += fields[i];
    }
    return out;
}

std::vector<std::string> lines(const std::filesystem::path& file) {
    std::vector<std::string> out;
    for (const auto& row : read_tsv_log(file)) out.push_back(tsv(row));
    return out;
}

std::string header_line(const std::filesystem::path& file, const std::string& key) {
    std::ifstream in(file);
    std::string l;
    while (std::getline(in, l))
        if (l.rfind(key, 0) == 0) return l;
    return {};
}

// Three workstations copy 7z archives into \\FS01\stage$ on 10.1.0.50, one
// minute apart; a fourth uploads 5 MB to it with scp.
TEST(AnalyticsLogs, ScenarioRowsExactly) {
    TempDir dir;
    {
        LogSet logs(dir.str(), LogFormat::tsv);
        FindingWriter w(logs);
        StagingAnalytics a(test_config(), w);
        for (int i = 1; i <= 3; ++i) {
            std::string src = "10.1.0.1" + std::to_string(i);
            std::string uid = "C" + std::to_string(i);
            a.on_event(smb_write(at(60.0 * i), conn(src.c_str(), 49000 + i, "10.1.0.50", 445, uid.c_str()),
                                 "\\\\FS01\\stage$", "ws" + std::to_string(i) + ".7z", 12 * MB, "7z",
                                 "F" + std::to_string(i)));
        }
        a.on_event(ssh_transfer(at(200), conn("10.1.0.14", 40222, "10.1.0.50", 22, "S4"), 5 * MB, 0));
        a.finish();
        logs.close_all();
    }

    EXPECT_EQ(header_line(dir.path() / "notice.log", "#fields"),
              "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tfuid\tfile_mime_type\tfile_desc\t"
              "proto\tnote\tmsg\tsub\tsrc\tdst\tp\tn\tpeer_descr\tactions\temail_dest\tsuppress_for\tscore\t"
              "severity\tdetection_type\tsources\tbytes\tarchives\tmitre");
    EXPECT_EQ(header_line(dir.path() / "notice.log", "#types"),
              "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tenum\tenum\tstring\t"
              "string\taddr\taddr\tport\tcount\tstring\tset[enum]\tset[string]\tinterval\tcount\tstring\t"
              "string\tset[addr]\tcount\tset[string]\tset[string]");
    // A backslash is written as two, as Zeek writes it.
    const std::string stage = "\\\\\\\\FS01\\\\stage$";
    std::vector<std::string> want_notices;
    for (int i = 1; i <= 3; ++i) {
        const std::string n = std::to_string(i);
        want_notices.push_back(tsv({
            std::to_string(1699999200 + 60 * i) + ".000000", "C" + n, "10.1.0.1" + n, std::to_string(49000 + i),
            "10.1.0.50", "445", "F" + n, "application/x-7z-compressed", stage + "\\\\ws" + n + ".7z", "tcp",
            "Staging::Archive_Write",
            "10.1.0.1" + n + " wrote archive ws" + n + ".7z (12.0 MB) to " + stage + " (hidden share)",
            "content: 7z; user: LAB\\\\alice; indicators: archive_name:15, archive_content:10, hidden_share:5",
            "10.1.0.1" + n, "10.1.0.50", "445", "-", "-", "Notice::ACTION_LOG", "(empty)", "3600.000000", "30",
            "low", "ArchiveToHiddenShare", "10.1.0.1" + n, "12000000", "ws" + n + ".7z", "T1074.002,T1560",
        }));
    }
    want_notices.push_back(tsv({
        "1699999380.000000", "C3", "10.1.0.13", "49003", "10.1.0.50", "445", "-", "-", "-", "tcp", "Staging::Fan_In",
        "10.1.0.50 received 36.0 MB from 3 hosts in 2 min, 3 archives to " + stage +
            ", archives of 3 sources converging on " + stage,
        "sources: 10.1.0.11 12.0 MB, 10.1.0.12 12.0 MB, 10.1.0.13 12.0 MB; indicators: fan_in:30, "
        "fan_in_archives:15, convergence:10, archive_name:15, archive_content:10, hidden_share:5",
        "-", "10.1.0.50", "445", "3", "-", "Notice::ACTION_LOG", "(empty)", "3600.000000", "85", "high",
        "FanInArchiveStaging", "10.1.0.11,10.1.0.12,10.1.0.13", "36000000", "ws1.7z,ws2.7z,ws3.7z", "T1074.002",
    }));
    // The scp upload adds a fourth source: no new notice within suppress_for
    // (same severity), but the grown finding is written as an update when
    // the report period ends (here: at the end of input).
    want_notices.push_back(tsv({
        "1699999400.000000", "S4", "10.1.0.14", "40222", "10.1.0.50", "22", "-", "-", "-", "tcp", "Staging::Fan_In",
        "10.1.0.50 received 41.0 MB from 4 hosts in 2 min, 3 archives to " + stage +
            ", 5.0 MB by SSH upload, archives of 3 sources converging on " + stage,
        "update of an earlier notice; sources: 10.1.0.11 12.0 MB, 10.1.0.12 12.0 MB, 10.1.0.13 12.0 MB, "
        "10.1.0.14 5.0 MB; indicators: fan_in:30, fan_in_archives:15, convergence:10, archive_name:15, "
        "archive_content:10, hidden_share:5",
        "-", "10.1.0.50", "22", "4", "-", "Notice::ACTION_LOG", "(empty)", "3600.000000", "85", "high",
        "FanInArchiveStaging", "10.1.0.11,10.1.0.12,10.1.0.13,10.1.0.14", "41000000", "ws1.7z,ws2.7z,ws3.7z",
        "T1074.002",
    }));
    EXPECT_EQ(lines(dir.path() / "notice.log"), want_notices);

    EXPECT_EQ(header_line(dir.path() / "staging.log", "#fields"),
              "#fields\tts\thost\trole\tperiod_start\twindow_start\tn_peers\tpeers\tpeer_bytes\tpeers_dropped\t"
              "bytes\tsmb_bytes\tssh_bytes\tencrypted_bytes\tfiles\tarchives\tmasquerades\tadmin_share_writes\t"
              "staging_path_writes\tarchive_names\tshares\tpushed_bytes\tpush_targets\tvolume_anomaly\tscore\t"
              "severity\tdetection_type\tindicators\tnotices\tsuppressed\tsuppressed_by");
    // The row shows the latest state at the highest score.
    EXPECT_EQ(lines(dir.path() / "staging.log"),
              std::vector<std::string>{tsv({
                  "1699999400.000000", "10.1.0.50", "target", "1699999200.000000", "1699999260.000000", "4",
                  "10.1.0.11,10.1.0.12,10.1.0.13,10.1.0.14",
                  "10.1.0.11=12000000,10.1.0.12=12000000,10.1.0.13=12000000,10.1.0.14=5000000", "0", "41000000",
                  "36000000", "5000000", "0", "3", "3", "0", "0", "0", "ws1.7z,ws2.7z,ws3.7z", stage, "-", "-", "F",
                  "85", "high", "FanInArchiveStaging",
                  "fan_in:30,fan_in_archives:15,convergence:10,archive_name:15,archive_content:10,hidden_share:5",
                  "Staging::Archive_Write,Staging::Fan_In", "F", "(empty)",
              })});

    EXPECT_EQ(lines(dir.path() / "volume.log"),
              (std::vector<std::string>{
                  "1699999260.000000\t10.1.0.11\tsmb\t0\t12000000\t1\t0\t0\t1",
                  "1699999260.000000\t10.1.0.50\tsmb\t12000000\t0\t1\t0\t1\t0",
                  "1699999320.000000\t10.1.0.12\tsmb\t0\t12000000\t1\t0\t0\t1",
                  "1699999320.000000\t10.1.0.50\tsmb\t12000000\t0\t1\t0\t1\t0",
                  "1699999380.000000\t10.1.0.13\tsmb\t0\t12000000\t1\t0\t0\t1",
                  "1699999380.000000\t10.1.0.14\tssh\t3000\t5004000\t0\t0\t1\t1",
                  "1699999380.000000\t10.1.0.50\tsmb\t12000000\t0\t1\t0\t1\t0",
                  "1699999380.000000\t10.1.0.50\tssh\t5004000\t3000\t0\t0\t1\t1",
              }));
}

TEST(AnalyticsLogs, JsonNotice) {
    TempDir dir;
    {
        LogSet logs(dir.str(), LogFormat::json);
        FindingWriter w(logs);
        StagingAnalytics a(test_config(), w);
        a.on_event(smb_write(at(10), conn("10.0.0.1", 1, "10.0.0.9", 445, "C1"), "\\\\FS01\\data", "x.zip", MB));
        a.finish();
        logs.close_all();
    }
    std::ifstream in(dir.path() / "notice.log");
    std::string l;
    std::getline(in, l);
    EXPECT_NE(l.find("\"note\":\"Staging::Archive_Write\""), std::string::npos) << l;
    EXPECT_NE(l.find("\"sources\":[\"10.0.0.1\"]"), std::string::npos) << l;
    EXPECT_NE(l.find("\"email_dest\":[]"), std::string::npos) << l;
    EXPECT_NE(l.find("\"score\":15"), std::string::npos) << l;
    EXPECT_EQ(l.find("peer_descr"), std::string::npos) << l;  // unset fields are omitted
}

// volume.log's other_tcp rows, per host, add up to conn.log's bytes of the
// TCP connections that no SMB or SSH dissector claimed.
TEST(AnalyticsLogs, VolumeAgreesWithConnLogOnRealCaptures) {
    SW_REQUIRE_SHARED_PCAPS();
    for (const char* cap : {"OISF-suricata-verify/smb2-07/20171220_smb_psexec_add_user.pcap",
                            "OISF-suricata-verify/ssh-hassh/input.pcap",  // HTTPS flows next to SSH
                            "zeek-zeek/ssh.client-side-half-duplex.pcap"}) {
        TempDir dir;
        std::string out;
        int rc = run_command(binary() + " -r " + (shared_pcaps() / cap).string() + " -o " + dir.str() +
                                 " --progress never --log-level warn",
                             &out);
        ASSERT_EQ(rc, 0) << out;
        std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> want;  // host -> (in, out)
        auto num = [](const std::string& s) -> std::uint64_t { return s == "-" ? 0 : std::stoull(s); };
        for (const auto& r : read_tsv_log(dir.path() / "conn.log")) {
            // ts uid orig_h orig_p resp_h resp_p proto service duration orig_bytes resp_bytes
            if (r[6] != "tcp" || r[7].find("smb") != std::string::npos || r[7].find("ssh") != std::string::npos)
                continue;
            if (r[2] == r[4]) continue;
            const std::uint64_t ob = num(r[9]), rb = num(r[10]);
            if (ob) want[r[2]].second += ob, want[r[4]].first += ob;
            if (rb) want[r[4]].second += rb, want[r[2]].first += rb;
        }
        std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> got;
        for (const auto& r : read_tsv_log(dir.path() / "volume.log")) {
            if (r[2] != "other_tcp") continue;
            got[r[1]].first += std::stoull(r[3]);
            got[r[1]].second += std::stoull(r[4]);
        }
        EXPECT_FALSE(want.empty()) << cap;
        EXPECT_EQ(got, want) << cap;
    }
}

}  // namespace
}  // namespace sw
