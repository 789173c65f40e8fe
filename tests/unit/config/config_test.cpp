// Command line and INI configuration: values, units, defaults in --help,
// one-line errors naming the option, the config file with the same names.
#include <gtest/gtest.h>

#include <fstream>

#include "config/config.h"
#include "support.h"

namespace sw {
namespace {

ParseOutcome parse(std::vector<std::string> args) {
    args.insert(args.begin(), "stagewatch");
    std::vector<const char*> argv;
    for (auto& a : args) argv.push_back(a.c_str());
    return parse_config(static_cast<int>(argv.size()), argv.data());
}

std::string error_of(std::vector<std::string> args) {
    try {
        parse(std::move(args));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(Config, Units) {
    EXPECT_EQ(parse_duration("300"), 300 * kSecond);
    EXPECT_EQ(parse_duration("5min"), 5 * kMinute);
    EXPECT_EQ(parse_duration("1h"), 60 * kMinute);
    EXPECT_EQ(parse_duration("250ms"), 250'000);
    EXPECT_EQ(parse_duration("1.5s"), 1'500'000);
    EXPECT_EQ(parse_duration("2d"), 2 * 86400 * kSecond);
    EXPECT_THROW(parse_duration("soon"), ConfigError);
    EXPECT_THROW(parse_duration("5 parsecs"), ConfigError);
    EXPECT_THROW(parse_duration("-1s"), ConfigError);
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_EQ(parse_size("64KiB"), 65536u);
    EXPECT_EQ(parse_size("2MiB"), 2u << 20);
    EXPECT_EQ(parse_size("50MB"), 50'000'000u);
    EXPECT_EQ(parse_size("1G"), 1u << 30);
    EXPECT_THROW(parse_size("lots"), ConfigError);
    auto cidrs = parse_cidr_list("10.0.0.0/8, 192.168.1.0/24,2001:db8::/32");
    ASSERT_EQ(cidrs.size(), 3u);
    EXPECT_TRUE(cidrs[0].contains(*IpAddr::parse("10.200.1.1")));
    EXPECT_FALSE(cidrs[1].contains(*IpAddr::parse("192.168.2.1")));
    EXPECT_TRUE(cidrs[2].contains(*IpAddr::parse("2001:db8:1::5")));
    EXPECT_FALSE(cidrs[2].contains(*IpAddr::parse("10.0.0.1")));
    EXPECT_THROW(parse_cidr_list("10.0.0.0/33"), ConfigError);
}

TEST(Config, CommandLine) {
    auto o = parse({"-r", "a.pcap", "-r", "b.pcap", "-o", "out", "--format", "json", "--seed", "9",
                    "--flow.tcp-timeout", "2min", "--tcp.max-ooo-bytes", "1MiB", "--local-nets", "10.0.0.0/8"});
    ASSERT_EQ(o.action, ParseOutcome::Action::run);
    const Config& c = o.config;
    EXPECT_EQ(c.read_files, (std::vector<std::string>{"a.pcap", "b.pcap"}));
    EXPECT_EQ(c.output_dir, "out");
    EXPECT_EQ(c.format, LogFormat::json);
    EXPECT_TRUE(c.seeded);
    EXPECT_EQ(c.flow.seed, 9u);
    EXPECT_EQ(c.flow.tcp_inactivity, 2 * kMinute);
    EXPECT_EQ(c.flow.max_ooo_bytes, 1u << 20);
    EXPECT_TRUE(c.flow.local_nets.contains(*IpAddr::parse("10.9.9.9")));
    EXPECT_TRUE(c.dissectors.local_nets.contains(*IpAddr::parse("10.9.9.9")));
}

TEST(Config, Defaults) {
    const Config c = parse({}).config;
    EXPECT_EQ(c.output_dir, ".");
    EXPECT_EQ(c.format, LogFormat::tsv);
    EXPECT_EQ(c.flow.tcp_inactivity, 5 * kMinute);
    EXPECT_EQ(c.flow.udp_inactivity, kMinute);
    EXPECT_EQ(c.flow.max_flows, 1'000'000u);
    EXPECT_FALSE(c.seeded);
}

TEST(Config, ErrorsNameTheOption) {
    EXPECT_EQ(error_of({"--flow.tcp-timeout", "soon"}), "the argument ('soon') for option '--flow.tcp-timeout' is invalid");
    EXPECT_EQ(error_of({"--no-such-option"}), "unrecognised option '--no-such-option'");
    EXPECT_NE(error_of({"--format", "xml"}).find("--format"), std::string::npos);
    EXPECT_NE(error_of({"--flow.max-flows", "-3"}).find("flow.max-flows"), std::string::npos);
    EXPECT_NE(error_of({"--config", "/nonexistent/x.ini"}).find("/nonexistent/x.ini"), std::string::npos);
    // A table with no room would erase(end()) on the first fragment.
    EXPECT_EQ(error_of({"--ip.max-frag-datagrams", "0"}),
              "the argument ('0') for option '--ip.max-frag-datagrams' is invalid (at least 1)");
}

TEST(Config, IniFileSameNamesCommandLineWins) {
    test::TempDir d;
    auto ini = d.path() / "s.ini";
    std::ofstream(ini) << "# comment\nformat = json\n[flow]\ntcp-timeout = 10min\nudp-timeout = 30s\n"
                          "[tcp]\nmax-ooo-bytes = 64KiB\n";
    auto o = parse({"--config", ini.string(), "--flow.udp-timeout", "5s"});
    EXPECT_EQ(o.config.format, LogFormat::json);
    EXPECT_EQ(o.config.flow.tcp_inactivity, 10 * kMinute);
    EXPECT_EQ(o.config.flow.udp_inactivity, 5 * kSecond);  // command line wins
    EXPECT_EQ(o.config.flow.max_ooo_bytes, 65536u);

    std::ofstream(d.path() / "bad.ini") << "[flow]\nbogus = 1\n";
    std::string e = error_of({"--config", (d.path() / "bad.ini").string()});
    EXPECT_NE(e.find("flow.bogus"), std::string::npos) << e;
    std::ofstream(d.path() / "bad2.ini") << "[flow]\ntcp-timeout = never\n";
    e = error_of({"--config", (d.path() / "bad2.ini").string()});
    EXPECT_NE(e.find("tcp-timeout"), std::string::npos) << e;
}

TEST(Config, HelpListsEveryOptionWithDefault) {
    auto o = parse({"--help"});
    ASSERT_EQ(o.action, ParseOutcome::Action::help);
    for (const char* s : {"--read", "--output-dir ] arg (=.)", "--format arg (=tsv)", "--config", "--seed",
                          "--flow.max-flows arg (=1000000)", "--flow.tcp-timeout arg (=5min)",
                          "--tcp.max-ooo-bytes arg (=2MiB)", "--ip.frag-timeout arg (=30s)", "--local-nets"})
        EXPECT_NE(o.text.find(s), std::string::npos) << s;
}

}  // namespace
}  // namespace sw
