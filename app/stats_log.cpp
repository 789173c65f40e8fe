#include "app/stats_log.h"

#include <unistd.h>

#include <cstdio>

namespace sw {

using F = FieldType;
using S = StatsRow;

// Zeek's stats.log names where the meaning matches. The flow table does not
// split TCP from UDP: Zeek's per-protocol columns stay unset, active_flows
// counts both.
const LogTable<StatsRow>& stats_log() {
    static const LogTable<StatsRow> t{
        "stats",
        {
            col<F::time>("ts", [](const S& r) { return r.ts; }),
            col<F::string>("peer", [](const S&) { return std::string_view("stagewatch"); }),
            col<F::count>("mem", [](const S& r) { return r.mem; }),
            col<F::count>("pkts_proc", [](const S& r) { return r.pkts_proc; }),
            col<F::count>("bytes_recv", [](const S& r) { return r.bytes_recv; }),
            col<F::count>("pkts_dropped", [](const S& r) { return r.pkts_dropped; }),
            col<F::count>("pkts_link", [](const S& r) { return r.pkts_link; }),
            col<F::interval>("pkt_lag", [](const S& r) { return r.pkt_lag; }),
            unset_col<F::count, S>("active_tcp_conns"),
            unset_col<F::count, S>("active_udp_conns"),
            col<F::count>("reassem_tcp_size", [](const S& r) { return r.reassem_tcp_size; }),
            col<F::string>("interface", [](const S& r) { return nonempty(r.interface); }),
            col<F::count>("kernel_drops", [](const S& r) { return r.kernel_drops; }),
            col<F::count>("interface_drops", [](const S& r) { return r.interface_drops; }),
            col<F::count>("active_flows", [](const S& r) { return r.active_flows; }),
            col<F::count>("flows_created", [](const S& r) { return r.flows_created; }),
            col<F::count>("flows_evicted", [](const S& r) { return r.flows_evicted; }),
            col<F::count>("gaps", [](const S& r) { return r.gaps; }),
            col<F::count>("notices", [](const S& r) { return r.notices; }),
            col<F::count>("memory_used", [](const S& r) { return r.memory_used; }),
            col<F::count>("memory_sheds", [](const S& r) { return r.memory_sheds; }),
        }};
    return t;
}

using L = CaptureLossRow;
const LogTable<CaptureLossRow>& capture_loss_log() {
    static const LogTable<CaptureLossRow> t{
        "capture_loss",
        {
            col<F::time>("ts", [](const L& r) { return r.ts; }),
            col<F::interval>("ts_delta", [](const L& r) { return r.ts_delta; }),
            col<F::string>("peer", [](const L&) { return std::string_view("stagewatch"); }),
            col<F::count>("gaps", [](const L& r) { return r.gaps; }),
            col<F::count>("acks", [](const L& r) { return r.acks; }),
            col<F::double_>("percent_lost", [](const L& r) { return r.percent_lost; }),
        }};
    return t;
}

std::uint64_t resident_mib() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long long size = 0, resident = 0;
    int n = std::fscanf(f, "%llu %llu", &size, &resident);
    std::fclose(f);
    if (n != 2) return 0;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) >> 20;
}

void StatsLog::write(const StatsSample& cur) {
    const StatsSample& p = prev_;
    StatsRow r;
    r.ts = cur.ts;
    r.mem = resident_mib();
    r.pkts_proc = cur.packets - p.packets;
    r.bytes_recv = cur.bytes - p.bytes;
    if (cur.live) {
        r.pkts_dropped = cur.kernel_dropped - p.kernel_dropped;
        r.pkts_link = cur.kernel_received - p.kernel_received;
        r.pkt_lag = cur.pkt_lag;
        r.kernel_drops = cur.kernel_dropped - p.kernel_dropped;
        r.interface_drops = cur.if_dropped - p.if_dropped;
    }
    r.reassem_tcp_size = cur.reassem_tcp_bytes;
    r.interface = interfaces_;
    r.active_flows = cur.active_flows;
    r.flows_created = cur.flows_created - p.flows_created;
    r.flows_evicted = cur.flows_evicted - p.flows_evicted;
    r.gaps = cur.gaps - p.gaps;
    r.notices = cur.notices - p.notices;
    r.memory_used = cur.memory_used;
    r.memory_sheds = cur.memory_sheds - p.memory_sheds;
    logs_.write(stats_log(), r);
    CaptureLossRow l;
    l.ts = cur.ts;
    l.ts_delta = p.ts ? cur.ts - p.ts : 0;
    l.gaps = cur.ack_gap_events - p.ack_gap_events;
    l.acks = cur.ack_events - p.ack_events;
    l.percent_lost = l.acks ? 100.0 * static_cast<double>(l.gaps) / static_cast<double>(l.acks) : 0.0;
    logs_.write(capture_loss_log(), l);
    prev_ = cur;
}

}  // namespace sw
