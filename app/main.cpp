// stagewatch: reads captures, writes Zeek-style logs and staging findings.
//
// Exit status: 0 all input read; 1 bad command line or configuration;
// 2 input unreadable (nothing processed); 3 input damaged part-way (everything
// before the damage was processed and logged); 4 logs could not be written.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string_view>

#include "app/pipeline.h"
#include "app/report_command.h"
#include "config/config.h"
#include "app/correlate_command.h"
#include "fleet/sensor_side.h"

using namespace sw;

namespace {

std::string human_bytes(double b) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1000 && u < 4) b /= 1000, ++u;
    char buf[32];
    std::snprintf(buf, sizeof(buf), u ? "%.1f %s" : "%.0f %s", b, units[u]);
    return buf;
}

class Progress {
public:
    explicit Progress(bool on) : on_(on) {}
    void operator()(const PacketSource& src) {
        if (!on_) return;
        auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::milliseconds(500)) return;
        last_ = now;
        std::uint64_t done = src.bytes_done(), total = src.bytes_total();
        double pct = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0;
        std::fprintf(stderr, "\r  reading %s: %s of %s (%.0f%%)   ", src.describe().c_str(),
                     human_bytes(static_cast<double>(done)).c_str(),
                     human_bytes(static_cast<double>(total)).c_str(), pct);
        shown_ = true;
    }
    void clear() {
        if (shown_) std::fprintf(stderr, "\r%80s\r", "");
    }

private:
    bool on_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point last_{};
};

void print_summary(const Config& cfg, const Pipeline& p, const RunStats& rs, const LogSet& logs,
                   const PcapFileSource& src) {
    const auto& ds = p.decoder().stats();
    const auto& fs = p.decoder().frag_stats();
    const auto& es = p.engine().stats();
    double gbps = rs.seconds > 0 ? static_cast<double>(rs.wire_bytes) * 8 / rs.seconds / 1e9 : 0;
    std::fprintf(stderr, "stagewatch: read %zu file%s, %llu packets, %s in %.2f s (%.2f Gbps)\n",
                 src.file_count(), src.file_count() == 1 ? "" : "s",
                 static_cast<unsigned long long>(rs.packets),
                 human_bytes(static_cast<double>(rs.wire_bytes)).c_str(), rs.seconds, gbps);
    std::fprintf(stderr,
                 "  flows: %llu (%llu tcp packets, %llu udp packets); evicted at cap: %llu; "
                 "most at once: %llu\n",
                 static_cast<unsigned long long>(es.flows_created),
                 static_cast<unsigned long long>(es.tcp_packets),
                 static_cast<unsigned long long>(es.udp_packets),
                 static_cast<unsigned long long>(es.flows_evicted),
                 static_cast<unsigned long long>(es.max_live_flows));
    std::fprintf(stderr,
                 "  dropped packets: truncated headers %llu, malformed %llu, not IP %llu, "
                 "unsupported link %llu; payload cut by snaplen %llu\n",
                 static_cast<unsigned long long>(ds.truncated),
                 static_cast<unsigned long long>(ds.malformed),
                 static_cast<unsigned long long>(ds.not_ip),
                 static_cast<unsigned long long>(ds.unsupported_link),
                 static_cast<unsigned long long>(ds.payload_truncated));
    if (fs.fragments)
        std::fprintf(stderr, "  ip fragments: %llu, datagrams reassembled %llu, dropped %llu, timed out %llu\n",
                     static_cast<unsigned long long>(fs.fragments),
                     static_cast<unsigned long long>(fs.reassembled),
                     static_cast<unsigned long long>(fs.dropped),
                     static_cast<unsigned long long>(fs.timed_out));
    std::fprintf(stderr, "  tcp: missed bytes %llu in %llu gaps; out-of-order segments %llu; retransmitted bytes %llu\n",
                 static_cast<unsigned long long>(es.reassembly.gap_bytes),
                 static_cast<unsigned long long>(es.reassembly.gaps),
                 static_cast<unsigned long long>(es.reassembly.ooo_segments),
                 static_cast<unsigned long long>(es.reassembly.retransmitted));
    const auto& as = p.analytics().stats();
    std::fprintf(stderr,
                 "  staging analytics: %llu notices (%llu repeats deduplicated, %llu allow-listed), "
                 "%llu hosts tracked (%llu evicted at the cap)\n",
                 static_cast<unsigned long long>(as.notices),
                 static_cast<unsigned long long>(as.notices_deduplicated),
                 static_cast<unsigned long long>(as.findings_allowlisted),
                 static_cast<unsigned long long>(as.hosts_max),
                 static_cast<unsigned long long>(as.hosts_evicted));
    std::fprintf(stderr, "  logs (%s) in %s:", cfg.format == LogFormat::json ? "json" : "tsv",
                 logs.dir().c_str());
    auto counts = logs.row_counts();
    if (counts.empty()) std::fprintf(stderr, " none written");
    for (const auto& [path, n] : counts)
        std::fprintf(stderr, " %s.log (%llu)", path.c_str(), static_cast<unsigned long long>(n));
    std::fprintf(stderr, "\n");
}

}  // namespace

