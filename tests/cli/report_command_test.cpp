// `stagewatch report` on its own: several log directories at once, JSON and
// TSV, rotated files, and clear errors for bad usage.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support.h"

namespace sw {
namespace {

namespace fs = std::filesystem;
using test::run_command;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(ReportCommand, SeveralDirectoriesJsonTsvAndRotated) {
    test::TempDir d;
    const fs::path a = d.path() / "sensor-a", b = d.path() / "sensor-b", page = d.path() / "r.html";
    std::string out;
    ASSERT_EQ(run_command(test::binary() + " -r " + (test::project_pcaps() / "demo-smb.pcap").string() + " -o " + a.string() +
                              " --format json --seed 7 --progress never --log-level warn --notice.file-min-severity low", &out), 0) << out;
    ASSERT_EQ(run_command(test::binary() + " -r " + (test::project_pcaps() / "smb21-ops.pcap").string() + " -o " + b.string() +
                              " --seed 7 --progress never --log-level warn --notice.file-min-severity low", &out), 0) << out;
    // Sensor B's logs as a rotating sensor leaves them.
    for (const char* log : {"smb_files", "notice", "staging", "conn"})
        fs::rename(b / (std::string(log) + ".log"), b / (std::string(log) + ".2026-11-22-13-00-00.log"));
    ASSERT_EQ(run_command(test::binary() + " report --logs " + a.string() + " --logs " + b.string() + " -o " + page.string(), &out), 0) << out;
    EXPECT_NE(out.find("3 findings"), std::string::npos) << out;
    std::string p = slurp(page);
    // demo-smb (JSON): target 10.74.0.10 and collector 10.74.0.21; smb21-ops (TSV, rotated): target 10.74.0.30.
    EXPECT_NE(p.find("<g class=\"target\" data-host=\"10.74.0.10\""), std::string::npos);
    EXPECT_NE(p.find("<g class=\"target\" data-host=\"10.74.0.30\""), std::string::npos);
    EXPECT_NE(p.find("<g class=\"source\" data-host=\"10.74.0.31\""), std::string::npos);
    EXPECT_NE(p.find("hr-export-2026.zip"), std::string::npos);
    EXPECT_NE(p.find("reports\\bundle.zip"), std::string::npos);  // unescaped from TSV (a doubled backslash)
}

TEST(ReportCommand, UsageErrors) {
    test::TempDir d;
    std::string out;
    EXPECT_EQ(run_command(test::binary() + " report --logs " + d.str(), &out), 1);
    EXPECT_NE(out.find("give one or more --logs DIR and -o FILE.html"), std::string::npos) << out;
    EXPECT_EQ(run_command(test::binary() + " report --bogus", &out), 1);
    EXPECT_EQ(run_command(test::binary() + " report --logs /nonexistent/dir -o " + (d.path() / "r.html").string(), &out), 2);
    EXPECT_NE(out.find("'/nonexistent/dir' is not a log directory"), std::string::npos) << out;
    EXPECT_FALSE(fs::exists(d.path() / "r.html"));
    EXPECT_EQ(run_command(test::binary() + " report --logs " + d.str() + " -o /nonexistent/dir/r.html", &out), 4);
    EXPECT_EQ(run_command(test::binary() + " report --help", &out), 0);
    EXPECT_NE(out.find("Usage: stagewatch report --logs DIR"), std::string::npos);
}

}  // namespace
}  // namespace sw
