// --threads N: the workers, the reader's dispatch and the merge (see
// app/pipeline_threads.h for the design and the order of keys).
#include "app/pipeline_threads.h"

#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <type_traits>

#include "app/pipeline.h"
#include "capture/dispatch_hash.h"
#include "capture/live_source.h"
#include "capture/util.h"
#include "dissectors/all.h"

namespace sw {

static_assert(std::is_trivially_copyable_v<WorkRecord>, "WorkRecord is copied into the ring with memcpy");

namespace {

constexpr std::uint64_t kNoMore = std::numeric_limits<std::uint64_t>::max();
// Phases of one packet's key (pipeline_threads.h).
enum Phase : std::uint64_t { ph_warp = 0, ph_rotate = 1, ph_stats = 2, ph_expire = 3, ph_packet = 4,
                             ph_analytics = 5, ph_final_stats = 6 };

FlowConfig worker_flow_config(const Config& cfg, const DissectorRegistry& reg, std::uint32_t index,
                              std::uint32_t workers, MemoryBudget* budget) {
    FlowConfig fc = cfg.flow;
    // One --memory.limit for the whole pipeline: the workers and analytics
    // charge the same budget (relaxed atomics), and each worker sheds its own
    // flows when the total is high.
    fc.budget = budget;
    fc.server_ports = default_server_ports();
    for (std::uint16_t p : reg.server_ports()) fc.server_ports.push_back(p);
    fc.worker = index;
    fc.external_expiry = true;
    fc.progress_interval = progress_interval(cfg);
    // Each worker holds its share of the caps, so N workers use what one would.
    fc.max_flows = std::max<std::size_t>(1, cfg.flow.max_flows / workers);
    fc.reassembly_memcap = std::max<std::uint64_t>(1u << 20, cfg.flow.reassembly_memcap / workers);
    return fc;
}

}  // namespace

void WorkerStats::add(const WorkerStats& o) {
    active_flows += o.active_flows;
    reassem_tcp_bytes += o.reassem_tcp_bytes;
    flows_created += o.flows_created;
    flows_evicted += o.flows_evicted;
    gaps += o.gaps;
    ack_events += o.ack_events;
    ack_gap_events += o.ack_gap_events;
}

// --- the worker ---------------------------------------------------------------

FlowWorker::FlowWorker(const Config& cfg, std::uint32_t index, std::uint32_t workers, const std::atomic<int>* stop,
                       MemoryBudget* budget)
    : registry_(*this, cfg.registry), index_(index), stop_(stop), in_(kInBytes), out_(kOutItems) {
    register_dissectors(registry_, cfg.dissectors);
    engine_ = std::make_unique<FlowEngine>(worker_flow_config(cfg, registry_, index, workers, budget), &registry_,
                                           *this);
    engine_->set_end_order_observer(this);
}

FlowWorker::~FlowWorker() { join(); }

void FlowWorker::start() {
    thread_ = std::thread([this] { loop(); });
    char name[16];
    std::snprintf(name, sizeof name, "sw-flows-%u", index_);
    pthread_setname_np(thread_.native_handle(), name);  // top -H, perf
}

void FlowWorker::join() {
    if (thread_.joinable()) thread_.join();
}

void FlowWorker::set_watermark(std::uint64_t w) {
    out_.publish();  // events before the watermark are visible first
    wm_.store(w, std::memory_order_release);
    if (bell_) bell_->ring();
}

void FlowWorker::publish_out() {
    out_.publish();
    if (bell_) bell_->ring();
}

WorkerOut& FlowWorker::next_out() {
    unsigned round = 0;
    for (;;) {
        if (WorkerOut* o = out_.reserve()) return *o;
        // Full: let the merge take what precedes this key.
        set_watermark(cur_key_);
        wait_a_little(round);
    }
}

void FlowWorker::on_conn(const ConnRecord& rec) {
    WorkerOut& o = next_out();
    o.key = cur_key_, o.a = cur_a_, o.b = cur_b_, o.is_stats = false;
    o.event = rec;  // assigning into the slot reuses its strings' capacity
    out_.commit();
}

void FlowWorker::on_weird(const WeirdRecord& w) {
    WorkerOut& o = next_out();
    o.key = cur_key_, o.a = cur_a_, o.b = cur_b_, o.is_stats = false;
    o.event = w;
    out_.commit();
}

void FlowWorker::on_event(const Event& e) {
    WorkerOut& o = next_out();
    o.key = cur_key_, o.a = cur_a_, o.b = cur_b_, o.is_stats = false;
    o.event = e;
    out_.commit();
}

void FlowWorker::push_stats(std::uint64_t key) {
    cur_key_ = key, cur_a_ = cur_b_ = 0;
    WorkerOut& o = next_out();
    o.key = key, o.a = o.b = 0, o.is_stats = true;
    const EngineStats& es = engine_->stats();
    o.stats.active_flows = engine_->live_flows();
    o.stats.reassem_tcp_bytes = engine_->pool().bytes_in_use();
    o.stats.flows_created = es.flows_created;
    o.stats.flows_evicted = es.flows_evicted;
    o.stats.gaps = es.reassembly.gaps;
    o.stats.ack_events = es.ack_events;
    o.stats.ack_gap_events = es.ack_gap_events;
    out_.commit();
}

void FlowWorker::loop() {
    unsigned round = 0, since_release = 0;
    WorkRecord r;
    for (;;) {
        std::size_t n = 0;
        const std::byte* p = in_.front(n);
        if (!p) {
            in_.release();
            if (round == 0) publish_out();
            // A short spin and a few yields catch the next batch; then
            // sleep until the reader publishes (an idle live capture costs
            // no CPU; the reader's flush wakes us).
            if (round < 32) wait_a_little(round);
            else in_.wait_published();
            continue;
        }
        round = 0;
        std::memcpy(&r, p, sizeof r);
        switch (r.kind) {
            case WorkRecord::Kind::packet:
                cur_key_ = r.key, cur_a_ = cur_b_ = 0;
                r.pkt.payload = Bytes(reinterpret_cast<const std::uint8_t*>(p + sizeof r), n - sizeof r);
                engine_->process(r.pkt);
                break;
            case WorkRecord::Kind::advance:
                cur_key_ = r.key, cur_a_ = cur_b_ = 0;
                engine_->advance(r.ts);
                break;
            case WorkRecord::Kind::stats:
                push_stats(r.key);
                break;
            case WorkRecord::Kind::mark:
                set_watermark(r.key);
                break;
            case WorkRecord::Kind::finish: {
                if (r.finish_flows) {
                    cur_key_ = r.key, cur_a_ = cur_b_ = 0;
                    abandoned_ = engine_->finish([this] { return stop_ && stop_->load(std::memory_order_relaxed) >= 2; });
                }
                push_stats(r.key - ph_expire + ph_final_stats);
                in_.pop(n);
                in_.release();
                set_watermark(kNoMore);
                return;
            }
        }
        in_.pop(n);
        if (++since_release == 32) {
            since_release = 0;
            in_.release();
        }
    }
}

// --- the reader and the merge -------------------------------------------------

class ThreadedRun {
public:
    ThreadedRun(Pipeline& p, RunControl* ctl)
        : p_(p), n_(p.cfg_.threads), ctl_(ctl), eng_timer_(progress_interval(p.cfg_)) {
        for (std::uint32_t i = 0; i < n_; ++i)
            p_.workers_.push_back(std::make_unique<FlowWorker>(p.cfg_, i, n_, ctl ? &ctl->stop : nullptr, &p.budget_));
        last_mark_.assign(n_, 0);
        heads_.assign(n_ + 1, nullptr);
        for (auto& w : p_.workers_) w->set_bell(&bell_);
        for (auto& w : p_.workers_) w->start();
    }
    ~ThreadedRun() {
        // An exception on the reader: let the merge thread end.
        if (merger_.joinable()) {
            abort_.store(true, std::memory_order_release);
            bell_.ring();
            merger_.join();
        }
    }

