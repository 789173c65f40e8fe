// report/svg: the convergence picture, the timeline and the volume chart,
// counted element by element on the fixture case.
#include "report/svg.h"

#include <gtest/gtest.h>

#include "report_fixture.h"
#include "support.h"

namespace sw::report {
namespace {

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
    return n;
}

Model fixture_model(test::TempDir& d) {
    fixture::write_case(d.path());
    return build_model({d.str()});
}

TEST(ReportSvg, ConvergenceHasOneNodePerSource) {
    test::TempDir d;
    Model m = fixture_model(d);
    const Finding& f = m.findings[0];
    std::string s = convergence_svg(f, m.limits);
    EXPECT_EQ(count(s, "<g class=\"source\""), 3u);
    for (const char* h : {"10.74.0.59", "10.74.0.131", "10.74.0.182"})
        EXPECT_EQ(count(s, std::string("<g class=\"source\" data-host=\"") + h + "\""), 1u) << h;
    EXPECT_EQ(count(s, "<g class=\"target\" data-host=\"10.74.0.110\""), 1u);
    EXPECT_EQ(count(s, "<g class=\"edge\""), 3u);
    // Encrypted (SSH) edges are dashed: only .131's.
    EXPECT_EQ(count(s, "stroke-dasharray=\"8 4\""), 1u);
    EXPECT_NE(s.find("ssh (encrypted)"), std::string::npos);
    // Sources that wrote archives are squares, the others circles: all three wrote archives.
    EXPECT_EQ(count(s, "<circle"), 0u);
    EXPECT_NE(s.find("2 archives"), std::string::npos);
    EXPECT_EQ(count(s, "<g class=\"push\""), 0u);
    EXPECT_EQ(s.find("http"), std::string::npos);  // no namespace URL, no resource
}

TEST(ReportSvg, ConvergenceCapsLanesAndDrawsPushes) {
    Finding f;
    f.host = "10.0.0.1";
    f.role = "collector";
    for (int i = 0; i < 50; ++i) f.peers.push_back(Peer{"10.1.0." + std::to_string(i), 1000u + static_cast<unsigned>(i)});
    f.push_targets = {"10.2.0.1", "<b>x</b>"};
    f.pushed_bytes = 3334489;
    ModelLimits lim;
    std::string s = convergence_svg(f, lim);
    EXPECT_EQ(count(s, "<g class=\"source\""), lim.lanes);
    EXPECT_NE(s.find("+ 10 more sources"), std::string::npos);
    EXPECT_EQ(count(s, "<g class=\"push\""), 2u);
    EXPECT_NE(s.find("pushed 3.3 MB"), std::string::npos);
    EXPECT_EQ(s.find("<b>"), std::string::npos);
    EXPECT_NE(s.find("&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
    EXPECT_NE(s.find("servers read"), std::string::npos);
}

TEST(ReportSvg, TimelineLanesMarksAndWindow) {
    test::TempDir d;
    Model m = fixture_model(d);
    const Finding& f = m.findings[0];
    std::string s = timeline_svg(f, m.limits);
    EXPECT_EQ(count(s, "<g class=\"lane\""), 3u);
    EXPECT_EQ(count(s, "class=\"mark mark-write\""), 5u);
    EXPECT_EQ(count(s, "class=\"mark mark-ssh\""), 1u);
    EXPECT_EQ(count(s, "class=\"mark mark-conn\""), 4u);
    EXPECT_EQ(count(s, "<rect class=\"window\""), 1u);
    EXPECT_NE(s.find("window that fired (6 s)"), std::string::npos);
    // The hostile name is in a mark's tooltip, as text.
    EXPECT_EQ(s.find("<script>"), std::string::npos);
    EXPECT_NE(s.find("&lt;script&gt;alert(1)&lt;/script&gt;.zip"), std::string::npos);
}

TEST(ReportSvg, VolumeChart) {
    test::TempDir d;
    Model m = fixture_model(d);
    ASSERT_EQ(m.hosts[0].host, "10.74.0.110");
    std::string s = volume_svg(m.hosts[0]);
    EXPECT_EQ(count(s, "<g class=\"bar\">"), 2u);
    EXPECT_NE(s.find("max 4.8 MB"), std::string::npos);
    HostInfo empty;
    empty.host = "10.0.0.9";
    EXPECT_NE(volume_svg(empty).find("no volume.log rows"), std::string::npos);
    // Many intervals are merged into at most 120 bars.
    HostInfo many;
    for (int i = 0; i < 1000; ++i) many.volume.push_back(VolumePoint{1e9 + 300.0 * i, 10, 0});
    EXPECT_LE(count(volume_svg(many), "<g class=\"bar\">"), 120u);
}

}  // namespace
}  // namespace sw::report
