// The SMB framer (NBSS -> SMB PDUs, streamed WRITE/READ data, resync) on
// both directions of a byte stream (stream_driver.h), with a listener that
// checks the framer's promises:
//   - a PDU's buffered bytes never exceed the buffer cap or its wire length;
//   - streamed data arrives only between on_stream_begin and on_stream_end,
//     only inside the windows the listener asked for, in increasing order,
//     and never past the data region;
//   - every on_stream_begin is closed by exactly one on_stream_end.
#include <memory>

#include "dissectors/smb2/smb_framer.h"
#include "stream_driver.h"

namespace {

constexpr std::uint32_t kMaxPdu = 4096;

struct Listener : sw::smb::FramerListener {
    struct Side {
        bool streaming = false;
        sw::smb::StreamWants wants;
        std::uint64_t length = 0;
        std::uint64_t next_pos = 0;
    } side[2];
    std::uint8_t window_shape = 0;

    void on_pdu(sw::Dir d, const sw::smb::PduInfo& p, sw::Timestamp) override {
        SW_FUZZ_CHECK(!side[sw::idx(d)].streaming, "PDU delivered inside a streamed PDU");
        SW_FUZZ_CHECK(p.bytes.size() <= kMaxPdu, "PDU buffer above the cap");
        SW_FUZZ_CHECK(p.bytes.size() <= p.wire_len, "more PDU bytes than its wire length");
        if (p.smb2) {
            sw::smb::Smb2Header h;
            SW_FUZZ_CHECK(sw::smb::parse_smb2_header(p.bytes, h), "framer's SMB2 header does not parse");
        }
    }
    sw::smb::StreamWants on_stream_begin(sw::Dir d, const sw::smb::PduInfo& p, sw::smb::DataRegion r,
                                         sw::Timestamp) override {
        auto& s = side[sw::idx(d)];
        SW_FUZZ_CHECK(!s.streaming, "stream begun twice");
        SW_FUZZ_CHECK(p.bytes.size() <= kMaxPdu, "stream head above the cap");
        SW_FUZZ_CHECK(std::uint64_t{r.offset} + r.length <= p.wire_len, "data region past the PDU");
        s = {};
        s.streaming = true;
        s.length = r.length;
        // The dissector's shape (SmbConnection::sniff_wants): the first
        // bytes, and sometimes a second window after (never overlapping) it.
        const std::uint64_t first_end = std::min<std::uint64_t>(r.length, 64 + window_shape);
        s.wants.add(0, first_end);
        if (window_shape & 1) {
            const std::uint64_t b = std::max<std::uint64_t>(first_end, r.length / 2);
            s.wants.add(b, b + 100);
        }
        return s.wants;
    }
    void on_stream_data(sw::Dir d, std::uint64_t pos, sw::Bytes b) override {
        auto& s = side[sw::idx(d)];
        SW_FUZZ_CHECK(s.streaming, "stream data outside a stream");
        SW_FUZZ_CHECK(pos >= s.next_pos, "stream data out of order");
        SW_FUZZ_CHECK(pos + b.size() <= s.length, "stream data past the data region");
        bool inside = false;
        for (int i = 0; i < s.wants.count; ++i)
            inside |= pos >= s.wants.begin[i] && pos + b.size() <= s.wants.end[i];
        SW_FUZZ_CHECK(inside, "stream data outside the windows asked for");
        s.next_pos = pos + b.size();
    }
    void on_stream_missed(sw::Dir d, std::uint64_t) override {
        SW_FUZZ_CHECK(side[sw::idx(d)].streaming, "missed data outside a stream");
    }
    void on_stream_end(sw::Dir d, sw::Timestamp) override {
        SW_FUZZ_CHECK(side[sw::idx(d)].streaming, "stream ended twice");
        side[sw::idx(d)].streaming = false;
    }
    void on_framing_weird(sw::Dir, const char* name, std::uint64_t, sw::Timestamp) override {
        SW_FUZZ_CHECK(name && *name, "weird without a name");
    }
    void on_resync(sw::Dir d, sw::Timestamp) override {
        SW_FUZZ_CHECK(!side[sw::idx(d)].streaming, "resync inside an open stream");
    }
};

// Both framers behind one StreamConsumer, as SmbConnection holds them.
struct Framers : sw::StreamConsumer {
    Listener l;
    sw::smb::SmbFramer f[2] = {{sw::Dir::orig, kMaxPdu, l}, {sw::Dir::resp, kMaxPdu, l}};
    std::uint64_t on_data(sw::Dir d, sw::Bytes b, sw::Timestamp ts) override { return f[sw::idx(d)].on_data(b, ts); }
    void on_gap(sw::Dir d, std::uint64_t len, bool intact, sw::Timestamp ts) override {
        f[sw::idx(d)].on_gap(len, intact, ts);
    }
    void on_flow_end(sw::Timestamp ts) override {
        f[0].finish(ts);
        f[1].finish(ts);
        SW_FUZZ_CHECK(!l.side[0].streaming && !l.side[1].streaming, "stream left open at the end");
    }
};

}  // namespace

SW_FUZZ_ENTRY(fuzz_smb_framer)(const std::uint8_t* data, std::size_t size) {
    sw::fuzz::Input in(data, size);
    auto framers = std::make_unique<Framers>();
    framers->l.window_shape = in.u8();
    sw::fuzz::StreamDriver drv(*framers);
    drv.run(in);
    return 0;
}
