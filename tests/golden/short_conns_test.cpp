// pcapgen's short-connection workload (the per-connection cost benchmark,
// docs/performance.md) on a small instance, against tshark as the
// independent reference: the number of TCP conversations (tshark -z
// conv,tcp) and, per conversation, who opened it, packets and IP bytes per
// direction and payload bytes per direction (frames tshark flags as
// retransmissions or keep-alives excluded) must equal stagewatch's conn.log row for it; every
// connection is a complete one (SF).
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <tuple>

#include "support.h"

namespace sw {
namespace {

namespace fs = std::filesystem;
using test::run_command;

struct Side {
    std::uint64_t pkts = 0, ip_bytes = 0, payload = 0;
};
struct Conv {
    std::string orig_h, resp_h;
    std::uint16_t orig_p = 0, resp_p = 0;
    Side orig, resp;
    bool opened = false;  // a SYN without ACK was seen
};
using Key = std::tuple<std::string, std::uint16_t, std::string, std::uint16_t>;

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    if (!s.empty() && s.back() == sep) out.emplace_back();
    return out;
}

// Per conversation (keyed by the opener's address and port first), from
// tshark's per-frame fields.
std::map<Key, Conv> tshark_convs(const fs::path& pcap) {
    std::string out;
    const std::string cmd = "tshark -n -r " + pcap.string() +
                            " -Y tcp -T fields -e tcp.stream -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport"
                            " -e tcp.flags.syn -e tcp.flags.ack -e ip.len -e tcp.len"
                            " -e tcp.analysis.retransmission -e tcp.analysis.keep_alive 2>/dev/null";
    EXPECT_EQ(run_command(cmd, &out), 0) << cmd;
    std::map<std::string, Conv> by_stream;
    std::map<std::string, std::vector<std::vector<std::string>>> frames;
    for (const auto& line : split(out, '\n')) {
        if (line.empty()) continue;
        auto f = split(line, '\t');
        if (f.size() < 9) continue;
        Conv& c = by_stream[f[0]];
        const bool syn_only = f[5] == "1" && f[6] == "0";
        if (syn_only && !c.opened) {
            c.opened = true;
            c.orig_h = f[1];
            c.orig_p = static_cast<std::uint16_t>(std::stoul(f[2]));
            c.resp_h = f[3];
            c.resp_p = static_cast<std::uint16_t>(std::stoul(f[4]));
        }
        frames[f[0]].push_back(std::move(f));
    }
    std::map<Key, Conv> convs;
    for (auto& [stream, c] : by_stream) {
        EXPECT_TRUE(c.opened) << "tcp.stream " << stream << " has no SYN";
        for (const auto& f : frames[stream]) {
            const bool from_orig = f[1] == c.orig_h && std::stoul(f[2]) == c.orig_p;
            Side& s = from_orig ? c.orig : c.resp;
            ++s.pkts;
            s.ip_bytes += std::stoull(f[7]);
            // A resent 1-byte segment looks like a keep-alive to tshark
            // (seq = next - 1): neither counts as new data.
            const bool resent = (f.size() > 9 && !f[9].empty()) || (f.size() > 10 && !f[10].empty());
            if (!resent) s.payload += std::stoull(f[8]);
        }
        convs[Key{c.orig_h, c.orig_p, c.resp_h, c.resp_p}] = c;
    }
    return convs;
}

// tshark's own conversation table: the number of rows of -z conv,tcp.
std::size_t tshark_conv_count(const fs::path& pcap) {
    std::string out;
    EXPECT_EQ(run_command("tshark -n -q -r " + pcap.string() + " -z conv,tcp 2>/dev/null", &out), 0);
    std::size_t n = 0;
    for (const auto& line : split(out, '\n'))
        if (line.find("<->") != std::string::npos) ++n;
    return n;
}

TEST(ShortConnections, ConnLogEqualsTsharkPerConversation) {
    if (run_command("tshark -v >/dev/null 2>&1") != 0)
        FAIL() << "tshark (the independent reference) is not installed: apt-get install tshark";
    test::TempDir dir;
    const fs::path pcap = dir.path() / "short.pcap";
    constexpr std::size_t kConnections = 3000;
    std::string out;
    ASSERT_EQ(run_command(std::string(SW_PCAPGEN_BINARY) + " --workload short-conns --connections " +
                              std::to_string(kConnections) +
                              " --clients 40 --servers 7 --retransmit-rate 0.01 --seed 5 -q --out " +
                              pcap.string(),
                          &out),
              0)
        << out;
    ASSERT_EQ(run_command(test::binary() + " -r " + pcap.string() + " -o " + (dir.path() / "logs").string() +
                              " --seed 1 --progress never --log-level error",
                          &out),
              0)
        << out;

    const auto ref = tshark_convs(pcap);
    ASSERT_EQ(tshark_conv_count(pcap), kConnections);
    ASSERT_EQ(ref.size(), kConnections);
    // Some data segments were sent twice (--retransmit-rate), so the payload
    // comparison below really excludes retransmissions.
    std::uint64_t retransmitted = 0, all_payload = 0;
    {
        std::string r;
        run_command("tshark -n -r " + pcap.string() +
                        " -Y tcp.analysis.retransmission -T fields -e frame.number 2>/dev/null | wc -l",
                    &r);
        retransmitted = std::stoull(r);
    }
    EXPECT_GT(retransmitted, 0u);

    const auto rows = test::read_tsv_log(dir.path() / "logs" / "conn.log");
    ASSERT_EQ(rows.size(), kConnections);
    std::size_t matched = 0;
    for (const auto& r : rows) {
        // ts uid orig_h orig_p resp_h resp_p proto service duration orig_bytes
        // resp_bytes conn_state local_orig local_resp missed_bytes history
        // orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes ...
        ASSERT_GE(r.size(), 20u);
        const Key k{r[2], static_cast<std::uint16_t>(std::stoul(r[3])), r[4],
                    static_cast<std::uint16_t>(std::stoul(r[5]))};
        auto it = ref.find(k);
        ASSERT_NE(it, ref.end()) << r[2] << ":" << r[3] << " -> " << r[4] << ":" << r[5] << " not in tshark";
        const Conv& c = it->second;
        EXPECT_EQ(r[6], "tcp");
        EXPECT_EQ(r[11], "SF") << r[1];
        EXPECT_EQ(r[14], "0") << r[1];  // missed_bytes
        EXPECT_EQ(std::stoull(r[9]), c.orig.payload) << r[1];
        EXPECT_EQ(std::stoull(r[10]), c.resp.payload) << r[1];
        EXPECT_EQ(std::stoull(r[16]), c.orig.pkts) << r[1];
        EXPECT_EQ(std::stoull(r[17]), c.orig.ip_bytes) << r[1];
        EXPECT_EQ(std::stoull(r[18]), c.resp.pkts) << r[1];
        EXPECT_EQ(std::stoull(r[19]), c.resp.ip_bytes) << r[1];
        EXPECT_GE(c.orig.payload, 1u);
        EXPECT_LE(c.orig.payload, 64u);
        EXPECT_GE(c.resp.payload, 1u);
        EXPECT_LE(c.resp.payload, 64u);
        all_payload += c.orig.payload + c.resp.payload;
        ++matched;
    }
    EXPECT_EQ(matched, kConnections);
    EXPECT_GT(all_payload, 0u);
}

}  // namespace
}  // namespace sw
