// The project's own SMB captures (pcaps/, recorded by tools/lab with real
// Samba 4.17 and smbclient in network namespaces): every transfer in the
// capture's truth JSON (sizes from `stat` of the transferred files) must show
// up in the events with exactly those byte counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <fstream>
#include <set>
#include <sstream>

#include "support.h"

namespace sw::test {
namespace {

struct Transfer {
    std::string client, server, share, name, op, content_type, new_name;
    std::int64_t bytes = -1;  // -1: null
    bool archive_name = false;
    bool encrypted = false;
};

struct LabTruth {
    std::string user, domain, dialect, tree_path;
    bool encrypted = false;
    std::vector<Transfer> transfers;
};

// The truth JSON through python3 (a test dependency) into tab-separated lines.
LabTruth load_lab_truth(const std::filesystem::path& json) {
    const std::string py =
        "import json,sys\n"
        "d=json.load(open(sys.argv[1]))\n"
        "n=lambda v:'' if v is None else str(v)\n"
        "print('\\t'.join(['H',n(d.get('smb_user')),n(d.get('smb_domain')),n(d.get('dialect')),"
        "n(d.get('tree_path')),'1' if d.get('encrypted') else '0']))\n"
        "for t in d['transfers']:\n"
        "  if t['proto']!='smb': continue\n"
        "  print('\\t'.join(['T',t['client'],t['server'],t['share'],t['name'],t['op'],"
        "'-1' if t['bytes'] is None else str(t['bytes']),n(t.get('content_type')),n(t.get('new_name')),"
        "'1' if t.get('archive_name') else '0','1' if t.get('encrypted') else '0']))\n";
    TempDir tmp;
    const auto script = tmp.path() / "truth.py";
    {
        std::ofstream(script) << py;
    }
    std::string out;
    int rc = run_command("python3 " + script.string() + " " + json.string(), &out);
    EXPECT_EQ(rc, 0) << out;
    LabTruth t;
    std::stringstream ss(out);
    std::string line;
    while (std::getline(ss, line)) {
        std::vector<std::string> f;
        std::stringstream ls(line);
        std::string x;
        while (std::getline(ls, x, '\t')) f.push_back(x);
        while (f.size() < 11) f.push_back("");
        if (f[0] == "H") {
            t.user = f[1];
            t.domain = f[2];
            t.dialect = f[3];
            t.tree_path = f[4];
            t.encrypted = f[5] == "1";
        } else if (f[0] == "T") {
            Transfer tr;
            tr.client = f[1];
            tr.server = f[2];
            tr.share = f[3];
            tr.name = f[4];
            tr.op = f[5];
            tr.bytes = std::stoll(f[6]);
            tr.content_type = f[7];
            tr.new_name = f[8];
            tr.archive_name = f[9] == "1";
            tr.encrypted = f[10] == "1";
            t.transfers.push_back(tr);
        }
    }
    return t;
}

std::string opened_name(const SmbFileEvent& e) { return e.prev_name.empty() ? e.name : e.prev_name; }

class SmbLab : public ::testing::TestWithParam<const char*> {};

TEST_P(SmbLab, TransfersMatchTruth) {
    const auto pcap = project_pcaps() / (std::string(GetParam()) + ".pcap");
    const auto json = project_pcaps() / (std::string(GetParam()) + ".truth.json");
    if (!std::filesystem::exists(pcap)) GTEST_SKIP() << pcap << " not recorded yet";
    const LabTruth t = load_lab_truth(json);
    ASSERT_FALSE(t.transfers.empty());
    const Collector c = run_pipeline({pcap.string()});
    const auto files = c.all<SmbFileEvent>();
    const auto maps = c.all<SmbMappingEvent>();
    const auto ntlms = c.all<NtlmEvent>();
    const auto sessions = c.all<SmbSessionEvent>();

    // Who: NTLM user and domain, the session user on every row.
    ASSERT_EQ(ntlms.size(), 1u);
    EXPECT_EQ(ntlms[0].username, t.user);
    EXPECT_EQ(ntlms[0].domainname, t.domain);
    EXPECT_EQ(ntlms[0].success, std::optional<bool>(true));
    const std::string user = t.domain + "\\" + t.user;
    for (const auto& m : maps) {
        EXPECT_EQ(m.username, user);
        EXPECT_EQ(m.dialect, t.dialect);
        EXPECT_EQ(m.id.orig_h.str(), t.transfers[0].client);
        EXPECT_EQ(m.id.resp_h.str(), t.transfers[0].server);
    }

    if (t.encrypted) {
        // Only TRANSFORM messages after the session setup: no tree, no file is
        // visible, but the session and its byte volumes are.
        EXPECT_TRUE(files.empty());
        ASSERT_EQ(maps.size(), 1u);
        EXPECT_TRUE(maps[0].encrypted);
        EXPECT_TRUE(maps[0].path.empty());
        ASSERT_EQ(sessions.size(), 1u);
        const auto& s = sessions[0];
        EXPECT_TRUE(s.encrypted);
        EXPECT_EQ(s.dialect, t.dialect);
        EXPECT_EQ(s.username, user);
        EXPECT_EQ(s.id.orig_h.str(), t.transfers[0].client);
        EXPECT_EQ(s.id.resp_h.str(), t.transfers[0].server);
        // The upload went client -> server: that direction carries the file
        // (plus per-message SMB headers), the other only small responses.
        std::uint64_t up = 0;
        for (const auto& tr : t.transfers)
            if (tr.op == "write") up += static_cast<std::uint64_t>(tr.bytes);
        EXPECT_GE(s.encrypted_bytes[0], up);
        EXPECT_LT(s.encrypted_bytes[0], up + up / 10);
        EXPECT_LT(s.encrypted_bytes[1], up / 10);
        EXPECT_GT(s.encrypted_msgs[0], 0u);
        EXPECT_GT(s.encrypted_msgs[1], 0u);
        return;
    }

    // The share.
    bool tree_seen = std::any_of(maps.begin(), maps.end(), [&](const SmbMappingEvent& m) {
        return m.path == t.tree_path && m.share_type == "DISK" && !m.encrypted;
    });
    EXPECT_TRUE(tree_seen) << t.tree_path;

    // Every write: one handle wrote exactly the file's size, and the row's
    // final size is that size; the content type is the real one.
    std::multiset<std::pair<std::string, std::uint64_t>> want_writes, got_writes;
    for (const auto& tr : t.transfers) {
        if (tr.op != "write") continue;
        if (tr.bytes > 0) want_writes.insert({tr.name, static_cast<std::uint64_t>(tr.bytes)});
        bool found = std::any_of(files.begin(), files.end(), [&](const SmbFileEvent& f) {
            return opened_name(f) == tr.name && f.bytes_written == static_cast<std::uint64_t>(tr.bytes) &&
                   f.size == std::optional<std::uint64_t>(tr.bytes) && f.path == t.tree_path &&
                   f.share == tr.share && f.username == user && f.dialect == t.dialect;
        });
        EXPECT_TRUE(found) << "write of " << tr.name << " (" << tr.bytes << " bytes)";
        if (tr.bytes > 0) {
            auto f = std::find_if(files.begin(), files.end(), [&](const SmbFileEvent& e) {
                return opened_name(e) == tr.name && e.bytes_written == static_cast<std::uint64_t>(tr.bytes);
            });
            ASSERT_NE(f, files.end());
            std::string want_ct = tr.content_type == "empty" ? "" : tr.content_type;
            EXPECT_EQ(f->content_type, want_ct) << tr.name;
            EXPECT_EQ(f->archive_name, tr.archive_name) << tr.name;
            EXPECT_EQ(f->write_ranges, 1u) << tr.name;
            EXPECT_EQ(f->missed_bytes, 0u);
            ASSERT_TRUE(f->entropy.has_value());
            if (want_ct == "zip" || want_ct == "ooxml" || want_ct == "data") {
                EXPECT_GT(*f->entropy, 6.5) << tr.name;
            }
            if (want_ct == "text") {
                EXPECT_LT(*f->entropy, 6.0) << tr.name;
            }
        }
    }
    for (const auto& f : files)
        if (f.bytes_written) got_writes.insert({opened_name(f), f.bytes_written});
    EXPECT_EQ(got_writes, want_writes);

    // Every read: bytes read equal the file size (no READ for an empty file).
    std::multiset<std::pair<std::string, std::uint64_t>> want_reads, got_reads;
    for (const auto& tr : t.transfers)
        if (tr.op == "read" && tr.bytes > 0) want_reads.insert({tr.name, static_cast<std::uint64_t>(tr.bytes)});
    for (const auto& f : files)
        if (f.bytes_read) got_reads.insert({opened_name(f), f.bytes_read});
    EXPECT_EQ(got_reads, want_reads);

    for (const auto& tr : t.transfers) {
        if (tr.op == "rename") {
            bool found = std::any_of(files.begin(), files.end(), [&](const SmbFileEvent& f) {
                return f.action == "SMB::FILE_RENAME" && f.prev_name == tr.name && f.name == tr.new_name &&
                       f.size == std::optional<std::uint64_t>(tr.bytes);
            });
            EXPECT_TRUE(found) << "rename " << tr.name << " -> " << tr.new_name;
        } else if (tr.op == "delete") {
            bool found = std::any_of(files.begin(), files.end(), [&](const SmbFileEvent& f) {
                return f.action == "SMB::FILE_DELETE" && f.name == tr.name && f.deleted &&
                       f.size == std::optional<std::uint64_t>(tr.bytes);
            });
            EXPECT_TRUE(found) << "delete " << tr.name;
        } else if (tr.op == "mkdir") {
            bool found = std::any_of(files.begin(), files.end(),
                                     [&](const SmbFileEvent& f) { return f.name == tr.name && f.is_directory; });
            EXPECT_TRUE(found) << "mkdir " << tr.name;
        }
    }

    // The session: cleartext volumes equal the sum of the transfers.
    ASSERT_EQ(sessions.size(), 1u);
    std::uint64_t w = 0, r = 0;
    for (const auto& tr : t.transfers) {
        if (tr.op == "write" && tr.bytes > 0) w += static_cast<std::uint64_t>(tr.bytes);
        if (tr.op == "read" && tr.bytes > 0) r += static_cast<std::uint64_t>(tr.bytes);
    }
    EXPECT_EQ(sessions[0].bytes_written, w);
    EXPECT_EQ(sessions[0].bytes_read, r);
    EXPECT_FALSE(sessions[0].encrypted);
    EXPECT_EQ(sessions[0].username, user);
}

INSTANTIATE_TEST_SUITE_P(Lab, SmbLab,
                         ::testing::Values("demo-smb", "smb311-ops", "smb21-ops", "smb3-encrypted"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                             std::string n = i.param;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

}  // namespace
}  // namespace sw::test
