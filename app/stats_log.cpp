#include "app/stats_log.h"

#include <unistd.h>

#include <cstdio>

namespace sw {

const Schema& stats_schema() {
    static const Schema s{"stats",
                          {{"ts", FieldType::time},
                           {"peer", FieldType::string},
                           {"mem", FieldType::count},
                           {"pkts_proc", FieldType::count},
                           {"bytes_recv", FieldType::count},
                           {"pkts_dropped", FieldType::count},
                           {"pkts_link", FieldType::count},
                           {"pkt_lag", FieldType::interval},
                           {"active_tcp_conns", FieldType::count},
                           {"active_udp_conns", FieldType::count},
                           {"reassem_tcp_size", FieldType::count},
                           {"interface", FieldType::string},
                           {"kernel_drops", FieldType::count},
                           {"interface_drops", FieldType::count},
                           {"active_flows", FieldType::count},
                           {"flows_created", FieldType::count},
                           {"flows_evicted", FieldType::count},
                           {"gaps", FieldType::count},
                           {"notices", FieldType::count}}};
    return s;
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
    row_.clear();
    row_.time(cur.ts).str("stagewatch").count(resident_mib());
    row_.count(cur.packets - p.packets).count(cur.bytes - p.bytes);
    if (cur.live) {
        row_.count(cur.kernel_dropped - p.kernel_dropped).count(cur.kernel_received - p.kernel_received);
        row_.interval(cur.pkt_lag);
    } else {
        row_.unset().unset().unset();
    }
    // The flow table does not split TCP from UDP: Zeek's per-protocol
    // columns stay unset, active_flows below counts both.
    row_.unset().unset().count(cur.reassem_tcp_bytes);
    row_.str_or_unset(interfaces_);
    if (cur.live) row_.count(cur.kernel_dropped - p.kernel_dropped).count(cur.if_dropped - p.if_dropped);
    else row_.unset().unset();
    row_.count(cur.active_flows)
        .count(cur.flows_created - p.flows_created)
        .count(cur.flows_evicted - p.flows_evicted)
        .count(cur.gaps - p.gaps)
        .count(cur.notices - p.notices);
    logs_.write(stats_schema(), row_);
    prev_ = cur;
}

}  // namespace sw
