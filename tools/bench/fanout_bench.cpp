// fanout_bench: the PACKET_FANOUT alternative to --threads' one reader
// (issue 12, "Live with threads"; docs/performance.md "Live: one reader vs
// PACKET_FANOUT"). A measurement tool, not part of stagewatch.
//
// Opens N libpcap handles on one interface exactly as `stagewatch -i` opens
// one (capture/live_source.cpp: same snaplen, buffer size, promiscuous mode,
// block timeout, non-blocking reads with poll), activates each, then joins
// every handle's packet socket to one fanout group (PACKET_FANOUT_HASH |
// PACKET_FANOUT_FLAG_DEFRAG: the kernel reassembles IP fragments and sends
// each packet to the socket its symmetric flow hash picks). One thread per
// socket then does what one stagewatch worker does: decode (capture/decode.h)
// and its own FlowEngine with the normal dissectors (SMB, SSH). Events are
// counted and discarded: no merge, no analytics, no logs (stagewatch's reader
// also does those, so this is less work than `stagewatch --threads N`).
//
// At the end it prints, per socket, pcap_stats (received, kernel drops),
// packets processed, flows ended, events and the thread's CPU time, and the
// check that makes hash fanout usable at all: flows (5-tuple, both
// directions folded) that ended on more than one socket (must be 0), and SMB
// servers whose connections were spread over several sockets (the SMB
// multichannel directory would need them in one place).
//
//   fanout_bench IFACE N [--duration S] [--idle S] [--group ID] [--mode hash|lb] [stagewatch options...]
//
// --mode lb (PACKET_FANOUT_LB, round robin) spreads packets without regard to
// flows: it exists so that tests/live/fanout_test.sh can show the check
// below finds split flows when there are some.
// stagewatch options are parsed by stagewatch's own parser (e.g.
// --capture.snaplen, --capture.buffer-size, --seed, --flow.*, --tcp.*,
// --memory.limit); -i IFACE is added. Stops on SIGINT/SIGTERM, after
// --duration seconds, or after --idle seconds without a packet once packets
// have come. Exit status: 0, 1 on usage errors, 5 when the capture cannot be
// opened or fanout cannot be set, 6 when a flow was seen on two sockets.
#include <linux/if_packet.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "app/pipeline.h"
#include "capture/decode.h"
#include "capture/engine.h"
#include "capture/live_source.h"
#include "config/config.h"
#include "dissectors/all.h"
#include "dissectors/registry.h"

namespace {

using namespace sw;

std::atomic<int> g_stop{0};
extern "C" void on_signal(int) { g_stop.store(1, std::memory_order_relaxed); }

// A flow's 5-tuple with both directions folded into one (plus VLANs).
struct FlowKey5 {
    IpAddr a, b;
    std::uint16_t pa = 0, pb = 0;
    std::uint8_t proto = 0;
    std::uint16_t vlan = 0, inner_vlan = 0;
    auto tie() const { return std::tie(a, pa, b, pb, proto, vlan, inner_vlan); }
    bool operator<(const FlowKey5& o) const { return tie() < o.tie(); }
    bool operator==(const FlowKey5& o) const { return tie() == o.tie(); }
};

FlowKey5 fold(const ConnId& id) {
    FlowKey5 k;
    const bool swap = std::tie(id.resp_h, id.resp_p) < std::tie(id.orig_h, id.orig_p);
    k.a = swap ? id.resp_h : id.orig_h;
    k.pa = swap ? id.resp_p : id.orig_p;
    k.b = swap ? id.orig_h : id.resp_h;
    k.pb = swap ? id.orig_p : id.resp_p;
    k.proto = id.ip_proto;
    k.vlan = id.vlan;
    k.inner_vlan = id.inner_vlan;
    return k;
}

bool smb_port(std::uint16_t p) { return p == 445 || p == 139; }

// One socket of the group and the thread that reads it: decode + FlowEngine
// + dissectors, as one stagewatch worker (app/pipeline_threads.cpp), with
// its own decoder because nobody decodes for it.
class SocketWorker final : public FlowSink, public EventSink {
public:
    SocketWorker(const Config& cfg, std::uint32_t index, std::uint32_t n, MemoryBudget* budget)
        : index_(index), src_(cfg.live), decoder_(cfg.decoder), registry_(*this, cfg.registry) {
        register_dissectors(registry_, cfg.dissectors);
        // What worker_flow_config gives a --threads worker, except that this
        // engine runs its own expiry: it sees every packet of its flows and
        // there is no reader to drive it.
        FlowConfig fc = cfg.flow;
        fc.budget = budget;
        fc.server_ports = default_server_ports();
        for (std::uint16_t p : registry_.server_ports()) fc.server_ports.push_back(p);
        fc.worker = index;
        fc.progress_interval = progress_interval(cfg);
        fc.max_flows = std::max<std::size_t>(1, cfg.flow.max_flows / n);
        fc.reassembly_memcap = std::max<std::uint64_t>(1u << 20, cfg.flow.reassembly_memcap / n);
        engine_ = std::make_unique<FlowEngine>(fc, &registry_, *this);
        flows_.reserve(1 << 16);
    }

