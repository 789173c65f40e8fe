#include "app/pipeline.h"
#include "capture/util.h"

#include <spawn.h>

#include <cstring>
#include <cstdio>

#include "capture/live_source.h"
#include "app/pipeline_threads.h"
#include "dissectors/all.h"

extern char** environ;

namespace sw {

std::vector<std::uint16_t> default_server_ports() {
    return {21,   22,   23,   25,   53,   80,   88,   110,  111,  135,  137,  138,  139,  143,
            389,  443,  445,  465,  587,  593,  636,  873,  993,  995,  1080, 1433, 1521, 2049,
            3128, 3268, 3306, 3389, 5060, 5432, 5900, 5985, 5986, 6379, 8000, 8080, 8443, 8888, 9200};
}

Pipeline::Pipeline(const Config& cfg, LogSet& logs)
    : cfg_(cfg),
      logs_(logs),
      budget_(cfg.memory_limit),
      findings_(logs),
      analytics_(cfg.analytics, findings_),
      output_(logs),
      decoder_(cfg.decoder),
      registry_(bus_, cfg.registry),
      clock_(cfg.clock) {
    // Analytics sees every event before it is logged.
    bus_.subscribe(&analytics_);
    bus_.subscribe(&output_);
    register_dissectors(registry_, cfg.dissectors);
    analytics_.bind_memory(&budget_);
    FlowConfig fc = cfg.flow;
    fc.budget = &budget_;
    fc.server_ports = default_server_ports();
    fc.progress_interval = progress_interval(cfg);
    for (std::uint16_t p : registry_.server_ports()) fc.server_ports.push_back(p);
    engine_ = std::make_unique<FlowEngine>(fc, &registry_, *this);
}

Pipeline::~Pipeline() = default;

void Pipeline::for_each_registry_counter(const CounterFn& fn) const {
    if (workers_.empty()) return registry_.for_each_counter(fn);
    // Same names in the same order in every worker: sum them by position.
    std::vector<std::pair<std::string, std::uint64_t>> sum;
    for (std::size_t w = 0; w < workers_.size(); ++w) {
        std::size_t i = 0;
        workers_[w]->registry().for_each_counter([&](std::string_view name, std::uint64_t v) {
            if (w == 0) sum.emplace_back(std::string(name), v);
            else if (i < sum.size()) sum[i].second += v;
            ++i;
        });
    }
    for (const auto& [name, v] : sum) fn(name, v);
}

void Pipeline::on_conn(const ConnRecord& rec) { bus_.on_event(Event{rec}); }
void Pipeline::on_weird(const WeirdRecord& w) { bus_.on_event(Event{w}); }

// Runs `/bin/sh -c 'CMD "$1"' sh FILE` without waiting for it (main() has
// SIGCHLD ignored, so it is reaped by the kernel).
void run_rotate_command(const std::string& cmd, const std::string& file) {
    std::string script = cmd + " \"$1\"";
    const char* argv[] = {"sh", "-c", script.c_str(), "sh", file.c_str(), nullptr};
    pid_t pid = 0;
    int rc = posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ);
    if (rc != 0) std::fprintf(stderr, "stagewatch: --log.rotate-command: cannot start /bin/sh: %s\n", std::strerror(rc));
}

void Pipeline::rotate_if_due(Timestamp now) {
    const Duration every = cfg_.rotate_interval;
    if (period_open_ < 0) {
        period_open_ = now;
        next_rotation_ = (now / every + 1) * every;
        return;
    }
    if (now < next_rotation_) return;
    for (const std::string& file : logs_.rotate(period_open_ / kSecond))
        if (!cfg_.rotate_command.empty()) run_rotate_command(cfg_.rotate_command, file);
    period_open_ = now / every * every;
    next_rotation_ = period_open_ + every;
}

void Pipeline::write_stats(Timestamp now) {
    StatsSample s;
    s.ts = now;
    s.packets = rs_->packets;
    s.bytes = rs_->wire_bytes;
    PacketSource::KernelCounters k;
    if (src_->kernel_counters(k)) {
        s.live = true;
        s.kernel_received = k.received;
        s.kernel_dropped = k.dropped;
        s.if_dropped = k.if_dropped;
        s.pkt_lag = last_packet_ts_ ? std::max<Duration>(0, wall_clock_now() - last_packet_ts_) : 0;
    }
    const auto& es = engine_->stats();
    s.active_flows = engine_->live_flows();
    s.reassem_tcp_bytes = engine_->pool().bytes_in_use();
    s.flows_created = es.flows_created;
    s.flows_evicted = es.flows_evicted;
    s.gaps = es.reassembly.gaps;
    s.ack_events = es.ack_events;
    s.ack_gap_events = es.ack_gap_events;
    s.notices = analytics_.stats().notices;
    s.memory_used = budget_.used();
    for (std::size_t k = 0; k < MemoryBudget::kSheds; ++k) s.memory_sheds += budget_.sheds(static_cast<MemoryShed>(k));
    stats_->write(s);
}

void Pipeline::time_warp(Timestamp stamped, Timestamp now) {
    WeirdRecord w;
    if (time_warp_weird(stamped, now, w)) on_weird(w);
}

bool Pipeline::time_warp_weird(Timestamp stamped, Timestamp now, WeirdRecord& w) const {
    // Sampled like Zeek's weirds: the 1st, 10th, 100th ... of a run.
    const std::uint64_t n = clock_.warps();
    if (!sampled_occurrence(n)) return false;
    w.ts = now;
    w.name = "time_jump";
    char buf[160];
    std::snprintf(buf, sizeof buf, "packet stamped %+.0f s from packet time; processed at packet time (%llu such packet%s)",
                  (static_cast<double>(stamped) - static_cast<double>(now)) / kSecond,
                  static_cast<unsigned long long>(n), n == 1 ? "" : "s");
    w.addl = buf;
    w.source = "capture";
    return true;
}

