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

// A record with one member per column of the test log.
struct TestRec {
    Timestamp ts = 0;
    std::optional<std::string> name;
    std::optional<std::uint64_t> n;
    std::optional<bool> ok;
    std::optional<IpAddr> h;
    std::optional<std::vector<std::string>> tags;
    std::optional<Duration> d;
};

const LogTable<TestRec>& test_log() {
    using F = FieldType;
    static const LogTable<TestRec> t{
        "test",
        {col<F::time>("ts", [](const TestRec& r) { return r.ts; }),
         col<F::string>("name",
                        [](const TestRec& r) -> std::optional<std::string_view> {
                            if (!r.name) return std::nullopt;
                            return *r.name;
                        }),
         col<F::count>("n", [](const TestRec& r) { return r.n; }),
         col<F::bool_>("ok", [](const TestRec& r) { return r.ok; }),
         col<F::addr>("h", [](const TestRec& r) { return r.h; }),
         col<F::set_string>("tags",
                            [](const TestRec& r) -> std::optional<std::span<const std::string>> {
                                if (!r.tags) return std::nullopt;
                                return std::span<const std::string>(*r.tags);
                            }),
         col<F::interval>("d", [](const TestRec& r) { return r.d; })}};
    return t;
}

std::string tsv(const TestRec& r) {
    std::string out;
    test_log().format(LogFormat::tsv, r, out);
    return out;
}
std::string json(const TestRec& r) {
    std::string out;
    test_log().format(LogFormat::json, r, out);
    return out;
}

TEST(Writer, TsvHeaderIsZeeks) {
    std::string h = LogWriter::header(conn_log().schema, 0);
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
    TestRec r{1521911721255387, "x", 42, true, *IpAddr::parse("2001:db8::1"), std::vector<std::string>{"a", "b"}, 4266};
    EXPECT_EQ(tsv(r), "1521911721.255387\tx\t42\tT\t2001:db8::1\ta,b\t0.004266\n");
    EXPECT_EQ(json(r),
              "{\"ts\":1521911721.255387,\"name\":\"x\",\"n\":42,\"ok\":true,\"h\":\"2001:db8::1\","
              "\"tags\":[\"a\",\"b\"],\"d\":0.004266}\n");
}

TEST(Writer, UnsetAndEmpty) {
    TestRec r{0, "", {}, {}, {}, std::vector<std::string>{}, {}};
    EXPECT_EQ(tsv(r), "0.000000\t(empty)\t-\t-\t-\t(empty)\t-\n");
    // JSON omits unset fields; empty strings and sets stay.
    EXPECT_EQ(json(r), "{\"ts\":0.000000,\"name\":\"\",\"tags\":[]}\n");
}

TEST(Writer, MarkersInsideValuesAreEscaped) {
    TestRec r{1, "-", 1, false, {}, std::vector<std::string>{"-", "(empty)", "a,b"}, {}};
    EXPECT_EQ(tsv(r), "0.000001\t\\x2d\t1\tF\t-\t\\x2d,\\x28empty),a\\x2cb\t-\n");
    TestRec r2{1, "(empty)", {}, {}, {}, {}, {}};
    EXPECT_EQ(tsv(r2).substr(9, 10), "\\x28empty)");
}

TEST(Writer, HostileFileNameCannotForgeLinesOrFields) {
    // A crafted SMB file name: tab, newline, a fake log line, backslash,
    // non-UTF-8 bytes, a valid UTF-8 name, DEL, NUL.
    std::string evil = std::string("a\tb\nc\\d#e\xff\xfe") + "\xc3\xa9t\xc3\xa9" + "\x7f" + std::string(1, '\0') + "z";
    TestRec r{1, evil, 1, true, {}, {}, {}};
    std::string t = tsv(r);
    // A backslash is doubled, as Zeek's ASCII writer does.
    EXPECT_EQ(t, "0.000001\ta\\x09b\\x0ac\\\\d#e\\xff\\xfe\xc3\xa9t\xc3\xa9\\x7f\\x00z\t1\tT\t-\t-\t-\n");
    EXPECT_EQ(std::count(t.begin(), t.end(), '\n'), 1);
    EXPECT_EQ(std::count(t.begin(), t.end(), '\t'), 6);

    std::string j = json(r);
    EXPECT_EQ(j, "{\"ts\":0.000001,\"name\":\"a\\tb\\nc\\\\d#e\\\\xff\\\\xfe\xc3\xa9t\xc3\xa9\\u007f\\u0000z\",\"n\":1,\"ok\":true}\n");
    EXPECT_EQ(std::count(j.begin(), j.end(), '\n'), 1);
}

