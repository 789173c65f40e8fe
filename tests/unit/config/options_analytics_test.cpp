// The analytics options: names, defaults (and that --help shows them), the
// INI file, and rejection of bad values with the option's name.
#include <gtest/gtest.h>

#include <fstream>

#include "config/config.h"
#include "support.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

ParseOutcome parse(std::vector<std::string> args) {
    args.insert(args.begin(), "stagewatch");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return parse_config(static_cast<int>(argv.size()), argv.data());
}

TEST(AnalyticsOptions, DefaultsAreTheConfigDefaults) {
    const AnalyticsConfig a = parse({}).config.analytics;
    EXPECT_EQ(a.volume_interval, 60 * kSecond);
    EXPECT_EQ(a.window, 3600 * kSecond);
    EXPECT_EQ(a.min_sources, 3u);
    EXPECT_EQ(a.min_bytes, 50'000'000u);
    EXPECT_EQ(a.min_servers, 3u);
    EXPECT_EQ(a.suppress_for, 3600 * kSecond);
    EXPECT_EQ(a.baseline_factor, 10.0);
    EXPECT_EQ(a.archive_extensions, AnalyticsConfig{}.archive_extensions);
    EXPECT_EQ(a.staging_paths, AnalyticsConfig{}.staging_paths);
    EXPECT_EQ(a.admin_shares.size(), 25u);  // ADMIN$ and C$..Z$
    EXPECT_EQ(a.admin_shares.front(), "ADMIN$");
    EXPECT_EQ(a.admin_shares[1], "C$");
    EXPECT_EQ(a.admin_shares.back(), "Z$");
    EXPECT_EQ(a.hidden_shares, std::vector<std::string>{"*$"});
    ASSERT_EQ(a.long_windows.size(), 1u);
    EXPECT_EQ(a.long_windows[0].length, 86400 * kSecond);
    EXPECT_EQ(a.long_windows[0].min_sources, 3u);
    EXPECT_EQ(a.long_windows[0].min_bytes, 50'000'000u);
    EXPECT_EQ(a.daily_budget, 20u);
    EXPECT_EQ(a.file_notice_min, Severity::medium);
    EXPECT_EQ(a.admin_share_exceptions, std::vector<std::string>{"IPC$"});
    EXPECT_EQ(a.weights, AnalyticsConfig{}.weights);
    EXPECT_TRUE(a.allow_targets.empty());
    EXPECT_TRUE(a.allow_times.empty());
}

TEST(AnalyticsOptions, HashIsTheRunsKey) {
    // Seeded: derived from the seed, the same key as the flow table's.
    const Config c = parse({"--seed", "9"}).config;
    const KeyedHash want = KeyedHash::from_seed(9);
    EXPECT_EQ(c.analytics.hash(0x0a000001, 7), want(0x0a000001, 7));
    EXPECT_EQ(c.analytics.hash(1, 2), c.flow.hash(1, 2));
    EXPECT_NE(c.analytics.hash(1, 2), KeyedHash{}(1, 2));  // not the unkeyed test default
    // Unseeded: a secret key per run, still the flow table's.
    const Config r = parse({}).config;
    EXPECT_EQ(r.analytics.hash(1, 2), r.flow.hash(1, 2));
    EXPECT_NE(r.analytics.hash(1, 2), want(1, 2));
}

TEST(AnalyticsOptions, HelpShowsEveryOptionWithItsDefault) {
    ParseOutcome o = parse({"--help"});
    ASSERT_EQ(o.action, ParseOutcome::Action::help);
    for (const char* s :
         {"--volume.interval arg (=60s)", "--staging.window arg (=1h)", "--staging.min-sources arg (=3)",
          "--staging.min-bytes arg (=50MB)", "--staging.min-servers arg (=3)",
          "--staging.archive-extensions arg (=zip,", "--staging.admin-shares arg (=ADMIN$,C$,D$,", "--staging.hidden-shares arg (=*$)",
          "--staging.long-windows arg (=24h)", "--staging.long-min-sources arg (=3)",
          "--staging.long-min-bytes arg (=50MB)", "--notice.daily-budget arg (=20)",
          "--notice.file-min-severity arg (=medium)", "--weight.hidden-share arg (=5)",
          "--weight.convergence arg (=10)",
          "--staging.admin-share-exceptions arg (=IPC$)", "--staging.paths arg (=\\Temp\\,",
          "--staging.allow-targets", "--staging.allow-sources", "--staging.allow-collectors",
          "--staging.allow-shares", "--staging.allow-times", "--baseline.factor arg (=10)",
          "--baseline.min-bytes arg (=100MB)", "--baseline.half-life arg (=1h)", "--baseline.warmup arg (=1h)",
          "--weight.fan-in arg (=30)", "--weight.masquerade arg (=30)", "--weight.encrypted-smb arg (=15)",
          "--severity.medium arg (=35)", "--severity.high arg (=60)", "--notice.suppress-for arg (=1h)"})
        EXPECT_NE(o.text.find(s), std::string::npos) << s;
}