void Pipeline::tick(Timestamp now) {
    if (now <= last_ts_) return;
    last_ts_ = now;
    if (cfg_.rotate_interval) rotate_if_due(now);
    if (stats_ && now >= next_stats_) {
        if (next_stats_) write_stats(now);
        next_stats_ = (now / cfg_.stats_interval + 1) * cfg_.stats_interval;
    }
    engine_->advance(now);
    if (now >= next_frag_expiry_) {
        decoder_.expire(now);
        next_frag_expiry_ = now + kSecond;
    }
    if (now >= next_analytics_tick_) {
        analytics_.advance(now);
        next_analytics_tick_ = now + kSecond;
    }
}

void Pipeline::release_held(bool confirmed, DecodedPacket& pkt) {
    held_ = false;
    if (confirmed) {
        clock_.jump_to(held_raw_.ts);
    } else {
        clock_.warp();
        time_warp(held_raw_.ts, clock_.now());
        held_raw_.ts = clock_.now();
    }
    process(held_raw_, pkt);
}

void Pipeline::process(const RawPacket& raw, DecodedPacket& pkt) {
    if (raw.ts > last_ts_) last_ts_ = raw.ts;
    last_packet_ts_ = raw.ts;
    if (cfg_.rotate_interval && raw.ts >= next_rotation_) rotate_if_due(raw.ts);
    if (stats_ && raw.ts >= next_stats_) {
        // The first row comes one interval after the first packet.
        if (next_stats_) write_stats(raw.ts);
        next_stats_ = (raw.ts / cfg_.stats_interval + 1) * cfg_.stats_interval;
    }
    DecodeStatus s = decoder_.decode(raw.linktype, raw.ts, raw.data, raw.wirelen, pkt);
    if (s == DecodeStatus::ok) engine_->process(pkt);
    else engine_->advance(raw.ts);
    if (raw.ts >= next_frag_expiry_) {
        decoder_.expire(raw.ts);
        next_frag_expiry_ = raw.ts + kSecond;
    }
    // Analytics runs on packet time only: one tick per second of it.
    if (raw.ts >= next_analytics_tick_) {
        analytics_.advance(raw.ts);
        next_analytics_tick_ = raw.ts + kSecond;
    }
}

RunStats Pipeline::run(PacketSource& src, const std::function<void(const PacketSource&)>& progress,
                       RunControl* ctl) {
    if (cfg_.threads > 1) return run_threaded(src, progress, ctl);
    RunStats rs;
    auto t0 = std::chrono::steady_clock::now();
    RawPacket raw;
    DecodedPacket pkt;
    src_ = &src;
    rs_ = &rs;
    const auto* files = dynamic_cast<const PcapFileSource*>(&src);
    if (cfg_.stats_interval) stats_ = std::make_unique<StatsLog>(logs_, dynamic_cast<LiveSource*>(&src) ? src.describe() : "");
    for (;;) {
        if (logs_.failed()) {  // a log cannot be written: stop reading (exit status 4)
            rs.output_failed = true;
            break;
        }
        if (ctl) {
            if (ctl->stop.load(std::memory_order_relaxed) > 0) {
                rs.stopped = true;
                break;
            }
            if (ctl->reopen.load(std::memory_order_relaxed) && ctl->reopen.exchange(false))
                logs_.reopen_all();
        }
        const ReadResult r = src.next(raw);
        if (r == ReadResult::end) break;
        if (r == ReadResult::idle) {
            // Idle link: time follows the wall clock, one second behind it so
            // that packets still in the kernel's current block are not older
            // than the time already reached.
            tick(raw.ts - kSecond);
            logs_.flush_all();
            continue;
        }
        ++rs.packets;
        rs.captured_bytes += raw.data.size();
        rs.wire_bytes += raw.wirelen;
        // Packet time, guarded (capture/packet_clock.h): a packet stamped far
        // from it waits for the next one, which tells a real jump from a
        // warp; a new file of a timeline may start anywhere.
        if (held_) release_held(clock_.agrees(raw.ts, held_raw_.ts), pkt);
        if (files && files->file_index() != file_index_) {
            file_index_ = files->file_index();
            clock_.discontinuity();
        }
        if (clock_.far(raw.ts)) {
            held_data_.assign(raw.data.begin(), raw.data.end());
            held_raw_ = raw;
            held_raw_.data = Bytes(held_data_.data(), held_data_.size());
            held_ = true;
            continue;
        }
        clock_.observe(raw.ts);
        process(raw, pkt);
        if (progress && (rs.packets & 0x3fff) == 0) progress(src);
    }
    if (held_ && !rs.output_failed) release_held(false, pkt);  // nothing came to confirm it
    // A second stop request means "now": skip finishing flows (or the rest
    // of them, if it comes while they are being finished), only close.
    // After a write failure nothing more could be logged either.
    auto again = [ctl] { return ctl && ctl->stop.load(std::memory_order_relaxed) >= 2; };
    if (!rs.output_failed && !again()) {
        rs.flows_abandoned = engine_->finish(again);
        if (!again()) analytics_.finish();
    }
    // The last stats row, with the run's totals since the previous one.
    if (stats_ && !rs.output_failed) write_stats(std::max(last_ts_, last_packet_ts_));
    rs.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rs;
}

}  // namespace sw
