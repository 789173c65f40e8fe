// stagewatch: reads captures or live interfaces, writes Zeek-style logs and
// staging findings.
//
// Exit status: 0 all input read (or, live, stopped by SIGINT/SIGTERM); 1 bad
// command line or configuration; 2 input unreadable (nothing processed); 3
// input damaged part-way (everything before the damage was processed and
// logged) or a live interface failed; 4 logs could not be written; 5 the
// interfaces could not be opened or privileges could not be dropped.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <string_view>

#include "app/counters.h"
#include "app/pipeline.h"
#include "app/privileges.h"
#include "capture/live_source.h"
#include "capture/util.h"
#include "config/config.h"
#include "app/report_command.h"
#include "app/correlate_command.h"
#include "fleet/sensor_side.h"

using namespace sw;

namespace {

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
                     human_bytes(done).c_str(),
                     human_bytes(total).c_str(), pct);
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

// Signal handlers only store to atomics; the run loop reads them.
RunControl g_control;
extern "C" void on_stop_signal(int) { g_control.stop.fetch_add(1, std::memory_order_relaxed); }
extern "C" void on_hup_signal(int) { g_control.reopen.store(true, std::memory_order_relaxed); }

void install_signal_handlers() {
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocked poll() returns at once
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sa.sa_handler = on_hup_signal;
    sigaction(SIGHUP, &sa, nullptr);
    sa.sa_handler = SIG_IGN;  // --log.rotate-command children are reaped by the kernel
    sigaction(SIGCHLD, &sa, nullptr);
}

