// The whole configuration, validated into plain structs that are handed to
// constructors. Nothing reads options after startup; there are no globals.
#pragma once

#include <string>
#include <vector>

#include "analytics/analytics_config.h"
#include "capture/decode.h"
#include "capture/engine.h"
#include "capture/packet_clock.h"
#include "capture/live_source.h"
#include "dissectors/dissectors_config.h"
#include "dissectors/registry.h"
#include "fleet/fleet_config.h"
#include "output/zeek_writer.h"

namespace sw {

struct Config {
    std::vector<std::string> read_files;
    LiveConfig live;          // live.interfaces empty: reading files
    std::string user;         // --user: drop to this user after opening inputs and logs
    Duration rotate_interval = 0;  // 0: no rotation
    std::string rotate_command;    // run after each rotation with the rotated file's path
    Duration stats_interval = 60 * kSecond;  // stats.log period; 0: no stats.log
    std::string output_dir = ".";
    LogFormat format = LogFormat::tsv;
    std::string log_level = "info";
    std::string progress = "auto";  // auto | always | never
    bool seeded = false;
    std::uint64_t seed = 0;
    KeyedHash hash;  // key of every attacker-keyed table: secret, or derived from --seed
    PacketClockConfig clock;  // --time.max-jump
    std::string report_file;  // --report: HTML report of the logs written, at the end of the run
    // --threads: flow workers (1: everything on one thread, as before). Files
    // default to 1; live to the core count, at most 4 (config/options_capture.cpp).
    std::uint32_t threads = 1;

    DecoderConfig decoder;
    FlowConfig flow;
    std::uint64_t memory_limit = 1ull << 30;  // --memory.limit (capture/memory_budget.h)
    RegistryConfig registry;
    DissectorsConfig dissectors;
    AnalyticsConfig analytics;
    PublishConfig publish;
};

struct ParseOutcome {
    enum class Action { run, help, version } action = Action::run;
    Config config;
    std::string text;  // help or version text
};

// Thrown with a one-line message naming the option or file at fault.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Command line first, then the INI file given by --config (same option names;
// `[section]` + `name = value` or `section.name = value`). The command line
// wins where both set an option.
ParseOutcome parse_config(int argc, const char* const* argv);

// Value parsers shared by every option table (exposed for tests).
Duration parse_duration(const std::string& s);     // "300", "300s", "5min", "1h", "250ms", "1d"
std::uint64_t parse_size(const std::string& s);    // "4096", "64KiB", "2MiB", "50MB", "1GB", "1G"
std::vector<Cidr> parse_cidr_list(const std::string& s);  // "10.0.0.0/8,192.168.0.0/16"

}  // namespace sw
