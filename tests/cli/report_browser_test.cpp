// The analyst report as a user meets it: stagewatch writes the page, a real
// browser (Debian's chromium-headless-shell, installed by tools/quickstart.sh)
// loads it from a file, and the rendered DOM is checked: the findings, their
// targets and sources are there, the convergence picture has one node per
// source, nothing is fetched from the network, and a hostile file name from a
// capture is text, never markup.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "support.h"

namespace sw {
namespace {

namespace fs = std::filesystem;
using test::run_command;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
    return n;
}

std::string browser() {
    if (const char* e = std::getenv("STAGEWATCH_BROWSER")) return e;
    return "chromium-headless-shell";
}

// Loads `page` in the headless browser and returns the DOM after scripts ran.
// Fails the test (never skips) when the browser is missing.
std::string rendered_dom(const fs::path& page, const test::TempDir& tmp) {
    std::string which;
    if (run_command("command -v " + browser(), &which) != 0) {
        ADD_FAILURE() << browser() << " not found: install chromium-headless-shell (tools/quickstart.sh installs the test packages)";
        return {};
    }
    const fs::path out = tmp.path() / "dom.html";
    const std::string cmd = "(" + browser() + " --no-sandbox --disable-gpu --user-data-dir=" + (tmp.path() / "profile").string() +
                            " --dump-dom file://" + fs::absolute(page).string() + " 2>/dev/null) > " + out.string();
    std::string log;
    EXPECT_EQ(run_command(cmd, &log), 0) << log;
    std::string dom = slurp(out);
    EXPECT_GT(dom.size(), 1000u) << "the browser rendered nothing";
    return dom;
}

// No element or style in the rendered page refers to anything outside it.
void expect_no_network(const std::string& dom) {
    std::regex attr("(src|href|action|poster|data|srcset|xlink:href)\\s*=\\s*\"\\s*(https?:|//|ftp:|file:)", std::regex::icase);
    EXPECT_FALSE(std::regex_search(dom, attr)) << "a resource attribute points outside the page";
    std::regex url("url\\(\\s*['\"]?\\s*(https?:|//|file:)", std::regex::icase);
    EXPECT_FALSE(std::regex_search(dom, url)) << "a style fetches a URL";
    EXPECT_EQ(dom.find("http://"), std::string::npos);
    EXPECT_EQ(dom.find("https://"), std::string::npos);
    EXPECT_EQ(dom.find("<link"), std::string::npos);
    EXPECT_EQ(dom.find("<img"), std::string::npos);
    EXPECT_EQ(dom.find("<iframe"), std::string::npos);
}

// staging.log's rows, independently of the report's reader.
struct StagingRow {
    std::string host;
    std::vector<std::string> peers;
};
std::vector<StagingRow> staging_rows(const fs::path& dir) {
    std::vector<StagingRow> out;
    std::vector<std::string> fields;
    std::ifstream in(dir / "staging.log");
    std::string line;
    std::size_t host_i = 0, peers_i = 0;
    while (std::getline(in, line)) {
        std::vector<std::string> cols;
        std::size_t pos = 0;
        for (;;) {
            auto t = line.find('\t', pos);
            cols.push_back(line.substr(pos, t == std::string::npos ? std::string::npos : t - pos));
            if (t == std::string::npos) break;
            pos = t + 1;
        }
        if (cols[0] == "#fields") {
            for (std::size_t i = 1; i < cols.size(); ++i) {
                if (cols[i] == "host") host_i = i - 1;
                if (cols[i] == "peers") peers_i = i - 1;
            }
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        StagingRow r;
        r.host = cols.at(host_i);
        std::string p = cols.at(peers_i);
        for (std::size_t b = 0;;) {
            auto c = p.find(',', b);
            r.peers.push_back(p.substr(b, c == std::string::npos ? std::string::npos : c - b));
            if (c == std::string::npos) break;
            b = c + 1;
        }
        out.push_back(r);
    }
    return out;
}

TEST(ReportBrowser, DemoCaptureFindingsTargetsAndSourcesRendered) {
    test::TempDir d;
    const fs::path logs = d.path() / "logs", page = d.path() / "report.html";
    std::string out;
    ASSERT_EQ(run_command(test::binary() + " -r " + (test::project_pcaps() / "demo-smb.pcap").string() + " -o " + logs.string() +
                              " --seed 7 --progress never --notice.file-min-severity low --report " + page.string(), &out), 0) << out;
    ASSERT_TRUE(fs::exists(page)) << out;
    std::string dom = rendered_dom(page, d);
    // demo-smb: LAB\stagelab on 10.74.0.21 writes a real zip to \\10.74.0.10\stage$ (pcaps/README.md).
    auto rows = staging_rows(logs);
    ASSERT_EQ(rows.size(), 2u);
    std::size_t sources = 0;
    for (const auto& r : rows) {
        EXPECT_EQ(count(dom, "<g class=\"target\" data-host=\"" + r.host + "\""), 1u) << r.host;
        for (const auto& p : r.peers) EXPECT_NE(dom.find("<g class=\"source\" data-host=\"" + p + "\""), std::string::npos) << p;
        sources += r.peers.size();
    }
    // One source node per source, over every picture.
    EXPECT_EQ(count(dom, "<g class=\"source\""), sources);
    // A single archive to a hidden share is a low finding: a notice only
    // because this run asks for per-file notices from low up.
    EXPECT_NE(dom.find("ArchiveToHiddenShare"), std::string::npos);
    EXPECT_NE(dom.find("hr-export-2026.zip"), std::string::npos);
    EXPECT_NE(dom.find("LAB\\stagelab"), std::string::npos);
    expect_no_network(dom);
    // The inline script ran (it shows the filter box); the page does not depend on it.
    EXPECT_NE(dom.find("id=\"filter\" type=\"search\" placeholder=\"filter findings (host, type, severity...)\" style=\"display: block;\""),
              std::string::npos);
}

TEST(ReportBrowser, HostileFileNameFromACaptureIsText) {
    test::TempDir d;
    const fs::path pcap = d.path() / "hostile.pcap", logs = d.path() / "logs", page = d.path() / "report.html";
    std::string out;
    // Two clients write a few files each to one server; every name starts with markup.
    ASSERT_EQ(run_command(std::string(SW_PCAPGEN_BINARY) + " --out " + pcap.string() +
                              " --size 2M --clients 2 --servers 1 --smb-fraction 1 --ssh-fraction 0 --file-size 64K..256K"
                              " --files-per-session 2..3 --read-fraction 0 --seed 3 -q --name-prefix '<script>alert(1)</script>'",
                          &out), 0) << out;
    ASSERT_EQ(run_command(test::binary() + " -r " + pcap.string() + " -o " + logs.string() + " --seed 7 --progress never --log-level warn", &out), 0)
        << out;
    ASSERT_EQ(run_command(test::binary() + " report --logs " + logs.string() + " -o " + page.string(), &out), 0) << out;
    // The name reached the logs as the capture carried it.
    const std::string files = slurp(logs / "smb_files.log");
    ASSERT_NE(files.find("<script>alert(1)</script>"), std::string::npos);
    std::string dom = rendered_dom(page, d);
    // As text: the serialised DOM shows it escaped, and the only script element is the page's own.
    EXPECT_NE(dom.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_EQ(dom.find("<script>alert(1)"), std::string::npos);
    EXPECT_EQ(count(dom, "<script"), 1u);
    expect_no_network(dom);
}

TEST(ReportBrowser, NoFindingsSaysSoAndShowsTheOverview) {
    test::TempDir d;
    const fs::path logs = d.path() / "logs", page = d.path() / "report.html";
    std::string out;
    // ssh-ops: interactive SSH sessions only, nothing staged.
    ASSERT_EQ(run_command(test::binary() + " -r " + (test::project_pcaps() / "ssh-ops.pcap").string() + " -o " + logs.string() +
                              " --seed 7 --progress never --report " + page.string(), &out), 0) << out;
    ASSERT_FALSE(fs::exists(logs / "notice.log"));
    std::string dom = rendered_dom(page, d);
    EXPECT_NE(dom.find("<strong>No staging findings.</strong>"), std::string::npos);
    EXPECT_NE(dom.find("<section id=\"overview\">"), std::string::npos);
    EXPECT_NE(dom.find("<th>Hosts seen</th>"), std::string::npos);
    EXPECT_NE(dom.find("<td>ssh</td>"), std::string::npos);
    EXPECT_EQ(dom.find("<g class=\"source\""), std::string::npos);
    expect_no_network(dom);
}

}  // namespace
}  // namespace sw
