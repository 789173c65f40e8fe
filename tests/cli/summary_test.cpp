// The end summary reports every counter a run keeps (app/counters.*), by
// name, with values that agree with independent counts.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <regex>
#include <string>

#include "support.h"

namespace sw {
namespace {

// Records in a classic pcap file, counted from its record headers.
std::uint64_t pcap_records(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    char hdr[24];
    f.read(hdr, 24);
    std::uint64_t n = 0;
    char rec[16];
    while (f.read(rec, 16)) {
        std::uint32_t incl = static_cast<unsigned char>(rec[8]) | static_cast<unsigned char>(rec[9]) << 8 |
                             static_cast<unsigned char>(rec[10]) << 16 |
                             static_cast<std::uint32_t>(static_cast<unsigned char>(rec[11])) << 24;
        f.seekg(incl, std::ios::cur);
        if (!f) break;
        ++n;
    }
    return n;
}

std::map<std::string, std::uint64_t> counters(const std::string& summary) {
    std::map<std::string, std::uint64_t> out;
    const auto at = summary.find("  counters:\n");
    if (at == std::string::npos) return out;
    std::string area;
    std::istringstream in(summary.substr(at + 12));
    std::string line;
    std::regex item(R"(([a-z0-9_.]+)=(\d+))");
    while (std::getline(in, line)) {
        if (line.rfind("    ", 0) != 0) break;
        const auto colon = line.find(':');
        if (colon != std::string::npos && line[4] != ' ') area = line.substr(4, colon - 4);
        for (std::sregex_iterator it(line.begin(), line.end(), item), end; it != end; ++it)
            out[area + "." + (*it)[1].str()] = std::stoull((*it)[2].str());
    }
    return out;
}

TEST(Summary, EveryCounterIsReported) {
    test::TempDir d;
    const std::string pcap = (test::project_pcaps() / "smb311-ops.pcap").string();
    std::string out;
    ASSERT_EQ(test::run_command(test::binary() + " -r " + pcap + " --seed 1 --progress never -o " + d.str(), &out), 0)
        << out;
    const auto c = counters(out);
    // One counter of each area the run keeps.
    for (const char* name :
         {"decode.packets", "fragments.evicted", "flows.created", "flows.max_live", "tcp.delivered", "tcp.skipped",
          "registry.flows", "registry.declined", "registry.claimed.smb", "registry.claimed.ssh", "smb.requests",
          "smb.responses", "smb.files_emitted", "smb.pending_evictions", "smb.framer.messages",
          "smb.framer.data_skipped", "smb.directory.evictions", "analytics.events", "analytics.notices"})
        EXPECT_TRUE(c.count(name)) << name << " missing from\n" << out;
    // Values agree with independent counts.
    EXPECT_EQ(c.at("decode.packets"), pcap_records(pcap));
    std::ifstream conn(d.path() / "conn.log");
    std::uint64_t smb_conns = 0, rows = 0;
    for (std::string l; std::getline(conn, l);) {
        if (l.empty() || l[0] == '#') continue;
        ++rows;
        if (l.find("\tsmb\t") != std::string::npos) ++smb_conns;
    }
    EXPECT_EQ(c.at("flows.created"), rows);
    EXPECT_EQ(c.at("registry.claimed.smb"), smb_conns);
    std::ifstream files(d.path() / "smb_files.log");
    std::uint64_t file_rows = 0;
    for (std::string l; std::getline(files, l);)
        if (!l.empty() && l[0] != '#') ++file_rows;
    EXPECT_EQ(c.at("smb.files_emitted"), file_rows);
}

}  // namespace
}  // namespace sw
