// --threads N: one reader, N flow workers, one merge.
//
// The reader (the thread that calls Pipeline::run) reads and decodes every
// packet (IP fragments are reassembled there), keeps packet time, and hands
// each packet to one worker, chosen by capture/dispatch_hash.h, over the
// worker's SpscByteRing. Timers that one engine would run on every packet
// (flow expiry once a second of packet time, a packet that does not decode)
// are sent to every worker at the same packet. Each worker owns a FlowEngine
// and a DissectorRegistry (flows, reassembly, SMB/SSH state and the SMB
// multichannel directory of the servers it is given), and nothing else: its
// memory can be given its own share of a budget.
//
// Order. Every packet gets a sequence number s; what happens for it gets the
// key 8s + phase, in the order one thread does it (pipeline.cpp process()):
//   0 time_jump weird, 1 log rotation, 2 stats row, 3 flow expiry,
//   4 the packet, 5 analytics tick (6: the last stats row at the end).
// A worker tags each event with the key of what it was doing (and, for the
// flows ended by expiry or at the end, their place in one engine's order of
// ending: EndOrderObserver) and publishes a watermark, "my next events have
// keys >= W". The merge, on a thread of its own (`sw-merge`), releases events
// in key order once no worker can still produce a smaller one, then hands
// them to analytics and the log writers exactly as one thread would. The
// reader's own controls (rotation, stats rows, analytics ticks, time-warp
// weirds) reach it over a ring too, with the reader's position published
// like a watermark; analytics, the logs and stats.log belong to that thread
// from the first packet to the end, so the reader only reads, decodes and
// dispatches.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "capture/engine.h"
#include "capture/spsc_ring.h"
#include "config/config.h"
#include "dissectors/event.h"
#include "dissectors/registry.h"

namespace sw {

// One record of the reader -> worker ring; a packet's payload follows it.
struct WorkRecord {
    enum class Kind : std::uint8_t { packet, advance, stats, mark, finish };
    std::uint64_t key = 0;
    Timestamp ts = 0;
    Kind kind = Kind::mark;
    bool finish_flows = false;  // Kind::finish: end every flow (not after a second stop request)
    DecodedPacket pkt;          // Kind::packet; pkt.payload points at the bytes after the record
};

// A worker's counters at one key, for stats.log rows.
struct WorkerStats {
    std::uint64_t active_flows = 0, reassem_tcp_bytes = 0, flows_created = 0, flows_evicted = 0;
    std::uint64_t gaps = 0, ack_events = 0, ack_gap_events = 0;
    void add(const WorkerStats& o);
};

// One item of the worker -> merge ring: an event, or counters (stats rows).
struct WorkerOut {
    std::uint64_t key = 0, a = 0, b = 0;  // merge order: (key, a, b, worker)
    bool is_stats = false;
    Event event;
    WorkerStats stats;
};

class FlowWorker final : public FlowSink, public EventSink, public EndOrderObserver {
public:
    // Sizes of the rings (bytes of packets, events).
    static constexpr std::size_t kInBytes = 8u << 20;
    static constexpr std::size_t kOutItems = 4096;

    // `budget`: the pipeline's (--memory.limit), shared by every worker.
    FlowWorker(const Config& cfg, std::uint32_t index, std::uint32_t workers, const std::atomic<int>* stop,
               MemoryBudget* budget);
    ~FlowWorker() override;

    void start();
    void join();

    SpscByteRing& in() { return in_; }
    // Rung whenever this worker publishes events or a watermark (the merge
    // thread sleeps on it). Set before start().
    void set_bell(Doorbell* b) { bell_ = b; }
    SpscRing<WorkerOut>& out() { return out_; }
    // Keys of this worker's next events are at least this (acquire).
    std::uint64_t watermark() const { return wm_.load(std::memory_order_acquire); }

    const FlowEngine& engine() const { return *engine_; }
    const DissectorRegistry& registry() const { return registry_; }
    std::size_t flows_abandoned() const { return abandoned_; }

    // FlowSink / EventSink / EndOrderObserver (on the worker's thread)
    void on_conn(const ConnRecord& rec) override;
    void on_weird(const WeirdRecord& w) override;
    void on_event(const Event& e) override;
    void on_end_order(std::uint64_t a, std::uint64_t b) override {
        cur_a_ = a;
        cur_b_ = b;
    }

private:
    void loop();
    WorkerOut& next_out();
    void push_stats(std::uint64_t key);
    void set_watermark(std::uint64_t w);
    void publish_out();

    DissectorRegistry registry_;
    std::uint32_t index_;
    std::unique_ptr<FlowEngine> engine_;
    const std::atomic<int>* stop_;
    SpscByteRing in_;
    SpscRing<WorkerOut> out_;
    alignas(64) std::atomic<std::uint64_t> wm_{0};
    Doorbell* bell_ = nullptr;
    std::uint64_t cur_key_ = 0, cur_a_ = 0, cur_b_ = 0;
    std::size_t abandoned_ = 0;
    std::thread thread_;
};

}  // namespace sw
