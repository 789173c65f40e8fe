// The binary as users meet it: bad input gets a clear message and a non-zero
// exit, never a crash, and a truncated capture still yields closed logs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "support.h"

namespace sw {
namespace {

namespace fs = std::filesystem;
using test::run_command;

std::string sw_cmd(const std::string& args) { return test::binary() + " " + args; }

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(Cli, MissingFile) {
    test::TempDir d;
    std::string out;
    int rc = run_command(sw_cmd("-r /nonexistent/x.pcap -o " + d.str()), &out);
    EXPECT_EQ(rc, 2);
    EXPECT_NE(out.find("/nonexistent/x.pcap: cannot read: No such file or directory"), std::string::npos) << out;
}

TEST(Cli, NotACapture) {
    test::TempDir d;
    std::ofstream(d.path() / "notes.txt") << "these are not packets\n";
    std::string out;
    int rc = run_command(sw_cmd("-r " + (d.path() / "notes.txt").string() + " -o " + d.str()), &out);
    EXPECT_EQ(rc, 2);
    EXPECT_NE(out.find("not a readable pcap/pcapng capture"), std::string::npos) << out;
    EXPECT_FALSE(fs::exists(d.path() / "conn.log"));
}

TEST(Cli, EmptyFileAndEmptyCapture) {
    test::TempDir d;
    std::ofstream(d.path() / "zero.pcap");
    std::string out;
    EXPECT_EQ(run_command(sw_cmd("-r " + (d.path() / "zero.pcap").string() + " -o " + d.str()), &out), 2);
    EXPECT_NE(out.find("empty file"), std::string::npos) << out;
    // A valid pcap header and no packets.
    auto hdr = test::hex("d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 01 00 00 00");
    std::ofstream(d.path() / "hdr.pcap", std::ios::binary).write(reinterpret_cast<const char*>(hdr.data()),
                                                                  static_cast<std::streamsize>(hdr.size()));
    EXPECT_EQ(run_command(sw_cmd("-r " + (d.path() / "hdr.pcap").string() + " -o " + d.str()), &out), 2);
    EXPECT_NE(out.find("no packets"), std::string::npos) << out;
}

TEST(Cli, NoInputIsAUsageError) {
    std::string out;
    EXPECT_EQ(run_command(sw_cmd(""), &out), 1);
    EXPECT_NE(out.find("-r FILE"), std::string::npos) << out;
    EXPECT_EQ(run_command(sw_cmd("--flow.max-flows=lots -r x"), &out), 1);
    EXPECT_NE(out.find("'--flow.max-flows'"), std::string::npos) << out;
}

TEST(Cli, TruncatedCaptureKeepsWhatWasRead) {
    SW_REQUIRE_SHARED_PCAPS();
    test::TempDir d;
    const fs::path src = test::shared_pcaps() / "OISF-suricata-verify/smb2-01/smb2-peter.pcap";
    const fs::path cut = d.path() / "cut.pcap";
    fs::copy_file(src, cut);
    fs::resize_file(cut, fs::file_size(src) / 2 + 7);  // ends inside a packet
    std::string out;
    int rc = run_command(sw_cmd("-r " + cut.string() + " -o " + (d.path() / "logs").string() + " --seed 1"), &out);
    EXPECT_EQ(rc, 3) << out;
    EXPECT_NE(out.find("truncated"), std::string::npos) << out;
    EXPECT_NE(out.find("everything before it was processed and logged"), std::string::npos) << out;
    std::string conn = slurp(d.path() / "logs" / "conn.log");
    EXPECT_NE(conn.find("\n#close\t"), std::string::npos) << "log not closed properly";
    auto rows = test::read_tsv_log(d.path() / "logs" / "conn.log");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_GT(std::stoull(rows[0][16]), 100u);  // orig_pkts: about half of the 401
}

TEST(Cli, SeveralFilesAreOneTimeline) {
    SW_REQUIRE_SHARED_PCAPS();
    test::TempDir d;
    const auto a = (test::shared_pcaps() / "zeek-zeek/smb1.pcap").string();
    const auto b = (test::shared_pcaps() / "the-tcpdump-group-tcpdump/ssh.pcap").string();
    std::string out;
    ASSERT_EQ(run_command(sw_cmd("-r " + a + " -r " + b + " -o " + d.str() + " --seed 3"), &out), 0) << out;
    EXPECT_NE(out.find("read 2 files"), std::string::npos) << out;
    auto rows = test::read_tsv_log(d.path() / "conn.log");
    EXPECT_EQ(rows.size(), 2u);
}

TEST(Cli, JsonLogsAreValidJson) {
    SW_REQUIRE_SHARED_PCAPS();
    test::TempDir d;
    const auto a = (test::shared_pcaps() / "OISF-suricata-verify/vxlan-decoder-03/vxlan.pcap").string();
    std::string out;
    ASSERT_EQ(run_command(sw_cmd("-r " + a + " -o " + d.str() + " --format json --seed 3"), &out), 0) << out;
    const std::string log = (d.path() / "conn.log").string();
    std::string body = slurp(log);
    EXPECT_EQ(body.find("#"), std::string::npos);  // no header lines in JSON
    // python3 parses every line and checks the key names.
    int rc = run_command("python3 -c \"import json,sys\nn=0\nfor l in open(sys.argv[1]):\n o=json.loads(l); "
                         "assert 'id.orig_h' in o and isinstance(o['ts'], float) and isinstance(o['id.orig_p'], int); n+=1\n"
                         "assert n>0\" " + log, &out);
    EXPECT_EQ(rc, 0) << out;
}

TEST(Cli, UnwritableOutputDirectory) {
    SW_REQUIRE_SHARED_PCAPS();
    test::TempDir d;
    std::ofstream(d.path() / "file") << "x";
    const auto a = (test::shared_pcaps() / "zeek-zeek/smb1.pcap").string();
    std::string out;
    // The "directory" is a regular file.
    EXPECT_EQ(run_command(sw_cmd("-r " + a + " -o " + (d.path() / "file").string()), &out), 4);
    EXPECT_NE(out.find("cannot create output directory"), std::string::npos) << out;
}

TEST(Cli, OutputDirectoryUnderARegularFileFailsBeforeReading) {
    SW_REQUIRE_SHARED_PCAPS();
    test::TempDir d;
    std::ofstream(d.path() / "file") << "x";
    const auto a = (test::shared_pcaps() / "zeek-zeek/smb1.pcap").string();
    std::string out;
    EXPECT_EQ(run_command(sw_cmd("-r " + a + " -o " + (d.path() / "file" / "logs").string()), &out), 4);
    EXPECT_NE(out.find("cannot create output directory"), std::string::npos) << out;
    EXPECT_EQ(out.find("packets"), std::string::npos) << out;  // no summary: nothing was read
}

// Every file in `dir` ends with '\n' and every row has its header's number of fields.
void expect_whole_lines(const fs::path& dir) {
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        const std::string text = slurp(e.path());
        if (text.empty()) continue;
        EXPECT_EQ(text.back(), '\n') << e.path();
        std::size_t fields = 0;
        std::size_t pos = 0;
        while (pos < text.size()) {
            std::size_t nl = text.find('\n', pos);
            if (nl == std::string::npos) nl = text.size();
            const std::string line = text.substr(pos, nl - pos);
            const auto tabs = static_cast<std::size_t>(std::count(line.begin(), line.end(), '\t'));
            if (line.rfind("#fields\t", 0) == 0) {
                fields = tabs;  // tabs after "#fields" = columns
            } else if (line[0] != '#') {
                EXPECT_EQ(tabs + 1, fields) << e.path() << ": " << line;
            }
            pos = nl + 1;
        }
    }
}

TEST(Cli, LogOnAFullDeviceExits4WithOneLine) {
    SW_REQUIRE_SHARED_PCAPS();
    test::TempDir d;
    fs::create_symlink("/dev/full", d.path() / "conn.log");
    const auto a = (test::shared_pcaps() / "zeek-zeek/smb1.pcap").string();
    std::string out;
    EXPECT_EQ(run_command(sw_cmd("-r " + a + " -o " + d.path().string()), &out), 4);
    EXPECT_EQ(out, "stagewatch: cannot write logs: " + (d.path() / "conn.log").string() +
                       ": No space left on device\n");
    expect_whole_lines(d.path());  // the other logs are closed whole
    EXPECT_NE(slurp(d.path() / "smb_files.log").find("#close\t"), std::string::npos);
}

TEST(Cli, FullFileSystemStopsReadingAndLeavesNoCutLine) {
    SW_REQUIRE_SHARED_PCAPS();
    if (::geteuid() != 0 || run_command("command -v unshare") != 0) GTEST_SKIP() << "needs root and unshare(1)";
    test::TempDir d;
    const auto a = (test::shared_pcaps() / "zeek-zeek/ssh.client-side-half-duplex.pcap").string();  // ~18 KB of logs
    const fs::path mnt = d.path() / "mnt", copy = d.path() / "copy";
    fs::create_directories(mnt);
    // An 8 KiB tmpfs in a private mount namespace; the logs are copied out
    // before the namespace (and its mount) goes away.
    const std::string script = "mount -t tmpfs -o size=8k tmpfs " + mnt.string() + " || exit 77; " + sw_cmd("-r " + a + " -o " + (mnt / "logs").string()) +
                               "; rc=$?; cp -r " + (mnt / "logs").string() + " " + copy.string() + "; exit $rc";
    std::string out;
    const int rc = run_command("unshare -m sh -c '" + script + "'", &out);
    if (rc == 77) GTEST_SKIP() << "cannot mount tmpfs: " << out;
    EXPECT_EQ(rc, 4) << out;
    // These logs fill the file system only when flushed at the end of the run.
    EXPECT_EQ(out.rfind("stagewatch: cannot write logs: " + (mnt / "logs").string() + "/", 0), 0u) << out;
    EXPECT_NE(out.find(".log: No space left on device"), std::string::npos) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;  // one line, no summary
    expect_whole_lines(copy);
}

}  // namespace
}  // namespace sw