    RunStats run(PacketSource& src, const std::function<void(const PacketSource&)>& progress);

private:
    struct Control {
        enum class Kind : std::uint8_t { weird, rotate, stats, analytics, analytics_finish };
        std::uint64_t key = 0;
        Kind kind = Kind::weird;
        Timestamp ts = 0;
        std::uint64_t packets = 0, bytes = 0;  // stats
        bool live = false;                     // stats: kernel counters, read by the reader
        PacketSource::KernelCounters kernel;
        Duration pkt_lag = 0;
        WeirdRecord weird;
    };

    static Control make_control(std::uint64_t key, Control::Kind kind, Timestamp ts) {
        Control c;
        c.key = key;
        c.kind = kind;
        c.ts = ts;
        return c;
    }
    void process(const RawPacket& raw, DecodedPacket& pkt);
    void tick(Timestamp now);
    void release_held(bool confirmed, DecodedPacket& pkt);
    void finish(bool finish_flows, bool final_stats);

    // A control for the merge thread (keys ascending); visible at the next flush.
    void control(const Control& c) {
        unsigned round = 0;
        for (;;) {
            if (Control* slot = controls_.reserve()) {
                *slot = c;  // assigning into the slot reuses its strings
                controls_.commit();
                return;
            }
            // Full (input crafted to make a control of every packet): the
            // merge can take the queued controls only once the workers are
            // told how far the reader is. Everything before pos_key_ is sent.
            flush(pos_key_);
            wait_a_little(round);
        }
    }
    void stats_control(std::uint64_t key, Timestamp ts);
    // A live source's kernel counters, read on the reader (which owns the
    // capture handle) when the stats control is made.
    void kernel_sample(Control& c) const {
        if (p_.src_->kernel_counters(c.kernel)) {
            c.live = true;
            c.pkt_lag = p_.last_packet_ts_ ? std::max<Duration>(0, wall_clock_now() - p_.last_packet_ts_) : 0;
        }
    }
    void expire_workers(std::uint64_t key, Timestamp now);
    // Writes one record (and `payload`) to worker w, waiting while its ring is full.
    void put(std::uint32_t w, const WorkRecord& r, Bytes payload = {});
    void broadcast(const WorkRecord& r) {
        for (std::uint32_t w = 0; w < n_; ++w) put(w, r);
    }
    // Every worker learns that its next records have keys >= `key`; publishes,
    // and tells the merge thread the same of the reader's controls.
    void flush(std::uint64_t key);
    // The merge thread: runs merge() until every source has said "no more".
    void merge_loop();
    // Hands every event that can no longer be preceded to analytics and logs
    // (on the merge thread); false when nothing could be released.
    bool merge();
    void run_control(const Control& c);
    bool again() const { return ctl_ && ctl_->stop.load(std::memory_order_relaxed) >= 2; }

