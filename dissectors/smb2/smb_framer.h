// SMB framing for one direction of a TCP stream.
//
// Splits the byte stream into NetBIOS session messages (4-byte header read
// so it resumes across segments), and session messages into SMB PDUs
// (SMB2 compound elements by NextCommand, or one SMB1 / TRANSFORM /
// COMPRESSION_TRANSFORM message). Each PDU is buffered up to a cap and handed
// to the listener; the rest of a long PDU is skipped by count.
//
// Data-bearing PDUs (SMB2 WRITE requests and READ responses, SMB1 WRITE_ANDX
// requests and READ_ANDX responses) are *streamed*: only their fixed head is
// buffered; the listener names up to two windows of the data it wants to see
// (the first bytes at file offset 0 for content sniffing) and every other
// data byte is skipped through the reassembler (the skip return value of
// on_data), never copied. A gap inside a skipped region keeps the framing and
// is reported as missed data.
//
// Non-session NBSS messages (keep-alive, session request/response) are
// skipped. On a gap that breaks framing, or an implausible header, the
// framer hunts for the next NBSS header followed by \xfeSMB (StructureSize
// 64), \xfdSMB, \xfcSMB or \xffSMB.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "capture/memory_budget.h"

#include "capture/stream.h"
#include "dissectors/smb2/smb_records.h"

namespace sw::smb {

struct PduInfo {
    Magic magic = Magic::unknown;
    Bytes bytes;                  // buffered bytes: the whole PDU, or its first part
    std::uint32_t wire_len = 0;   // the PDU's length on the wire
    bool first_in_message = true; // first PDU of its NBSS message (compound start)
    // SMB2: the header, parsed once by the framer (null for other magics).
    const Smb2Header* smb2 = nullptr;
    bool truncated() const { return bytes.size() < wire_len; }
};

// Parts of a streamed data region the listener wants delivered, as
// [begin, end) offsets from the start of the data. Everything else is skipped.
struct StreamWants {
    std::uint64_t begin[2] = {0, 0};
    std::uint64_t end[2] = {0, 0};
    int count = 0;
    void add(std::uint64_t b, std::uint64_t e) {
        if (count < 2 && e > b) {
            begin[count] = b;
            end[count] = e;
            ++count;
        }
    }
};

class FramerListener {
public:
    virtual ~FramerListener() = default;
    virtual void on_pdu(Dir d, const PduInfo& p, Timestamp ts) = 0;
    // A data-bearing PDU: `p.bytes` is its head; `data` is where its data
    // lies in the PDU (already clipped to the PDU). The data follows through
    // on_stream_data / on_stream_missed, then on_stream_end.
    virtual StreamWants on_stream_begin(Dir d, const PduInfo& p, DataRegion data, Timestamp ts) = 0;
    virtual void on_stream_data(Dir d, std::uint64_t pos, Bytes b) = 0;  // pos: offset in the data
    virtual void on_stream_missed(Dir d, std::uint64_t n) = 0;
    virtual void on_stream_end(Dir d, Timestamp ts) = 0;
    // A framing anomaly (weird.log name, a value for addl).
    virtual void on_framing_weird(Dir d, const char* name, std::uint64_t value, Timestamp ts) = 0;
    // Framing was lost: what follows is not related to what came before.
    virtual void on_resync(Dir d, Timestamp ts) = 0;
};

struct FramerStats {
    std::uint64_t messages = 0;       // NBSS session messages
    std::uint64_t pdus = 0;
    std::uint64_t streamed_pdus = 0;
    std::uint64_t data_delivered = 0; // streamed data bytes handed over (windows)
    std::uint64_t data_skipped = 0;   // streamed data bytes skipped by count
    std::uint64_t data_missed = 0;    // streamed data bytes lost in gaps
    std::uint64_t resyncs = 0;        // hunts started
    std::uint64_t hunt_bytes = 0;     // bytes scanned while hunting
    std::uint64_t other_nbss = 0;     // keep-alives and other non-session messages

