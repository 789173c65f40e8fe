// Subject partitions: how events are spread over JetStream subjects so that
// several correlators can split the work (docs/fleet.md, "Partitions").
//
// Every event is published once, on PREFIX.p<S>.c<C>.<log>, where S is the
// partition of its server-side host (the target of writes, the server of
// reads) and C that of its client-side host (the writer, the reader: the
// collector). A correlator picks its share with a subject filter:
//   role target     PREFIX.p<S>.>     all evidence of one fan-in target
//   role collector  PREFIX.*.c<C>.>   all evidence of one collector
//   role both       PREFIX.p<S>.>     (as target; complete for collectors
//                                      only when it owns every partition)
// So fan-in and collectors are each complete in one partition at the cost of
// one more subject token, not of a second message per event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dissectors/event.h"

namespace sw::fleet {

// Which staging analytics a correlator runs, and so which host keys its
// partitions: target (fan-in, convergence, per-file and volume findings,
// keyed by server) or collector (pull collectors, keyed by client).
enum class CorrelateRole : std::uint8_t { both, target, collector };
std::optional<CorrelateRole> parse_role(std::string_view s);
std::string_view role_name(CorrelateRole r);

// FNV-1a 32 of the address text, mod `partitions`: the same on every sensor
// and correlator.
std::uint32_t partition_of(std::string_view addr, std::uint32_t partitions);

// The two hosts an event is keyed by. SSH uses its protocol roles (reverse
// SSH swaps orig and resp), everything else orig = client, resp = server.
// False for events without a connection (not published).
struct PartitionHosts {
    IpAddr client, server;
};
bool partition_hosts(const Event& e, PartitionHosts& out);

// The partition of `h` that a correlator of role `r` selects on.
std::uint32_t partition_for(const PartitionHosts& h, CorrelateRole r, std::uint32_t partitions);

// The subject of an event: PREFIX.p<S>.c<C>.<log_path>.
std::string subject_of(std::string_view prefix, const PartitionHosts& h, std::string_view log_path,
                       std::uint32_t partitions);

// The consumer filter of role `r` for partition `p`, and its durable name
// (CONSUMER-p<N> for target/both, CONSUMER-c<N> for collector).
std::string subject_filter(std::string_view prefix, CorrelateRole r, std::uint32_t p);
std::string consumer_name(std::string_view consumer, CorrelateRole r, std::uint32_t p);

}  // namespace sw::fleet