    Pipeline& p_;
    const std::uint32_t n_;
    RunControl* ctl_;
    std::uint64_t seq_ = 0;
    std::uint64_t pos_key_ = 8;  // keys of records and controls still to come are >= this
    std::vector<std::uint64_t> last_mark_;
    std::uint32_t since_flush_ = 0;
    bool live_ = false;
    std::chrono::steady_clock::time_point last_flush_{};
    // One engine's timers, kept here for all workers (FlowEngine::process):
    // every worker does its housekeeping (expiry, progress ticks) at the
    // same packets, and fires its own copy of this timer there.
    Timestamp eng_now_ = 0;
    HousekeepTimer eng_timer_;
    // Rotation and stats.log schedules as the single-thread loop keeps them.
    Timestamp r_period_open_ = -1, r_next_rotation_ = 0;
    // Reader -> merge thread: controls, and the key below which the reader
    // has sent them all (published after the controls themselves).
    SpscRing<Control> controls_{4096};
    alignas(64) std::atomic<std::uint64_t> pos_pub_{8};
    Doorbell bell_;  // rung by the reader and the workers when they publish
    std::atomic<bool> abort_{false};
    std::atomic<bool> output_failed_{false};  // set by the merge thread, read by the reader
    std::thread merger_;
    std::vector<const WorkerOut*> heads_;
    WorkerStats acc_;  // workers' counters for the next stats row
    RunStats* rs_ = nullptr;
};

void ThreadedRun::put(std::uint32_t w, const WorkRecord& r, Bytes payload) {
    SpscByteRing& ring = p_.workers_[w]->in();
    if (payload.size() > ring.max_record() - sizeof r) payload = payload.first(ring.max_record() - sizeof r);
    const std::size_t need = sizeof r + payload.size();
    std::byte* dst = ring.reserve(need);
    if (!dst) {
        // Full: the worker gets everything published and the merge thread
        // takes what precedes this key while we wait (the worker may wait
        // for the merge).
        pos_key_ = r.key;
        unsigned round = 0;
        for (;;) {
            flush(r.key);
            if ((dst = ring.reserve(need))) break;
            wait_a_little(round);
        }
    }
    std::memcpy(dst, &r, sizeof r);
    if (!payload.empty()) std::memcpy(dst + sizeof r, payload.data(), payload.size());
    ring.commit(need);
}

void ThreadedRun::flush(std::uint64_t key) {
    for (std::uint32_t w = 0; w < n_; ++w) {
        SpscByteRing& ring = p_.workers_[w]->in();
        if (last_mark_[w] < key) {
            if (std::byte* dst = ring.reserve(sizeof(WorkRecord))) {
                WorkRecord m;
                m.kind = WorkRecord::Kind::mark;
                m.key = key;
                std::memcpy(dst, &m, sizeof m);
                ring.commit(sizeof m);
                last_mark_[w] = key;
            }
        }
        ring.publish();
    }
    controls_.publish();
    pos_pub_.store(key, std::memory_order_release);
    bell_.ring();
    since_flush_ = 0;
}

bool ThreadedRun::merge() {
    // Sources 0..n-1 are the workers, n the reader's own controls. The merge
    // order is (key, a, b, source); a control is (key, 0, 0, n).
    struct Pos {
        std::uint64_t key, a, b, src;
        bool operator<(const Pos& o) const { return std::tie(key, a, b, src) < std::tie(o.key, o.a, o.b, o.src); }
    };
    bool any = false;
    for (;;) {
        bool have = false;
        Pos best{};
        Pos bound{kNoMore, 0, 0, 0};  // the least an empty source may still produce
        for (std::uint32_t w = 0; w < n_; ++w) {
            // The watermark first, then the ring: whatever the worker pushed
            // before raising its watermark is then visible.
            const std::uint64_t wm = p_.workers_[w]->watermark();
            const WorkerOut* h = p_.workers_[w]->out().front();
            heads_[w] = h;
            if (h) {
                const Pos x{h->key, h->a, h->b, w};
                if (!have || x < best) best = x, have = true;
            } else {
                const Pos x{wm, 0, 0, w};
                if (x < bound) bound = x;
            }
        }
        // The same for the reader: its published position, then its ring.
        const std::uint64_t pos = pos_pub_.load(std::memory_order_acquire);
        if (const Control* c = controls_.front()) {
            const Pos x{c->key, 0, 0, n_};
            if (!have || x < best) best = x, have = true;
        } else {
            const Pos x{pos, 0, 0, n_};
            if (x < bound) bound = x;
        }
        if (!have || bound < best) break;
        any = true;
        if (best.src == n_) {
            run_control(*controls_.front());
            controls_.pop();
            controls_.release();
            continue;
        }
        const WorkerOut* h = heads_[best.src];
        if (h->is_stats) acc_.add(h->stats);
        else p_.bus_.on_event(h->event);
        SpscRing<WorkerOut>& out = p_.workers_[best.src]->out();
        out.pop();
        out.release();
    }
    if (p_.logs_.failed()) output_failed_.store(true, std::memory_order_relaxed);
    return any;
}

void ThreadedRun::merge_loop() {
    unsigned round = 0;
    bool written = false;  // rows not yet flushed to the files
    for (;;) {
        const std::uint32_t bell = bell_.value();  // before looking at the sources
        if (merge()) {
            round = 0;
            written = true;
            continue;
        }
        if (ctl_ && ctl_->reopen.load(std::memory_order_relaxed) && ctl_->reopen.exchange(false))
            p_.logs_.reopen_all();
        bool done = pos_pub_.load(std::memory_order_acquire) == kNoMore && !controls_.front();
        for (auto& w : p_.workers_) done = done && w->watermark() == kNoMore && !w->out().front();
        if (done || abort_.load(std::memory_order_acquire)) return;
        if (round < 32) {
            wait_a_little(round);
            continue;
        }
        // Nothing for a while: what was written reaches the files (live, as
        // the one-thread loop does when the capture is idle), then sleep
        // until the reader or a worker publishes something.
        if (written && live_) {
            p_.logs_.flush_all();
            written = false;
        }
        bell_.wait(bell);
    }
}

void ThreadedRun::run_control(const Control& c) {
    switch (c.kind) {
        case Control::Kind::weird:
            p_.bus_.on_event(Event{c.weird});
            break;
        case Control::Kind::rotate:
            for (const std::string& file : p_.logs_.rotate(c.ts / kSecond))
                if (!p_.cfg_.rotate_command.empty()) run_rotate_command(p_.cfg_.rotate_command, file);
            break;
        case Control::Kind::stats: {
            StatsSample s;
            s.ts = c.ts;
            s.packets = c.packets;
            s.bytes = c.bytes;
            if (c.live) {
                s.live = true;
                s.kernel_received = c.kernel.received;
                s.kernel_dropped = c.kernel.dropped;
                s.if_dropped = c.kernel.if_dropped;
                s.pkt_lag = c.pkt_lag;
            }
            s.active_flows = acc_.active_flows;
            s.reassem_tcp_bytes = acc_.reassem_tcp_bytes;
            s.flows_created = acc_.flows_created;
            s.flows_evicted = acc_.flows_evicted;
            s.gaps = acc_.gaps;
            s.ack_events = acc_.ack_events;
            s.ack_gap_events = acc_.ack_gap_events;
            s.notices = p_.analytics_.stats().notices;
            p_.stats_->write(s);
            acc_ = WorkerStats{};
            break;
        }
        case Control::Kind::analytics:
            p_.analytics_.advance(c.ts);
            break;
        case Control::Kind::analytics_finish:
            if (!again()) p_.analytics_.finish();
            break;
    }
}

void ThreadedRun::stats_control(std::uint64_t key, Timestamp ts) {
    WorkRecord r;
    r.kind = WorkRecord::Kind::stats;
    r.key = key;
    broadcast(r);
    Control c;
    c.key = key;
    c.kind = Control::Kind::stats;
    c.ts = ts;
    c.packets = rs_->packets;
    c.bytes = rs_->wire_bytes;
    kernel_sample(c);
    control(c);
}

void ThreadedRun::expire_workers(std::uint64_t key, Timestamp now) {
    // Each worker's FlowEngine::advance() fires its timer: so does ours.
    eng_timer_.fire(now);
    WorkRecord r;
    r.kind = WorkRecord::Kind::advance;
    r.key = key;
    r.ts = now;
    broadcast(r);
}

// Pipeline::process, with the flow work sent to the workers.
void ThreadedRun::process(const RawPacket& raw, DecodedPacket& pkt) {
    const std::uint64_t base = ++seq_ * 8;
    pos_key_ = base;
    const Config& cfg = p_.cfg_;
    if (raw.ts > p_.last_ts_) p_.last_ts_ = raw.ts;
    p_.last_packet_ts_ = raw.ts;
    if (cfg.rotate_interval && raw.ts >= r_next_rotation_) {
        // Pipeline::rotate_if_due's schedule; the rotation itself is merged.
        const Duration every = cfg.rotate_interval;
        if (r_period_open_ < 0) {
            r_period_open_ = raw.ts;
            r_next_rotation_ = (raw.ts / every + 1) * every;
        } else {
            control(make_control(base + ph_rotate, Control::Kind::rotate, r_period_open_));
            r_period_open_ = raw.ts / every * every;
            r_next_rotation_ = r_period_open_ + every;
        }
    }
    if (p_.stats_ && raw.ts >= p_.next_stats_) {
        if (p_.next_stats_) stats_control(base + ph_stats, raw.ts);
        p_.next_stats_ = (raw.ts / cfg.stats_interval + 1) * cfg.stats_interval;
    }
    const DecodeStatus s = p_.decoder_.decode(raw.linktype, raw.ts, raw.data, raw.wirelen, pkt);
    if (s == DecodeStatus::ok) {
        // FlowEngine::process's timer, for every worker.
        if (pkt.ts > eng_now_) eng_now_ = pkt.ts;
        if (eng_timer_.due(eng_now_)) expire_workers(base + ph_expire, eng_now_);
        WorkRecord r;
        r.kind = WorkRecord::Kind::packet;
        r.key = base + ph_packet;
        r.ts = pkt.ts;
        r.pkt = pkt;
        r.pkt.payload = {};
        put(dispatch_worker(dispatch_hash(pkt, cfg.hash), n_), r, pkt.payload);
    } else {
        // FlowEngine::advance(raw.ts)
        if (raw.ts > eng_now_) eng_now_ = raw.ts;
        expire_workers(base + ph_expire, eng_now_);
    }
    if (raw.ts >= p_.next_frag_expiry_) {
        p_.decoder_.expire(raw.ts);
        p_.next_frag_expiry_ = raw.ts + kSecond;
    }
    if (raw.ts >= p_.next_analytics_tick_) {
        control(make_control(base + ph_analytics, Control::Kind::analytics, raw.ts));
        p_.next_analytics_tick_ = raw.ts + kSecond;
    }
    pos_key_ = base + 8;
    if (++since_flush_ >= 256) {
        flush(pos_key_);
    } else if (live_) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_flush_ >= std::chrono::milliseconds(1)) {
            last_flush_ = now;
            flush(pos_key_);
        }
    }
}

