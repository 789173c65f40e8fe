// stats.log: the sensor's health every --stats.interval (packet time reading
// files, the wall clock live). Zeek's stats.log field names where the meaning
// matches (counts per interval unless "current"), unset where it has no
// meaning here, then our own counters after Zeek's fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "capture/types.h"
#include "output/log_set.h"

namespace sw {

// Cumulative counters at one moment (the log shows their differences).
struct StatsSample {
    Timestamp ts = 0;
    std::uint64_t packets = 0, bytes = 0;
    bool live = false;
    std::uint64_t kernel_received = 0, kernel_dropped = 0, if_dropped = 0;
    Duration pkt_lag = 0;                   // live: wall clock - last packet time
    std::uint64_t active_flows = 0;         // current
    std::uint64_t reassem_tcp_bytes = 0;    // current
    std::uint64_t flows_created = 0, flows_evicted = 0, gaps = 0, notices = 0;
    std::uint64_t ack_events = 0, ack_gap_events = 0;  // capture_loss.log
    std::uint64_t memory_used = 0;   // current: bytes charged to --memory.limit
    std::uint64_t memory_sheds = 0;  // everything shed under memory pressure so far
};

// One capture_loss.log row (Zeek's): ACKs of data in the interval, how many
// acknowledged data the sensor never saw, and their ratio. Loss upstream of
// the sensor (an oversubscribed SPAN port) shows here.
struct CaptureLossRow {
    Timestamp ts = 0;
    Duration ts_delta = 0;
    std::uint64_t gaps = 0, acks = 0;
    double percent_lost = 0;
};
const LogTable<CaptureLossRow>& capture_loss_log();

// One stats.log row: the interval's differences and the current values.
struct StatsRow {
    Timestamp ts = 0;
    std::uint64_t mem = 0;
    std::uint64_t pkts_proc = 0, bytes_recv = 0;
    std::optional<std::uint64_t> pkts_dropped, pkts_link;  // live only
    std::optional<Duration> pkt_lag;                       // live only
    std::uint64_t reassem_tcp_size = 0;
    std::string_view interface;
    std::optional<std::uint64_t> kernel_drops, interface_drops;  // live only
    std::uint64_t active_flows = 0, flows_created = 0, flows_evicted = 0, gaps = 0, notices = 0;
    std::uint64_t memory_used = 0, memory_sheds = 0;
};

const LogTable<StatsRow>& stats_log();

class StatsLog {
public:
    StatsLog(LogSet& logs, std::string interfaces) : logs_(logs), interfaces_(std::move(interfaces)) {}
    // Writes one row: `cur` minus the previous sample for per-interval counts.
    void write(const StatsSample& cur);

private:
    LogSet& logs_;
    std::string interfaces_;
    StatsSample prev_;
};

// Resident memory of this process in MiB (/proc/self/statm), 0 if unknown.
std::uint64_t resident_mib();

}  // namespace sw
