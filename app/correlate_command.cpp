// `stagewatch correlate`: staging analytics over many sensors' events, from
// their log directories (--logs) or from NATS JetStream (--from), writing
// the fleet's notice.log, staging.log and volume.log (docs/fleet.md).
//
// Exit status: 0 done; 1 bad command line; 2 no input (no log directory
// readable, NATS unreachable at start); 4 the logs could not be written.
#include "app/correlate_command.h"

#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "config/option_groups.h"
#include "fleet/correlator.h"
#include "fleet/jetstream_source.h"
#include "fleet/log_source.h"
#include "fleet/partition.h"
#include "output/log_set.h"

namespace po = boost::program_options;

namespace sw {

namespace {

struct CorrelateArgs {
    std::vector<std::string> logs, from;
    std::string output_dir = ".";
    LogFormat format = LogFormat::tsv;
    fleet::CorrelatorConfig corr;
    fleet::JetStreamSourceConfig js;
    Duration exit_when_idle = 0;  // 0: run until signalled
};

int run_logs(const CorrelateArgs& a, fleet::Correlator& c) {
    for (const auto& d : a.logs)
        if (!std::filesystem::is_directory(d)) {
            std::fprintf(stderr, "stagewatch correlate: --logs %s: not a log directory\n", d.c_str());
            return 2;
        }
    // --correlate.partitions selects events here as the subject filter does
    // on JetStream: by the partition of the role's host.
    std::vector<bool> owned;
    if (!a.js.partitions.empty()) {
        owned.assign(a.js.nats.partitions, false);
        for (std::uint32_t p : fleet::parse_partitions(a.js.partitions, a.js.nats.partitions))
            owned[p] = true;
    }
    fleet::LogSourceStats st;
    auto events = fleet::read_log_dirs(a.logs, st);
    std::uint64_t other = 0;
    for (auto& se : events) {
        fleet::PartitionHosts hosts;
        if (!owned.empty() && fleet::partition_hosts(se.event, hosts) &&
            !owned[fleet::partition_for(hosts, a.js.role, a.js.nats.partitions)]) {
            ++other;
            continue;
        }
        c.add(std::move(se.event), se.sensor);
    }
    spdlog::info("read {} rows from {} director{} ({} events, {} lines unreadable, {} rows without a connection)",
                 st.rows, a.logs.size(), a.logs.size() == 1 ? "y" : "ies", st.events, st.bad_lines, st.undecodable);
    if (!owned.empty()) spdlog::info("{} events in partitions of other correlators skipped", other);
    return 0;
}

}  // namespace

int correlate_command(int argc, char** argv) {
    po::options_description general{"stagewatch correlate options", 110, 50};
    // clang-format off
    general.add_options()
        ("help,h", "show this help and exit")
        ("logs", po::value<std::vector<std::string>>()->composing(),
            "a sensor's log directory (TSV or JSON, rotated files included); repeat for several sensors")
        ("from", po::value<std::vector<std::string>>()->composing(),
            "consume events from NATS JetStream at nats://HOST:PORT (repeat for a cluster's seed servers)")
        ("output-dir,o", po::value<std::string>()->default_value("."), "directory for the fleet's logs")
        ("format", po::value<std::string>()->default_value("tsv"), "tsv or json")
        ("log-level", po::value<std::string>()->default_value("info"), "diagnostics on stderr")
        ("correlate.consumer", po::value<std::string>()->default_value("stagewatch-correlate"),
            "durable JetStream consumer: a restarted correlator resumes where it stopped")
        ("correlate.partitions", po::value<std::string>()->default_value(""),
            "comma-separated subject partitions this correlator consumes (default: all); see docs/fleet.md")
        ("correlate.role", po::value<std::string>()->default_value("both"),
            "both, target (fan-in, convergence, per-file and volume findings; partitions keyed by server) or "
            "collector (pull collectors; partitions keyed by client)")
        ("correlate.max-lateness", po::value<DurationArg>()->default_value(DurationArg{5 * kMinute, "5min"}),
            "how long events wait for older ones from slower sensors before analysis")
        ("correlate.dedup-tolerance", po::value<DurationArg>()->default_value(DurationArg{kSecond, "1s"}),
            "two sensors' events of one flow are the same when their start times differ by at most this")
        ("correlate.ack-wait", po::value<DurationArg>(),
            "the durable consumer's ack wait: when unacknowledged events are delivered again "
            "(default staging.window + max-lateness + 1min)")
        ("exit-when-idle", po::value<DurationArg>(),
            "with --from: stop after nothing new arrived for this long (default: run until signalled)");
    // clang-format on
    po::options_description analytics{"Staging analytics", 110, 50};
    analytics_option_group().add(analytics);
    po::options_description nats{"NATS (with --from)", 110, 50};
    fleet_option_group().add(nats);
    po::options_description all{"", 110, 50};
    all.add(general).add(analytics).add(nats);

    po::variables_map vm;
    CorrelateArgs a;
    Config cfg;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << "Usage: stagewatch correlate (--logs DIR ... | --from nats://HOST:PORT) -o DIR [options]\n\n"
                      << "Runs staging analytics over the events of many sensors and writes the fleet's\n"
                      << "notice.log (with a `sensors` column), staging.log and volume.log.\n\n"
                      << general << "\n" << analytics << "\n" << nats;
            return 0;
        }
        analytics_option_group().apply(vm, cfg);
        fleet_option_group().apply(vm, cfg);
        if (vm.count("logs")) a.logs = vm["logs"].as<std::vector<std::string>>();
        if (vm.count("from")) a.from = vm["from"].as<std::vector<std::string>>();
        a.output_dir = vm["output-dir"].as<std::string>();
        const auto fmt = vm["format"].as<std::string>();
        if (fmt == "json") a.format = LogFormat::json;
        else if (fmt != "tsv") throw ConfigError("the argument ('" + fmt + "') for option '--format' is invalid (tsv or json)");
        spdlog::set_level(spdlog::level::from_str(vm["log-level"].as<std::string>()));
        a.corr.analytics = cfg.analytics;
        a.corr.max_lateness = vm["correlate.max-lateness"].as<DurationArg>().v;
        a.corr.dedup_tolerance = vm["correlate.dedup-tolerance"].as<DurationArg>().v;
        if (vm.count("exit-when-idle")) a.exit_when_idle = vm["exit-when-idle"].as<DurationArg>().v;
        a.js.servers = a.from;
        a.js.nats = cfg.publish;
        a.js.consumer = vm["correlate.consumer"].as<std::string>();
        a.js.partitions = vm["correlate.partitions"].as<std::string>();
        const auto role = vm["correlate.role"].as<std::string>();
        const auto r = fleet::parse_role(role);
        if (!r)
            throw ConfigError("the argument ('" + role +
                              "') for option '--correlate.role' is invalid (both, target or collector)");
        a.js.role = *r;
        a.corr.roles.target = *r != fleet::CorrelateRole::collector;
        a.corr.roles.collector = *r != fleet::CorrelateRole::target;
        try {
            fleet::parse_partitions(a.js.partitions, a.js.nats.partitions);
        } catch (const std::invalid_argument& e) {
            throw ConfigError(std::string("--correlate.partitions: ") + e.what());
        }
        a.js.exit_when_idle = a.exit_when_idle;
        if (vm.count("correlate.ack-wait")) a.js.ack_wait = vm["correlate.ack-wait"].as<DurationArg>().v;
        if (a.logs.empty() && a.from.empty()) throw ConfigError("give one or more --logs DIR, or --from nats://HOST:PORT");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stagewatch correlate: %s\nstagewatch correlate: try 'stagewatch correlate --help'\n", e.what());
        return 1;
    }

    try {
        LogSet logs(a.output_dir, a.format);
        fleet::Correlator c(a.corr, logs);
        int rc = 0;
        if (!a.logs.empty()) rc = run_logs(a, c);
        if (rc == 0 && !a.from.empty()) rc = fleet::run_jetstream(a.js, c);
        c.finish();
        logs.close_all();
        const auto& s = c.stats();
        const auto& as = c.analytics().stats();
        spdlog::info("correlated {} events ({} seen by two sensors counted once, {} late): {} notices",
                     s.events, s.duplicates, s.late, as.notices);
        return rc;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stagewatch correlate: %s\n", e.what());
        return 4;
    }
}

}  // namespace sw
