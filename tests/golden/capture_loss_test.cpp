// capture_loss.log as Zeek computes it: ACKs of new data per interval, and
// those that acknowledged data the sensor never saw. Checked against
// Wireshark's own count of such ACKs (tcp.analysis.ack_lost_segment) on a
// real capture with segments cut out by editcap.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support.h"

namespace sw {
namespace {

struct Loss {
    std::uint64_t gaps = 0, acks = 0, rows = 0;
    bool ratio_ok = true;
};

Loss read_loss(const std::filesystem::path& log) {
    Loss l;
    std::ifstream f(log);
    for (std::string line; std::getline(f, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> c;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, '\t');) c.push_back(x);
        if (c.size() != 6) continue;
        const std::uint64_t g = std::stoull(c[3]), a = std::stoull(c[4]);
        const double pct = std::stod(c[5]);
        const double want = a ? 100.0 * static_cast<double>(g) / static_cast<double>(a) : 0.0;
        if (std::abs(pct - want) > 1e-6) l.ratio_ok = false;
        l.gaps += g, l.acks += a, ++l.rows;
    }
    return l;
}

std::uint64_t tshark_lost_acks(const std::string& pcap) {
    // Frame numbers only (tshark may also say it runs as root).
    std::string out;
    test::run_command("tshark -n -r " + pcap + " -Y tcp.analysis.ack_lost_segment -T fields -e frame.number 2>/dev/null"
                      " | grep -c '^[0-9]'", &out);
    return std::stoull(out);
}

TEST(CaptureLoss, AcksOfUnseenDataMatchWireshark) {
    if (test::run_command("tshark --version >/dev/null 2>&1 && editcap --version >/dev/null 2>&1") != 0)
        FAIL() << "tshark and editcap are needed (Debian: tshark)";
    test::TempDir d;
    const std::string pcap = (test::project_pcaps() / "smb311-ops.pcap").string();
    // Cut every 40th full-size data segment: loss upstream of the sensor.
    std::string frames;
    ASSERT_EQ(test::run_command("tshark -n -r " + pcap + " -Y 'tcp.len>1000' -T fields -e frame.number 2>/dev/null | awk 'NR%40==0' | tr '\\n' ' '", &frames), 0);
    ASSERT_FALSE(frames.empty());
    const std::string lossy = (d.path() / "lossy.pcap").string();
    ASSERT_EQ(test::run_command("editcap " + pcap + " " + lossy + " " + frames + " 2>&1"), 0);

    std::string out;
    ASSERT_EQ(test::run_command(test::binary() + " -r " + pcap + " --stats.interval 1s --seed 1 -o " + (d.path() / "a").string(), &out), 0) << out;
    ASSERT_EQ(test::run_command(test::binary() + " -r " + lossy + " --stats.interval 1s --seed 1 -o " + (d.path() / "b").string(), &out), 0) << out;
    const Loss a = read_loss(d.path() / "a" / "capture_loss.log");
    const Loss b = read_loss(d.path() / "b" / "capture_loss.log");
    ASSERT_GT(a.rows, 0u);
    ASSERT_GT(b.rows, 0u);
    EXPECT_GT(a.acks, 100u);
    EXPECT_EQ(a.gaps, tshark_lost_acks(pcap));  // 0: nothing was lost
    EXPECT_EQ(b.gaps, tshark_lost_acks(lossy));
    EXPECT_GT(b.gaps, 0u);
    EXPECT_EQ(b.acks, a.acks);  // only data segments were cut; every ACK is still there
    EXPECT_TRUE(a.ratio_ok && b.ratio_ok);
}

}  // namespace
}  // namespace sw