int main(int argc, char** argv) {
    auto logger = spdlog::stderr_color_mt("stagewatch");
    logger->set_pattern("%n: %^%l%$: %v");
    spdlog::set_default_logger(logger);

    if (argc > 1 && std::string_view(argv[1]) == "report") return report_command(argc - 1, argv + 1);
    if (argc > 1 && std::string_view(argv[1]) == "correlate") return correlate_command(argc - 1, argv + 1);

    ParseOutcome parsed;
    try {
        parsed = parse_config(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stagewatch: %s\n", e.what());
        std::fprintf(stderr, "stagewatch: try 'stagewatch --help'\n");
        return 1;
    }
    if (parsed.action != ParseOutcome::Action::run) {
        std::fputs(parsed.text.c_str(), stdout);
        return 0;
    }
    const Config& cfg = parsed.config;
    spdlog::set_level(spdlog::level::from_str(cfg.log_level));

    if (cfg.read_files.empty()) {
        std::fprintf(stderr, "stagewatch: nothing to read: give one or more capture files with -r FILE\n");
        return 1;
    }
    std::string bad = PcapFileSource::validate(cfg.read_files);
    if (!bad.empty()) {
        std::fprintf(stderr, "stagewatch: %s\n", bad.c_str());
        return 2;
    }

    try {
        LogSet logs(cfg.output_dir, cfg.format);
        PcapFileSource src(cfg.read_files);
        Pipeline pipeline(cfg, logs);
        fleet::SensorSide fleet_side(cfg.publish, logs.dir());
        for (EventSink* s : fleet_side.sinks()) pipeline.subscribe(s);
        bool show = cfg.progress == "always" || (cfg.progress == "auto" && isatty(STDERR_FILENO));
        Progress progress(show);
        RunStats rs = pipeline.run(src, [&](const PacketSource& s) { progress(s); });
        progress.clear();
        logs.close_all();
        fleet_side.finish(spdlog::get_level() <= spdlog::level::info);

        if (spdlog::get_level() <= spdlog::level::info) print_summary(cfg, pipeline, rs, logs, src);
        for (const auto& pr : src.problems())
            spdlog::warn("{}: {} (after {} packets of this file; everything before it was processed and logged)",
                         pr.name, pr.what, pr.packets_before);
        if (!cfg.report_file.empty() && rs.packets && write_run_report(logs.dir(), cfg.report_file) != 0) return 4;
        if (!src.problems().empty()) return rs.packets ? 3 : 2;
        if (rs.packets == 0) {
            spdlog::error("no packets in {}: nothing to analyse", src.describe());
            return 2;
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stagewatch: %s\n", e.what());
        return 4;
    }
}
