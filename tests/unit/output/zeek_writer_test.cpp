// Zeek log writer: exact TSV header, escaping of hostile strings in TSV and
// JSON, unset/empty markers, sets, and that no field value can forge a line
// or a field.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "output/logs.h"
#include "output/zeek_writer.h"
#include "support.h"

namespace sw {
namespace {

const Schema kTest{"test",
                   {{"ts", FieldType::time},
                    {"name", FieldType::string},
                    {"n", FieldType::count},
                    {"ok", FieldType::bool_},
                    {"h", FieldType::addr},
                    {"tags", FieldType::set_string},
                    {"d", FieldType::interval}}};

std::string tsv(const Row& r) {
    std::string out;
    LogWriter::format_row(kTest, LogFormat::tsv, r, out);
    return out;
}
std::string json(const Row& r) {
    std::string out;
    LogWriter::format_row(kTest, LogFormat::json, r, out);
    return out;
}

TEST(Writer, TsvHeaderIsZeeks) {
    std::string h = LogWriter::header(conn_schema(), 0);
    std::istringstream in(h);
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(in, line)) lines.push_back(line);
    ASSERT_EQ(lines.size(), 8u);
    EXPECT_EQ(lines[0], "#separator \\x09");  // the only header line with a space
    EXPECT_EQ(lines[1], "#set_separator\t,");
    EXPECT_EQ(lines[2], "#empty_field\t(empty)");
    EXPECT_EQ(lines[3], "#unset_field\t-");
    EXPECT_EQ(lines[4], "#path\tconn");
    EXPECT_EQ(lines[5].rfind("#open\t", 0), 0u);
    EXPECT_EQ(lines[5].size(), std::string("#open\t2026-11-22-13-00-00").size());
    EXPECT_EQ(lines[6].rfind("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\t"
                             "duration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\t"
                             "missed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\t"
                             "tunnel_parents",
                             0),
              0u);
    EXPECT_EQ(lines[7].rfind("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
                             "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]",
                             0),
              0u);
}

TEST(Writer, ValuesFormattedAsZeek) {
    Row r;
    std::vector<std::string> tags{"a", "b"};
    r.time(1521911721255387).str("x").count(42).boolean(true).addr(*IpAddr::parse("2001:db8::1")).strings(tags).interval(4266);
    EXPECT_EQ(tsv(r), "1521911721.255387\tx\t42\tT\t2001:db8::1\ta,b\t0.004266\n");
    EXPECT_EQ(json(r),
              "{\"ts\":1521911721.255387,\"name\":\"x\",\"n\":42,\"ok\":true,\"h\":\"2001:db8::1\","
              "\"tags\":[\"a\",\"b\"],\"d\":0.004266}\n");
}

TEST(Writer, UnsetAndEmpty) {
    Row r;
    std::vector<std::string> none;
    r.time(0).str("").unset().unset().unset().strings(none).unset();
    EXPECT_EQ(tsv(r), "0.000000\t(empty)\t-\t-\t-\t(empty)\t-\n");
    // JSON omits unset fields; empty strings and sets stay.
    EXPECT_EQ(json(r), "{\"ts\":0.000000,\"name\":\"\",\"tags\":[]}\n");
}

TEST(Writer, MarkersInsideValuesAreEscaped) {
    Row r;
    std::vector<std::string> tags{"-", "(empty)", "a,b"};
    r.time(1).str("-").count(1).boolean(false).unset().strings(tags).unset();
    EXPECT_EQ(tsv(r), "0.000001\t\\x2d\t1\tF\t-\t\\x2d,\\x28empty),a\\x2cb\t-\n");
    Row r2;
    r2.time(1).str("(empty)");
    EXPECT_EQ(tsv(r2).substr(9, 10), "\\x28empty)");
}

TEST(Writer, HostileFileNameCannotForgeLinesOrFields) {
    // A crafted SMB file name: tab, newline, a fake log line, backslash,
    // non-UTF-8 bytes, a valid UTF-8 name, DEL, NUL.
    std::string evil = std::string("a\tb\nc\\d#e\xff\xfe") + "\xc3\xa9t\xc3\xa9" + "\x7f" + std::string(1, '\0') + "z";
    Row r;
    r.time(1).str(evil).count(1).boolean(true).unset().unset().unset();
    std::string t = tsv(r);
    EXPECT_EQ(t, "0.000001\ta\\x09b\\x0ac\\x5cd#e\\xff\\xfe\xc3\xa9t\xc3\xa9\\x7f\\x00z\t1\tT\t-\t-\t-\n");
    EXPECT_EQ(std::count(t.begin(), t.end(), '\n'), 1);
    EXPECT_EQ(std::count(t.begin(), t.end(), '\t'), 6);

    std::string j = json(r);
    EXPECT_EQ(j, "{\"ts\":0.000001,\"name\":\"a\\tb\\nc\\\\d#e\\\\xff\\\\xfe\xc3\xa9t\xc3\xa9\\u007f\\u0000z\",\"n\":1,\"ok\":true}\n");
    EXPECT_EQ(std::count(j.begin(), j.end(), '\n'), 1);
}

TEST(Writer, QuotesAndOverlongUtf8InJson) {
    Row r;
    // "\xc0\xaf" is an overlong '/', "\xed\xa0\x80" a UTF-16 surrogate: both invalid UTF-8.
    r.time(1).str("say \"hi\" \xc0\xaf \xed\xa0\x80");
    EXPECT_EQ(json(r), "{\"ts\":0.000001,\"name\":\"say \\\"hi\\\" \\\\xc0\\\\xaf \\\\xed\\\\xa0\\\\x80\"}\n");
    EXPECT_EQ(tsv(r).substr(9), "say \"hi\" \\xc0\\xaf \\xed\\xa0\\x80\t-\t-\t-\t-\t-\n");
}

TEST(Writer, RowStartingWithHashIsEscaped) {
    const Schema s{"x", {{"name", FieldType::string}, {"n", FieldType::count}}};
    Row r;
    r.str("#fields\tforged").count(1);
    std::string out;
    LogWriter::format_row(s, LogFormat::tsv, r, out);
    EXPECT_EQ(out, "\\x23fields\\x09forged\t1\n");
}

TEST(Writer, FileRoundTrip) {
    test::TempDir dir;
    {
        LogWriter w(kTest, LogFormat::tsv, (dir.path() / "test.log").string());
        Row r;
        r.time(5).str("one").count(1).boolean(true).unset().unset().unset();
        w.write(r);
        w.close();
    }
    std::ifstream in(dir.path() / "test.log");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(all.find("\n0.000005\tone\t1\tT\t-\t-\t-\n#close\t"), std::string::npos);
    auto rows = test::read_tsv_log(dir.path() / "test.log");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][1], "one");
}

TEST(Writer, NegativeInterval) {
    Row r;
    r.time(1).str("x").count(0).boolean(false).unset().unset().interval(-1500000);
    EXPECT_EQ(tsv(r).substr(tsv(r).rfind('\t') + 1), "-1.500000\n");
}

}  // namespace
}  // namespace sw
