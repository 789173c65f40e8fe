#include "dissectors/smb2/smb_framer.h"

#include <algorithm>
#include <cstring>

namespace sw::smb {

namespace {

// Smallest plausible NBSS length for each protocol id.
std::uint32_t min_length(std::uint8_t magic) {
    switch (magic) {
        case 0xfe: return kSmb2HeaderSize;
        case 0xfd: return kTransformHeaderSize;
        case 0xfc: return kCompressionHeaderSize;
        case 0xff: return kSmb1HeaderSize + 3;
        default: return ~0u;
    }
}

bool sync_at(const std::uint8_t* p) {
    if (p[0] != 0 || p[5] != 'S' || p[6] != 'M' || p[7] != 'B') return false;
    std::uint32_t len = (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    if (len < min_length(p[4])) return false;
    if (p[4] == 0xfe) return p[8] == 0x40 && p[9] == 0x00;  // SMB2 StructureSize 64
    return true;
}

constexpr std::size_t kSyncLen = 10;

}  // namespace

std::optional<std::size_t> find_nbss_sync(Bytes b) {
    if (b.size() < kSyncLen) return std::nullopt;
    const std::uint8_t* base = b.data();
    const std::size_t last = b.size() - kSyncLen;  // last position with 10 bytes
    // Anchor on the 'S' of "SMB" (5 bytes in) with memchr: fast over bulk data.
    std::size_t from = 5;
    while (from <= last + 5) {
        const void* hit = std::memchr(base + from, 'S', last + 6 - from);
        if (!hit) break;
        std::size_t s = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - base);
        if (sync_at(base + s - 5)) return s - 5;
        from = s + 1;
    }
    return std::nullopt;
}

SmbFramer::SmbFramer(Dir d, std::uint32_t max_pdu_buffer, FramerListener& l)
    : dir_(d), max_pdu_(std::max<std::uint32_t>(max_pdu_buffer, 512)), l_(l) {
    buf_.reserve(256);
}

std::uint64_t SmbFramer::on_data(Bytes data, Timestamp ts) {
    if (!started_ && !data.empty()) {
        // The first bytes of a direction: a NetBIOS session request/response
        // or keep-alive is read as a header; anything else must be an NBSS
        // session header followed by an SMB protocol id, which the hunt finds
        // at once for a connection seen from its start, and further on for
        // one picked up mid-stream (inside a WRITE body, say).
        started_ = true;
        if (data[0] < nbss::kSessionRequest || data[0] > nbss::kKeepAlive) state_ = State::hunt;
    }
    // Data arrived after the last skip region: nothing more can be missed in it.
    data_skip_pending_ = false;
    std::size_t i = 0;
    process(data, ts, i);
    return compute_skip();
}

void SmbFramer::process(Bytes data, Timestamp ts, std::size_t& i) {
    for (;;) {
        settle(ts);
        if (i >= data.size()) return;
        const std::size_t avail = data.size() - i;
        switch (state_) {
            case State::nbss_header: {
                std::size_t n = std::min<std::size_t>(4 - hdr_len_, avail);
                std::memcpy(hdr_ + hdr_len_, data.data() + i, n);
                hdr_len_ = static_cast<std::uint8_t>(hdr_len_ + n);
                i += n;
                if (hdr_len_ < 4) break;
                hdr_len_ = 0;
                NbssHeader h;
                if (!parse_nbss_header(Bytes(hdr_, 4), h)) {
                    if (seen_header_) l_.on_framing_weird(dir_, "nbss_unknown_type", hdr_[0], ts);
                    // The 4 bytes may hold the start of a real header: rescan them.
                    std::uint8_t keep[4];
                    std::memcpy(keep, hdr_, 4);
                    start_hunt(ts, seen_header_);
                    std::memcpy(carry_, keep + 1, 3);
                    carry_len_ = 3;
                    break;
                }
                if (h.type == nbss::kSessionMessage) {
                    if (h.length == 0) {
                        if (seen_header_) l_.on_framing_weird(dir_, "nbss_empty_message", 0, ts);
                        break;
                    }
                    start_message(h.length, ts);
                    break;
                }
                // Other message types have fixed small sizes; anything else
                // means we are not at a header (mid-stream start).
                bool plausible = (h.type == nbss::kKeepAlive && h.length == 0) ||
                                 (h.type == nbss::kPositiveResponse && h.length == 0) ||
                                 (h.type == nbss::kNegativeResponse && h.length == 1) ||
                                 (h.type == nbss::kRetargetResponse && h.length == 6) ||
                                 (h.type == nbss::kSessionRequest && h.length >= 4 && h.length <= 512);
                if (!plausible) {
                    if (seen_header_) l_.on_framing_weird(dir_, "nbss_implausible_length", h.length, ts);
                    std::uint8_t keep[4];
                    std::memcpy(keep, hdr_, 4);
                    start_hunt(ts, seen_header_);
                    std::memcpy(carry_, keep + 1, 3);
                    carry_len_ = 3;
                    break;
                }
                seen_header_ = true;
                ++stats_.other_nbss;
                if (h.type == nbss::kNegativeResponse) l_.on_framing_weird(dir_, "nbss_negative_response", 0, ts);
                msg_left_ = h.length;
                state_ = State::skip_message;
                break;
            }
            case State::message: {
                switch (stage_) {
                    case Stage::head: {
                        std::size_t n = std::min<std::size_t>(want_ - buf_.size(), avail);
                        buf_.insert(buf_.end(), data.begin() + static_cast<std::ptrdiff_t>(i),
                                    data.begin() + static_cast<std::ptrdiff_t>(i + n));
                        if (static_cast<std::int64_t>(buf_.capacity()) != charge_.charged())
                            charge_.set(static_cast<std::int64_t>(buf_.capacity()));
                        consume(n);
                        i += n;
                        break;
                    }
                    case Stage::gap: {
                        std::uint64_t n = std::min<std::uint64_t>(gap_left_, avail);
                        gap_left_ -= n;
                        consume(n);
                        i += static_cast<std::size_t>(n);
                        break;
                    }
                    case Stage::data: {
                        std::uint64_t n = std::min<std::uint64_t>(data_left_, avail);
                        for (int k = 0; k < wants_.count; ++k) {
                            std::uint64_t b = std::max(wants_.begin[k], data_pos_);
                            std::uint64_t e = std::min(wants_.end[k], data_pos_ + n);
                            if (b < e) {
                                l_.on_stream_data(dir_, b,
                                                  data.subspan(i + static_cast<std::size_t>(b - data_pos_),
                                                               static_cast<std::size_t>(e - b)));
                                stats_.data_delivered += e - b;
                            }
                        }
                        data_pos_ += n;
                        data_left_ -= n;
                        consume(n);
                        i += static_cast<std::size_t>(n);
                        break;
                    }
                    case Stage::tail: {
                        std::uint64_t n = std::min<std::uint64_t>(pdu_left_, avail);
                        consume(n);
                        i += static_cast<std::size_t>(n);
                        break;
                    }
                }
                break;
            }
            case State::skip_message: {
                std::uint64_t n = std::min<std::uint64_t>(msg_left_, avail);
                msg_left_ -= n;
                i += static_cast<std::size_t>(n);
                break;
            }
            case State::hunt:
                hunt(data, i, ts);
                break;
        }
    }
}

void SmbFramer::settle(Timestamp ts) {
    for (;;) {
        if (state_ == State::message) {
            if (stage_ == Stage::head) {
                if (buf_.size() >= want_) {
                    analyze_head(ts);
                    continue;
                }
                return;
            }
            if (stage_ == Stage::gap) {
                if (gap_left_ == 0) {
                    stage_ = Stage::data;
                    continue;
                }
                return;
            }
            if (stage_ == Stage::data) {
                if (data_left_ == 0) {
                    streaming_ = false;
                    stage_ = Stage::tail;
                    l_.on_stream_end(dir_, ts);
                    continue;
                }
                return;
            }
            if (pdu_left_ == 0) {  // tail done
                finish_pdu();
                continue;
            }
            return;
        }
        if (state_ == State::skip_message && msg_left_ == 0) {
            state_ = State::nbss_header;
            continue;
        }
        return;
    }
}

void SmbFramer::start_message(std::uint32_t len, Timestamp) {
    seen_header_ = true;
    ++stats_.messages;
    state_ = State::message;
    msg_left_ = len;
    start_pdu(true);
}

void SmbFramer::start_pdu(bool first) {
    stage_ = Stage::head;
    step_ = Step::magic;
    buf_.clear();
    magic_ = Magic::unknown;
    pdu_first_ = first;
    more_pdus_ = false;
    pdu_left_ = msg_left_;
    pdu_len_ = static_cast<std::uint32_t>(msg_left_);
    want_ = static_cast<std::size_t>(std::min<std::uint64_t>(4, msg_left_));
}

void SmbFramer::finish_pdu() {
    buf_.clear();
    if (msg_left_ == 0) {
        state_ = State::nbss_header;
    } else if (more_pdus_) {
        start_pdu(false);
    } else {
        state_ = State::skip_message;
    }
}

void SmbFramer::skip_rest_of_message(const char* weird, std::uint64_t value, Timestamp ts) {
    if (weird) l_.on_framing_weird(dir_, weird, value, ts);
    buf_.clear();
    state_ = State::skip_message;
}

void SmbFramer::analyze_head(Timestamp ts) {
    // Bytes of the message from the start of this PDU.
    const std::uint64_t total = buf_.size() + pdu_left_;
    switch (step_) {
        case Step::magic: {
            if (buf_.size() < 4) {
                skip_rest_of_message("smb_message_too_short", total, ts);
                return;
            }
            magic_ = magic_of(Bytes(buf_));
            switch (magic_) {
                case Magic::smb2:
                    if (total < kSmb2HeaderSize) {
                        skip_rest_of_message("smb2_truncated_header", total, ts);
                        return;
                    }
                    step_ = Step::smb2_header;
                    want_ = kSmb2HeaderSize;
                    return;
                case Magic::transform:
                    step_ = Step::whole;
                    want_ = static_cast<std::size_t>(std::min<std::uint64_t>(kTransformHeaderSize, total));
                    return;
                case Magic::compressed:
                    step_ = Step::whole;
                    want_ = static_cast<std::size_t>(std::min<std::uint64_t>(max_pdu_, total));
                    return;
                case Magic::smb1:
                    step_ = Step::smb1_head;
                    want_ = static_cast<std::size_t>(std::min<std::uint64_t>(kSmb1HeaderSize + 1, total));
                    return;
                default:
                    if (pdu_first_) {
                        // A session message that does not hold SMB: framing is wrong.
                        if (seen_header_ && stats_.pdus) l_.on_framing_weird(dir_, "smb_unknown_protocol_id", load_u32_be(buf_.data()), ts);
                        start_hunt(ts, stats_.pdus > 0);
                    } else {
                        skip_rest_of_message("smb2_compound_bad_protocol_id", load_u32_be(buf_.data()), ts);
                    }
                    return;
            }
        }
        case Step::smb2_header: {
            Smb2Header& h = smb2_;
            if (auto st = parse_smb2_header(Bytes(buf_), h); !st) {
                skip_rest_of_message(st.error, 0, ts);
                return;
            }
            std::optional<std::uint32_t> next;
            if (auto st = next_command_offset(h, total, next); !st)
                l_.on_framing_weird(dir_, st.error, h.next_command, ts);
            more_pdus_ = next.has_value();
            pdu_len_ = next ? *next : static_cast<std::uint32_t>(total);
            pdu_left_ = pdu_len_ - buf_.size();
            std::size_t head = 0;
            if (!h.response() && h.command == cmd::write) head = kWriteRequestHead;
            else if (h.response() && h.command == cmd::read) head = kReadResponseHead;
            if (head && head <= pdu_len_) {
                step_ = Step::smb2_stream_head;
                want_ = head;
            } else {
                step_ = Step::whole;
                want_ = std::min<std::size_t>(max_pdu_, pdu_len_);
            }
            return;
        }
        case Step::smb2_stream_head: {
            const Smb2Header& h = smb2_;
            DataRegion r;
            bool ok;
            if (h.command == cmd::write) {
                WriteRequest w;
                ok = static_cast<bool>(parse_write_request(Bytes(buf_), w));
                r = w.data();
            } else {
                ReadResponse rr;
                ok = static_cast<bool>(parse_read_response(Bytes(buf_), rr));
                r = rr.data();
            }
            if (!ok) {  // an error response or a malformed head: a plain PDU
                step_ = Step::whole;
                want_ = std::max(buf_.size(), std::min<std::size_t>(max_pdu_, pdu_len_));
                return;
            }
            begin_stream(r, ts);
            return;
        }
        case Step::smb1_head: {
            Smb1Header h;
            if (auto st = parse_smb1_header(Bytes(buf_), h); !st) {
                skip_rest_of_message(st.error, 0, ts);
                return;
            }
            std::size_t wc = buf_.size() > kSmb1HeaderSize ? buf_[kSmb1HeaderSize] : 0;
            std::size_t head = kSmb1HeaderSize + 1 + 2 * wc + 2;
            bool stream = (!h.reply() && h.command == smb1::write_andx) ||
                          (h.reply() && h.command == smb1::read_andx && !h.error());
            if (stream && head <= pdu_len_) {
                step_ = Step::smb1_stream_head;
                want_ = head;
            } else {
                step_ = Step::whole;
                want_ = std::max(buf_.size(), std::min<std::size_t>(max_pdu_, pdu_len_));
            }
            return;
        }
        case Step::smb1_stream_head: {
            Smb1Header h;
            parse_smb1_header(Bytes(buf_), h);
            Smb1Block b;
            DataRegion r;
            bool ok = static_cast<bool>(parse_smb1_block(Bytes(buf_), kSmb1HeaderSize, true, b));
            if (ok && h.command == smb1::write_andx) {
                Smb1WriteRequest w;
                ok = static_cast<bool>(parse_smb1_write_andx_request(Bytes(buf_), b, w));
                r = w.data;
            } else if (ok) {
                Smb1ReadResponse rr;
                ok = static_cast<bool>(parse_smb1_read_andx_response(Bytes(buf_), b, rr));
                r = rr.data;
            }
            if (!ok) {
                step_ = Step::whole;
                want_ = std::max(buf_.size(), std::min<std::size_t>(max_pdu_, pdu_len_));
                return;
            }
            begin_stream(r, ts);
            return;
        }
        case Step::whole:
            deliver_pdu(ts);
            return;
    }
}

void SmbFramer::deliver_pdu(Timestamp ts) {
    ++stats_.pdus;
    stage_ = Stage::tail;
    PduInfo p{magic_, Bytes(buf_), pdu_len_, pdu_first_, magic_ == Magic::smb2 ? &smb2_ : nullptr};
    l_.on_pdu(dir_, p, ts);
}

void SmbFramer::begin_stream(DataRegion r, Timestamp ts) {
    const std::uint64_t head = buf_.size();
    std::uint64_t doff = r.length ? std::max<std::uint64_t>(r.offset, head) : head;
    std::uint64_t dlen = r.length;
    if (doff > pdu_len_) {
        l_.on_framing_weird(dir_, "smb_data_offset_past_end", r.offset, ts);
        doff = pdu_len_;
        dlen = 0;
    }
    if (dlen > pdu_len_ - doff) {
        l_.on_framing_weird(dir_, "smb_data_length_exceeds_message", dlen, ts);
        dlen = pdu_len_ - doff;
    }
    ++stats_.pdus;
    ++stats_.streamed_pdus;
    PduInfo p{magic_, Bytes(buf_), pdu_len_, pdu_first_, magic_ == Magic::smb2 ? &smb2_ : nullptr};
    DataRegion clipped{static_cast<std::uint32_t>(doff), static_cast<std::uint32_t>(dlen)};
    wants_ = l_.on_stream_begin(dir_, p, clipped, ts);
    gap_left_ = doff - head;
    data_left_ = dlen;
    data_pos_ = 0;
    streaming_ = true;
    stage_ = Stage::gap;
}

std::uint64_t SmbFramer::next_window_start() const {
    std::uint64_t best = data_pos_ + data_left_;
    for (int k = 0; k < wants_.count; ++k)
        if (wants_.end[k] > data_pos_ && wants_.begin[k] < best) best = std::max(wants_.begin[k], data_pos_);
    return best;
}

std::uint64_t SmbFramer::compute_skip() {
    if (state_ == State::skip_message) {
        std::uint64_t s = msg_left_;
        msg_left_ = 0;
        return s;
    }
    if (state_ != State::message) return 0;
    switch (stage_) {
        case Stage::head:
            return 0;
        case Stage::gap: {
            std::uint64_t s = gap_left_;
            gap_left_ = 0;
            consume(s);
            return s;
        }
        case Stage::data: {
            std::uint64_t s = next_window_start() - data_pos_;
            data_pos_ += s;
            data_left_ -= s;
            consume(s);
            data_skip_pending_ = s > 0;
            stats_.data_skipped += s;
            return s;
        }
        case Stage::tail: {
            std::uint64_t s = pdu_left_;
            consume(s);
            return s;
        }
    }
    return 0;
}

void SmbFramer::on_gap(std::uint64_t len, bool framing_intact, Timestamp ts) {
    if (!started_) {  // lost the start: find the first header by content
        started_ = true;
        state_ = State::hunt;
        return;
    }
    if (framing_intact) {
        // All of it lies inside our last skip request (see capture/stream.h).
        if (data_skip_pending_) {
            stats_.data_missed += len;
            l_.on_stream_missed(dir_, len);
        }
        return;
    }
    data_skip_pending_ = false;
    settle(ts);
    switch (state_) {
        case State::message: {
            if (len < msg_left_) {
                if (stage_ == Stage::data && len <= data_left_) {
                    // Inside the data region: the framing is still known.
                    data_pos_ += len;
                    data_left_ -= len;
                    consume(len);
                    stats_.data_missed += len;
                    l_.on_stream_missed(dir_, len);
                    return;
                }
                if (stage_ == Stage::gap && len <= gap_left_) {
                    gap_left_ -= len;
                    consume(len);
                    return;
                }
                if (stage_ == Stage::tail && len <= pdu_left_) {
                    consume(len);
                    return;
                }
                // A hole in a PDU we needed: give up on the rest of this message.
                if (streaming_) {
                    std::uint64_t m = std::min(len, data_left_);
                    stats_.data_missed += m;
                    l_.on_stream_missed(dir_, m);
                    streaming_ = false;
                    l_.on_stream_end(dir_, ts);
                }
                msg_left_ -= len;
                skip_rest_of_message("smb_gap_in_message", len, ts);
                return;
            }
            if (streaming_) {
                std::uint64_t m = std::min(len, data_left_);
                stats_.data_missed += m;
                l_.on_stream_missed(dir_, m);
                streaming_ = false;
                l_.on_stream_end(dir_, ts);
            }
            start_hunt(ts, true);
            return;
        }
        case State::skip_message:
            if (len < msg_left_) {
                msg_left_ -= len;
                return;
            }
            start_hunt(ts, true);
            return;
        case State::nbss_header:
            start_hunt(ts, seen_header_);
            return;
        case State::hunt:
            carry_len_ = 0;
            return;
    }
}

void SmbFramer::start_hunt(Timestamp ts, bool notify) {
    if (streaming_) {
        streaming_ = false;
        l_.on_stream_end(dir_, ts);
    }
    if (state_ != State::hunt) {
        ++stats_.resyncs;
        if (notify) l_.on_resync(dir_, ts);
    }
    state_ = State::hunt;
    carry_len_ = 0;
    hdr_len_ = 0;
    buf_.clear();
    msg_left_ = pdu_left_ = 0;
}

void SmbFramer::hunt(Bytes data, std::size_t& i, Timestamp ts) {
    Bytes rest = data.subspan(i);
    if (carry_len_) {
        // A sync point may straddle the previous chunk and this one.
        std::uint8_t tmp[sizeof(carry_) + kSyncLen];
        std::memcpy(tmp, carry_, carry_len_);
        std::size_t extra = std::min(rest.size(), kSyncLen);
        std::memcpy(tmp + carry_len_, rest.data(), extra);
        std::size_t total = carry_len_ + extra;
        for (std::size_t p = 0; p < carry_len_; ++p) {
            if (p + kSyncLen > total) break;
            if (sync_at(tmp + p)) {
                std::size_t n = carry_len_ - p;
                std::uint8_t replay[sizeof(carry_)];
                std::memcpy(replay, tmp + p, n);
                carry_len_ = 0;
                state_ = State::nbss_header;
                hdr_len_ = 0;
                std::size_t j = 0;
                process(Bytes(replay, n), ts, j);
                return;  // the caller continues with `data` from i
            }
        }
    }
    if (auto pos = find_nbss_sync(rest)) {
        stats_.hunt_bytes += *pos;
        i += *pos;
        carry_len_ = 0;
        state_ = State::nbss_header;
        hdr_len_ = 0;
        return;
    }
    stats_.hunt_bytes += rest.size();
    // Keep the last kSyncLen - 1 bytes of carry + rest for the next chunk.
    constexpr std::size_t keep = kSyncLen - 1;
    std::uint8_t tmp[sizeof(carry_) + kSyncLen];
    std::size_t total;
    if (rest.size() >= keep) {
        std::memcpy(tmp, rest.data() + rest.size() - keep, keep);
        total = keep;
    } else {
        std::memcpy(tmp, carry_, carry_len_);
        std::memcpy(tmp + carry_len_, rest.data(), rest.size());
        total = carry_len_ + rest.size();
    }
    std::size_t from = total > keep ? total - keep : 0;
    carry_len_ = static_cast<std::uint8_t>(total - from);
    std::memcpy(carry_, tmp + from, carry_len_);
    i = data.size();
}

void SmbFramer::finish(Timestamp ts) {
    if (streaming_) {
        streaming_ = false;
        l_.on_stream_end(dir_, ts);
    }
}

// ---- counters ------------------------------------------------------------------

FramerStats& FramerStats::operator+=(const FramerStats& o) {
    messages += o.messages;
    pdus += o.pdus;
    streamed_pdus += o.streamed_pdus;
    data_delivered += o.data_delivered;
    data_skipped += o.data_skipped;
    data_missed += o.data_missed;
    resyncs += o.resyncs;
    hunt_bytes += o.hunt_bytes;
    other_nbss += o.other_nbss;
    return *this;
}

void FramerStats::for_each_counter(const CounterFn& fn) const {
    fn("messages", messages);
    fn("pdus", pdus);
    fn("streamed_pdus", streamed_pdus);
    fn("data_delivered", data_delivered);
    fn("data_skipped", data_skipped);
    fn("data_missed", data_missed);
    fn("resyncs", resyncs);
    fn("hunt_bytes", hunt_bytes);
    fn("other_nbss", other_nbss);
}

}  // namespace sw::smb