    int fd() const { return src_.selectable_fd(0); }
    void start() {
        thread_ = std::thread([this] { loop(); });
        char name[16];
        std::snprintf(name, sizeof name, "fanout-%u", index_);
        pthread_setname_np(thread_.native_handle(), name);
    }
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    std::uint64_t packets() const { return packets_.load(std::memory_order_relaxed); }

    // FlowSink / EventSink: counted, nothing else (no merge, analytics, logs).
    void on_conn(const ConnRecord& rec) override {
        ++conns_;
        flows_.push_back(fold(rec.id));
        if (rec.id.ip_proto == 6 && smb_port(rec.id.resp_p)) smb_servers_.push_back(rec.id.resp_h);
    }
    void on_weird(const WeirdRecord&) override { ++weirds_; }
    void on_event(const Event&) override { ++events_; }

    // After join().
    InterfaceStats kernel() const { return src_.stats().at(0); }
    std::uint64_t conns() const { return conns_; }
    std::uint64_t events() const { return events_; }
    std::uint64_t weirds() const { return weirds_; }
    std::uint64_t not_decoded() const { return not_decoded_; }
    double cpu_seconds() const { return cpu_; }
    const std::vector<FlowKey5>& flows() const { return flows_; }
    const std::vector<IpAddr>& smb_servers() const { return smb_servers_; }

private:
    void loop() {
        RawPacket raw;
        DecodedPacket pkt;
        std::uint64_t n = 0;
        Timestamp next_frag_expiry = 0;
        // Bounded: the source returns at least every block timeout (100 ms),
        // and every return checks the stop flag.
        while (g_stop.load(std::memory_order_relaxed) == 0) {
            const ReadResult r = src_.next(raw);
            if (r == ReadResult::end) break;
            if (r == ReadResult::idle) {
                engine_->advance(raw.ts - kSecond);  // as stagewatch's idle tick
                continue;
            }
            packets_.store(++n, std::memory_order_relaxed);
            const DecodeStatus s = decoder_.decode(raw.linktype, raw.ts, raw.data, raw.wirelen, pkt);
            if (s == DecodeStatus::ok) {
                engine_->process(pkt);
            } else {
                ++not_decoded_;
                engine_->advance(raw.ts);
            }
            if (raw.ts >= next_frag_expiry) {
                decoder_.expire(raw.ts);
                next_frag_expiry = raw.ts + kSecond;
            }
        }
        engine_->finish();
        timespec t{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        cpu_ = static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
    }

    std::uint32_t index_;
    LiveSource src_;
    PacketDecoder decoder_;
    DissectorRegistry registry_;
    std::unique_ptr<FlowEngine> engine_;
    alignas(64) std::atomic<std::uint64_t> packets_{0};
    std::uint64_t conns_ = 0, events_ = 0, weirds_ = 0, not_decoded_ = 0;
    double cpu_ = 0;
    std::vector<FlowKey5> flows_;
    std::vector<IpAddr> smb_servers_;
    std::thread thread_;
};

// How many keys of `per_socket` (each sorted, unique) occur in more than one
// socket's list; `distinct` gets the number of different keys in all.
template <class T>
std::uint64_t on_several(const std::vector<std::vector<T>>& per_socket, std::uint64_t& distinct) {
    std::vector<std::pair<T, std::size_t>> all;
    for (std::size_t s = 0; s < per_socket.size(); ++s)
        for (const T& k : per_socket[s]) all.emplace_back(k, s);
    std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::uint64_t several = 0;
    distinct = 0;
    for (std::size_t i = 0; i < all.size();) {
        std::size_t j = i + 1;
        while (j < all.size() && all[j].first == all[i].first) ++j;
        ++distinct;
        if (j - i > 1) ++several;  // lists are unique: several entries = several sockets
        i = j;
    }
    return several;
}

template <class T>
std::vector<T> sorted_unique(std::vector<T> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

int usage() {
    std::fprintf(stderr,
                 "usage: fanout_bench IFACE N [--duration S] [--idle S] [--group ID] [--mode hash|lb]\n"
                 "                    [stagewatch options...]\n"
                 "  N sockets (1 to 64) in one PACKET_FANOUT group (hash, defrag) on IFACE, one decode +\n"
                 "  flow engine + dissectors thread each; stops on SIGINT/SIGTERM, after --duration\n"
                 "  seconds, or --idle seconds after the last packet (0: off; default 0 for both).\n"
                 "  stagewatch options (--capture.snaplen, --capture.buffer-size, --seed, ...) are\n"
                 "  parsed by stagewatch's parser.\n");
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return usage();
    const std::string iface = argv[1];
    const long n_arg = std::strtol(argv[2], nullptr, 10);
    if (n_arg < 1 || n_arg > 64) return usage();
    const auto n = static_cast<std::uint32_t>(n_arg);
    double duration = 0, idle = 0;
    int group = static_cast<int>(::getpid() & 0xffff);
    int mode = PACKET_FANOUT_HASH;
    std::vector<std::string> sw_args = {"stagewatch", "-i", iface};
    for (int i = 3; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--mode" && i + 1 < argc) {
            const std::string_view m = argv[++i];
            if (m == "hash") mode = PACKET_FANOUT_HASH;
            else if (m == "lb") mode = PACKET_FANOUT_LB;
            else return usage();
        } else if ((a == "--duration" || a == "--idle" || a == "--group") && i + 1 < argc) {
            const double v = std::strtod(argv[++i], nullptr);
            if (v < 0) return usage();
            if (a == "--duration") duration = v;
            else if (a == "--idle") idle = v;
            else group = static_cast<int>(v) & 0xffff;
        } else {
            sw_args.emplace_back(a);
        }
    }
    Config cfg;
    try {
        std::vector<const char*> av;
        for (const auto& s : sw_args) av.push_back(s.c_str());
        ParseOutcome parsed = parse_config(static_cast<int>(av.size()), av.data());
        if (parsed.action != ParseOutcome::Action::run) {
            std::fputs(parsed.text.c_str(), stdout);
            return 0;
        }
        cfg = std::move(parsed.config);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fanout_bench: %s\n", e.what());
        return usage();
    }

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    // Open and activate every handle first, then join them all to the group:
    // until then each socket sees every packet (nothing is sent before the
    // "capturing" line below).
    MemoryBudget budget(cfg.memory_limit);
    std::vector<std::unique_ptr<SocketWorker>> workers;
    try {
        for (std::uint32_t i = 0; i < n; ++i) workers.push_back(std::make_unique<SocketWorker>(cfg, i, n, &budget));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fanout_bench: %s\n", e.what());
        return 5;
    }
    const int fanout_arg = group | ((mode | PACKET_FANOUT_FLAG_DEFRAG) << 16);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (::setsockopt(workers[i]->fd(), SOL_PACKET, PACKET_FANOUT, &fanout_arg, sizeof fanout_arg) != 0) {
            std::fprintf(stderr, "fanout_bench: socket %u: cannot join fanout group %d: %s\n", i, group,
                         std::strerror(errno));
            return 5;
        }
    }
    std::fprintf(stderr,
                 "fanout_bench: capturing on %s with %u sockets in fanout group %d (%s, defrag; snaplen %u, "
                 "buffer %llu bytes per socket)\n",
                 iface.c_str(), n, group, mode == PACKET_FANOUT_HASH ? "hash" : "lb", cfg.live.snaplen, static_cast<unsigned long long>(cfg.live.buffer_size));