// Pipeline::tick.
void ThreadedRun::tick(Timestamp now) {
    if (now <= p_.last_ts_) return;
    p_.last_ts_ = now;
    const std::uint64_t base = ++seq_ * 8;
    pos_key_ = base;
    const Config& cfg = p_.cfg_;
    if (cfg.rotate_interval) {
        const Duration every = cfg.rotate_interval;
        if (r_period_open_ < 0) {
            r_period_open_ = now;
            r_next_rotation_ = (now / every + 1) * every;
        } else if (now >= r_next_rotation_) {
            control(make_control(base + ph_rotate, Control::Kind::rotate, r_period_open_));
            r_period_open_ = now / every * every;
            r_next_rotation_ = r_period_open_ + every;
        }
    }
    if (p_.stats_ && now >= p_.next_stats_) {
        if (p_.next_stats_) stats_control(base + ph_stats, now);
        p_.next_stats_ = (now / cfg.stats_interval + 1) * cfg.stats_interval;
    }
    if (now > eng_now_) eng_now_ = now;
    expire_workers(base + ph_expire, eng_now_);
    if (now >= p_.next_frag_expiry_) {
        p_.decoder_.expire(now);
        p_.next_frag_expiry_ = now + kSecond;
    }
    if (now >= p_.next_analytics_tick_) {
        control(make_control(base + ph_analytics, Control::Kind::analytics, now));
        p_.next_analytics_tick_ = now + kSecond;
    }
    pos_key_ = base + 8;
    flush(pos_key_);
}

