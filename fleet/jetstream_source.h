// The correlator's JetStream input: durable pull consumers (one per subject
// partition this correlator owns, named CONSUMER, or CONSUMER-p<N> keyed by
// server, CONSUMER-c<N> keyed by client for role collector), fetched
// in batches. A message is acknowledged once its event has been analysed
// and has left analytics' sliding window (staging.window behind the newest
// analysed event), or at once when it was a duplicate or unreadable. So a
// correlator killed mid-stream gets every message it still needed again when
// it restarts (after the consumer's ack wait) and rebuilds its window from
// them; a message redelivered to a running correlator (same stream sequence)
// is not counted twice.
#pragma once

#include <string>
#include <vector>

#include "fleet/correlator.h"
#include "fleet/fleet_config.h"
#include "fleet/partition.h"

namespace sw::fleet {

struct JetStreamSourceConfig {
    std::vector<std::string> servers;
    PublishConfig nats;  // auth, TLS, stream, subject prefix, partitions
    std::string consumer = "stagewatch-correlate";
    std::string partitions;  // "" = all; "0,1,4-7"
    CorrelateRole role = CorrelateRole::both;  // which host key `partitions` select on
    Duration exit_when_idle = 0;  // 0: until SIGINT/SIGTERM
    Duration ack_wait = 0;        // 0: staging.window + max-lateness + 1 min
};

// Parses "0,1,4-7" against `total` partitions. Throws std::invalid_argument.
std::vector<std::uint32_t> parse_partitions(const std::string& s, std::uint32_t total);

// Consumes until idle or signalled and feeds `c`; at the end it calls
// c.finish() itself (so every held event is analysed) before the last
// acknowledgements. Returns an exit status: 0, or 2 when NATS could not be
// reached or a consumer not created.
int run_jetstream(const JetStreamSourceConfig& cfg, Correlator& c);

}  // namespace sw::fleet