    const auto t0 = std::chrono::steady_clock::now();
    for (auto& w : workers) w->start();
    // Bounded: every 20 ms the stop conditions are checked.
    std::uint64_t last_total = 0;
    auto last_change = t0;
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const auto now = std::chrono::steady_clock::now();
        std::uint64_t total = 0;
        for (const auto& w : workers) total += w->packets();
        if (total != last_total) last_total = total, last_change = now;
        if (g_stop.load(std::memory_order_relaxed)) break;
        if (duration > 0 && std::chrono::duration<double>(now - t0).count() >= duration) break;
        if (idle > 0 && total > 0 && std::chrono::duration<double>(now - last_change).count() >= idle) break;
    }
    g_stop.store(1, std::memory_order_relaxed);
    for (auto& w : workers) w->join();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::uint64_t recv = 0, drop = 0, ifdrop = 0, pkts = 0, conns = 0, events = 0;
    double cpu = 0;
    std::vector<std::vector<FlowKey5>> flows(n);
    std::vector<std::vector<IpAddr>> smb(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        const SocketWorker& w = *workers[i];
        const InterfaceStats k = w.kernel();
        flows[i] = sorted_unique(w.flows());
        smb[i] = sorted_unique(w.smb_servers());
        std::printf("socket %u: received %llu kernel_drops %llu if_drops %llu processed %llu flows %llu "
                    "distinct_5tuples %zu events %llu weirds %llu not_decoded %llu cpu %.2f s\n",
                    i, static_cast<unsigned long long>(k.received), static_cast<unsigned long long>(k.dropped),
                    static_cast<unsigned long long>(k.if_dropped), static_cast<unsigned long long>(w.packets()),
                    static_cast<unsigned long long>(w.conns()), flows[i].size(),
                    static_cast<unsigned long long>(w.events()), static_cast<unsigned long long>(w.weirds()),
                    static_cast<unsigned long long>(w.not_decoded()), w.cpu_seconds());
        recv += k.received, drop += k.dropped, ifdrop += k.if_dropped, pkts += w.packets();
        conns += w.conns(), events += w.events(), cpu += w.cpu_seconds();
    }
    std::printf("total: received %llu kernel_drops %llu if_drops %llu processed %llu flows %llu events %llu "
                "cpu %.2f s wall %.2f s\n",
                static_cast<unsigned long long>(recv), static_cast<unsigned long long>(drop),
                static_cast<unsigned long long>(ifdrop), static_cast<unsigned long long>(pkts),
                static_cast<unsigned long long>(conns), static_cast<unsigned long long>(events), cpu, wall);
    std::uint64_t distinct_flows = 0, distinct_smb = 0;
    const std::uint64_t split_flows = on_several(flows, distinct_flows);
    const std::uint64_t split_smb = on_several(smb, distinct_smb);
    std::printf("check: flows on more than one socket: %llu of %llu\n", static_cast<unsigned long long>(split_flows),
                static_cast<unsigned long long>(distinct_flows));
    std::printf("check: SMB servers with connections on more than one socket: %llu of %llu\n",
                static_cast<unsigned long long>(split_smb), static_cast<unsigned long long>(distinct_smb));
    std::fflush(stdout);
    return split_flows ? 6 : 0;
}