void ThreadedRun::release_held(bool confirmed, DecodedPacket& pkt) {
    p_.held_ = false;
    if (confirmed) {
        p_.clock_.jump_to(p_.held_raw_.ts);
    } else {
        p_.clock_.warp();
        Control c;
        if (p_.time_warp_weird(p_.held_raw_.ts, p_.clock_.now(), c.weird)) {
            c.key = (seq_ + 1) * 8 + ph_warp;  // before the packet it is about
            c.kind = Control::Kind::weird;
            control(c);
        }
        p_.held_raw_.ts = p_.clock_.now();
    }
    process(p_.held_raw_, pkt);
}

void ThreadedRun::finish(bool finish_flows, bool final_stats) {
    const std::uint64_t base = ++seq_ * 8;
    pos_key_ = base;
    WorkRecord r;
    r.kind = WorkRecord::Kind::finish;
    r.key = base + ph_expire;
    r.finish_flows = finish_flows;
    broadcast(r);
    if (finish_flows) control(make_control(base + ph_analytics, Control::Kind::analytics_finish, 0));
    if (final_stats) {
        Control c;
        c.key = base + ph_final_stats;
        c.kind = Control::Kind::stats;
        c.ts = std::max(p_.last_ts_, p_.last_packet_ts_);
        c.packets = rs_->packets;
        c.bytes = rs_->wire_bytes;
        kernel_sample(c);
        control(c);
    }
    pos_key_ = kNoMore;
    for (std::uint32_t w = 0; w < n_; ++w) p_.workers_[w]->in().publish();
    controls_.publish();
    pos_pub_.store(kNoMore, std::memory_order_release);
    bell_.ring();
    merger_.join();
    for (auto& w : p_.workers_) w->join();
}

