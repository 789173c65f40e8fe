// The flow engine: decoded packets in, finished connections and ordered
// stream bytes out. One engine per worker; it owns its flow table, its
// out-of-order block pool and its uid generator, and touches no global state,
// so several can run side by side on flows sharded by flow_hash() (keyed).
#pragma once

#include <bitset>
#include <functional>
#include <cstdint>
#include <memory>
#include <vector>

#include "capture/conn.h"
#include "capture/decode.h"
#include "capture/flow_table.h"
#include "capture/memory_budget.h"
#include "capture/segment_pool.h"
#include "capture/stream.h"
#include "capture/uid.h"

namespace sw {

struct FlowConfig {
    std::size_t max_flows = 1'000'000;
    Duration tcp_inactivity = 5 * kMinute;   // Zeek's tcp_inactivity_timeout
    Duration udp_inactivity = 1 * kMinute;   // Zeek's udp_inactivity_timeout
    Duration other_inactivity = 1 * kMinute;
    Duration tcp_close_delay = 5 * kSecond;  // Zeek's tcp_close_delay
    Duration tcp_attempt = 5 * kSecond;      // Zeek's tcp_attempt_delay
    std::uint64_t max_ooo_bytes = 2 << 20;   // per direction
    std::uint64_t reassembly_memcap = 256ull << 20;  // all out-of-order blocks of this engine
    // The memory budget this engine's flows, blocks and consumers charge and
    // that it sheds against (null: no budget). Not owned; see memory_budget.h.
    MemoryBudget* budget = nullptr;
    bool seeded = false;
    std::uint64_t seed = 0;
    std::uint32_t worker = 0;                // mixed into the uid seed
    // A worker of --threads N: packet time and periodic expiry are driven by
    // the reader (advance()), which sees every packet, so that flows expire
    // at the same packet as with one thread. process() then never expires.
    bool external_expiry = false;
    KeyedHash hash;                          // flow table key (Config::hash)
    CidrSet local_nets;
    // Ports that make an endpoint "likely the server" when no SYN tells
    // (Zeek's likely_server_ports). Filled by the caller from the dissectors.
    std::vector<std::uint16_t> server_ports;
    // Every this much packet time (aligned to multiples of it), each flow's
    // consumer gets on_tick() (bytes of long transfers counted as they
    // move). 0: never. The pipeline sets it to analytics.volume-interval.
    Duration progress_interval = 0;
};

// Where new flows get their stream consumer (the dissector registry).
class ConsumerFactory {
public:
    virtual ~ConsumerFactory() = default;
    // Called once per TCP flow, when its first payload byte arrives.
    virtual std::unique_ptr<StreamConsumer> create(const ConnId& id) = 0;
};

// Told, before each flow that expire() or finish() ends, where that flow
// stands in the engine's order of ending (two numbers, compared in order):
// expiry: (timeout class, deadline); finish: (last activity, timeout class).
// Workers tag their events with it so that the merge of several workers
// (app/pipeline_threads.cpp) ends flows in the order one engine would.
class EndOrderObserver {
public:
    virtual ~EndOrderObserver() = default;
    virtual void on_end_order(std::uint64_t a, std::uint64_t b) = 0;
};

struct EngineStats {
    std::uint64_t packets = 0;       // packets given to process()
    std::uint64_t tcp_packets = 0;
    std::uint64_t udp_packets = 0;
    std::uint64_t flows_created = 0;
    std::uint64_t flows_timed_out = 0;
    std::uint64_t flows_closed = 0;
    std::uint64_t flows_evicted = 0; // pushed out by the max-flows cap
    std::uint64_t flows_reused = 0;  // a SYN reopened a finished 5-tuple
    std::uint64_t max_live_flows = 0;
    std::uint64_t ack_events = 0;      // ACKs that acknowledged new data (capture_loss.log acks)
    std::uint64_t ack_gap_events = 0;  // ... of data never seen (capture_loss.log gaps)
    std::uint64_t memory_sheds[MemoryBudget::kSheds] = {};  // by MemoryShed
    ReassemblyStats reassembly;      // summed over finished flows
};

// When a FlowEngine does its housekeeping (flow expiry; at a progress
// boundary, the consumers' ticks): at the first packet, then once a second of
// packet time and at every multiple of FlowConfig::progress_interval. The
// --threads reader runs the same timer to send the workers' housekeeping at
// the same packets.
class HousekeepTimer {
public:
    explicit HousekeepTimer(Duration progress) : progress_(progress) {}
    bool due(Timestamp now) const { return now >= next_check_; }
    // Housekeeping runs at `now`: sets the next check, and returns the last
    // instant of the progress interval that just ended (-1: none).
    Timestamp fire(Timestamp now);

private:
    Duration progress_;
    Timestamp next_check_ = 0;
    Timestamp next_progress_ = 0;  // 0: not yet aligned to the first packet
};

class FlowEngine {
public:
    FlowEngine(const FlowConfig& cfg, ConsumerFactory* factory, FlowSink& sink);
    ~FlowEngine();
    FlowEngine(const FlowEngine&) = delete;
    FlowEngine& operator=(const FlowEngine&) = delete;

    // One decoded TCP or UDP packet (other protocols are ignored).
    void process(const DecodedPacket& p);
    // Lets packet time move on without a packet (live idle, end of file).
    void advance(Timestamp now);
    // End of input: finish every flow, oldest first. `interrupted`, when
    // given, is asked between flows (a second SIGTERM live): once it says
    // true the rest are dropped unlogged and the count is returned.
    std::size_t finish(const std::function<bool()>& interrupted = {});

    void set_end_order_observer(EndOrderObserver* o) { end_order_ = o; }
    // Adds another engine's counters to these (the summary of --threads N).
    void add_stats(const EngineStats& s);

    const EngineStats& stats() const { return stats_; }
    std::size_t live_flows() const { return table_.size(); }
    const SegmentPool& pool() const { return pool_; }

private:
    Flow* lookup(const DecodedPacket& p, bool& is_new);
    Flow* create(const FlowKey& key, std::uint64_t hash, const DecodedPacket& p);
    void handle_tcp(Flow* f, Dir d, const DecodedPacket& p);
    void handle_udp(Flow* f, Dir d, const DecodedPacket& p);
    void reschedule(Flow* f);
    void expire(Timestamp now);
    // Expiry and, at a progress boundary, the consumers' ticks; sets the
    // next check (at most a second of packet time away).
    void housekeep();
    bool expired(const Flow* f, Timestamp now) const { return f->deadline < now; }
    void end_flow(Flow* f, std::string_view reason);
    ReassemblyCtx ctx(Flow* f, Dir d);
    void count_gaps(Flow* f, Dir d, std::uint64_t gaps_before);
    bool likely_server(std::uint16_t port) const { return server_ports_.test(port); }
    // Memory pressure (see the .cpp for the order of what is shed).
    void relieve(Timestamp now);
    Flow* idle_victim(Timestamp now) const;
    void shed(MemoryShed kind, Flow* f, Timestamp now, std::uint64_t bytes);

    FlowConfig cfg_;
    ConsumerFactory* factory_;
    FlowSink& sink_;
    FlowTable table_;
    SegmentPool pool_;
    UidGenerator uids_;
    KeyedHash hash_;  // flow table key: secret, or from --seed
    std::bitset<65536> server_ports_;
    Timestamp now_ = 0;
    HousekeepTimer timer_;
    EngineStats stats_;
    EndOrderObserver* end_order_ = nullptr;
    MemoryBudget* budget_;
    std::uint64_t pool_high_, pool_low_;  // 7/8 and 3/4 of tcp.memcap
};

}  // namespace sw
