// The sensor-side command line: live capture options, the log directory
// safety check, --user and the generated sample configuration.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support.h"

namespace sw {
namespace {

namespace fs = std::filesystem;
using test::run_command;

std::string sw_cmd(const std::string& args) { return test::binary() + " " + args; }
std::string demo() { return (test::project_pcaps() / "demo-smb.pcap").string(); }

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A log's text without the run-time lines (#open, #close).
std::string rows_of(const fs::path& p) {
    std::istringstream in(slurp(p));
    std::string line, out;
    while (std::getline(in, line))
        if (line.rfind("#open", 0) != 0 && line.rfind("#close", 0) != 0) out += line + "\n";
    return out;
}

TEST(SensorCli, ReadAndInterfaceTogetherIsAUsageError) {
    test::TempDir d;
    std::string out;
    EXPECT_EQ(run_command(sw_cmd("-r " + demo() + " -i lo -o " + d.str()), &out), 1);
    EXPECT_NE(out.find("-r (read files) and -i (capture live) cannot be used together"), std::string::npos) << out;
    EXPECT_FALSE(fs::exists(d.path() / "conn.log"));
}

TEST(SensorCli, BadCaptureOptionsAreUsageErrors) {
    std::string out;
    EXPECT_EQ(run_command(sw_cmd("-i lo --capture.snaplen 10"), &out), 1);
    EXPECT_NE(out.find("'--capture.snaplen' is invalid"), std::string::npos) << out;
    EXPECT_EQ(run_command(sw_cmd("-i lo --capture.buffer-size 4KiB"), &out), 1);
    EXPECT_NE(out.find("'--capture.buffer-size' is invalid"), std::string::npos) << out;
    EXPECT_EQ(run_command(sw_cmd("-r " + demo() + " --user no-such-user-sw"), &out), 1);
    EXPECT_NE(out.find("--user no-such-user-sw: no such user"), std::string::npos) << out;
}

TEST(SensorCli, InterfaceProblemsNameTheInterface) {
    if (::geteuid() != 0) GTEST_SKIP() << "opening interfaces needs root";
    test::TempDir d;
    std::string out;
    EXPECT_EQ(run_command(sw_cmd("-i swnosuchif0 -o " + d.str()), &out), 5);
    EXPECT_NE(out.find("swnosuchif0: cannot capture"), std::string::npos) << out;
    EXPECT_EQ(run_command(sw_cmd("-i lo -f 'port port' -o " + d.str()), &out), 5);
    EXPECT_NE(out.find("lo: bad capture filter 'port port'"), std::string::npos) << out;
}

TEST(SensorCli, RefusesWorldWritableDirectoryOfAnotherUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the directory to another user";
    test::TempDir d;
    fs::path shared = d.path() / "drop";
    fs::create_directory(shared);
    ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);
    ASSERT_EQ(::chown(shared.c_str(), 65534, 65534), 0);
    std::string out;
    EXPECT_EQ(run_command(sw_cmd("-r " + demo() + " -o " + shared.string()), &out), 4);
    EXPECT_NE(out.find("refusing to write logs into a world-writable directory owned by uid 65534"),
              std::string::npos)
        << out;
    EXPECT_TRUE(fs::is_empty(shared));
    // World-writable but ours: accepted.
    ASSERT_EQ(::chown(shared.c_str(), 0, 0), 0);
    EXPECT_EQ(run_command(sw_cmd("-r " + demo() + " -o " + shared.string()), &out), 0) << out;
    EXPECT_TRUE(fs::exists(shared / "smb_files.log"));
}

TEST(SensorCli, UserDropOfflineWritesLogsAsThatUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
    test::TempDir d;
    fs::path logs = d.path() / "logs";  // created by stagewatch, handed to nobody
    ::chmod(d.path().c_str(), 0755);
    std::string out;
    ASSERT_EQ(run_command(sw_cmd("-r " + demo() + " --user nobody --seed 1 -o " + logs.string()), &out), 0) << out;
    struct stat st {};
    ASSERT_EQ(::stat((logs / "smb_files.log").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 65534u);
    ASSERT_EQ(::stat(logs.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 65534u);
    EXPECT_NE(out.find("running as user nobody (uid 65534)"), std::string::npos) << out;
}

TEST(SensorCli, SampleConfigListsEveryOptionAndWorksAsIs) {
    std::string help, ini;
    ASSERT_EQ(run_command(sw_cmd("--help"), &help), 0);
    ASSERT_EQ(run_command(sw_cmd("--sample-config"), &ini), 0);
    // Every long option of --help appears as a commented `name =` line.
    std::set<std::string> names;
    // Option names open a help line ("  --format arg", "  -r [ --read ] arg"); a
    // "--name" inside a description is not an option.
    std::regex opt_re(R"(\n +(?:-[a-zA-Z] \[ )?--([a-z][a-z0-9.-]*))");
    for (std::sregex_iterator it(help.begin(), help.end(), opt_re), end; it != end; ++it) names.insert((*it)[1]);
    for (const char* cli_only : {"help", "version", "sample-config", "config"}) names.erase(cli_only);
    ASSERT_GT(names.size(), 30u);
    for (const auto& n : names) EXPECT_NE(ini.find("\n# " + n + " ="), std::string::npos) << n;
    EXPECT_NE(ini.find("\n# capture.buffer-size = 256MiB\n"), std::string::npos);
    EXPECT_NE(ini.find("\n# flow.tcp-timeout = 5min\n"), std::string::npos);

    // As is, it changes nothing.
    test::TempDir d;
    std::ofstream(d.path() / "stagewatch.ini") << ini;
    std::string out;
    ASSERT_EQ(run_command(sw_cmd("--config " + (d.path() / "stagewatch.ini").string() + " -r " + demo() +
                                 " --seed 1 -o " + (d.path() / "a").string()),
                          &out),
              0)
        << out;
    ASSERT_EQ(run_command(sw_cmd("-r " + demo() + " --seed 1 -o " + (d.path() / "b").string()), &out), 0) << out;
    for (const char* log : {"conn.log", "smb_files.log", "notice.log", "staging.log"})
        EXPECT_EQ(rows_of(d.path() / "a" / log), rows_of(d.path() / "b" / log)) << log;
    // Uncommenting every line with a default gives the defaults, so the same logs.
    std::string all_on;
    std::istringstream in(ini);
    const std::regex setting(R"(# [a-z][a-z0-9.-]* = .+)");
    int uncommented = 0;
    for (std::string line; std::getline(in, line);) {
        if (std::regex_match(line, setting)) line = line.substr(2), ++uncommented;
        all_on += line + "\n";
    }
    EXPECT_GT(uncommented, 30);
    all_on = std::regex_replace(all_on, std::regex("\noutput-dir = \\.\n"), "\n");
    std::ofstream(d.path() / "on.ini") << all_on;
    ASSERT_EQ(run_command(sw_cmd("--config " + (d.path() / "on.ini").string() + " -r " + demo() + " --seed 1 -o " +
                                 (d.path() / "c").string()),
                          &out),
              0)
        << out;
    for (const char* log : {"conn.log", "smb_files.log", "notice.log", "staging.log"})
        EXPECT_EQ(rows_of(d.path() / "c" / log), rows_of(d.path() / "b" / log)) << log;
}

// Packets and wire bytes of a classic little-endian pcap, read record by record.
std::pair<std::uint64_t, std::uint64_t> pcap_totals(const fs::path& p) {
    std::string d = slurp(p);
    auto u32 = [&](std::size_t at) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(d[at])) |
               static_cast<std::uint32_t>(static_cast<unsigned char>(d[at + 1])) << 8 |
               static_cast<std::uint32_t>(static_cast<unsigned char>(d[at + 2])) << 16 |
               static_cast<std::uint32_t>(static_cast<unsigned char>(d[at + 3])) << 24;
    };
    std::uint64_t n = 0, bytes = 0;
    for (std::size_t at = 24; at + 16 <= d.size(); at += 16 + u32(at + 8)) ++n, bytes += u32(at + 12);
    return {n, bytes};
}

TEST(SensorCli, StatsLogAddsUpToTheCapture) {
    test::TempDir d;
    std::string out;
    const fs::path pcap = test::project_pcaps() / "ssh-ops.pcap";
    // On by default reading files too (every minute of packet time); 0 turns it off.
    ASSERT_EQ(run_command(sw_cmd("-r " + pcap.string() + " --stats.interval 0 -o " + (d.path() / "off").string()),
                          &out),
              0)
        << out;
    EXPECT_FALSE(fs::exists(d.path() / "off" / "stats.log"));
    EXPECT_FALSE(fs::exists(d.path() / "off" / "capture_loss.log"));
    ASSERT_EQ(run_command(sw_cmd("-r " + pcap.string() + " -o " + (d.path() / "default").string()), &out), 0) << out;
    EXPECT_TRUE(fs::exists(d.path() / "default" / "stats.log"));
    EXPECT_TRUE(fs::exists(d.path() / "default" / "capture_loss.log"));
    ASSERT_EQ(run_command(sw_cmd("-r " + pcap.string() + " --stats.interval 1s -o " + (d.path() / "on").string()),
                          &out),
              0)
        << out;
    std::istringstream in(slurp(d.path() / "on" / "stats.log"));
    std::vector<std::string> fields;
    std::uint64_t rows = 0, pkts = 0, bytes = 0, created = 0;
    std::string prev_ts;
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> v;
        std::stringstream ls(line);
        for (std::string x; std::getline(ls, x, '\t');) v.push_back(x);
        if (v[0] == "#fields") fields.assign(v.begin() + 1, v.end());
        if (line[0] == '#') continue;
        auto col = [&](const char* name) {
            auto it = std::find(fields.begin(), fields.end(), name);
            EXPECT_NE(it, fields.end()) << name;
            return v.at(static_cast<std::size_t>(it - fields.begin()));
        };
        ++rows;
        pkts += std::stoull(col("pkts_proc"));
        bytes += std::stoull(col("bytes_recv"));
        created += std::stoull(col("flows_created"));
        EXPECT_EQ(col("pkts_dropped"), "-");  // no kernel counters reading a file
        EXPECT_EQ(col("interface"), "-");
        EXPECT_GT(col("ts"), prev_ts);
        prev_ts = col("ts");
    }
    auto [want_pkts, want_bytes] = pcap_totals(pcap);
    EXPECT_EQ(want_pkts, 2176u);
    EXPECT_EQ(pkts, want_pkts);
    EXPECT_EQ(bytes, want_bytes);
    EXPECT_EQ(created, 4u);  // four SSH connections (pcaps/README.md)
    EXPECT_GE(rows, 2u);     // the capture spans several seconds, plus the last row
}

}  // namespace
}  // namespace sw
