// One junk frame stamped ten years ahead, in the middle of a real capture,
// must not move packet time (issue 13: it used to end every flow at once and
// freeze analytics): every log is as without it, plus one weird time_jump
// and the junk frame's own UDP connection.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support.h"

namespace sw {
namespace {

std::vector<char> slurp(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}
std::uint32_t le32(const char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
void put32(std::vector<char>& v, std::uint32_t x) {
    for (int i = 0; i < 4; ++i) v.push_back(static_cast<char>(x >> (8 * i)));
}

// Inserts an Ethernet/IPv4/UDP frame stamped `ahead` seconds after the
// record it follows, after record `after`, into a classic little-endian pcap.
std::vector<char> with_junk_frame(const std::vector<char>& in, std::size_t after, std::uint32_t ahead) {
    std::vector<char> out(in.begin(), in.begin() + 24);
    std::size_t pos = 24, n = 0;
    while (pos + 16 <= in.size()) {
        const std::uint32_t sec = le32(&in[pos]), incl = le32(&in[pos + 8]);
        out.insert(out.end(), in.begin() + static_cast<long>(pos), in.begin() + static_cast<long>(pos + 16 + incl));
        pos += 16 + incl;
        if (++n == after) {
            const unsigned char frame[] = {
                0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,             // Ethernet, IPv4
                0x45, 0, 0, 36, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,  // IPv4, UDP
                0x30, 0x39, 0x30, 0x3a, 0, 16, 0, 0,                               // UDP 12345 -> 12346
                'j', 'u', 'n', 'k', 'j', 'u', 'n', 'k'};
            put32(out, sec + ahead);
            put32(out, 0);
            put32(out, sizeof frame);
            put32(out, sizeof frame);
            out.insert(out.end(), std::begin(frame), std::end(frame));
        }
    }
    return out;
}

std::vector<std::string> rows(const std::filesystem::path& p) {
    std::vector<std::string> r;
    std::ifstream f(p);
    for (std::string l; std::getline(f, l);)
        if (!l.empty() && l[0] != '#') r.push_back(l);
    return r;
}

TEST(TimeWarp, OneFarFutureFrameChangesNothingButItsOwnRows) {
    const std::string pcap = (test::project_pcaps() / "smb311-ops.pcap").string();
    const auto in = slurp(pcap);
    ASSERT_GT(in.size(), 24u);
    test::TempDir d;
    const auto warped = d.path() / "warped.pcap";
    const auto bytes = with_junk_frame(in, 500, 10u * 365 * 86400);
    std::ofstream(warped, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::string out;
    ASSERT_EQ(test::run_command(test::binary() + " -r " + pcap + " --seed 1 -o " + (d.path() / "a").string(), &out), 0)
        << out;
    ASSERT_EQ(test::run_command(test::binary() + " -r " + warped.string() + " --seed 1 -o " + (d.path() / "b").string(), &out),
              0)
        << out;
    EXPECT_NE(out.find("warps=1 "), std::string::npos) << out;
    for (const char* log : {"smb_files.log", "smb_mapping.log", "ntlm.log", "notice.log", "staging.log", "volume.log"})
        EXPECT_EQ(rows(d.path() / "a" / log), rows(d.path() / "b" / log)) << log;
    // conn.log: the same TCP connection (not cut in two), plus the junk's UDP flow.
    const auto ca = rows(d.path() / "a" / "conn.log"), cb = rows(d.path() / "b" / "conn.log");
    ASSERT_EQ(cb.size(), ca.size() + 1);
    for (const auto& r : ca) EXPECT_NE(std::find(cb.begin(), cb.end(), r), cb.end()) << r;
    const auto weird = rows(d.path() / "b" / "weird.log");
    ASSERT_EQ(weird.size(), 1u);
    EXPECT_NE(weird[0].find("\ttime_jump\t"), std::string::npos) << weird[0];
}

}  // namespace
}  // namespace sw