TEST(AnalyticsOptions, LongWindowsAndNoticePolicy) {
    const AnalyticsConfig a = parse({"--staging.long-windows=8h, 7d", "--staging.long-min-sources=4,6",
                                     "--staging.long-min-bytes=100MB", "--notice.daily-budget=0",
                                     "--notice.file-min-severity=low", "--staging.hidden-shares=home$,users$"})
                                  .config.analytics;
    ASSERT_EQ(a.long_windows.size(), 2u);
    EXPECT_EQ(a.long_windows[0].length, 8 * 3600 * kSecond);
    EXPECT_EQ(a.long_windows[1].length, 7 * 86400 * kSecond);
    EXPECT_EQ(a.long_windows[0].min_sources, 4u);
    EXPECT_EQ(a.long_windows[1].min_sources, 6u);
    EXPECT_EQ(a.long_windows[0].min_bytes, 100'000'000u);  // one value for every horizon
    EXPECT_EQ(a.long_windows[1].min_bytes, 100'000'000u);
    EXPECT_EQ(a.daily_budget, 0u);
    EXPECT_EQ(a.file_notice_min, Severity::low);
    EXPECT_EQ(a.hidden_shares, (std::vector<std::string>{"home$", "users$"}));
    EXPECT_TRUE(parse({"--staging.long-windows", ""}).config.analytics.long_windows.empty());

    for (std::vector<std::string> bad :
         {std::vector<std::string>{"--staging.long-windows=30min"},  // not longer than staging.window
          {"--staging.long-windows=24h,8h"},                         // not increasing
          {"--staging.long-windows=8h,24h", "--staging.long-min-sources=3,4,5"},
          {"--staging.long-min-sources=0"},
          {"--staging.long-min-bytes=lots"},
          {"--notice.file-min-severity=urgent"}}) {
        EXPECT_THROW(parse(bad), ConfigError) << bad[0];
    }
}

TEST(AnalyticsOptions, CommandLine) {
    const AnalyticsConfig a = parse({"--staging.min-bytes=5MB", "--staging.window=30min",
                                     "--staging.allow-targets=10.0.0.0/24,192.168.1.5",
                                     "--staging.allow-times=22:00-06:00, 12:00-13:30", "--weight.fan-in=40",
                                     "--notice.suppress-for=0", "--staging.archive-extensions=zip, 7z ,tar.gz",
                                     "--staging.allow-shares=backup$,SCCM*", "--volume.interval=5min"})
                                  .config.analytics;
    EXPECT_EQ(a.min_bytes, 5'000'000u);
    EXPECT_EQ(a.window, 30 * kMinute);
    EXPECT_EQ(a.volume_interval, 5 * kMinute);
    EXPECT_TRUE(a.allow_targets.contains(test::ip("10.0.0.77")));
    EXPECT_TRUE(a.allow_targets.contains(test::ip("192.168.1.5")));
    EXPECT_FALSE(a.allow_targets.contains(test::ip("192.168.1.6")));
    ASSERT_EQ(a.allow_times.size(), 2u);
    EXPECT_EQ(a.allow_times[0].start, 22 * 3600);
    EXPECT_EQ(a.allow_times[0].end, 6 * 3600);
    EXPECT_EQ(a.allow_times[0].text, "22:00-06:00");
    EXPECT_EQ(a.allow_times[1].start, 12 * 3600);
    EXPECT_EQ(a.allow_times[1].end, 13 * 3600 + 1800);
    EXPECT_EQ(a.weights[static_cast<std::size_t>(Indicator::fan_in)], 40u);
    EXPECT_EQ(a.suppress_for, 0);
    EXPECT_EQ(a.archive_extensions, (std::vector<std::string>{"zip", "7z", "tar.gz"}));
    EXPECT_EQ(a.allow_shares, (std::vector<std::string>{"backup$", "SCCM*"}));
}

TEST(AnalyticsOptions, IniFileWithTheSameNamesAndCommandLineWins) {
    test::TempDir dir;
    const std::string ini = (dir.path() / "sw.ini").string();
    {
        std::ofstream f(ini);
        f << "notice.suppress-for = 10min\n"
             "[staging]\n"
             "min-sources = 5\n"
             "min-bytes = 2MiB\n"
             "allow-collectors = 10.9.0.0/16\n"
             "paths = \\Drop\\,\\Exfil\\\n"
             "[weight]\n"
             "masquerade = 50\n"
             "[baseline]\n"
             "factor = 4.5\n";
    }
    const AnalyticsConfig a = parse({"--config", ini, "--staging.min-sources=7"}).config.analytics;
    EXPECT_EQ(a.suppress_for, 10 * kMinute);
    EXPECT_EQ(a.min_sources, 7u);  // the command line wins
    EXPECT_EQ(a.min_bytes, 2u * 1024 * 1024);
    EXPECT_TRUE(a.allow_collectors.contains(test::ip("10.9.200.1")));
    EXPECT_EQ(a.staging_paths, (std::vector<std::string>{"\\Drop\\", "\\Exfil\\"}));
    EXPECT_EQ(a.weights[static_cast<std::size_t>(Indicator::masquerade)], 50u);
    EXPECT_EQ(a.baseline_factor, 4.5);
}

TEST(AnalyticsOptions, BadValuesNameTheOption) {
    const std::pair<const char*, const char*> bad[] = {
        {"--staging.allow-times=25:00-01:00", "staging.allow-times"},
        {"--staging.allow-times=22:00", "staging.allow-times"},
        {"--severity.medium=70", "severity.high"},
        {"--staging.window=0", "staging.window"},
        {"--volume.interval=0", "volume.interval"},
        {"--staging.min-sources=0", "staging.min-sources"},
        {"--staging.min-servers=0", "staging.min-servers"},
        {"--baseline.factor=0.5", "baseline.factor"},
        {"--staging.allow-targets=10.0.0.300", "staging.allow-targets"},
        {"--staging.min-bytes=lots", "staging.min-bytes"},
        {"--staging.max-hosts=2", "staging.max-hosts"},
        {"--weight.fan-in=-1", "weight.fan-in"},
    };
    for (const auto& [arg, name] : bad) {
        try {
            parse({arg});
            ADD_FAILURE() << arg << " was accepted";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << arg << ": " << e.what();
        }
    }
}

}  // namespace
}  // namespace sw
