// report/format: escaping of wire strings and human-readable numbers.
#include "report/format.h"

#include <gtest/gtest.h>

namespace sw::report {
namespace {

TEST(ReportFormat, EscapesMarkup) {
    EXPECT_EQ(html_escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    EXPECT_EQ(html_escape("a\"b'c&d"), "a&quot;b&#39;c&amp;d");
    EXPECT_EQ(html_escape("\\\\fs\\stage$"), "\\\\fs\\stage$");
}

TEST(ReportFormat, ControlAndInvalidBytesBecomeVisible) {
    EXPECT_EQ(html_escape(std::string("a\tb\x01", 4)), "a\\x09b\\x01");
    EXPECT_EQ(html_escape(std::string("\xff\xfe", 2)), "\\xff\\xfe");
    // Valid multi-byte UTF-8 passes; an overlong encoding of '<' does not.
    EXPECT_EQ(html_escape("caf\xc3\xa9 \xe2\x96\xb2"), "caf\xc3\xa9 \xe2\x96\xb2");
    EXPECT_EQ(html_escape("\xc0\xbc"), "\\xc0\\xbc");
    // A truncated sequence at the end.
    EXPECT_EQ(html_escape("x\xe2\x96"), "x\\xe2\\x96");
}

TEST(ReportFormat, AnchorsAndNumbers) {
    EXPECT_EQ(anchor_id("uid-", "C2wwz3CVG7P71w5JzC"), "uid-C2wwz3CVG7P71w5JzC");
    EXPECT_EQ(anchor_id("h-", "fe80::1%eth0"), "h-fe80::1_eth0");
    EXPECT_EQ(anchor_id("h-", "\"><x"), "h-___x");
    EXPECT_EQ(fmt_bytes(999), "999 B");
    EXPECT_EQ(fmt_bytes(4830381), "4.8 MB");
    EXPECT_EQ(fmt_bytes(1000000000000ull), "1.0 TB");
    EXPECT_EQ(fmt_time(1796283358.160302), "2026-12-03 07:35:58 UTC");
    EXPECT_EQ(fmt_time(0), "-");
    EXPECT_EQ(fmt_clock(1796283358.9), "07:35:58");
    EXPECT_EQ(fmt_duration(0.4), "under 1 s");
    EXPECT_EQ(fmt_duration(6.08), "6 s");
    EXPECT_EQ(fmt_duration(600), "10 min");
    EXPECT_EQ(fmt_duration(9000), "2.5 h");
}

}  // namespace
}  // namespace sw::report