    FramerStats& operator+=(const FramerStats& o);
    // Every counter, by name, in a fixed order.
    void for_each_counter(const CounterFn& fn) const;
};

// Where a plausible NBSS session header followed by an SMB protocol id starts
// in `b` (needs 10 bytes from that position). Pure; exposed for tests.
std::optional<std::size_t> find_nbss_sync(Bytes b);

class SmbFramer {
public:
    SmbFramer(Dir d, std::uint32_t max_pdu_buffer, FramerListener& l);

    // Returns how many bytes after `data` to skip (StreamConsumer::on_data).
    std::uint64_t on_data(Bytes data, Timestamp ts);
    void on_gap(std::uint64_t len, bool framing_intact, Timestamp ts);
    // End of the flow: closes an open stream.
    void finish(Timestamp ts);

    bool hunting() const { return state_ == State::hunt; }

    // Memory budget: the PDU buffer's capacity is charged as it grows.
    void bind_memory(MemoryBudget* b) {
        charge_.bind(b, MemoryArea::dissectors);
        charge_.set(static_cast<std::int64_t>(buf_.capacity()));
    }
    std::int64_t memory() const { return charge_.charged(); }
    // Memory pressure: gives the buffer back when no PDU is being gathered.
    std::uint64_t shed_buffer() {
        if (!buf_.empty() || buf_.capacity() == 0) return 0;
        const std::uint64_t freed = buf_.capacity();
        std::vector<std::uint8_t>().swap(buf_);
        charge_.set(0);
        return freed;
    }
    const FramerStats& stats() const { return stats_; }

private:
    enum class State : std::uint8_t { nbss_header, message, skip_message, hunt };
    enum class Stage : std::uint8_t { head, gap, data, tail };
    enum class Step : std::uint8_t { magic, smb2_header, smb2_stream_head, smb1_head, smb1_stream_head, whole };

    void process(Bytes data, Timestamp ts, std::size_t& i);
    void settle(Timestamp ts);
    void start_message(std::uint32_t len, Timestamp ts);
    void start_pdu(bool first);
    void analyze_head(Timestamp ts);
    void deliver_pdu(Timestamp ts);
    void begin_stream(DataRegion r, Timestamp ts);
    void finish_pdu();
    void consume(std::uint64_t n) {
        msg_left_ -= n;
        pdu_left_ -= n;
    }
    void skip_rest_of_message(const char* weird, std::uint64_t value, Timestamp ts);
    void start_hunt(Timestamp ts, bool notify);
    // Scans `data` from i for a sync point (using the carry across chunks).
    void hunt(Bytes data, std::size_t& i, Timestamp ts);
    std::uint64_t compute_skip();
    std::uint64_t next_window_start() const;

    Dir dir_;
    std::uint32_t max_pdu_;
    FramerListener& l_;

    State state_ = State::nbss_header;
    bool started_ = false;      // any byte of this direction seen
    bool seen_header_ = false;  // a session message with SMB in it seen  // first NBSS header of the direction validated
    std::uint8_t hdr_[4] = {};
    std::uint8_t hdr_len_ = 0;

    std::uint64_t msg_left_ = 0;
    std::uint64_t pdu_left_ = 0;
    std::uint32_t pdu_len_ = 0;       // extent of the current PDU once known
    bool pdu_first_ = true;
    bool more_pdus_ = false;          // an SMB2 NextCommand follows this PDU
    Stage stage_ = Stage::head;
    Step step_ = Step::magic;
    std::size_t want_ = 0;
    std::vector<std::uint8_t> buf_;
    Magic magic_ = Magic::unknown;
    Smb2Header smb2_;  // of the current PDU, once Step::smb2_header parsed it

    // Streaming.
    std::uint64_t gap_left_ = 0;
    std::uint64_t data_left_ = 0;
    std::uint64_t data_pos_ = 0;
    StreamWants wants_;
    bool streaming_ = false;
    // The last returned skip covered streamed data: a framing-intact gap
    // (which the reassembler, owner of the count, reports only inside that
    // skip) is missed data. Not a count: how much is left is the reassembler's.
    bool data_skip_pending_ = false;

    // Hunting: the tail of the previous chunk.
    std::uint8_t carry_[10] = {};
    std::uint8_t carry_len_ = 0;

    FramerStats stats_;
    MemoryCharge charge_;
};

}  // namespace sw::smb
