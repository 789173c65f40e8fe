// Scoring as pure functions: window facts -> indicators -> score, severity
// and label. Thresholds and weights are the documented defaults (README
// "Detection") unless a test sets them.
#include <gtest/gtest.h>

#include "analytics/scoring.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using I = Indicator;
constexpr std::uint64_t MB = test::MB;

IndicatorSet on(std::initializer_list<Indicator> l) {
    IndicatorSet a{};
    for (Indicator i : l) a[static_cast<std::size_t>(i)] = true;
    return a;
}

TEST(AnalyticsScoring, SeverityThresholds) {
    AnalyticsConfig c;
    EXPECT_EQ(severity_for(0, c), Severity::none);
    EXPECT_EQ(severity_for(1, c), Severity::low);
    EXPECT_EQ(severity_for(34, c), Severity::low);
    EXPECT_EQ(severity_for(35, c), Severity::medium);
    EXPECT_EQ(severity_for(59, c), Severity::medium);
    EXPECT_EQ(severity_for(60, c), Severity::high);
    c.severity_medium = 10;
    c.severity_high = 20;
    EXPECT_EQ(severity_for(9, c), Severity::low);
    EXPECT_EQ(severity_for(15, c), Severity::medium);
    EXPECT_EQ(severity_for(20, c), Severity::high);
}

TEST(AnalyticsScoring, LabelsPickTheStrongestPattern) {
    auto L = label_for;
    EXPECT_EQ(L(on({I::fan_in, I::fan_in_archives, I::encrypted_smb, I::masquerade}), Role::target),
              "FanInArchiveStaging");
    EXPECT_EQ(L(on({I::fan_in, I::encrypted_smb}), Role::target), "EncryptedFanIn");
    EXPECT_EQ(L(on({I::fan_in, I::ssh_upload}), Role::target), "FanInVolume");
    EXPECT_EQ(L(on({I::pull_collector, I::pull_then_push, I::archive_name}), Role::collector), "PullThenPush");
    EXPECT_EQ(L(on({I::pull_collector}), Role::collector), "PullCollector");
    EXPECT_EQ(L(on({I::masquerade, I::archive_content, I::admin_share}), Role::target), "ArchiveMasquerade");
    EXPECT_EQ(L(on({I::archive_name, I::admin_share, I::staging_path}), Role::target), "ArchiveToAdminShare");
    EXPECT_EQ(L(on({I::archive_content, I::staging_path}), Role::target), "ArchiveInStagingDir");
    EXPECT_EQ(L(on({I::archive_name}), Role::target), "ArchiveWrite");
    EXPECT_EQ(L(on({I::volume_anomaly, I::admin_share}), Role::target), "VolumeAnomaly");
    EXPECT_EQ(L(on({I::encrypted_smb}), Role::target), "EncryptedVolume");
    EXPECT_EQ(L(on({I::ssh_upload}), Role::target), "SshBulkUpload");
    EXPECT_EQ(L(on({I::admin_share}), Role::target), "StagingLocationWrite");
    EXPECT_EQ(L(on({}), Role::target), "");
    // Role decides: fan-in means nothing to a collector, a pull nothing to a target.
    EXPECT_EQ(L(on({I::fan_in, I::archive_name}), Role::collector), "ArchiveWrite");
    EXPECT_EQ(L(on({I::pull_collector}), Role::target), "");
}

TEST(AnalyticsScoring, AssessSumsTheWeights) {
    AnalyticsConfig c;
    Assessment a = assess(on({I::fan_in, I::fan_in_archives, I::archive_name, I::admin_share}), Role::target, c);
    EXPECT_EQ(a.score, 75u);  // 30 + 15 + 15 + 15
    EXPECT_EQ(a.severity, Severity::high);
    EXPECT_EQ(a.label, "FanInArchiveStaging");
    EXPECT_TRUE(a.has(I::admin_share));
    EXPECT_FALSE(a.has(I::masquerade));
    EXPECT_EQ(indicator_columns(a, c),
              (std::vector<std::string>{"fan_in:30", "fan_in_archives:15", "archive_name:15", "admin_share:15"}));

    // A zero weight switches an indicator off: no score means no label.
    c.weights[static_cast<std::size_t>(I::staging_path)] = 0;
    a = assess(on({I::staging_path}), Role::target, c);
    EXPECT_EQ(a.score, 0u);
    EXPECT_EQ(a.severity, Severity::none);
    EXPECT_EQ(a.label, "");
}