RunStats ThreadedRun::run(PacketSource& src, const std::function<void(const PacketSource&)>& progress) {
    RunStats rs;
    auto t0 = std::chrono::steady_clock::now();
    RawPacket raw;
    DecodedPacket pkt;
    p_.src_ = &src;
    p_.rs_ = &rs;
    rs_ = &rs;
    const auto* files = dynamic_cast<const PcapFileSource*>(&src);
    live_ = dynamic_cast<LiveSource*>(&src) != nullptr;
    if (p_.cfg_.stats_interval)
        p_.stats_ = std::make_unique<StatsLog>(p_.logs_, live_ ? src.describe() : "");
    // From here on analytics, the logs and stats.log belong to the merge thread.
    merger_ = std::thread([this] { merge_loop(); });
    pthread_setname_np(merger_.native_handle(), "sw-merge");
    for (;;) {
        if (output_failed_.load(std::memory_order_relaxed)) {
            rs.output_failed = true;
            break;
        }
        if (ctl_ && ctl_->stop.load(std::memory_order_relaxed) > 0) {
            rs.stopped = true;
            break;
        }
        const ReadResult r = src.next(raw);
        if (r == ReadResult::end) break;
        if (r == ReadResult::idle) {
            tick(raw.ts - kSecond);
            flush(pos_key_);  // tick() may have had nothing to add
            continue;
        }
        ++rs.packets;
        rs.captured_bytes += raw.data.size();
        rs.wire_bytes += raw.wirelen;
        if (p_.held_) release_held(p_.clock_.agrees(raw.ts, p_.held_raw_.ts), pkt);
        if (files && files->file_index() != p_.file_index_) {
            p_.file_index_ = files->file_index();
            p_.clock_.discontinuity();
        }
        if (p_.clock_.far(raw.ts)) {
            p_.held_data_.assign(raw.data.begin(), raw.data.end());
            p_.held_raw_ = raw;
            p_.held_raw_.data = Bytes(p_.held_data_.data(), p_.held_data_.size());
            p_.held_ = true;
            continue;
        }
        p_.clock_.observe(raw.ts);
        process(raw, pkt);
        if (progress && (rs.packets & 0x3fff) == 0) progress(src);
    }
    if (p_.held_ && !rs.output_failed) release_held(false, pkt);
    const bool finish_flows = !rs.output_failed && !again();
    finish(finish_flows, p_.stats_ && !rs.output_failed);
    for (auto& w : p_.workers_) {
        rs.flows_abandoned += w->flows_abandoned();
        p_.engine_->add_stats(w->engine().stats());
    }
    rs.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rs;
}

RunStats Pipeline::run_threaded(PacketSource& src, const std::function<void(const PacketSource&)>& progress,
                                RunControl* ctl) {
    ThreadedRun t(*this, ctl);
    return t.run(src, progress);
}

}  // namespace sw
