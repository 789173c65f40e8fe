#include "capture/tcp_state.h"
#include "capture/util.h"

#include <cctype>

namespace sw {
namespace {

constexpr std::int64_t kTooLargeSeqDelta = 1048576;

// History mask bits, as Zeek's TCP_Endpoint::HIST_* (per endpoint).
constexpr std::uint32_t kHistSyn = 0x1;
constexpr std::uint32_t kHistFin = 0x2;
constexpr std::uint32_t kHistRst = 0x4;
constexpr std::uint32_t kHistFinRst = 0x8;
constexpr std::uint32_t kHistAck = 0x10;
constexpr std::uint32_t kHistData = 0x20;
constexpr std::uint32_t kHistMulti = 0x40;

bool has(std::uint8_t flags, std::uint8_t f) { return (flags & f) != 0; }
constexpr std::uint8_t SYN = 0x02, FIN = 0x01, RST = 0x04, ACK = 0x10;

}  // namespace

void TcpHistory::push_back(char c) {
    if (len_ < kInline) {
        buf_[len_++] = c;
        return;
    }
    if (len_ == 0xffff) return;  // unreachable: the repeat rules keep it near 150
    if (len_ == kInline) {
        char* p = new char[capacity(kInline + 1)];
        std::memcpy(p, buf_, kInline);
        std::memcpy(buf_, &p, sizeof p);
    } else if (len_ == capacity(len_)) {
        char* old = heap();
        char* p = new char[std::size_t{len_} * 2];
        std::memcpy(p, old, len_);
        delete[] old;
        std::memcpy(buf_, &p, sizeof p);
    }
    heap()[len_++] = c;
}

std::uint64_t TcpEndpoint::size(const TcpEndpoint& peer) const {
    if (prev_state == TcpState::syn_sent && state == TcpState::reset &&
        peer.state == TcpState::inactive && !(ack_rel == 0 || ack_rel == 1))
        return 0;  // half-open connection discovered and aborted
    std::int64_t s = last_rel > ack_rel ? last_rel : ack_rel;
    if (s < 0) s = 0;
    if (s > 0) --s;                   // the SYN's octet
    if (fin_cnt > 0 && s > 0) --s;    // the FIN's octet
    return static_cast<std::uint64_t>(s);
}

void TcpConnState::add_history(Dir d, char code) {
    history_.push_back(d == Dir::orig ? code : static_cast<char>(std::tolower(code)));
}

// Zeek's Connection::CheckHistory: record the letter the first time; returns
// true if it had been seen before.
bool TcpConnState::check_history(Dir d, std::uint32_t bit, char code) {
    std::uint8_t& seen = ep_[idx(d)].hist_seen;
    if ((seen & bit) == 0) {
        seen = static_cast<std::uint8_t>(seen | bit);
        add_history(d, code);
        return false;
    }
    return true;
}

// Zeek's ScaledHistoryEntry: letter at the 1st, 10th, 100th, ... occurrence
// (its threshold is a 32-bit number multiplied by 10, capped at 2^32 - 1).
void TcpConnState::scaled_history(Dir d, char code, std::uint32_t& counter, std::uint8_t& exp) {
    static constexpr std::uint32_t kThreshold[11] = {1,          10,          100,         1000,
                                                     10000,      100000,      1000000,     10000000,
                                                     100000000,  1000000000,  0xffffffffu};
    if (++counter == kThreshold[exp]) {
        add_history(d, code);
        if (exp < 10) ++exp;
    }
}

// A repeat of S/H, F or R (kind 0, 1, 2) with a new sequence number: the
// first kHistRepeatsKept are recorded, then the 10th, 100th, ... repeat.
void TcpConnState::repeat_history(Dir d, int kind, char code) {
    std::uint32_t& n = ep_[idx(d)].hist_repeats[kind];
    if (n < 0xffffffffu) ++n;
    if (n <= kHistRepeatsKept || sampled_occurrence(n)) add_history(d, code);
}

void TcpConnState::update_history(Dir d, std::uint8_t flags, std::int64_t rel_seq, std::uint32_t len) {
    TcpEndpoint& e = ep_[idx(d)];
    int bits = has(flags, SYN) + has(flags, FIN) + has(flags, RST);
    if (bits > 1) {
        if (has(flags, FIN) && has(flags, RST)) check_history(d, kHistFinRst, 'I');
        else check_history(d, kHistMulti, 'Q');
    } else if (bits == 1) {
        if (has(flags, SYN)) {
            char code = has(flags, ACK) ? 'H' : 'S';
            if (check_history(d, kHistSyn, code) && rel_seq != e.hist_last_syn) repeat_history(d, 0, code);
            e.hist_last_syn = rel_seq;
        }
        if (has(flags, FIN)) {
            // A FIN's sequence number sits after the data it carries.
            if (check_history(d, kHistFin, 'F') && rel_seq + len != e.hist_last_fin) repeat_history(d, 1, 'F');
            e.hist_last_fin = rel_seq + len;
        }
        if (has(flags, RST)) {
            if (check_history(d, kHistRst, 'R') && rel_seq != e.hist_last_rst) repeat_history(d, 2, 'R');
            e.hist_last_rst = rel_seq;
        }
    } else {
        if (len) check_history(d, kHistData, 'D');
        else if (has(flags, ACK)) check_history(d, kHistAck, 'A');
    }
}

void TcpConnState::on_gap(Dir d) {
    TcpEndpoint& e = ep_[idx(d)];
    // Gaps revealed at the very end of a connection (in its FIN or RST) are not
    // reliable; Zeek keeps them out of the history.
    if (e.state == TcpState::closed || e.state == TcpState::reset) return;
    scaled_history(d, 'G', e.gap_cnt, e.gap_exp);
}

void TcpConnState::connection_closed(TcpEndpoint& e, TcpEndpoint& peer) {
    if (e.did_close) return;
    e.did_close = true;
    if (e.state == TcpState::reset || peer.did_close || peer.state == TcpState::inactive)
        close_complete_ = true;
}

void TcpConnState::state_machine(Dir d, std::uint8_t flags, std::uint32_t seq, std::uint32_t len,
                                 bool& do_close) {
    TcpEndpoint& e = ep_[idx(d)];
    TcpEndpoint& peer = ep_[idx(other(d))];
    const bool is_orig = d == Dir::orig;
    do_close = false;

    switch (e.state) {
        case TcpState::inactive:
            if (has(flags, SYN)) {
                if (is_orig) {
                    e.set_state(has(flags, ACK) ? TcpState::syn_ack_sent : TcpState::syn_sent);
                } else {
                    if (!has(flags, ACK) && peer.state == TcpState::syn_ack_sent &&
                        seq == e.start_seq) {
                        // SYN / SYN-ACK reversal: establish. (Zeek flips roles
                        // here; our orientation was fixed at creation.)
                        peer.set_state(TcpState::established);
                    }
                    if (peer.state == TcpState::syn_sent) peer.set_state(TcpState::established);
                    e.set_state(TcpState::established);
                }
            }
            if (has(flags, FIN)) {
                e.set_state(TcpState::closed);
                do_close = true;
            }
            if (has(flags, RST)) {
                e.set_state(TcpState::reset);
                do_close = true;
            }
            if (e.state == TcpState::inactive) {
                if (!is_orig && len == 0 && ep_[0].state == TcpState::syn_sent) {
                    // An ACK of the SYN before the SYN-ACK: not a partial connection.
                } else if (has(flags, ACK) && peer.state == TcpState::established) {
                    // Missed the originator's SYN but saw the SYN-ACK: established.
                    e.set_state(TcpState::established);
                } else {
                    e.set_state(TcpState::partial);
                }
            }
            break;

        case TcpState::syn_sent:
        case TcpState::syn_ack_sent:
            if (has(flags, FIN)) {
                e.set_state(TcpState::closed);
                do_close = true;
            }
            if (has(flags, RST)) {
                e.set_state(TcpState::reset);
                do_close = true;
            }
            break;

        case TcpState::established:
        case TcpState::partial:
            if (has(flags, SYN) && e.state == TcpState::partial && peer.state == TcpState::inactive &&
                !has(flags, ACK))
                e.set_state(TcpState::syn_sent);
            if (has(flags, FIN) && !has(flags, RST)) {
                e.set_state(TcpState::closed);
                if (peer.state == TcpState::reset && peer.prev_state == TcpState::closed)
                    peer.set_state(TcpState::closed);  // FIN then RST was a normal close
                do_close = true;
            }
            if (has(flags, RST)) {
                e.set_state(TcpState::reset);
                do_close = true;
            }
            break;

        case TcpState::closed:
            if (has(flags, RST) && peer.state != TcpState::closed) {
                e.set_state(TcpState::reset);
                if (!e.did_close) do_close = true;
            }
            break;

        case TcpState::reset:
            break;
    }
}

TcpVerdict TcpConnState::on_packet(Dir d, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack,
                                   std::uint32_t len, std::uint16_t window) {
    TcpEndpoint& e = ep_[idx(d)];
    TcpEndpoint& peer = ep_[idx(other(d))];
    TcpVerdict v;

    // Sequence space this segment occupies (SYN and FIN count, RST data does not).
    std::uint32_t seg_len = len + has(flags, SYN) + has(flags, FIN);
    if (has(flags, RST)) seg_len -= len;
    std::uint32_t seq_end = seq + seg_len;

    // init_endpoint
    switch (e.state) {
        case TcpState::inactive:
            if (has(flags, SYN)) {
                e.start_seq = seq;
                e.ack_rel = 0;
                e.last_rel = static_cast<std::int32_t>(seq_end - seq);
            } else {
                // Partial connection: number as if a SYN had been seen.
                e.start_seq = seq - 1;
                e.ack_rel = 0;
                e.last_rel = 1;
            }
            break;
        case TcpState::syn_sent:
        case TcpState::syn_ack_sent:
        case TcpState::established:
        case TcpState::partial:
            if (has(flags, SYN) && seq != e.start_seq) {
                e.start_seq = seq;
                e.ack_rel = 0;
                e.last_rel = static_cast<std::int32_t>(seq_end - seq);
            }
            break;
        case TcpState::reset:
            if (has(flags, SYN) && e.prev_state == TcpState::inactive) {
                e.start_seq = seq;
                e.ack_rel = 0;
                e.last_rel = static_cast<std::int32_t>(seq_end - seq);
            }
            break;
        default:
            break;
    }

    const std::int64_t rel_seq = e.rel(seq);
    const bool underflow = rel_seq < 0;

    update_history(d, flags, rel_seq, len);

    // Zero windows (Zeek's update_window, without the recision checks).
    if (window == 0 && !has(flags, RST) && peer.state != TcpState::closed && e.state != TcpState::reset)
        scaled_history(d, 'W', e.zero_win, e.zero_win_exp);

    if (has(flags, FIN)) {
        ++e.fin_cnt;
        e.fin_rel = rel_seq + len + (has(flags, SYN) ? 1 : 0);
    }

    if (has(flags, ACK)) {
        if (peer.state == TcpState::inactive) {
            // init_peer: number the peer's stream as if its SYN had been seen
            // just before this ACK. Zeek redoes this on every ACK while the
            // peer is silent, so a one-sided capture shows no peer bytes.
            peer.start_seq = ack - 1;
            peer.ack_rel = 0;
            peer.last_rel = 0;
            v.peer_started_by_ack = true;
        } else {
            std::int64_t ref = peer.ack_rel > peer.last_rel ? peer.ack_rel : peer.last_rel;
            std::int64_t rel_ack = peer.rel_near(ack, ref);
            if (rel_ack >= 0) {
                v.ack_valid = true;
                v.ack_off = rel_ack - 1;
                if (!has(flags, RST)) {
                    std::int64_t delta = rel_ack - peer.ack_rel;
                    if (!(ack == 0 && delta > kTooLargeSeqDelta) && delta > 0) peer.ack_rel = rel_ack;
                }
            }
        }
        if (has(flags, RST)) v.ack_valid = false;  // don't trust acks in RSTs
    }

    // update_last_seq
    {
        std::int64_t rel_end = e.rel(seq_end);
        std::int64_t delta_last = rel_end - e.last_rel;
        if ((has(flags, SYN) || has(flags, RST)) &&
            (delta_last > kTooLargeSeqDelta || delta_last < -kTooLargeSeqDelta)) {
            // untrusted
        } else if (has(flags, FIN) && e.last_rel == 1) {
            e.last_rel = rel_end;
        } else if (e.state == TcpState::reset) {
            // don't trust sequence numbers after a reset
        } else if (delta_last > 0) {
            e.last_rel = rel_end;
        } else if (len > 0) {
            scaled_history(d, 'T', e.rxmit, e.rxmit_exp);
        }
    }

    bool do_close = false;
    state_machine(d, flags, seq, len, do_close);

    if (len > 0 && !has(flags, RST) && !underflow) {
        v.deliver = true;
        std::int64_t data_rel = has(flags, SYN) ? rel_seq + 1 : rel_seq;
        if (data_rel < 1) {
            // Payload starting at the ISN itself (no SYN seen, the stream
            // numbered from the peer's ACK): the octet at the ISN is the
            // SYN's, not data. Skip it rather than wrap the offset.
            const std::int64_t before = 1 - data_rel;
            if (before >= static_cast<std::int64_t>(len)) {
                v.deliver = false;
            } else {
                v.skip = static_cast<std::uint32_t>(before);
                data_rel = 1;
            }
        }
        v.data_off = data_rel - 1;
    }
    if (do_close) {
        bool was = close_complete_;
        connection_closed(e, peer);
        v.closed_now = !was && close_complete_;
    }
    return v;
}

std::string_view TcpConnState::conn_state() const {
    const TcpEndpoint& o = ep_[0];
    const TcpEndpoint& r = ep_[1];
    const TcpState os = o.state, rs = r.state;
    const bool o_inactive = os == TcpState::inactive || os == TcpState::partial;
    const bool r_inactive = rs == TcpState::inactive || rs == TcpState::partial;

    if (rs == TcpState::reset) {
        if (os == TcpState::syn_sent || os == TcpState::syn_ack_sent ||
            (os == TcpState::reset && size(Dir::orig) == 0 && size(Dir::resp) == 0))
            return "REJ";
        if (o_inactive) return "RSTRH";
        return "RSTR";
    }
    if (os == TcpState::reset) {
        if (r_inactive) {
            // Zeek: history matches /^?S[^HAFGIQ]*R.*/
            std::string_view h = history_.view();
            if (!h.empty() && h[0] == '^') h.remove_prefix(1);
            if (!h.empty() && h[0] == 'S') {
                for (std::size_t i = 1; i < h.size(); ++i) {
                    char c = h[i];
                    if (c == 'R') return "RSTOS0";
                    if (c == 'H' || c == 'A' || c == 'F' || c == 'G' || c == 'I' || c == 'Q') break;
                }
            }
            return "OTH";
        }
        return "RSTO";
    }
    if (rs == TcpState::closed && os == TcpState::closed) return "SF";
    if (os == TcpState::closed) return r_inactive ? "SH" : "S2";
    if (rs == TcpState::closed) return o_inactive ? "SHR" : "S3";
    if (os == TcpState::syn_sent && rs == TcpState::inactive) return "S0";
    if (os == TcpState::established && rs == TcpState::established) return "S1";
    return "OTH";
}

}  // namespace sw
