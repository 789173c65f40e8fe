// tests/lab/check_scenario.py, the comparison of notice.log/staging.log with
// a lab scenario's truth.json: it passes what matches and fails, with a
// message naming the difference, what does not.
#include <gtest/gtest.h>

#include <fstream>

#include "output/finding_writer.h"
#include "output/log_set.h"
#include "support.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

std::string script() { return (source_dir() / "tests" / "lab" / "check_scenario.py").string(); }

#define REQUIRE_PYTHON()                                                   \
    do {                                                                   \
        if (run_command("python3 --version") != 0) GTEST_SKIP() << "no python3"; \
    } while (0)

// Three archive writers and an scp upload into 10.1.0.50 (see
// AnalyticsLogs.ScenarioRowsExactly), written as TSV logs into `dir`.
void write_scenario_logs(const TempDir& dir, const AnalyticsConfig& cfg) {
    LogSet logs(dir.str(), LogFormat::tsv);
    FindingWriter w(logs);
    StagingAnalytics a(cfg, w);
    for (int i = 1; i <= 3; ++i) {
        std::string src = "10.1.0.1" + std::to_string(i);
        a.on_event(smb_write(at(60.0 * i), conn(src.c_str(), 49000 + i, "10.1.0.50", 445, "C"),
                             "\\\\FS01\\stage$", "ws" + std::to_string(i) + ".7z", 12 * MB, "7z"));
    }
    a.on_event(ssh_transfer(at(200), conn("10.1.0.14", 40222, "10.1.0.50", 22, "S4"), 5 * MB, 0));
    a.finish();
    logs.close_all();
}

int check(const TempDir& logs, const std::string& truth_json, std::string* out) {
    TempDir scen;
    {
        std::ofstream f(scen.path() / "truth.json");
        f << truth_json;
    }
    return run_command("python3 " + script() + " --logs " + logs.str() + " " + scen.str() + " 2>&1", out);
}

const char* kFanIn = R"({"note": "Staging::Fan_In", "dst": "10.1.0.50", "src": null,
  "sources": ["10.1.0.11", "10.1.0.12", "10.1.0.13", "10.1.0.14"],
  "detection_type": "FanInArchiveStaging", "min_severity": "high"})";

TEST(AnalyticsLabCheck, PassesWhatMatches) {
    REQUIRE_PYTHON();
    TempDir logs;
    write_scenario_logs(logs, test_config());
    std::string out;
    EXPECT_EQ(check(logs, std::string(R"({"scenario": "smb-fan-in", "expected_notices": [)") + kFanIn +
                              R"(, {"note": "Staging::Archive_Write", "dst": "10.1.0.50", "src": "10.1.0.12",
                                   "sources": ["10.1.0.12"], "detection_type": "ArchiveToHiddenShare",
                                   "min_severity": "low"}],
                              "forbid_notices_above": "high", "allowlist": {"targets": []}})",
                    &out),
              0)
        << out;
    EXPECT_NE(out.find("PASS smb-fan-in: 2 expected notices found, 5 notices in all"), std::string::npos) << out;
}

