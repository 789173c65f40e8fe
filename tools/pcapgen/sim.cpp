#include "tools/pcapgen/sim.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>

#include "tools/pcapgen/checksum.h"

namespace pcapgen {
namespace {

std::string dotted(std::uint32_t ip) {
    char b[16];
    std::snprintf(b, sizeof b, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
    return b;
}

// Host number h in a /16: x.y.(h/250).(1 + h%250), never .0 or .255.
std::uint32_t host_ip(std::uint32_t net16, std::uint32_t h) {
    return net16 | ((h / 250) << 8) | (1 + h % 250);
}

constexpr const char* kUsers[] = {"jdoe",    "asmith",  "mjones",  "kwilson", "svc_backup",
                                  "lchen",   "rgarcia", "pnguyen", "dmiller", "administrator",
                                  "tbrown",  "egreen"};
constexpr const char* kServerPrefix[] = {"FS", "NAS", "FILESRV", "BACKUP", "SRV"};
constexpr const char* kClientBannersWindows[] = {
    "SSH-2.0-OpenSSH_for_Windows_8.1", "SSH-2.0-PuTTY_Release_0.78", "SSH-2.0-WinSCP_release_6.1.2"};
constexpr const char* kClientBannerLinux = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3";

}  // namespace

Sim::Sim(const Options& o, PcapWriter& out, Truth& truth)
    : opt_(o), out_(out), truth_(truth), rng_(o.seed, 0) {
    retransmit_threshold_ = chance_threshold(o.retransmit_rate);
    reorder_threshold_ = chance_threshold(o.reorder_rate);
    const double bg_fraction = std::max(0.0, 1.0 - o.smb_fraction - o.ssh_fraction);
    background_budget_ = std::min<std::uint64_t>(
        o.size, static_cast<std::uint64_t>(static_cast<double>(o.size) * bg_fraction + 0.5));

    pool_.reset(new std::uint8_t[kPoolSize]);
    {
        Rng pr(o.seed, 1);
        for (std::uint64_t i = 0; i < kPoolSize; i += 8) {
            const std::uint64_t v = pr.next();
            std::memcpy(pool_.get() + i, &v, 8);
        }
    }

    if (o.enterprise()) {
        setup_enterprise();
        heap_.reserve(actors_.size());
        return;
    }

    Rng hr(o.seed, 2);
    servers_.resize(o.servers);
    for (std::uint32_t i = 0; i < o.servers; ++i) {
        Host& h = servers_[i];
        h.ip = host_ip(0x0a0a0000, i);
        h.windows = hr.below(4) != 0;
        h.ttl = h.windows ? 128 : 64;
        h.ip_id = static_cast<std::uint16_t>(hr.next());
        char name[32];
        std::snprintf(name, sizeof name, "%s%02u", kServerPrefix[i % 5], i / 5 + 1);
        h.name = name;
        static constexpr const char* kServerBanners[] = {"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
                                                         "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3",
                                                         "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"};
        h.ssh_banner = hr.pick(kServerBanners);
    }
    clients_.resize(o.clients);
    for (std::uint32_t i = 0; i < o.clients; ++i) {
        Host& h = clients_[i];
        h.ip = host_ip(0x0a140000, i);
        h.windows = hr.below(5) != 0;
        h.ttl = h.windows ? 128 : 64;
        h.ip_id = static_cast<std::uint16_t>(hr.next());
        h.next_port = static_cast<std::uint16_t>(49152 + hr.below(16000));
        char name[32];
        std::snprintf(name, sizeof name, "%s-%04u", h.windows ? "WS" : "LX", i + 1);
        h.name = name;
        h.user = kUsers[i % 12];
        if (i >= 12) h.user += std::to_string(i / 12);
        h.ssh_banner = h.windows ? hr.pick(kClientBannersWindows) : kClientBannerLinux;
    }
    for (auto* v : {&servers_, &clients_})
        for (Host& h : *v) {
            h.ip_str = dotted(h.ip);
            h.mac[0] = 0x02;
            h.mac[1] = 0x00;
            h.mac[2] = static_cast<std::uint8_t>(h.ip >> 24);
            h.mac[3] = static_cast<std::uint8_t>(h.ip >> 16);
            h.mac[4] = static_cast<std::uint8_t>(h.ip >> 8);
            h.mac[5] = static_cast<std::uint8_t>(h.ip);
        }
    for (const Host& h : clients_) truth_.clients.push_back({h.ip_str, h.name, h.user});
    for (const Host& h : servers_) truth_.servers.push_back({h.ip_str, h.name, ""});

    // One foreground (SMB/SSH) and one background actor per client.
    for (std::uint32_t i = 0; i < o.clients * 2; ++i) {
        auto a = std::make_unique<Actor>();
        a->id = i;
        a->client = i / 2;
        a->background = (i % 2) == 1;
        a->rng = Rng(o.seed, 1000 + i);
        actors_.push_back(std::move(a));
    }
    heap_.reserve(actors_.size());
}

void Sim::push(Actor& a) {
    heap_.emplace_back(a.ready_ns, a.id);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
}

void Sim::run() {
    const std::uint64_t t0 = opt_.enterprise() ? truth_.enterprise.day0_ns : opt_.start_time * 1000000000ULL;
    clock_ns_ = t0;
    for (auto& a : actors_) {
        // Hosts start their work spread over the first 50 ms (enterprise
        // day: at their first planned session).
        if (opt_.enterprise())
            a->ready_ns = a->jobs.empty() ? t0 : a->jobs.front().start_ns;
        else
            a->ready_ns = t0 + a->rng.below(50000000);
        ++(a->background ? active_background_ : active_foreground_);
        push(*a);
    }
    while (!heap_.empty()) {
        std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
        const std::uint32_t id = heap_.back().second;
        heap_.pop_back();
        Actor& a = *actors_[id];
        step(a);
        if (a.finished) {
            --(a.background ? active_background_ : active_foreground_);
        } else {
            push(a);
        }
    }
    truth_.totals.first_ns = opt_.enterprise() ? truth_.enterprise.day0_ns : t0;
    truth_.totals.last_ns = clock_ns_;
}

void Sim::step(Actor& a) {
    if (a.q_len) {
        transmit(a);
        return;
    }
    // Run the workload until it queues frames or sleeps; start the next
    // workload when one ends. The bound only guards against a workload that
    // neither sends nor sleeps (a bug), which would otherwise spin forever.
    for (int guard = 0; guard < 1000; ++guard) {
        if (a.task.done()) {
            const Start s = start_workload(a);
            if (s == Start::kDone) {
                a.finished = true;
                return;
            }
            if (s == Start::kIdle) return;
        }
        a.sleeping = false;
        a.task.resume();
        if (a.q_len) {
            transmit(a);
            return;
        }
        if (a.sleeping) return;
    }
    std::fprintf(stderr, "pcapgen: internal error: actor %u makes no progress\n", a.id);
    a.finished = true;
}

void Sim::queue(Actor& a, int dir, const Msg& m, std::uint64_t delay_ns) {
    if (a.q_len == Actor::kQueue) {
        std::fprintf(stderr, "pcapgen: internal error: transmit queue full\n");
        std::abort();
    }
    TxItem& it = a.q[(a.q_head + a.q_len) % Actor::kQueue];
    it.data = true;
    it.dir = dir;
    it.flags = 0;
    it.delay_ns = delay_ns;
    it.msg = m;
    ++a.q_len;
}

void Sim::queue_ctl(Actor& a, int dir, std::uint8_t flags, std::uint64_t delay_ns) {
    queue(a, dir, Msg{}, delay_ns);
    TxItem& it = a.q[(a.q_head + a.q_len - 1) % Actor::kQueue];
    it.data = false;
    it.flags = flags;
}

void Sim::queue_connect(Actor& a) {
    const std::uint64_t half = a.conn.rtt_ns / 2;
    queue_ctl(a, kC2S, kSyn);
    queue_ctl(a, kS2C, kSyn | kAck, half);
    queue_ctl(a, kC2S, kAck, half);
}

void Sim::queue_close(Actor& a, int initiator, std::uint64_t delay_ns) {
    const std::uint64_t half = a.conn.rtt_ns / 2;
    queue_ctl(a, initiator, kFin | kAck, delay_ns);
    queue_ctl(a, initiator ^ 1, kFin | kAck, half + a.rng.range(10000, 200000));
    queue_ctl(a, initiator, kAck, half);
}

Msg Sim::head_msg(Actor& a, int slot, std::size_t len) const {
    Msg m;
    m.head = a.head[slot];
    m.head_len = static_cast<std::uint32_t>(len);
    return m;
}

Msg Sim::pool_msg(Actor& a, std::uint64_t len) {
    Msg m;
    m.pool_off = a.rng.below(kPoolSize);
    m.data_len = len;
    return m;
}

std::uint64_t Sim::server_delay(Actor& a, std::uint64_t lo_us, std::uint64_t hi_us) {
    return a.conn.rtt_ns / 2 + a.rng.range(lo_us, hi_us) * 1000;
}

void Sim::new_conn(Actor& a, Host& client, Host& server, std::uint16_t port, Kind kind) {
    TcpConn& c = a.conn;
    c = TcpConn{};
    c.kind = kind;
    // Windows stacks do not use TCP timestamps; Linux ones do.
    c.ts_opt = !client.windows || !server.windows ? a.rng.below(4) != 0 : a.rng.below(8) == 0;
    c.wscale = static_cast<std::uint8_t>(client.windows ? 8 : 7);
    c.mss = opt_.mtu - 40 - (c.ts_opt ? 12 : 0);
    c.rate_bps = a.rng.log_uniform(50000000, std::max<std::uint64_t>(opt_.link_rate, 50000000));
    c.rtt_ns = a.rng.log_uniform(100000, 2000000);
    TcpSide& s = c.side[kC2S];
    s.host = &client;
    s.port = client.next_port;
    // Next ephemeral port; 57000 is skipped because Wireshark decodes it as
    // IRC, which would make the reference dissection of random bytes noisy.
    do {
        client.next_port = static_cast<std::uint16_t>(client.next_port == 65535 ? 49152 : client.next_port + 1);
    } while (client.next_port == 57000);
    TcpSide& r = c.side[kS2C];
    r.host = &server;
    r.port = port;
    for (TcpSide* t : {&s, &r}) {
        t->isn = a.rng.u32();
        t->snd_nxt = t->isn;
        t->ts_base = a.rng.u32();
        t->win = static_cast<std::uint16_t>(a.rng.range(2048, 8192));
    }
    ++truth_.totals.tcp_connections;
}

std::uint64_t Sim::wire_estimate(const TcpConn& c, std::uint64_t payload) const {
    const std::uint64_t hdr = 54 + (c.ts_opt ? 12 : 0);
    const std::uint64_t ack = std::max<std::uint64_t>(60, hdr);
    const std::uint64_t segs = (payload + c.mss - 1) / c.mss;
    const double retx = opt_.retransmit_rate * static_cast<double>(segs) * static_cast<double>(c.mss + hdr);
    return payload + segs * hdr + segs / 2 * ack + static_cast<std::uint64_t>(retx);
}

std::uint64_t Sim::payload_for(const TcpConn& c, std::uint64_t wire) const {
    const std::uint64_t hdr = 54 + (c.ts_opt ? 12 : 0);
    const std::uint64_t ack = std::max<std::uint64_t>(60, hdr);
    const double per_seg = static_cast<double>(c.mss + hdr) + static_cast<double>(ack) / 2 +
                           opt_.retransmit_rate * static_cast<double>(c.mss + hdr);
    return static_cast<std::uint64_t>(static_cast<double>(wire) * c.mss / per_seg);
}

void Sim::copy_payload(const Msg& m, std::uint64_t pos, std::uint32_t len, std::uint8_t* dst) const {
    while (len > 0) {
        if (pos < m.head_len) {
            const std::uint32_t n = std::min<std::uint64_t>(len, m.head_len - pos);
            std::memcpy(dst, m.head + pos, n);
            dst += n;
            pos += n;
            len -= n;
        } else if (pos < std::uint64_t{m.head_len} + m.magic_len) {
            const std::uint64_t o = pos - m.head_len;
            const std::uint32_t n = std::min<std::uint64_t>(len, m.magic_len - o);
            std::memcpy(dst, m.magic + o, n);
            dst += n;
            pos += n;
            len -= n;
        } else {
            const std::uint64_t o = (m.pool_off + pos - m.head_len - m.magic_len) % kPoolSize;
            const std::uint32_t n = std::min<std::uint64_t>(len, kPoolSize - o);
            std::memcpy(dst, pool_.get() + o, n);
            dst += n;
            pos += n;
            len -= n;
        }
    }
}

void Sim::emit(Actor& a, int dir, std::uint8_t flags, std::uint32_t seq, const Msg* m, std::uint64_t pos,
               std::uint32_t len, bool retransmission) {
    TcpConn& c = a.conn;
    TcpSide& s = c.side[dir];
    TcpSide& r = c.side[dir ^ 1];
    const bool syn = (flags & kSyn) != 0;
    const std::uint32_t opt_len = syn ? (c.ts_opt ? 20 : 12) : (c.ts_opt ? 12 : 0);
    const std::uint32_t thl = 20 + opt_len;
    const std::uint32_t ip_len = 20 + thl + len;
    const std::uint32_t frame_len = std::max<std::uint32_t>(60, 14 + ip_len);

    const std::uint64_t ts = std::max(clock_ns_, a.ready_ns);
    clock_ns_ = ts + std::uint64_t{frame_len} * 8000000000ULL / opt_.link_rate;
    a.ready_ns = ts;
    truth_.totals.bytes_by_kind[c.kind] += frame_len;

    std::uint8_t* f = out_.frame(ts, frame_len);
    // Ethernet II
    std::memcpy(f, r.host->mac, 6);
    std::memcpy(f + 6, s.host->mac, 6);
    store_be16(f + 12, 0x0800);
    // IPv4, DF set, no options
    std::uint8_t* ip = f + 14;
    ip[0] = 0x45;
    ip[1] = 0;
    store_be16(ip + 2, ip_len);
    store_be16(ip + 4, s.host->ip_id++);
    store_be16(ip + 6, 0x4000);
    ip[8] = s.host->ttl;
    ip[9] = 6;
    store_be16(ip + 10, 0);
    store_be32(ip + 12, s.host->ip);
    store_be32(ip + 16, r.host->ip);
    const std::uint16_t ipsum = csum_finish(csum_add(0, ip, 20));
    std::memcpy(ip + 10, &ipsum, 2);
    // TCP
    std::uint8_t* t = ip + 20;
    store_be16(t, s.port);
    store_be16(t + 2, r.port);
    store_be32(t + 4, seq);
    store_be32(t + 8, (flags & kAck) ? r.snd_nxt : 0);
    t[12] = static_cast<std::uint8_t>((thl / 4) << 4);
    t[13] = flags;
    std::uint16_t win = s.win;
    if (syn) win = (flags & kAck) ? (s.host->windows ? 65535 : 65160) : 64240;
    store_be16(t + 14, win);
    store_be16(t + 16, 0);
    store_be16(t + 18, 0);
    std::uint8_t* o = t + 20;
    const std::uint32_t tsval = s.ts_base + static_cast<std::uint32_t>(ts / 1000000);
    const std::uint32_t tsecr = (flags & kAck) ? r.last_tsval : 0;
    if (syn) {
        const std::uint32_t mss_opt = opt_.mtu - 40;
        if (c.ts_opt) {  // Linux: MSS, SACK_PERM, TS, NOP, WS
            o[0] = 2, o[1] = 4, store_be16(o + 2, mss_opt);
            o[4] = 4, o[5] = 2;
            o[6] = 8, o[7] = 10, store_be32(o + 8, tsval), store_be32(o + 12, tsecr);
            o[16] = 1, o[17] = 3, o[18] = 3, o[19] = c.wscale;
        } else {  // Windows: MSS, NOP, WS, NOP, NOP, SACK_PERM
            o[0] = 2, o[1] = 4, store_be16(o + 2, mss_opt);
            o[4] = 1, o[5] = 3, o[6] = 3, o[7] = c.wscale;
            o[8] = 1, o[9] = 1, o[10] = 4, o[11] = 2;
        }
    } else if (c.ts_opt) {
        o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
        store_be32(o + 4, tsval);
        store_be32(o + 8, tsecr);
    }
    if (c.ts_opt) s.last_tsval = tsval;
    if (len) copy_payload(*m, pos, len, t + thl);
    const std::uint32_t tcp_len = thl + len;
    std::uint8_t pseudo[12];
    store_be32(pseudo, s.host->ip);
    store_be32(pseudo + 4, r.host->ip);
    pseudo[8] = 0;
    pseudo[9] = 6;
    store_be16(pseudo + 10, tcp_len);
    const std::uint16_t tsum = csum_finish(csum_add(csum_add(0, pseudo, 12), t, tcp_len));
    std::memcpy(t + 16, &tsum, 2);
    // Ethernet minimum frame: zero padding after the IP datagram.
    if (14 + ip_len < frame_len) std::memset(f + 14 + ip_len, 0, frame_len - 14 - ip_len);

    if (flags & kAck) r.unacked = 0;
    if (len) {
        ++truth_.totals.data_segments;
        if (retransmission) ++truth_.totals.retransmitted_segments;
    }
}

void Sim::transmit(Actor& a) {
    TxItem& it = a.q[a.q_head];
    if (!a.item_started) {
        a.item_started = true;
        a.item_pos = 0;
        if (it.delay_ns) {
            a.ready_ns += it.delay_ns;
            return;
        }
    }
    TcpConn& c = a.conn;
    TcpSide& s = c.side[it.dir];
    bool done = true;
    if (!it.data) {
        if (it.flags & kSyn) s.snd_nxt = s.isn;
        emit(a, it.dir, it.flags, s.snd_nxt, nullptr, 0, 0);
        if (it.flags & (kSyn | kFin)) ++s.snd_nxt;
    } else {
        if (a.item_pos == 0) a.item_seq0 = s.snd_nxt;
        const std::uint64_t total = it.msg.size();
        const std::uint64_t pos = a.item_pos;
        const std::uint32_t l1 = static_cast<std::uint32_t>(std::min<std::uint64_t>(c.mss, total - pos));
        const std::uint64_t bytes_before = out_.frame_bytes();
        const std::uint32_t seq1 = a.item_seq0 + static_cast<std::uint32_t>(pos);
        std::uint64_t next = pos + l1;
        if (next < total && a.rng.chance53(reorder_threshold_)) {
            // The capture sees the following segment first.
            const std::uint32_t l2 = static_cast<std::uint32_t>(std::min<std::uint64_t>(c.mss, total - next));
            const bool last2 = next + l2 == total;
            emit(a, it.dir, kAck | (last2 ? kPsh : 0), seq1 + l1, &it.msg, next, l2);
            emit(a, it.dir, kAck, seq1, &it.msg, pos, l1);
            next += l2;
            s.unacked += 2;
            ++truth_.totals.reordered_pairs;
        } else {
            const std::uint8_t fl = kAck | (next == total ? kPsh : 0);
            emit(a, it.dir, fl, seq1, &it.msg, pos, l1);
            if (a.rng.chance53(retransmit_threshold_)) emit(a, it.dir, fl, seq1, &it.msg, pos, l1, true);
            s.unacked += 1;
        }
        s.payload += next - pos;
        s.snd_nxt = a.item_seq0 + static_cast<std::uint32_t>(next);
        a.item_pos = next;
        // Delayed ACK: the receiver acknowledges every second segment.
        if (s.unacked >= 2) {
            TcpSide& r = c.side[it.dir ^ 1];
            emit(a, it.dir ^ 1, kAck, r.snd_nxt, nullptr, 0, 0);
        }
        const std::uint64_t step_bytes = out_.frame_bytes() - bytes_before;
        a.ready_ns += step_bytes * 8000000000ULL / c.rate_bps;
        done = next == total;
    }
    if (done) {
        a.q_head = (a.q_head + 1) % Actor::kQueue;
        --a.q_len;
        a.item_started = false;
        a.item_pos = 0;
    }
}

}  // namespace pcapgen
