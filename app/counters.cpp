#include "app/counters.h"

#include <algorithm>
#include <string>
#include <vector>

namespace sw {

void for_each_counter(const Pipeline& p, const CounterFn& fn) {
    const DecoderStats& d = p.decoder().stats();
    fn("decode.packets", d.packets);
    fn("decode.not_ip", d.not_ip);
    fn("decode.unsupported_link", d.unsupported_link);
    fn("decode.truncated", d.truncated);
    fn("decode.payload_truncated", d.payload_truncated);
    fn("decode.malformed", d.malformed);
    fn("decode.other_l4", d.other_l4);
    fn("decode.tunnelled", d.tunnelled);

    const FragmentStats& f = p.decoder().frag_stats();
    fn("fragments.fragments", f.fragments);
    fn("fragments.reassembled", f.reassembled);
    fn("fragments.dropped", f.dropped);
    fn("fragments.overlaps", f.overlaps);
    fn("fragments.timed_out", f.timed_out);
    fn("fragments.evicted", f.evicted);

    const EngineStats& e = p.engine().stats();
    fn("flows.packets", e.packets);
    fn("flows.tcp_packets", e.tcp_packets);
    fn("flows.udp_packets", e.udp_packets);
    fn("flows.created", e.flows_created);
    fn("flows.timed_out", e.flows_timed_out);
    fn("flows.closed", e.flows_closed);
    fn("flows.evicted", e.flows_evicted);
    fn("flows.reused", e.flows_reused);
    fn("flows.max_live", e.max_live_flows);
    fn("flows.ack_events", e.ack_events);
    fn("flows.ack_gap_events", e.ack_gap_events);

    fn("time.warps", p.clock().warps());
    fn("time.jumps_accepted", p.clock().jumps_accepted());

    const ReassemblyStats& r = e.reassembly;
    fn("tcp.delivered", r.delivered);
    fn("tcp.skipped", r.skipped);
    fn("tcp.gap_bytes", r.gap_bytes);
    fn("tcp.gaps", r.gaps);
    fn("tcp.retransmitted", r.retransmitted);
    fn("tcp.overlap", r.overlap);
    fn("tcp.ooo_segments", r.ooo_segments);
    fn("tcp.forced_gaps", r.forced_gaps);
    fn("tcp.inconsistent", r.inconsistent);
    fn("tcp.pool_bytes_reserved", p.engine().pool().bytes_reserved());

    // memory.*: the budget (--memory.limit), what each area holds now, the
    // most held at once, and each shed kind (also weirds memory_shed_*).
    const MemoryBudget& m = p.memory();
    fn("memory.limit", m.limit());
    fn("memory.used", m.used());
    fn("memory.peak", std::max(m.peak(), m.used()));
    for (std::size_t a = 0; a < MemoryBudget::kAreas; ++a)
        fn(std::string("memory.") + MemoryBudget::area_name(static_cast<MemoryArea>(a)),
           m.used(static_cast<MemoryArea>(a)));
    for (std::size_t k = 0; k < MemoryBudget::kSheds; ++k)
        fn(std::string("memory.shed_") + (MemoryBudget::shed_name(static_cast<MemoryShed>(k)) + 12),
           m.sheds(static_cast<MemoryShed>(k)));

    // registry.*, smb.*, smb.framer.*, smb.directory.* ...
    p.for_each_registry_counter(fn);

    const AnalyticsStats& a = p.analytics().stats();
    fn("analytics.events", a.events);
    fn("analytics.hosts_tracked", a.hosts_tracked);
    fn("analytics.hosts_max", a.hosts_max);
    fn("analytics.hosts_evicted", a.hosts_evicted);
    fn("analytics.peers_dropped", a.peers_dropped);
    fn("analytics.volume_peers_dropped", a.volume_peers_dropped);
    fn("analytics.notices", a.notices);
    fn("analytics.notices_deduplicated", a.notices_deduplicated);
    fn("analytics.findings_allowlisted", a.findings_allowlisted);
    fn("analytics.staging_rows", a.staging_rows);
    fn("analytics.volume_rows", a.volume_rows);
    fn("analytics.late_events", a.late_events);
}

std::string format_counters(const Pipeline& p, std::size_t width) {
    std::string out, area, line;
    auto flush = [&] {
        if (!line.empty()) out += line + '\n';
        line.clear();
    };
    for_each_counter(p, [&](std::string_view name, std::uint64_t v) {
        const auto dot = name.find('.');
        const std::string_view a = name.substr(0, dot);
        const std::string_view rest = dot == std::string_view::npos ? name : name.substr(dot + 1);
        std::string item = std::string(rest) + '=' + std::to_string(v);
        if (a != area) {
            flush();
            area = a;
            line = "    " + area + ":";
        } else if (line.size() + 1 + item.size() > width) {
            flush();
            line = "    " + std::string(area.size() + 1, ' ');
        }
        line += ' ';
        line += item;
    });
    flush();
    return out;
}

}  // namespace sw
