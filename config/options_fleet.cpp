// Sensor-side fleet options: the sensor's name, the optional events log, and
// publishing to NATS JetStream (docs/fleet.md).
#include <unistd.h>

#include "config/option_groups.h"

namespace sw {

namespace {

void add(po::options_description& d) {
    // clang-format off
    d.add_options()
        ("sensor.name", po::value<std::string>()->default_value(""),
            "this sensor's name in published events and fleet_events.log (default: the host name)")
        ("sensor.events-log", po::value<bool>()->default_value(false)->implicit_value(true),
            "also write fleet_events.log: the events staging analytics consumes, as published, for "
            "`stagewatch correlate --logs`")
        ("publish", po::value<std::vector<std::string>>()->composing(),
            "publish events to NATS JetStream at nats://HOST:PORT; repeat for a cluster's seed servers")
        ("publish.subject-prefix", po::value<std::string>()->default_value("stagewatch"),
            "subjects are PREFIX.p<server partition>.c<client partition>.<log>")
        ("publish.stream", po::value<std::string>()->default_value("STAGEWATCH"),
            "JetStream stream (created with subjects PREFIX.> if missing)")
        ("publish.partitions", po::value<std::uint32_t>()->default_value(16),
            "subject partitions (PREFIX.p<S>.c<C>.<log>: S from the server-side, C from the client-side address) "
            "that correlators split")
        ("publish.drain-timeout", po::value<DurationArg>()->default_value(DurationArg{60 * kSecond, "1min"}),
            "at the end of a capture file run, how long to wait for buffered events to reach NATS")
        ("publish.max-age", po::value<DurationArg>()->default_value(DurationArg{7 * 86400 * kSecond, "7d"}),
            "retention of a stream this sensor creates")
        ("publish.buffer", po::value<SizeArg>()->default_value(SizeArg{64ull << 20, "64MiB"}),
            "events held while NATS is unreachable; beyond it new events are dropped (counted, logged)")
        ("publish.user", po::value<std::string>()->default_value(""), "NATS user")
        ("publish.password", po::value<std::string>()->default_value(""), "NATS password (never logged)")
        ("publish.token", po::value<std::string>()->default_value(""), "NATS token (never logged)")
        ("publish.creds", po::value<std::string>()->default_value(""), "NATS credentials file (JWT + nkey seed)")
        ("publish.ca", po::value<std::string>()->default_value(""), "CA certificate file: TLS to NATS")
        ("publish.cert", po::value<std::string>()->default_value(""), "client certificate file (TLS)")
        ("publish.key", po::value<std::string>()->default_value(""), "client key file (TLS)");
    // clang-format on
}

void apply(const po::variables_map& vm, Config& c) {
    PublishConfig& p = c.publish;
    p.sensor = opt<std::string>(vm, "sensor.name");
    if (p.sensor.empty()) {
        char host[256] = {};
        if (gethostname(host, sizeof(host) - 1) == 0) p.sensor = host;
        if (p.sensor.empty()) p.sensor = "sensor";
    }
    p.events_log = opt<bool>(vm, "sensor.events-log");
    if (vm.count("publish")) p.servers = opt<std::vector<std::string>>(vm, "publish");
    for (const auto& s : p.servers)
        if (s.rfind("nats://", 0) != 0 && s.rfind("tls://", 0) != 0)
            throw ConfigError("the argument ('" + s + "') for option '--publish' is invalid (nats://HOST:PORT)");
    p.subject_prefix = opt<std::string>(vm, "publish.subject-prefix");
    if (p.subject_prefix.empty() || p.subject_prefix.find_first_of(" *>") != std::string::npos)
        throw ConfigError("the argument ('" + p.subject_prefix + "') for option '--publish.subject-prefix' is invalid");
    p.stream = opt<std::string>(vm, "publish.stream");
    p.max_age = opt<DurationArg>(vm, "publish.max-age").v;
    p.partitions = opt<std::uint32_t>(vm, "publish.partitions");
    if (p.partitions == 0) throw ConfigError("the argument ('0') for option '--publish.partitions' is invalid (at least 1)");
    p.drain_timeout = opt<DurationArg>(vm, "publish.drain-timeout").v;
    p.buffer = opt<SizeArg>(vm, "publish.buffer").v;
    p.user = opt<std::string>(vm, "publish.user");
    p.password = opt<std::string>(vm, "publish.password");
    p.token = opt<std::string>(vm, "publish.token");
    p.creds_file = opt<std::string>(vm, "publish.creds");
    p.ca_file = opt<std::string>(vm, "publish.ca");
    p.cert_file = opt<std::string>(vm, "publish.cert");
    p.key_file = opt<std::string>(vm, "publish.key");
}

const OptionGroup group{"Fleet (sensor side)", add, apply};

}  // namespace

const OptionGroup& fleet_option_group() { return group; }

}  // namespace sw