// Issue 13, log safety: valid UTF-8 line/paragraph separators and bidi
// controls never reach a log as themselves (a deliberate difference from
// Zeek, which passes them): \xNN of their bytes in TSV, \uXXXX in JSON.
TEST(Writer, SeparatorsAndBidiControlsAreEscaped) {
    // "a" NEL "b" LS "c" PS "d" LRE RLO(U+202E) "e" LRI PDI(U+2069) "f" PDF(U+202C), then
    // neighbours that stay: U+00A0, U+2027, U+202F, U+2065 (unassigned), U+206A, and "é".
    const std::string in = "a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xa9" "d\xe2\x80\xaa\xe2\x80\xae" "e\xe2\x81\xa6\xe2\x81\xa9"
                           "f\xe2\x80\xac" "|\xc2\xa0\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xc3\xa9";
    std::string t;
    zeek_escape_tsv(in, false, t);
    EXPECT_EQ(t, "a\\xc2\\x85b\\xe2\\x80\\xa8c\\xe2\\x80\\xa9d\\xe2\\x80\\xaa\\xe2\\x80\\xaee\\xe2\\x81\\xa6\\xe2\\x81\\xa9"
                 "f\\xe2\\x80\\xac|\xc2\xa0\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xc3\xa9");
    std::string j;
    zeek_escape_json(in, j);
    EXPECT_EQ(j, "a\\u0085b\\u2028c\\u2029d\\u202a\\u202ee\\u2066\\u2069f\\u202c|\xc2\xa0\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xc3\xa9");
    // Truncated sequences stay invalid bytes, as before.
    t.clear();
    zeek_escape_tsv("\xe2\x80", false, t);
    EXPECT_EQ(t, "\\xe2\\x80");
    // Through a whole row: still one line.
    TestRec r{1, "x\xe2\x80\xa8y", {}, {}, {}, {}, {}};
    EXPECT_EQ(tsv(r).substr(9), "x\\xe2\\x80\\xa8y\t-\t-\t-\t-\t-\n");
    EXPECT_EQ(json(r), "{\"ts\":0.000001,\"name\":\"x\\u2028y\"}\n");
}

TEST(Writer, QuotesAndOverlongUtf8InJson) {
    // "\xc0\xaf" is an overlong '/', "\xed\xa0\x80" a UTF-16 surrogate: both invalid UTF-8.
    TestRec r{1, "say \"hi\" \xc0\xaf \xed\xa0\x80", {}, {}, {}, {}, {}};
    EXPECT_EQ(json(r), "{\"ts\":0.000001,\"name\":\"say \\\"hi\\\" \\\\xc0\\\\xaf \\\\xed\\\\xa0\\\\x80\"}\n");
    EXPECT_EQ(tsv(r).substr(9), "say \"hi\" \\xc0\\xaf \\xed\\xa0\\x80\t-\t-\t-\t-\t-\n");
}

TEST(Writer, RowStartingWithHashIsEscaped) {
    struct R {
        std::string name;
        std::uint64_t n;
    };
    const LogTable<R> t{"x",
                        {col<FieldType::string>("name", [](const R& r) { return std::string_view(r.name); }),
                         col<FieldType::count>("n", [](const R& r) { return r.n; })}};
    std::string out;
    t.format(LogFormat::tsv, R{"#fields\tforged", 1}, out);
    EXPECT_EQ(out, "\\x23fields\\x09forged\t1\n");
}

TEST(Writer, FileRoundTrip) {
    test::TempDir dir;
    {
        LogWriter w(test_log().schema, LogFormat::tsv, (dir.path() / "test.log").string());
        w.write(test_log(), TestRec{5, "one", 1, true, {}, {}, {}});
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
    TestRec r{1, "x", 0, false, {}, {}, -1500000};
    EXPECT_EQ(tsv(r).substr(tsv(r).rfind('\t') + 1), "-1.500000\n");
}

}  // namespace
}  // namespace sw
