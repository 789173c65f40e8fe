// The traffic simulator: hosts, TCP connections, and "actors" (one per
// client for SMB/SSH work, one per client for background flows) whose
// workloads are C++20 coroutines. A discrete-event scheduler always runs the
// actor with the earliest ready time, so flows interleave on the simulated
// link the way a SPAN port sees them; each frame is built in place in the
// pcap writer's buffer with correct IPv4 and TCP checksums.
//
// Time: every actor has a ready time; a frame is stamped max(link clock,
// ready) and occupies the link for len*8/link_rate. Per-flow pacing
// (conn.rate_bps), round trips (conn.rtt_ns) and server/client think times
// move ready forward.
#pragma once

#include <coroutine>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tools/pcapgen/buf.h"
#include "tools/pcapgen/options.h"
#include "tools/pcapgen/pcap_writer.h"
#include "tools/pcapgen/rng.h"
#include "tools/pcapgen/truth.h"

namespace pcapgen {

constexpr int kC2S = 0;  // client (orig) -> server (resp)
constexpr int kS2C = 1;

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

enum Kind { kSmb = 0, kSsh = 1, kBackground = 2 };

struct Host {
    std::uint32_t ip = 0;
    std::uint8_t mac[6] = {};
    std::uint16_t ip_id = 0;
    std::uint8_t ttl = 64;
    std::uint16_t next_port = 49152;
    bool windows = true;  // Windows-style TCP (no timestamps, TTL 128)
    std::string ip_str;
    std::string name;     // NetBIOS-style host name
    std::string user;     // clients: the account they authenticate as
    std::string ssh_banner;
};

// Bytes of one application message: a built head (headers), an optional
// magic prefix (first bytes of a file), then data bytes from the random pool.
struct Msg {
    const std::uint8_t* head = nullptr;
    std::uint32_t head_len = 0;
    const std::uint8_t* magic = nullptr;
    std::uint32_t magic_len = 0;
    std::uint64_t pool_off = 0;
    std::uint64_t data_len = 0;
    std::uint64_t size() const { return std::uint64_t{head_len} + magic_len + data_len; }
};

struct TcpSide {
    Host* host = nullptr;
    std::uint16_t port = 0;
    std::uint32_t isn = 0;
    std::uint32_t snd_nxt = 0;  // next sequence number this side sends
    std::uint32_t ts_base = 0;
    std::uint32_t last_tsval = 0;
    std::uint16_t win = 0;      // window field after the handshake (scaled by wscale)
    std::uint32_t unacked = 0;  // segments sent that the peer has not acknowledged
    std::uint64_t payload = 0;  // payload bytes sent, retransmissions excluded
};

struct TcpConn {
    TcpSide side[2];
    bool ts_opt = false;
    std::uint8_t wscale = 8;
    std::uint32_t mss = 1460;
    std::uint64_t rate_bps = 0;
    std::uint64_t rtt_ns = 0;
    Kind kind = kBackground;
};

// A workload coroutine. It starts suspended and is resumed by its actor.
struct Task {
    struct promise_type {
        Task get_return_object() {
            return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); }
    };
    Task() = default;
    explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
    Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    Task& operator=(Task&& o) noexcept {
        if (this != &o) {
            if (h_) h_.destroy();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    ~Task() {
        if (h_) h_.destroy();
    }
    bool done() const { return !h_ || h_.done(); }
    void resume() { h_.resume(); }

private:
    std::coroutine_handle<promise_type> h_;
};

// What a workload awaits: the actor's queued frames going out, or a pause.
struct Yield {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    void await_resume() const noexcept {}
};

// One queued transmission: a data message or a control frame, after a delay.
struct TxItem {
    bool data = false;
    int dir = kC2S;
    std::uint8_t flags = 0;  // control frames
    std::uint64_t delay_ns = 0;
    Msg msg;
};

// enterprise-day: one scripted SMB session or scp upload of a host, planned
// before the simulation runs (tools/pcapgen/enterprise.cpp).
struct FileOp {
    std::string name;       // relative to the share; the temporary name when renamed
    std::string rename_to;  // set: SET_INFO rename to this name before CLOSE
    std::uint64_t size = 0;
    bool write = true;
};
struct Job {
    std::uint64_t start_ns = 0;
    bool scp = false;
    bool encrypt = false;  // SMB 3.1.1 with the share's data encrypted
    Host* client = nullptr;
    Host* server = nullptr;
    std::string share;
    std::string user;
    std::vector<FileOp> files;
    const char* pattern = nullptr;  // benign pattern ("folder-redirection", ...); null: staging
};

struct Actor {
    static constexpr std::size_t kQueue = 24;
    static constexpr std::size_t kHead = 2048;

    std::uint32_t id = 0;
    std::uint32_t client = 0;
    bool background = false;
    bool finished = false;
    Rng rng;
    std::uint64_t ready_ns = 0;
    Task task;
    std::vector<Job> jobs;  // enterprise-day: this host's sessions, by start time
    std::size_t next_job = 0;

    // Transmission queue (filled by a workload, drained by the scheduler).
    TxItem q[kQueue];
    std::size_t q_head = 0, q_len = 0;
    bool item_started = false;  // the head item's delay has elapsed
    std::uint64_t item_pos = 0;
    std::uint32_t item_seq0 = 0;
    bool sleeping = false;

    TcpConn conn;
    // Message heads: a request and its response are built before either is
    // sent, so each gets its own buffer.
    alignas(8) std::uint8_t head[2][kHead];
    std::uint8_t magic[128];
    std::uint32_t magic_len = 0;
};

class Sim {
public:
    Sim(const Options& o, PcapWriter& out, Truth& truth);
    void run();

private:
    // --- scheduling ---
    void step(Actor& a);
    enum class Start { kStarted, kIdle, kDone };
    Start start_workload(Actor& a);
    void push(Actor& a);

    // --- what workloads call ---
    Yield drain(Actor&) { return {}; }
    Yield sleep(Actor& a, std::uint64_t ns) {
        a.ready_ns += ns;
        a.sleeping = true;
        return {};
    }
    void queue(Actor& a, int dir, const Msg& m, std::uint64_t delay_ns = 0);
    void queue_ctl(Actor& a, int dir, std::uint8_t flags, std::uint64_t delay_ns = 0);
    void queue_connect(Actor& a);
    void queue_close(Actor& a, int initiator, std::uint64_t delay_ns);
    Msg head_msg(Actor& a, int slot, std::size_t len) const;
    Msg pool_msg(Actor& a, std::uint64_t len);
    void new_conn(Actor& a, Host& client, Host& server, std::uint16_t port, Kind kind);
    std::uint64_t server_delay(Actor& a, std::uint64_t lo_us, std::uint64_t hi_us);

    // --- byte budget ---
    std::uint64_t wire_estimate(const TcpConn& c, std::uint64_t payload) const;
    std::uint64_t payload_for(const TcpConn& c, std::uint64_t wire) const;
    std::uint64_t fair_file_cap() const;
    // Bytes still unreserved for a kind. Background traffic has its own part
    // of --size (so big file copies that reserve early cannot starve it);
    // SMB and SSH share the rest.
    std::uint64_t budget_left(Kind k) const {
        const std::uint64_t used = k == kBackground ? planned_by_[kBackground] : planned_by_[kSmb] + planned_by_[kSsh];
        const std::uint64_t cap = k == kBackground ? background_budget_ : opt_.size - background_budget_;
        return used >= cap ? 0 : cap - used;
    }
    void plan(Kind k, std::uint64_t wire) {
        planned_ += wire;
        planned_by_[k] += wire;
    }

    // --- frames ---
    void transmit(Actor& a);
    // Emits one segment of `len` payload bytes taken from `m` at `pos`.
    void emit(Actor& a, int dir, std::uint8_t flags, std::uint32_t seq, const Msg* m, std::uint64_t pos,
              std::uint32_t len, bool retransmission = false);
    void copy_payload(const Msg& m, std::uint64_t pos, std::uint32_t len, std::uint8_t* dst) const;

    // --- workloads (coroutines) ---
    Task smb_session(Actor& a, std::uint32_t server);
    // `job` (enterprise-day) fixes the client, server, upload and size.
    Task ssh_session(Actor& a, std::uint32_t server, const Job* job = nullptr);
    // --- enterprise-day (enterprise.cpp) ---
    void setup_enterprise();
    Start start_job(Actor& a);
    Task enterprise_smb(Actor& a, const Job& j);
    Msg encrypted_msg(Actor& a, int slot, std::size_t clear_len, std::uint64_t data_len, std::uint64_t session_id);
    Task background_flow(Actor& a, std::uint32_t server);
    // short-conns: one connection with a request and a response of 1..64 bytes.
    Task short_conn(Actor& a, std::uint32_t server);
    void file_magic(Actor& a, const std::string& ext, const std::string& base, std::uint64_t size,
                    std::string& kind);

    const Options& opt_;
    PcapWriter& out_;
    Truth& truth_;
    Rng rng_;
    std::vector<Host> clients_, servers_;
    std::vector<std::unique_ptr<Actor>> actors_;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> heap_;
    std::unique_ptr<std::uint8_t[]> pool_;
    std::uint64_t clock_ns_ = 0;
    std::uint64_t planned_ = 0;
    std::uint64_t background_budget_ = 0;
    std::uint64_t planned_by_[3] = {0, 0, 0};
    std::uint64_t retransmit_threshold_ = 0;
    std::uint64_t reorder_threshold_ = 0;
    std::uint64_t file_counter_ = 0;
    std::uint64_t conns_started_ = 0;  // short-conns
    std::uint32_t active_foreground_ = 0;
    std::uint32_t active_background_ = 0;
    std::string domain_ = "CORP";
    std::string dns_domain_ = "corp.example";
};

constexpr std::uint64_t kPoolSize = std::uint64_t{1} << 25;  // 32 MiB of random bytes

}  // namespace pcapgen
