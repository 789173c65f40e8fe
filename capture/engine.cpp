#include "capture/engine.h"

#include <algorithm>
#include <cstdio>

#include "capture/util.h"

namespace sw {
namespace {

constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;

UidGenerator make_uids(const FlowConfig& cfg) {
    if (!cfg.seeded) return UidGenerator::from_entropy();
    return UidGenerator(cfg.seed ^ (std::uint64_t{cfg.worker} * 0xD1B54A32D192ED03ull));
}

void add_reasm_stats(ReassemblyStats& to, const ReassemblyStats& s) {
    to.delivered += s.delivered;
    to.skipped += s.skipped;
    to.gap_bytes += s.gap_bytes;
    to.gaps += s.gaps;
    to.retransmitted += s.retransmitted;
    to.overlap += s.overlap;
    to.ooo_segments += s.ooo_segments;
    to.forced_gaps += s.forced_gaps;
    to.inconsistent += s.inconsistent;
}

}  // namespace

FlowEngine::FlowEngine(const FlowConfig& cfg, ConsumerFactory* factory, FlowSink& sink)
    : cfg_(cfg),
      factory_(factory),
      sink_(sink),
      table_(cfg.max_flows, cfg.budget),
      pool_(cfg.reassembly_memcap, cfg.budget),
      uids_(make_uids(cfg)),
      hash_(cfg.hash),
      timer_(cfg.progress_interval),
      budget_(cfg.budget),
      pool_high_(cfg.reassembly_memcap - cfg.reassembly_memcap / 8),
      pool_low_(cfg.reassembly_memcap - cfg.reassembly_memcap / 4) {
    for (std::uint16_t p : cfg_.server_ports) server_ports_.set(p);
}

FlowEngine::~FlowEngine() = default;

ReassemblyCtx FlowEngine::ctx(Flow* f, Dir d) {
    return ReassemblyCtx{f->consumer.get(), d, pool_, cfg_.max_ooo_bytes, &table_.reassembly_exts()};
}

Flow* FlowEngine::create(const FlowKey& key, std::uint64_t hash, const DecodedPacket& p) {
    if (table_.full()) {
        if (Flow* victim = table_.oldest_idle()) {
            ++stats_.flows_evicted;
            end_flow(victim, "evicted");
        }
    }
    Flow* f = table_.insert(key, hash);
    f->mem = budget_;
    ++stats_.flows_created;
    stats_.max_live_flows = std::max<std::uint64_t>(stats_.max_live_flows, table_.size());

    // Who is the originator? The sender of the first packet, unless that
    // packet is not a bare SYN and the port numbers say the sender is the
    // server (Zeek's WantConnection heuristic with likely_server_ports).
    bool flip = false;
    if (p.proto == kTcp) {
        bool bare_syn = (p.tcp_flags & tcpflag::syn) && !(p.tcp_flags & tcpflag::ack);
        if (!bare_syn && likely_server(p.sport))
            flip = likely_server(p.dport) ? p.dport > p.sport : true;
    } else if (p.proto == kUdp) {
        flip = likely_server(p.sport) && !likely_server(p.dport);
    }

    ConnId& id = f->id;
    id = ConnId{};
    id.orig_h = flip ? p.dst : p.src;
    id.orig_p = flip ? p.dport : p.sport;
    id.resp_h = flip ? p.src : p.dst;
    id.resp_p = flip ? p.sport : p.dport;
    id.ip_proto = p.proto;
    id.proto = p.proto == kTcp ? Transport::tcp : p.proto == kUdp ? Transport::udp : Transport::unknown;
    id.vlan = p.vlan;
    id.inner_vlan = p.inner_vlan;
    id.uid_len = static_cast<std::uint8_t>(uids_.next('C', id.uid_buf.data()));
    f->a_is_orig = id.orig_h == key.a && id.orig_p == key.pa;

    f->start = f->last = p.ts;
    f->pkts[0] = f->pkts[1] = 0;
    f->ip_bytes[0] = f->ip_bytes[1] = 0;
    f->tcp = TcpConnState{};
    for (auto& r : f->reasm) r.reset();
    if (p.proto == kUdp) f->udp = UdpFlowExtra{};
    else f->tcpx = TcpFlowExtra{};
    f->consumer.reset();
    f->consumer_made = false;
    if (flip) {
        f->tcp.mark_flipped();
        if (p.proto == kUdp) f->udp.add_history('^');
    }
    return f;
}

Flow* FlowEngine::lookup(const DecodedPacket& p, bool& is_new) {
    bool src_is_a = false;
    FlowKey key = make_flow_key(p, src_is_a);
    std::uint64_t h = flow_hash(key, hash_);
    Flow* f = table_.find(key, h);
    if (f && expired(f, p.ts)) {
        end_flow(f, f->tclass == TimeoutClass::closed ? "closed" : "timeout");
        f = nullptr;
    }
    if (f && p.proto == kTcp && (p.tcp_flags & tcpflag::syn) && !(p.tcp_flags & tcpflag::ack) &&
        !(p.tcp_flags & tcpflag::rst) && f->tcp.reusable()) {
        // A new SYN on a finished connection starts a new one (Zeek's IsReuse).
        bool from_orig = p.src == f->id.orig_h && p.sport == f->id.orig_p;
        if (!from_orig || p.seq != f->tcp.ep(Dir::orig).start_seq) {
            ++stats_.flows_reused;
            end_flow(f, "closed");
            f = nullptr;
        }
    }
    is_new = f == nullptr;
    if (!f) f = create(key, h, p);
    return f;
}

void FlowEngine::process(const DecodedPacket& p) {
    ++stats_.packets;
    if (p.ts > now_) now_ = p.ts;
    if (timer_.due(now_) && !cfg_.external_expiry) housekeep();
    if (p.proto != kTcp && p.proto != kUdp) return;
    // One relaxed load per packet; the accounting itself happens where memory
    // is taken and given back.
    if (budget_) {
        const std::uint64_t used = budget_->used();
        budget_->note_peak(used);
        if (used > budget_->high_water()) relieve(p.ts);
    }
    // The block pool's own cap (tcp.memcap) is a budget too: near it the
    // largest out-of-order holders give way, so that one flooding flow
    // cannot leave every other flow without blocks.
    if (pool_.bytes_in_use() > pool_high_) relieve(p.ts);

    bool is_new = false;
    Flow* f = lookup(p, is_new);
    Dir d = (p.src == f->id.orig_h && p.sport == f->id.orig_p) ? Dir::orig : Dir::resp;
    // A flow to itself (same address and port) is all "orig".
    f->pkts[idx(d)] += 1;
    f->ip_bytes[idx(d)] += p.ip_bytes;

    if (p.proto == kTcp) {
        ++stats_.tcp_packets;
        handle_tcp(f, d, p);
    } else {
        ++stats_.udp_packets;
        handle_udp(f, d, p);
    }
    reschedule(f);
}

void FlowEngine::count_gaps(Flow* f, Dir d, std::uint64_t gaps_before) {
    if (f->reasm[idx(d)].gaps() != gaps_before) f->tcp.on_gap(d);
}

void FlowEngine::handle_tcp(Flow* f, Dir d, const DecodedPacket& p) {
    const bool both_closed_before = f->tcp.both_closed();
    TcpVerdict v = f->tcp.on_packet(d, p.tcp_flags, p.seq, p.ack, p.payload_len, p.window);
    if (!both_closed_before) f->last = p.ts;  // Zeek stops the clock once both sides closed

    // Both directions' reassemblers start as soon as their endpoint's
    // sequence numbering is known, so acknowledgements are recorded too.
    for (Dir x : {d, other(d)}) {
        TcpReassembler& r = f->reasm[idx(x)];
        const TcpEndpoint& e = f->tcp.ep(x);
        if (e.state == TcpState::inactive) continue;
        if (r.started() && f->tcpx.reasm_base[idx(x)] != e.start_seq) {
            // The endpoint's sequence space was re-initialised (SYN seq jump):
            // whatever was pending belongs to the old numbering.
            r.flush(p.ts, ctx(f, x));
            r.release(pool_);
            r.reset();
        }
        if (!r.started()) {
            r.start(0);
            f->tcpx.reasm_base[idx(x)] = e.start_seq;
            f->tcpx.acked_end[idx(x)] = 0;
        }
    }

    // The ACK tells how far the other direction's receiver got.
    if (v.ack_valid && v.ack_off > 0) {
        Dir o = other(d);
        TcpReassembler& r = f->reasm[idx(o)];
        const TcpEndpoint& e = f->tcp.ep(o);
        std::int64_t ack_off = v.ack_off;
        // An ACK of the FIN is not an ACK of data.
        if (e.fin_cnt > 0 && ack_off > e.fin_rel - 1) ack_off = e.fin_rel - 1;
        // Capture loss as Zeek counts it: ACKs that acknowledge new data, and
        // those that acknowledged data never seen (the ACK made a gap).
        const bool new_ack = r.started() && ack_off > 0 && static_cast<std::uint64_t>(ack_off) > f->tcpx.acked_end[idx(o)];
        if (new_ack) {
            f->tcpx.acked_end[idx(o)] = static_cast<std::uint64_t>(ack_off);
            ++stats_.ack_events;
        }
        if (r.started() && ack_off > 0 && static_cast<std::uint64_t>(ack_off) > r.next()) {
            std::uint64_t g = r.gaps();
            r.ack(static_cast<std::uint64_t>(ack_off), p.ts, ctx(f, o));
            if (new_ack && r.gaps() > g) ++stats_.ack_gap_events;
            count_gaps(f, o, g);
        }
    }

    if (v.deliver) {
        TcpReassembler& r = f->reasm[idx(d)];
        if (!f->consumer_made) {
            f->consumer_made = true;
            if (factory_) f->consumer = factory_->create(f->id);
            if (f->consumer) f->consumer->attach(*f);
        }
        std::uint64_t g = r.gaps();
        const std::uint64_t inconsistent = r.inconsistent();
        const auto off = static_cast<std::uint64_t>(v.data_off);
        const std::size_t skip = std::min<std::size_t>(v.skip, p.payload.size());
        r.add(off, p.payload.subspan(skip), p.ts, ctx(f, d));
        if (p.payload_truncated()) {
            // Bytes the snap length cut, less any of the skipped ones among them.
            const std::uint64_t cut = p.payload_len - p.payload.size() - (v.skip - skip);
            r.add_uncaptured(off + p.payload.size() - skip, cut, p.ts, ctx(f, d));
        }
        count_gaps(f, d, g);
        // Zeek's weird, once per flow and direction (the count is in tcp.inconsistent).
        if (inconsistent == 0 && r.inconsistent()) {
            WeirdRecord w;
            w.ts = p.ts;
            w.id = f->id;
            w.name = "rexmit_inconsistency";
            w.addl = d == Dir::orig ? "orig" : "resp";
            w.source = "TCP";
            sink_.on_weird(w);
        }
    }
    if (v.closed_now) ++stats_.flows_closed;
}

void FlowEngine::handle_udp(Flow* f, Dir d, const DecodedPacket& p) {
    f->last = p.ts;
    f->udp.payload[idx(d)] += p.payload_len;
    // Zeek records one 'D' / 'd' for the first packet in each direction.
    f->udp.add_history(d == Dir::orig ? 'D' : 'd');
}

void FlowEngine::reschedule(Flow* f) {
    if (f->id.proto == Transport::tcp) {
        if (f->tcp.close_complete()) {
            // The clock for removal starts when the close completes and is not
            // pushed back by late packets.
            if (f->tclass != TimeoutClass::closed || !f->linked)
                table_.schedule(f, TimeoutClass::closed, f->last + cfg_.tcp_close_delay);
        } else if (f->tcp.attempt()) {
            if (f->tclass != TimeoutClass::attempt || !f->linked)
                table_.schedule(f, TimeoutClass::attempt, f->start + cfg_.tcp_attempt);
        } else {
            table_.schedule(f, TimeoutClass::tcp, f->last + cfg_.tcp_inactivity);
        }
    } else if (f->id.proto == Transport::udp) {
        table_.schedule(f, TimeoutClass::udp, f->last + cfg_.udp_inactivity);
    } else {
        table_.schedule(f, TimeoutClass::other, f->last + cfg_.other_inactivity);
    }
}

void FlowEngine::expire(Timestamp now) {
    for (int c = 0; c < static_cast<int>(TimeoutClass::count_); ++c) {
        auto tc = static_cast<TimeoutClass>(c);
        while (Flow* f = table_.head(tc)) {
            if (!expired(f, now)) break;
            if (end_order_) end_order_->on_end_order(static_cast<std::uint64_t>(c), static_cast<std::uint64_t>(f->deadline));
            if (tc != TimeoutClass::closed) ++stats_.flows_timed_out;
            end_flow(f, tc == TimeoutClass::closed ? "closed" : "timeout");
        }
    }
}

Timestamp HousekeepTimer::fire(Timestamp now) {
    Timestamp tick = -1;
    next_check_ = now + kSecond;
    if (progress_ <= 0) return tick;
    if (next_progress_ == 0) {
        next_progress_ = (now / progress_ + 1) * progress_;
    } else if (now >= next_progress_) {
        // Bytes counted so far all came before this boundary (the previous
        // packet was before it): they belong to the interval ending there,
        // even when packet time jumped over several.
        tick = next_progress_ - 1;
        next_progress_ = (now / progress_ + 1) * progress_;
    }
    next_check_ = std::min(next_check_, next_progress_);
    return tick;
}

void FlowEngine::housekeep() {
    expire(now_);
    const Timestamp last = timer_.fire(now_);
    if (last < 0) return;
    table_.for_each([&](Flow* f) {
        if (!f->consumer) return;
        // With --threads N, where this flow's events go among the workers'
        // (after every flow ended at this step: classes past the last).
        if (end_order_)
            end_order_->on_end_order(static_cast<std::uint64_t>(TimeoutClass::count_) + static_cast<std::uint64_t>(f->tclass),
                                     static_cast<std::uint64_t>(f->deadline));
        TickState st;
        for (Dir d : {Dir::orig, Dir::resp}) st.skip_left[idx(d)] = f->reasm[idx(d)].pending_skip();
        f->consumer->on_tick(last, st);
    });
}

void FlowEngine::advance(Timestamp now) {
    if (now > now_) now_ = now;
    housekeep();
}

void FlowEngine::end_flow(Flow* f, std::string_view reason) {
    // Deliver what is still buffered, declaring the holes, then let the
    // consumer flush its own state.
    for (Dir d : {Dir::orig, Dir::resp}) {
        TcpReassembler& r = f->reasm[idx(d)];
        if (r.buffered() || r.started()) {
            r.flush(f->last, ctx(f, d));
            r.release(pool_);
        }
    }
    if (f->consumer) f->consumer->on_flow_end(f->last);

    ConnRecord rec;
    rec.id = f->id;
    rec.ts = f->start;
    rec.duration = f->last - f->start;
    rec.sized = rec.duration > 0;
    rec.orig_pkts = f->pkts[0];
    rec.resp_pkts = f->pkts[1];
    rec.orig_ip_bytes = f->ip_bytes[0];
    rec.resp_ip_bytes = f->ip_bytes[1];
    rec.end_reason = reason;
    if (f->consumer) rec.protocol = f->consumer->protocol();
    if (!cfg_.local_nets.empty()) {
        rec.local_orig = cfg_.local_nets.contains(f->id.orig_h);
        rec.local_resp = cfg_.local_nets.contains(f->id.resp_h);
    }
    if (f->id.proto == Transport::tcp) {
        rec.orig_bytes = f->tcp.size(Dir::orig);
        rec.resp_bytes = f->tcp.size(Dir::resp);
        rec.conn_state = f->tcp.conn_state();
        rec.history = f->tcp.history();
        const ReassemblyStats s0 = f->reasm[0].stats(), s1 = f->reasm[1].stats();
        rec.missed_bytes = s0.gap_bytes + s1.gap_bytes;
        add_reasm_stats(stats_.reassembly, s0);
        add_reasm_stats(stats_.reassembly, s1);
    } else {
        rec.orig_bytes = f->udp.payload[0];
        rec.resp_bytes = f->udp.payload[1];
        bool o = f->pkts[0] > 0, r = f->pkts[1] > 0;
        rec.conn_state = o ? (r ? "SF" : "S0") : (r ? "SHR" : "OTH");
        rec.history = f->udp.history_view();
    }
    sink_.on_conn(rec);
    table_.remove(f);
}

void FlowEngine::add_stats(const EngineStats& s) {
    stats_.packets += s.packets;
    stats_.tcp_packets += s.tcp_packets;
    stats_.udp_packets += s.udp_packets;
    stats_.flows_created += s.flows_created;
    stats_.flows_timed_out += s.flows_timed_out;
    stats_.flows_closed += s.flows_closed;
    stats_.flows_evicted += s.flows_evicted;
    stats_.flows_reused += s.flows_reused;
    stats_.max_live_flows += s.max_live_flows;  // an upper bound: the workers' peaks need not coincide
    stats_.ack_events += s.ack_events;
    stats_.ack_gap_events += s.ack_gap_events;
    add_reasm_stats(stats_.reassembly, s.reassembly);
    for (std::size_t k = 0; k < MemoryBudget::kSheds; ++k) stats_.memory_sheds[k] += s.memory_sheds[k];
}

// Memory pressure, in this order, each step until the budget is back at its
// low-water mark:
// 1. idle flows, oldest first: finished connections waiting for their close
//    delay and unanswered attempts (what a SYN flood leaves), then any flow
//    idle for kShedIdle or more. They are ended and logged as at a timeout.
// 2. out-of-order buffers, the largest first: flushed as at the flow's end
//    (buffered bytes delivered, holes declared as gaps).
// 3. dissector detail, the largest consumer first (pending requests, framing
//    buffers; see StreamConsumer::shed_detail).
// 4. flows, least recently active first, whatever they carry.
// Steps 2-4 look at every flow to find the largest; they run only once the
// cheaper steps are exhausted, and each run frees 1/8 of the budget.
namespace {
constexpr Duration kShedIdle = 10 * kSecond;
constexpr int kMaxScans = 16;  // steps 2 and 3: largest-first picks per relief
}  // namespace

Flow* FlowEngine::idle_victim(Timestamp now) const {
    Flow* best = nullptr;
    for (TimeoutClass c : {TimeoutClass::closed, TimeoutClass::attempt}) {
        Flow* f = table_.head(c);
        if (f && (!best || f->last < best->last)) best = f;
    }
    if (best) return best;
    Flow* f = table_.oldest_idle();
    return f && now - f->last >= kShedIdle ? f : nullptr;
}

void FlowEngine::shed(MemoryShed kind, Flow* f, Timestamp now, std::uint64_t bytes) {
    if (budget_) budget_->count_shed(kind);
    const std::uint64_t n = ++stats_.memory_sheds[static_cast<std::size_t>(kind)];
    if (!sampled_occurrence(n)) return;  // Zeek's 1st, 10th, 100th ... sampling
    WeirdRecord w;
    w.ts = now;
    w.id = f->id;
    w.name = MemoryBudget::shed_name(kind);
    char buf[160];
    std::snprintf(buf, sizeof buf, "%llu bytes of %llu used, limit %llu (%llu such shed%s)",
                  static_cast<unsigned long long>(bytes),
                  static_cast<unsigned long long>(budget_ ? budget_->used() : pool_.bytes_in_use()),
                  static_cast<unsigned long long>(budget_ ? budget_->limit() : cfg_.reassembly_memcap),
                  static_cast<unsigned long long>(n), n == 1 ? "" : "s");
    w.addl = buf;
    w.source = "capture";
    sink_.on_weird(w);
}

void FlowEngine::relieve(Timestamp now) {
    // Over the budget, or only over the block pool's cap (then only step 2).
    MemoryBudget* b = budget_;
    auto over = [&] { return b && b->used() > b->low_water(); };
    while (over()) {  // 1
        Flow* f = idle_victim(now);
        if (!f) break;
        shed(MemoryShed::idle_flow, f, now, FlowTable::kFlowCost);
        ++stats_.flows_evicted;
        end_flow(f, "evicted");
    }
    for (int i = 0; i < kMaxScans && pool_.bytes_in_use() > 0 && (over() || pool_.bytes_in_use() > pool_low_);
         ++i) {  // 2
        Flow* big = nullptr;
        std::uint64_t most = 0;
        table_.for_each([&](Flow* f) {
            const std::uint64_t n = f->reasm[0].held() + f->reasm[1].held();
            if (n > most) most = n, big = f;
        });
        if (!big) break;
        const std::uint64_t before = pool_.bytes_in_use();
        for (Dir d : {Dir::orig, Dir::resp}) {
            TcpReassembler& r = big->reasm[idx(d)];
            if (!r.held()) continue;
            const std::uint64_t g = r.gaps();
            r.flush(now, ctx(big, d));
            count_gaps(big, d, g);
        }
        shed(MemoryShed::ooo_buffer, big, now, before - pool_.bytes_in_use());
    }
    for (int i = 0; i < kMaxScans && over(); ++i) {  // 3
        Flow* big = nullptr;
        std::uint64_t most = 0;
        table_.for_each([&](Flow* f) {
            const std::uint64_t n = f->consumer ? f->consumer->memory() : 0;
            if (n > most) most = n, big = f;
        });
        if (!big) break;
        const std::uint64_t freed = big->consumer->shed_detail(now);
        if (freed == 0) break;  // the largest has no detail left to give
        shed(MemoryShed::dissector_state, big, now, freed);
    }
    while (over()) {  // 4
        Flow* f = table_.oldest_idle();
        if (!f) break;
        shed(MemoryShed::flow, f, now, FlowTable::kFlowCost);
        ++stats_.flows_evicted;
        end_flow(f, "evicted");
    }
}

std::size_t FlowEngine::finish(const std::function<bool()>& interrupted) {
    // Oldest first, so conn.log reads in time order as far as possible.
    while (Flow* f = table_.oldest_idle()) {
        if (interrupted && interrupted()) return table_.size();
        if (end_order_) end_order_->on_end_order(static_cast<std::uint64_t>(f->last), static_cast<std::uint64_t>(f->tclass));
        end_flow(f, "end_of_input");
    }
    return 0;
}

}  // namespace sw
