// Feeds a StreamConsumer both directions of a TCP byte stream described by
// the fuzzer input, honouring the skip contract of capture/stream.h the way
// TcpReassembler does (on_data's return value and SkipHandoff add to one
// count per direction; a gap inside that count is framing-intact).
//
// Input: repeated [control u8][length u16][bytes]. Control bit 0 is the
// direction (0 orig, 1 resp); bit 1 makes the record a gap of `length`
// bytes (no bytes follow); bits 2-7 advance the time.
#pragma once

#include <algorithm>

#include "capture/stream.h"
#include "fuzz_common.h"

namespace sw::fuzz {

class StreamDriver final : public SkipHandoff {
public:
    explicit StreamDriver(StreamConsumer& c) : c_(c) { c_.attach(*this); }

    void skip(Dir d, std::uint64_t n) override { add(skip_[slot(d)], n); }

    void data(Dir d, Bytes b, Timestamp ts) {
        std::uint64_t& s = skip_[slot(d)];
        while (!b.empty()) {
            if (s > 0) {
                const std::uint64_t n = std::min<std::uint64_t>(s, b.size());
                s -= n;
                b = b.subspan(static_cast<std::size_t>(n));
                continue;
            }
            const std::uint64_t want = c_.on_data(d, b, ts);
            add(s, want);
            break;
        }
    }

    void gap(Dir d, std::uint64_t len, Timestamp ts) {
        std::uint64_t& s = skip_[slot(d)];
        const std::uint64_t in_skip = std::min(len, s);
        s -= in_skip;
        if (in_skip) c_.on_gap(d, in_skip, true, ts);
        if (len > in_skip) c_.on_gap(d, len - in_skip, false, ts);
    }

    // Runs the whole input, then ends the flow; `after` runs after each record.
    void run(Input& in) {
        run(in, [] {});
    }
    template <typename F>
    void run(Input& in, F&& after) {
        Timestamp ts = 1'700'000'000'000'000;
        while (!in.empty()) {
            const std::uint8_t ctl = in.u8();
            const std::uint16_t len = in.u16();
            const Dir d = (ctl & 1) ? Dir::resp : Dir::orig;
            ts += (ctl >> 2) * 1000;
            if (ctl & 2) gap(d, len, ts);
            else data(d, in.bytes(len), ts);
            after();
        }
        c_.on_flow_end(ts + 1);
    }

private:
    static std::size_t slot(Dir d) { return d == Dir::orig ? 0 : 1; }
    static void add(std::uint64_t& s, std::uint64_t n) { s = n > kSkipAll - s ? kSkipAll : s + n; }
    StreamConsumer& c_;
    std::uint64_t skip_[2] = {0, 0};
};

}  // namespace sw::fuzz