TEST(AnalyticsLabCheck, FailsWithTheDifference) {
    REQUIRE_PYTHON();
    TempDir logs;
    write_scenario_logs(logs, test_config());
    struct Case {
        std::string truth;
        std::string message;
    };
    const Case cases[] = {
        {R"({"expected_notices": [{"note": "Staging::Fan_In", "dst": "10.1.0.50", "sources": ["10.1.0.11", "10.1.0.12", "10.1.0.99"]}]})",
         "sources 10.1.0.11,10.1.0.12,10.1.0.13,10.1.0.14, expected 10.1.0.11,10.1.0.12,10.1.0.99 (missing "
         "10.1.0.99, unexpected 10.1.0.13,10.1.0.14)"},
        {R"({"expected_notices": [{"note": "Staging::Fan_In", "dst": "10.1.0.51"}]})",
         "expected Staging::Fan_In dst=10.1.0.51: no such notice; notices with that note: Staging::Fan_In "
         "src=- dst=10.1.0.50"},
        {R"({"expected_notices": [{"note": "Staging::Pull_Collector", "src": "10.1.0.50"}]})",
         "no such notice; notice.log has 5 notices, none with that note"},
        {R"({"expected_notices": [{"note": "Staging::Fan_In", "dst": "10.1.0.50", "detection_type": "EncryptedFanIn"}]})",
         "detection_type FanInArchiveStaging at its highest severity, expected EncryptedFanIn"},
        {R"({"expected_notices": [], "forbid_notices_above": "low"})",
         "notice above low: Staging::Fan_In src=- dst=10.1.0.50"},
        {R"({"expected_notices": [{"note": "Staging::Pull_Collector", "also_acceptable": "Staging::Archive_Write",
              "src": "10.1.0.12", "min_severity": "medium"}]})",
         "highest severity low, expected at least medium"},
        {R"({"expected_notices": [], "allowlist": {"targets": ["10.1.0.50"]}})",
         "allow-listed target 10.1.0.50: no staging.log row with suppressed=T"},
    };
    for (const Case& c : cases) {
        std::string out;
        EXPECT_EQ(check(logs, c.truth, &out), 1) << c.truth << "\n" << out;
        EXPECT_NE(out.find("FAIL"), std::string::npos) << out;
        EXPECT_NE(out.find(c.message), std::string::npos) << c.truth << "\n" << out;
    }
}

TEST(AnalyticsLabCheck, AllowListedTargetPasses) {
    REQUIRE_PYTHON();
    TempDir logs;
    AnalyticsConfig cfg = test_config();
    cfg.allow_targets.add(*Cidr::parse("10.1.0.50"));
    write_scenario_logs(logs, cfg);
    std::string out;
    EXPECT_EQ(check(logs, R"({"expected_notices": [], "forbid_notices_above": "none",
                              "allowlist": {"targets": ["10.1.0.50"]}})",
                    &out),
              0)
        << out;
}

TEST(AnalyticsLabCheck, BadTruthIsAUsageError) {
    REQUIRE_PYTHON();
    TempDir logs;
    std::string out;
    EXPECT_EQ(check(logs, "{not json", &out), 2) << out;
    EXPECT_NE(out.find("cannot read truth file"), std::string::npos) << out;
    EXPECT_EQ(run_command("python3 " + script() + " " + logs.str() + "/missing 2>&1", &out), 2) << out;
}

// Runs the real binary with the truth's detector_options (in each accepted
// spelling) and allow-list on a capture.
TEST(AnalyticsLabCheck, RunsStagewatchWithTheTruthsOptions) {
    REQUIRE_PYTHON();
    SW_REQUIRE_SHARED_PCAPS();
    TempDir scen, keep;
    const std::string cap = (shared_pcaps() / "OISF-suricata-verify/vxlan-decoder-03/vxlan.pcap").string();
    {
        std::ofstream f(scen.path() / "truth.json");
        f << R"({"scenario": "quiet", "capture": ")" << cap << R"(",
                "expected_notices": [], "forbid_notices_above": "none",
                "allowlist": {"targets": ["10.9.9.9"]},
                "detector_options": ["--staging.min-bytes=1KB", "staging.window=5min", ["staging.min-sources", 2],
                                     ["staging.allow-targets", "10.9.9.8"]]})";
    }
    std::string out;
    // The allow-listed target has no traffic here, so that check must fail;
    // everything else (the run itself) must work.
    EXPECT_EQ(run_command("python3 " + script() + " --binary " + binary() + " --keep " + keep.str() + " " +
                              scen.str() + " 2>&1",
                          &out),
              1)
        << out;
    EXPECT_NE(out.find("allow-listed target 10.9.9.9: no staging.log row"), std::string::npos) << out;
    EXPECT_TRUE(std::filesystem::exists(keep.path() / "conn.log")) << out;

    // A bad option in the truth file is reported as stagewatch failing.
    {
        std::ofstream f(scen.path() / "truth.json");
        f << R"({"capture": ")" << cap << R"(", "detector_options": ["staging.min-sources=0"]})";
    }
    EXPECT_EQ(run_command("python3 " + script() + " --binary " + binary() + " " + scen.str() + " 2>&1", &out), 2);
    EXPECT_NE(out.find("stagewatch failed (exit 1)"), std::string::npos) << out;
    EXPECT_NE(out.find("staging.min-sources"), std::string::npos) << out;
}

}  // namespace
}  // namespace sw
