// report/html: the page is self-contained, escapes every wire string, links
// only to anchors it has, and says plainly when there is nothing to report.
#include "report/html.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "report_fixture.h"
#include "support.h"

namespace sw::report {
namespace {

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
    return n;
}

std::string fixture_page() {
    test::TempDir d;
    fixture::write_case(d.path());
    return render_html(build_model({d.str()}));
}

TEST(ReportHtml, SelfContained) {
    std::string p = fixture_page();
    EXPECT_EQ(p.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(p.find("Content-Security-Policy\" content=\"default-src 'none';"), std::string::npos);
    // No URL of any scheme, no external script, stylesheet, image or font.
    EXPECT_EQ(count(p, "http"), count(p, "http-equiv"));
    EXPECT_EQ(p.find("src="), std::string::npos);
    EXPECT_EQ(p.find("<link"), std::string::npos);
    EXPECT_EQ(p.find("@import"), std::string::npos);
    EXPECT_EQ(p.find("<canvas"), std::string::npos);
    // Exactly one script element: ours, inline.
    EXPECT_EQ(count(p, "<script"), 1u);
    EXPECT_EQ(count(p, "<script>"), 1u);
}

TEST(ReportHtml, HostileNameIsText) {
    std::string p = fixture_page();
    EXPECT_EQ(p.find("<script>alert"), std::string::npos);
    EXPECT_GE(count(p, "&lt;script&gt;alert(1)&lt;/script&gt;.zip"), 2u);  // files table and timeline tooltip
}

TEST(ReportHtml, EveryLinkHasItsAnchor) {
    std::string p = fixture_page();
    std::set<std::string> ids, hrefs;
    std::regex id_re("id=\"([^\"]+)\""), href_re("href=\"#([^\"]+)\"");
    for (std::sregex_iterator it(p.begin(), p.end(), id_re), end; it != end; ++it) {
        EXPECT_TRUE(ids.insert((*it)[1]).second) << "duplicate id " << (*it)[1];
    }
    for (std::sregex_iterator it(p.begin(), p.end(), href_re), end; it != end; ++it) hrefs.insert((*it)[1]);
    for (const auto& h : hrefs) EXPECT_TRUE(ids.count(h)) << "dangling link #" << h;
    // Rows link back to their uid and fuid, and the uid index gives a pcap filter.
    EXPECT_TRUE(hrefs.count("uid-C2wwz3CVG7P71w5JzC"));
    EXPECT_TRUE(ids.count("fuid-F4CJ"));
    EXPECT_TRUE(hrefs.count("f1"));
    EXPECT_TRUE(ids.count("h-10.74.0.110"));
    EXPECT_NE(p.find("host 10.74.0.131 and host 10.74.0.110 and port 38230 and port 445"), std::string::npos);
}

TEST(ReportHtml, FindingsMostSevereFirstWithDetails) {
    std::string p = fixture_page();
    auto f1 = p.find("<tr id=\"row-f1\""), f2 = p.find("<tr id=\"row-f2\""), f3 = p.find("<tr id=\"row-f3\"");
    ASSERT_NE(f1, std::string::npos);
    ASSERT_NE(f3, std::string::npos);
    EXPECT_LT(f1, f2);
    EXPECT_LT(f2, f3);
    EXPECT_LT(p.find("FanInArchiveStaging", f1), p.find("FanInVolume", f1));
    EXPECT_EQ(count(p, "<section class=\"finding"), 3u);
    EXPECT_NE(p.find("<h4>Why it fired</h4>"), std::string::npos);
    EXPECT_NE(p.find("<td>fan_in_archives</td>"), std::string::npos);
    EXPECT_NE(p.find("Files (5)"), std::string::npos);
    EXPECT_NE(p.find("wrote all.zip"), std::string::npos);
    EXPECT_NE(p.find("large outbound connection"), std::string::npos);
    EXPECT_EQ(p.find("id=\"no-findings\""), std::string::npos);
}

TEST(ReportHtml, NoFindingsSaysSoAndKeepsTheOverview) {
    test::TempDir d;
    fixture::write_log(d.path(), "conn", "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes",
                       {"1796283352.526393\tCAH\t10.74.0.166\t47602\t10.74.0.194\t22\ttcp\tssh\t4.848562\t4425\t4957"});
    std::string p = render_html(build_model({d.str()}));
    EXPECT_NE(p.find("id=\"no-findings\"><strong>No staging findings.</strong>"), std::string::npos);
    EXPECT_NE(p.find("<section id=\"overview\">"), std::string::npos);
    EXPECT_NE(p.find("id=\"hosts-seen\">2<"), std::string::npos);
    EXPECT_NE(p.find("2026-12-03 07:35:52 UTC \xe2\x80\x93 2026-12-03 07:35:57 UTC"), std::string::npos);
    EXPECT_NE(p.find("<td>ssh</td><td class=\"n\" data-v=\"9382\">9.4 KB</td>"), std::string::npos);
    EXPECT_EQ(p.find("id=\"finding-list\""), std::string::npos);
}

}  // namespace
}  // namespace sw::report
