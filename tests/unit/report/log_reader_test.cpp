// report/log_reader: Zeek TSV (header-driven, escapes, sets, unset/empty) and
// JSON lines, rotated file discovery, and bad lines counted, not fatal.
#include "report/log_reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support.h"

namespace sw::report {
namespace {

void write(const std::filesystem::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

const char* kTsv =
    "#separator \\x09\n"
    "#set_separator\t,\n"
    "#empty_field\t(empty)\n"
    "#unset_field\t-\n"
    "#path\tsmb_files\n"
    "#fields\tts\tuid\tname\tsize\tpeers\tnote\tflag\n"
    "#types\ttime\tstring\tstring\tcount\tset[addr]\tstring\tbool\n"
    "1796283352.070074\tCJn\ttmp\\x5cws1-hr-1675.zip\t541897\t10.0.0.1,10.0.0.2\t-\tT\n"
    "1796283353.000000\tC2\t<script>\\x09x\t0\t(empty)\t\\x2d\tF\n"
    "a line with too few fields\n"
    "#close\t2026-12-03-07-53-19\n";

TEST(LogReader, TsvByHeader) {
    test::TempDir d;
    write(d.path() / "smb_files.log", kTsv);
    LogReader r;
    std::vector<std::string> names, uids;
    std::vector<std::vector<std::string>> peers;
    std::vector<bool> note_set, flags;
    std::vector<std::uint64_t> sizes;
    ASSERT_TRUE(r.read_file((d.path() / "smb_files.log").string(), [&](const LogRow& row) {
        names.emplace_back(row.str("name"));
        uids.emplace_back(row.str("uid"));
        peers.push_back(row.list("peers"));
        note_set.push_back(row.get("note").has_value());
        flags.push_back(row.flag("flag"));
        sizes.push_back(row.count("size"));
        EXPECT_FALSE(row.get("no_such_field"));
    }));
    ASSERT_EQ(names.size(), 2u);
    EXPECT_EQ(names[0], "tmp\\ws1-hr-1675.zip");  // \x5c is a backslash
    EXPECT_EQ(names[1], "<script>\tx");           // \x09 is a tab, markup stays text here
    EXPECT_EQ(uids[1], "C2");
    EXPECT_EQ(sizes[0], 541897u);
    EXPECT_EQ(peers[0], (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
    EXPECT_TRUE(peers[1].empty());  // (empty)
    EXPECT_FALSE(note_set[0]);      // '-' is unset
    EXPECT_TRUE(note_set[1]);       // an escaped '-' is the string "-"
    EXPECT_TRUE(flags[0]);
    EXPECT_FALSE(flags[1]);
    EXPECT_EQ(r.stats().rows, 2u);
    EXPECT_EQ(r.stats().bad_lines, 1u);
}

TEST(LogReader, JsonLines) {
    test::TempDir d;
    write(d.path() / "notice.log",
          "{\"ts\":1796283358.160302,\"uid\":\"C2w\",\"note\":\"Staging::Fan_In\",\"msg\":\"a \\\"b\\\" \\u00e9 \\ud83d\\ude00\","
          "\"sources\":[\"10.74.0.59\",\"10.74.0.131\"],\"n\":3,\"suppressed\":false,\"x\":null}\n"
          "{not json\n"
          "{\"ts\":1.5,\"empty\":[]}\n");
    LogReader r;
    std::vector<std::string> msgs;
    std::vector<std::vector<std::string>> sources;
    std::vector<double> ts;
    r.read_log({d.str()}, "notice", [&](const LogRow& row) {
        msgs.emplace_back(row.str("msg"));
        sources.push_back(row.list("sources"));
        ts.push_back(row.num("ts"));
        EXPECT_FALSE(row.get("x"));  // null is unset
        EXPECT_FALSE(row.flag("suppressed"));
    });
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0], "a \"b\" \xc3\xa9 \xf0\x9f\x98\x80");
    EXPECT_EQ(sources[0], (std::vector<std::string>{"10.74.0.59", "10.74.0.131"}));
    EXPECT_DOUBLE_EQ(ts[0], 1796283358.160302);
    EXPECT_DOUBLE_EQ(ts[1], 1.5);
    EXPECT_TRUE(sources[1].empty());
    EXPECT_EQ(r.stats().bad_lines, 1u);
}

TEST(LogReader, RotatedFilesInOrderCurrentLast) {
    test::TempDir d;
    const std::string hdr = "#separator \\x09\n#fields\tts\tuid\n#types\ttime\tstring\n";
    write(d.path() / "conn.log", hdr + "3\tC3\n");
    write(d.path() / "conn.2026-11-22-14-00-00.log", hdr + "2\tC2\n");
    write(d.path() / "conn.2026-11-22-13-00-00.log", hdr + "1\tC1\n");
    write(d.path() / "conn__2026-11-22-12-00-00__2026-11-22-13-00-00__.log", hdr + "0\tC0\n");
    write(d.path() / "conn_summary.log", hdr + "9\tX\n");  // another log
    write(d.path() / "connx.log", hdr + "9\tX\n");
    auto files = log_files(d.str(), "conn");
    ASSERT_EQ(files.size(), 4u);
    EXPECT_EQ(std::filesystem::path(files.back()).filename(), "conn.log");
    LogReader r;
    std::string uids;
    r.read_log({d.str()}, "conn", [&](const LogRow& row) { uids += std::string(row.str("uid")) + " "; });
    EXPECT_EQ(uids, "C1 C2 C0 C3 ");  // sorted names: conn.2026-...13, conn.2026-...14, conn__..., then conn.log
}

TEST(LogReader, ZeekUnescape) {
    EXPECT_EQ(zeek_unescape("\\x5c\\x5cfs\\x5cshare"), "\\\\fs\\share");
    EXPECT_EQ(zeek_unescape("a\\\\b"), "a\\b");
    EXPECT_EQ(zeek_unescape("\\xZZ"), "\\xZZ");  // not an escape: kept
    EXPECT_EQ(zeek_unescape("end\\x4"), "end\\x4");
}

}  // namespace
}  // namespace sw::report
