// TCP connection state as Zeek tracks it, so conn.log's conn_state, history,
// orig_bytes and resp_bytes mean exactly what Zeek users expect.
//
// Follows Zeek's TCPSessionAdapter / TCP_Endpoint: per-endpoint states,
// sequence-space sizes (highest sequence sent or acknowledged, minus SYN and
// FIN), history letters with their once / repeat-on-new-seq / logarithmic
// rules. Reassembly is separate (tcp_reassembler.h); this only decides.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "capture/types.h"

namespace sw {

enum class TcpState : std::uint8_t { inactive, syn_sent, syn_ack_sent, partial, established, closed, reset };

// Laid out widest first: 88 bytes (the flow's size budget, docs/performance.md
// "Idle flow state").
struct TcpEndpoint {
    std::int64_t last_rel = 0;     // one past the highest sequence sent, relative to start_seq
    std::int64_t ack_rel = 0;      // highest acknowledgement the peer sent for our data
    std::int64_t fin_rel = -1;     // relative sequence of the (last) FIN octet
    std::int64_t hist_last_syn = -1, hist_last_fin = -1, hist_last_rst = -1;
    std::uint32_t start_seq = 0;   // ISN, or first seen seq - 1 for a partial connection
    std::uint32_t fin_cnt = 0;
    // Repeated SYN/FIN/RST letters (a new sequence number each time): the
    // first few are kept, then only the 10th, 100th, ... so that a FIN/RST
    // storm cannot grow the history without bound.
    std::uint32_t hist_repeats[3] = {0, 0, 0};
    // Zeek's scaled history entries ('T', 'W', 'G'): a letter when the count
    // reaches 10^exp, then exp goes up (exp 10 stands for 2^32 - 1, where
    // Zeek's 32-bit threshold stops growing).
    std::uint32_t rxmit = 0, zero_win = 0, gap_cnt = 0;
    std::uint8_t rxmit_exp = 0, zero_win_exp = 0, gap_exp = 0;
    std::uint8_t hist_seen = 0;    // history letters recorded once (Zeek's HIST_* bits)
    TcpState state = TcpState::inactive;
    TcpState prev_state = TcpState::inactive;
    bool did_close = false;

    void set_state(TcpState s) {
        if (s != state) {
            prev_state = state;
            state = s;
        }
    }
    // Unwraps a 32-bit sequence number near `ref` (relative) into our space.
    std::int64_t rel_near(std::uint32_t seq, std::int64_t ref) const {
        std::uint32_t ref_seq = start_seq + static_cast<std::uint32_t>(ref);
        return ref + static_cast<std::int32_t>(seq - ref_seq);
    }
    std::int64_t rel(std::uint32_t seq) const { return rel_near(seq, last_rel); }
    // Zeek's TCP_Endpoint::Size().
    std::uint64_t size(const TcpEndpoint& peer) const;
};

// What the engine should do with one packet's payload and ACK.
struct TcpVerdict {
    bool deliver = false;        // payload is stream data at `data_off`
    std::int64_t data_off = 0;   // stream offset of the first delivered byte (0 = first data byte)
    std::uint32_t skip = 0;      // leading payload bytes that sit at or before the ISN: not data
    bool ack_valid = false;      // `ack_off` is an acknowledgement of the peer's stream
    std::int64_t ack_off = 0;    // peer stream offset acknowledged (exclusive)
    bool peer_started_by_ack = false;  // the peer's stream position is known from this ACK only
    bool closed_now = false;     // this packet completed a close (both sides done or reset)
};

// conn.log's history letters in 16 bytes: up to kInline inline (nearly every
// connection), a longer one on the heap (as std::string beyond its 15, which
// took 32 bytes). Appending is rare: once per new letter.
class TcpHistory {
public:
    static constexpr std::size_t kInline = 14;
    TcpHistory() = default;
    TcpHistory(const TcpHistory& o) { append(o.view()); }
    TcpHistory(TcpHistory&& o) noexcept : len_(o.len_) {
        std::memcpy(buf_, o.buf_, sizeof buf_);
        o.len_ = 0;
    }
    TcpHistory& operator=(TcpHistory o) noexcept {
        std::swap(buf_, o.buf_);
        std::swap(len_, o.len_);
        return *this;
    }
    ~TcpHistory() {
        if (on_heap()) delete[] heap();
    }

    void push_back(char c);
    std::string_view view() const { return {on_heap() ? heap() : buf_, len_}; }
    std::size_t size() const { return len_; }

private:
    // Heap capacity for a length: 32, 64, 128, ... (grown when len_ reaches it).
    static std::size_t capacity(std::size_t len) { return len <= 32 ? 32 : std::bit_ceil(len); }
    bool on_heap() const { return len_ > kInline; }
    char* heap() const {
        char* p;
        std::memcpy(&p, buf_, sizeof p);
        return p;
    }
    void append(std::string_view s) {
        for (char c : s) push_back(c);
    }

    char buf_[kInline] = {};  // the letters, or (on the heap) the pointer to them
    std::uint16_t len_ = 0;
};

class TcpConnState {
public:

    TcpVerdict on_packet(Dir dir, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack,
                         std::uint32_t payload_len, std::uint16_t window);

    // The reassembler of `dir` declared a gap (Zeek's 'g' history letter).
    void on_gap(Dir dir);
    void mark_flipped() { history_.push_back('^'); }

    const TcpEndpoint& ep(Dir d) const { return ep_[idx(d)]; }
    std::uint64_t size(Dir d) const { return ep_[idx(d)].size(ep_[idx(other(d))]); }
    std::string_view history() const { return history_.view(); }
    std::string_view conn_state() const;

    // Both sides finished (FIN/RST exchange complete): Zeek removes the
    // connection tcp_close_delay later.
    bool close_complete() const { return close_complete_; }
    // SYN sent, nothing back yet: Zeek gives up tcp_attempt_delay after.
    bool attempt() const {
        const auto& o = ep_[0];
        return (o.state == TcpState::syn_sent || o.state == TcpState::syn_ack_sent) &&
               ep_[1].state == TcpState::inactive;
    }
    // Finished enough that a new SYN from the originator starts a new
    // connection on the same 5-tuple (Zeek's IsReuse).
    bool reusable() const {
        return close_complete_ || ep_[0].state == TcpState::reset || ep_[1].state == TcpState::reset;
    }
    bool both_closed() const { return ep_[0].did_close && ep_[1].did_close; }

private:
    bool check_history(Dir d, std::uint32_t bit, char code);
    void add_history(Dir d, char code);
    static constexpr std::uint32_t kHistRepeatsKept = 3;
    void repeat_history(Dir d, int kind, char code);
    void scaled_history(Dir d, char code, std::uint32_t& counter, std::uint8_t& exp);
    void update_history(Dir d, std::uint8_t flags, std::int64_t rel_seq, std::uint32_t len);
    void state_machine(Dir d, std::uint8_t flags, std::uint32_t seq, std::uint32_t len,
                       bool& do_close);
    void connection_closed(TcpEndpoint& e, TcpEndpoint& peer);

    TcpEndpoint ep_[2];
    TcpHistory history_;
    bool close_complete_ = false;
};

}  // namespace sw