TEST(AnalyticsScoring, FanInNeedsBothThresholds) {
    AnalyticsConfig c;  // min-sources 3, min-bytes 50 MB
    RoleFacts f;
    f.peers = 3;
    f.window.bytes = 50 * MB;
    EXPECT_EQ(indicators(f, Role::target, c), on({I::fan_in}));
    f.window.bytes = 50 * MB - 1;
    EXPECT_EQ(indicators(f, Role::target, c), on({}));
    f.window.bytes = 50 * MB;
    f.peers = 2;
    EXPECT_EQ(indicators(f, Role::target, c), on({}));
    // With no byte threshold and no source threshold, nothing still makes no fan-in.
    c.min_sources = 0;
    c.min_bytes = 0;
    f.peers = 0;
    EXPECT_EQ(indicators(f, Role::target, c), on({}));
}

TEST(AnalyticsScoring, TargetIndicatorsFromTheWindow) {
    AnalyticsConfig c;
    RoleFacts f;
    f.peers = 4;
    f.window.bytes = 200 * MB;
    f.window.ssh_bytes = 50 * MB;
    f.window.enc_bytes = 49 * MB;  // below min-bytes: not encrypted bulk
    f.window.archives = 2;
    f.window.archive_names = 1;
    f.window.archive_contents = 1;
    f.window.masquerades = 1;
    f.window.admin_writes = 3;
    f.window.path_writes = 1;
    f.volume_anomaly = true;
    const IndicatorSet got = indicators(f, Role::target, c);
    EXPECT_EQ(got, on({I::fan_in, I::fan_in_archives, I::archive_name, I::archive_content, I::masquerade,
                       I::admin_share, I::staging_path, I::volume_anomaly, I::ssh_upload}));
    const Assessment a = assess(got, Role::target, c);
    EXPECT_EQ(a.score, 30u + 15 + 15 + 10 + 30 + 15 + 10 + 20 + 15);
    EXPECT_EQ(a.label, "FanInArchiveStaging");
    // Pushes are a collector's: they never count for a target.
    RoleFacts p;
    p.pushes.archives = p.pushes.archive_names = 1;
    EXPECT_EQ(indicators(p, Role::target, c), on({}));
}

// Writes of sources left out of the fan-in as private count as files, not
// as a fan-in with archives; a collector ignores them.
TEST(AnalyticsScoring, KeptPrivateWritesAreFilesNotFanIn) {
    AnalyticsConfig c;
    RoleFacts f;
    f.peers = 3;
    f.window.bytes = 60 * MB;
    f.kept_private.archives = f.kept_private.archive_names = 1;
    f.kept_private.hidden_writes = 2;
    EXPECT_EQ(indicators(f, Role::target, c), on({I::fan_in, I::archive_name, I::hidden_share}));
    EXPECT_EQ(indicators(f, Role::collector, c), on({I::pull_collector}));
}

TEST(AnalyticsScoring, CollectorPullThenPush) {
    AnalyticsConfig c;  // min-servers 3, min-bytes 50 MB, push-min-bytes 1 MB
    RoleFacts f;
    f.peers = 3;
    f.window.bytes = 60 * MB;
    f.window.archive_names = 5;  // what it read is not what it wrote
    EXPECT_TRUE(pull_holds(f, c));
    EXPECT_EQ(indicators(f, Role::collector, c), on({I::pull_collector}));

    // Bytes sent on to hosts it did not pull from: at least push-min-bytes.
    f.pushes.bytes = 3 * MB;
    EXPECT_TRUE(needs_onward_bytes(f, c));
    f.onward_bytes = MB - 1;
    EXPECT_EQ(indicators(f, Role::collector, c), on({I::pull_collector}));
    f.onward_bytes = MB;
    EXPECT_EQ(indicators(f, Role::collector, c), on({I::pull_collector, I::pull_then_push}));

    // An archive written after the pull is a push whatever its size or target.
    f.onward_bytes = 0;
    f.pushes.archives = 1;
    f.pushes.archive_names = 1;
    f.pushes.admin_writes = 1;
    EXPECT_FALSE(needs_onward_bytes(f, c));
    const IndicatorSet got = indicators(f, Role::collector, c);
    EXPECT_EQ(got, on({I::pull_collector, I::pull_then_push, I::archive_name, I::admin_share}));
    const Assessment a = assess(got, Role::collector, c);
    EXPECT_EQ(a.score, 85u);  // 30 + 25 + 15 + 15
    EXPECT_EQ(a.label, "PullThenPush");

    // No pull, no push: a host that only writes archives is no collector.
    f.peers = 2;
    EXPECT_FALSE(pull_holds(f, c));
    EXPECT_FALSE(needs_onward_bytes(f, c));
    EXPECT_EQ(indicators(f, Role::collector, c), on({I::archive_name, I::admin_share}));
}

}  // namespace
}  // namespace sw
