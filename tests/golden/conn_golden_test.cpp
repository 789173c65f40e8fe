// Golden conn.log values on every capture of the public corpus, read in place
// from ../shared/pcaps. The references in tests/reference/conn/ were computed
// from tshark's dissection by tools/reference/conn_reference.py (see its
// header): per TCP conversation and direction, tshark's frame count, the sum
// of IP total lengths, and the sequence space covered as Zeek defines
// orig_bytes/resp_bytes. As a cross-check, that sequence space must equal
// tshark's payload sum over frames it flags neither as retransmission nor as
// keep-alive wherever nothing was acknowledged without being captured.
//
// Zeek (and stagewatch) may split what tshark calls one conversation: an
// unanswered SYN is given up after 5 s and a later packet starts a new
// connection. Our connections are therefore summed per conversation.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "support.h"

namespace sw {
namespace {

namespace fs = std::filesystem;

struct RefRow {
    std::string stream, client, server;
    std::uint16_t cport = 0, sport = 0;
    double first = 0, last = 0;
    std::uint64_t v[8] = {};  // c2s frames, ip, payload_nr, seq_span, s2c ...
};

std::vector<RefRow> read_ref(const fs::path& p) {
    std::vector<RefRow> out;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::stringstream ss(line);
        RefRow r;
        std::string x;
        std::getline(ss, r.stream, '\t');
        std::getline(ss, r.client, '\t');
        std::getline(ss, x, '\t');
        r.cport = static_cast<std::uint16_t>(std::stoul(x));
        std::getline(ss, r.server, '\t');
        std::getline(ss, x, '\t');
        r.sport = static_cast<std::uint16_t>(std::stoul(x));
        std::getline(ss, x, '\t');
        r.first = std::stod(x);
        std::getline(ss, x, '\t');
        r.last = std::stod(x);
        for (auto& v : r.v) {
            std::getline(ss, x, '\t');
            v = std::stoull(x);
        }
        out.push_back(r);
    }
    return out;
}

TEST(GoldenConn, EveryTcpConversationMatchesTsharkReference) {
    SW_REQUIRE_SHARED_PCAPS();
    const fs::path refdir = test::source_dir() / "tests" / "reference" / "conn";
    int files = 0, conversations = 0, cross_checked = 0;
    for (const auto& ent : fs::recursive_directory_iterator(refdir)) {
        if (!ent.is_regular_file()) continue;
        std::string rel = fs::relative(ent.path(), refdir).string();
        rel = rel.substr(0, rel.size() - 4);  // drop .tsv
        const fs::path cap = test::shared_pcaps() / rel;
        ASSERT_TRUE(fs::exists(cap)) << cap;
        ++files;
        auto events = test::run_pipeline({cap.string()});
        auto conns = events.all<ConnRecord>();
        for (const RefRow& r : read_ref(ent.path())) {
            ++conversations;
            std::uint64_t got[8] = {};
            int n = 0;
            auto c_addr = *IpAddr::parse(r.client), s_addr = *IpAddr::parse(r.server);
            for (const ConnRecord& c : conns) {
                if (c.id.proto != Transport::tcp) continue;
                double ts = static_cast<double>(c.ts) / 1e6;
                if (ts < r.first - 1e-6 || ts > r.last + 1e-6) continue;
                bool same = c.id.orig_h == c_addr && c.id.orig_p == r.cport && c.id.resp_h == s_addr &&
                            c.id.resp_p == r.sport;
                bool flipped = c.id.orig_h == s_addr && c.id.orig_p == r.sport && c.id.resp_h == c_addr &&
                               c.id.resp_p == r.cport;
                if (!same && !flipped) continue;
                ++n;
                std::uint64_t cl[3] = {c.orig_pkts, c.orig_ip_bytes, c.orig_bytes};
                std::uint64_t sv[3] = {c.resp_pkts, c.resp_ip_bytes, c.resp_bytes};
                if (flipped) std::swap(cl, sv);
                got[0] += cl[0], got[1] += cl[1], got[3] += cl[2];
                got[4] += sv[0], got[5] += sv[1], got[7] += sv[2];
            }
            SCOPED_TRACE(rel + " tcp.stream " + r.stream);
            ASSERT_GT(n, 0) << "no connection for " << r.client << ":" << r.cport << " -> " << r.server << ":" << r.sport;
            EXPECT_EQ(got[0], r.v[0]) << "orig packets";
            EXPECT_EQ(got[1], r.v[1]) << "orig IP bytes";
            EXPECT_EQ(got[3], r.v[3]) << "orig bytes (sequence space)";
            EXPECT_EQ(got[4], r.v[4]) << "resp packets";
            EXPECT_EQ(got[5], r.v[5]) << "resp IP bytes";
            EXPECT_EQ(got[7], r.v[7]) << "resp bytes (sequence space)";
            // Cross-check against tshark's own payload count where it applies:
            // sequence space == non-retransmitted payload unless bytes were
            // acknowledged that the capture never had.
            if (r.v[3] == r.v[2] && r.v[7] == r.v[6]) ++cross_checked;
        }
    }
    EXPECT_GE(files, 40);
    EXPECT_EQ(conversations, 125);
    // Most conversations are clean; the rest are documented captures with
    // keep-alive probes, ACKs of uncaptured data, or one-sided captures.
    EXPECT_GE(cross_checked, 100);
}

TEST(GoldenConn, TruthTableFrameCountsAgree) {
    // The corpus' own truth files (made by make_truth.sh, not by us) carry
    // tshark's frame counts per direction too: they must agree with ours.
    SW_REQUIRE_SHARED_PCAPS();
    const fs::path cap = test::shared_pcaps() / "OISF-suricata-verify/smb2-01/smb2-peter.pcap";
    auto conns = test::run_pipeline({cap.string()}).all<ConnRecord>();
    ASSERT_EQ(conns.size(), 1u);
    // truth tcp_conv: 10.3.1.2 -> 10.3.1.1:445, c2s 401 frames / 65925 payload, s2c 391 / 337697
    std::ifstream in(test::shared_pcaps() / "truth/OISF-suricata-verify/smb2-01/smb2-peter.pcap.tsv");
    std::string line;
    bool found = false;
    while (std::getline(in, line)) {
        if (line.rfind("tcp_conv\t", 0) != 0) continue;
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string x;
        while (std::getline(ss, x, '\t')) f.push_back(x);
        EXPECT_EQ(conns[0].orig_pkts, std::stoull(f[9]));
        EXPECT_EQ(conns[0].orig_bytes, std::stoull(f[11]));
        EXPECT_EQ(conns[0].resp_pkts, std::stoull(f[13]));
        EXPECT_EQ(conns[0].resp_bytes, std::stoull(f[15]));
        found = true;
    }
    EXPECT_TRUE(found);
}

}  // namespace
}  // namespace sw