void print_summary(const Config& cfg, const Pipeline& p, const RunStats& rs, const LogSet& logs,
                   const PcapFileSource* files, const LiveSource* live) {
    const auto& ds = p.decoder().stats();
    const auto& fs = p.decoder().frag_stats();
    const auto& es = p.engine().stats();
    double gbps = rs.seconds > 0 ? static_cast<double>(rs.wire_bytes) * 8 / rs.seconds / 1e9 : 0;
    if (files) {
        std::fprintf(stderr, "stagewatch: read %zu file%s, %llu packets, %s in %.2f s (%.2f Gbps)\n",
                     files->file_count(), files->file_count() == 1 ? "" : "s",
                     static_cast<unsigned long long>(rs.packets),
                     human_bytes(rs.wire_bytes).c_str(), rs.seconds, gbps);
    }
    if (live) {
        std::fprintf(stderr, "stagewatch: captured on %s, %llu packets, %s in %.2f s (%.2f Gbps)%s\n",
                     live->describe().c_str(), static_cast<unsigned long long>(rs.packets),
                     human_bytes(rs.wire_bytes).c_str(), rs.seconds, gbps,
                     rs.stopped ? ", stopped by signal" : "");
        for (const auto& st : live->stats())
            std::fprintf(stderr, "  interface %s: received %llu, kernel drops %llu, interface drops %llu\n",
                         st.name.c_str(), static_cast<unsigned long long>(st.received),
                         static_cast<unsigned long long>(st.dropped),
                         static_cast<unsigned long long>(st.if_dropped));
    }
    if (rs.flows_abandoned)
        std::fprintf(stderr, "stagewatch: a second stop request: %zu open flows were not finished or logged\n",
                     rs.flows_abandoned);
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
    const MemoryBudget& m = p.memory();
    std::fprintf(stderr,
                 "  memory budget: %s used at most of %s; shed under pressure: %llu idle flows, "
                 "%llu out-of-order buffers, %llu dissector states, %llu active flows\n",
                 human_bytes(std::max(m.peak(), m.used())).c_str(), human_bytes(m.limit()).c_str(),
                 static_cast<unsigned long long>(m.sheds(MemoryShed::idle_flow)),
                 static_cast<unsigned long long>(m.sheds(MemoryShed::ooo_buffer)),
                 static_cast<unsigned long long>(m.sheds(MemoryShed::dissector_state)),
                 static_cast<unsigned long long>(m.sheds(MemoryShed::flow)));
    std::fprintf(stderr, "  logs (%s) in %s:", cfg.format == LogFormat::json ? "json" : "tsv",
                 logs.dir().c_str());
    auto counts = logs.row_counts();
    if (counts.empty()) std::fprintf(stderr, " none written");
    for (const auto& [path, n] : counts)
        std::fprintf(stderr, " %s.log (%llu)", path.c_str(), static_cast<unsigned long long>(n));
    std::fprintf(stderr, "\n");
    std::fprintf(stderr, "  counters:\n%s", format_counters(p).c_str());
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

    const bool live = !cfg.live.interfaces.empty();
    if (!live && cfg.read_files.empty()) {
        std::fprintf(stderr, "stagewatch: nothing to read: give one or more capture files with -r FILE "
                             "(or interfaces with -i IFACE)\n");
        return 1;
    }
    if (!live) {
        std::string bad = PcapFileSource::validate(cfg.read_files);
        if (!bad.empty()) {
            std::fprintf(stderr, "stagewatch: %s\n", bad.c_str());
            return 2;
        }
    }

    RunAs run_as;
    try {
        run_as = resolve_run_as(cfg.user);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stagewatch: %s\n", e.what());
        return 1;
    }
    std::unique_ptr<LogSet> logs;
    try {
        const bool dir_existed = output_dir_exists(cfg.output_dir);
        logs = std::make_unique<LogSet>(cfg.output_dir, cfg.format);
        if (run_as.drop && !dir_existed) hand_over_dir(cfg.output_dir, run_as);
        check_output_dir(cfg.output_dir, run_as);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stagewatch: %s\n", e.what());
        return 4;
    }
    std::unique_ptr<PacketSource> src;
    try {
        if (live) src = std::make_unique<LiveSource>(cfg.live);
        else src = std::make_unique<PcapFileSource>(cfg.read_files);
        if (run_as.drop) drop_privileges(run_as, cfg.output_dir);
    } catch (const OutputDirError& e) {
        std::fprintf(stderr, "stagewatch: %s\n", e.what());
        return 4;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stagewatch: %s\n", e.what());
        return 5;
    }
    auto* files = dynamic_cast<PcapFileSource*>(src.get());
    auto* live_src = dynamic_cast<LiveSource*>(src.get());
    if (live_src)
        spdlog::info("capturing on {} (snaplen {}, buffer {} per interface{}{}{}); stop with SIGINT or SIGTERM",
                     live_src->describe(), cfg.live.snaplen, human_bytes(cfg.live.buffer_size),
                     cfg.live.filter.empty() ? "" : ", filter '", cfg.live.filter,
                     cfg.live.filter.empty() ? "" : "'");
    if (!cfg.user.empty()) spdlog::info("running as user {} (uid {})", cfg.user, getuid());
    install_signal_handlers();

    try {
        Pipeline pipeline(cfg, *logs);
        fleet::SensorSide fleet_side(cfg.publish, logs->dir());
        for (EventSink* s : fleet_side.sinks()) pipeline.subscribe(s);
        bool show = !live && (cfg.progress == "always" || (cfg.progress == "auto" && isatty(STDERR_FILENO)));
        Progress progress(show);
        RunStats rs = pipeline.run(*src, [&](const PacketSource& s) { progress(s); }, &g_control);
        progress.clear();
        logs->close_all();
        if (logs->failed()) {
            // One line naming the file and the error; every log ends with a
            // whole line; no summary (its row counts would not be true).
            std::fprintf(stderr, "stagewatch: cannot write logs: %s%s\n", logs->error().c_str(),
                         rs.output_failed ? " (stopped reading packets)" : "");
            return 4;
        }
        fleet_side.finish(spdlog::get_level() <= spdlog::level::info);

        if (spdlog::get_level() <= spdlog::level::info) print_summary(cfg, pipeline, rs, *logs, files, live_src);
        if (!cfg.report_file.empty() && rs.packets &&
            write_run_report(logs->dir(), cfg.report_file, spdlog::get_level() <= spdlog::level::info) != 0)
            return 4;
        if (live) {
            for (const auto& pr : src->problems()) spdlog::error("{}: {}", pr.name, pr.what);
            return src->problems().empty() ? 0 : 3;
        }
        for (const auto& pr : src->problems())
            spdlog::warn("{}: {} (after {} packets of this file; everything before it was processed and logged)",
                         pr.name, pr.what, pr.packets_before);
        if (!src->problems().empty()) return rs.packets ? 3 : 2;
        if (rs.packets == 0 && !rs.stopped) {
            spdlog::error("no packets in {}: nothing to analyse", src->describe());
            return 2;
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stagewatch: %s\n", e.what());
        return 4;
    }
}
