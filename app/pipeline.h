// The pipeline: decode -> flows/reassembly -> dissectors -> events ->
// analytics -> logs. With --threads 1 all of it runs on the caller's thread;
// with N > 1 the flows, reassembly and dissectors run on N workers and this
// class keeps reading, decoding, packet time, analytics and the logs
// (app/pipeline_threads.h).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "analytics/event_bus.h"
#include "app/stats_log.h"
#include "analytics/staging_analytics.h"
#include "capture/decode.h"
#include "capture/engine.h"
#include "capture/memory_budget.h"
#include "capture/packet_source.h"
#include "config/config.h"
#include "dissectors/registry.h"
#include "output/finding_writer.h"
#include "output/log_set.h"
#include "output/output_sink.h"

namespace sw {

class FlowWorker;
class ThreadedRun;

struct RunStats {
    std::uint64_t packets = 0;
    std::uint64_t captured_bytes = 0;
    std::uint64_t wire_bytes = 0;
    double seconds = 0;
    bool stopped = false;  // ended by a stop request, not by the end of input
    std::size_t flows_abandoned = 0;  // a second stop request cut finishing flows short
    bool output_failed = false;  // ended because a log could not be written (LogSet::error())
};

// Requests from signal handlers to the run loop. The handlers only store to
// these atomics; the loop reads them between packets (a live source returns
// at least every capture timeout, so a request is seen within ~0.1 s).
struct RunControl {
    std::atomic<int> stop{0};         // SIGINT/SIGTERM received so far
    std::atomic<bool> reopen{false};  // SIGHUP: reopen every log
};

// The flow engine's progress interval (ProgressEvent ticks): the volume
// interval, or 0 with --volume.progress=false.
inline Duration progress_interval(const Config& cfg) {
    return cfg.analytics.progress ? cfg.analytics.volume_interval : 0;
}

class Pipeline : public FlowSink {
public:
    Pipeline(const Config& cfg, LogSet& logs);
    ~Pipeline() override;

    // Reads the source to its end (or, with `ctl`, until a stop request).
    // `progress` (may be empty) is called now and then with the source, for a
    // progress display. At the end every flow is finished as at the end of a
    // file, unless a second stop request came in (then only the logs close).
    RunStats run(PacketSource& src, const std::function<void(const PacketSource&)>& progress,
                 RunControl* ctl = nullptr);

    // Extra event subscribers (tests, later: remote sinks). Called after
    // analytics and before the log writers.
    void subscribe(EventSink* s) { bus_.subscribe(s); }

    // FlowSink
    void on_conn(const ConnRecord& rec) override;
    void on_weird(const WeirdRecord& w) override;

    const PacketDecoder& decoder() const { return decoder_; }
    // With --threads N, after run(): the workers' counters summed.
    const FlowEngine& engine() const { return *engine_; }
    const DissectorRegistry& registry() const { return registry_; }
    // The dissectors' counters (registry().for_each_counter, summed over the
    // workers with --threads N).
    void for_each_registry_counter(const CounterFn& fn) const;
    const StagingAnalytics& analytics() const { return analytics_; }
    const PacketClock& clock() const { return clock_; }
    const MemoryBudget& memory() const { return budget_; }

private:
    friend class ThreadedRun;
    RunStats run_threaded(PacketSource& src, const std::function<void(const PacketSource&)>& progress,
                          RunControl* ctl);
    // The time_jump weird for a packet stamped `stamped` (false: not sampled).
    bool time_warp_weird(Timestamp stamped, Timestamp now, WeirdRecord& w) const;
    // Moves time to `now` without a packet (live capture, idle link).
    void tick(Timestamp now);
    // Log rotation on packet time (the wall clock when live): at each
    // multiple of the interval, every log is rotated and the command run.
    void rotate_if_due(Timestamp now);
    // One stats.log row for the time `now` (see app/stats_log.h).
    void write_stats(Timestamp now);
    // A packet stamped far from packet time: weird time_jump (sampled).
    void time_warp(Timestamp stamped, Timestamp now);
    // One packet at its (guarded) time: decode, flows, expiry, analytics.
    void process(const RawPacket& raw, DecodedPacket& pkt);
    // Decides the held far packet: confirmed (the clock jumps) or a warp.
    void release_held(bool confirmed, DecodedPacket& pkt);

    const Config& cfg_;
    LogSet& logs_;
    // First member after the references: everything that charges it is
    // destroyed before it. One budget for this worker (--memory.limit).
    MemoryBudget budget_;
    Timestamp next_frag_expiry_ = 0;
    Timestamp next_analytics_tick_ = 0;
    Timestamp last_ts_ = 0;
    Timestamp last_packet_ts_ = 0;
    Timestamp period_open_ = -1;    // open time of the current log files
    Timestamp next_rotation_ = 0;
    std::unique_ptr<StatsLog> stats_;
    Timestamp next_stats_ = 0;
    const PacketSource* src_ = nullptr;  // during run(), for stats.log
    const RunStats* rs_ = nullptr;
    EventBus bus_;
    FindingWriter findings_;
    StagingAnalytics analytics_;
    OutputSink output_;
    PacketDecoder decoder_;
    DissectorRegistry registry_;
    std::unique_ptr<FlowEngine> engine_;
    PacketClock clock_;
    bool held_ = false;  // a far packet waits for the next one's verdict
    RawPacket held_raw_;
    std::vector<std::uint8_t> held_data_;
    std::size_t file_index_ = static_cast<std::size_t>(-1);
    std::vector<std::unique_ptr<FlowWorker>> workers_;  // --threads N > 1
};

// --log.rotate-command: runs `CMD FILE` in the background.
void run_rotate_command(const std::string& cmd, const std::string& file);

// Ports that mark the likely server side when no SYN was seen.
std::vector<std::uint16_t> default_server_ports();

}  // namespace sw
