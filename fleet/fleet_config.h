// Sensor-side fleet options (--sensor.*, --publish.*), validated by
// config/options_fleet.cpp. Plain data: config/ depends on nothing in fleet/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/types.h"

namespace sw {

struct PublishConfig {
    std::string sensor;                 // --sensor.name (default: host name)
    bool events_log = false;            // --sensor.events-log: write fleet_events.log
    std::vector<std::string> servers;   // --publish nats://HOST:PORT (cluster seeds)
    std::string subject_prefix = "stagewatch";
    std::string stream = "STAGEWATCH";
    std::uint32_t partitions = 16;       // subjects PREFIX.p<N>.<log>, N = hash(server) % partitions
    Duration drain_timeout = 60 * kSecond;  // at the end of a run, how long to wait for NATS
    std::uint64_t buffer = 64ull << 20;  // bytes held while NATS is unreachable
    Duration max_age = 7 * 86400 * kSecond;
    // Passed to the C client; never logged.
    std::string user, password, token, creds_file, ca_file, cert_file, key_file;

    bool enabled() const { return !servers.empty(); }
};

}  // namespace sw
