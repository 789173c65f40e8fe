// The dissector registry: claims by content on either direction, port hints,
// replay of probed bytes (honouring the winner's skips) and declining to the
// conn-accounting consumer.
#include <gtest/gtest.h>

#include "capture/byte_reader.h"
#include "capture/tcp_reassembler.h"
#include "dissectors/conn/conn_accounting.h"
#include "dissectors/registry.h"
#include "support.h"

namespace sw {
namespace {

struct NullSink : EventSink {
    void on_event(const Event&) override {}
};

// A toy protocol: the stream starts with "TOY", then 5 bytes the consumer
// does not want (think: a WRITE body), then data it records.
struct ToyConsumer : StreamConsumer {
    std::string seen[2];
    int hdr[2] = {0, 0};
    std::uint64_t skip[2] = {0, 0};
    std::uint64_t on_data(Dir d, Bytes b, Timestamp) override {
        const int i = idx(d);
        std::size_t k = 0;
        while (k < b.size()) {
            if (hdr[i] < 3) {
                seen[i] += static_cast<char>(b[k++]);
                if (++hdr[i] == 3) skip[i] = 5;
            } else if (skip[i]) {
                std::size_t n = std::min<std::size_t>(skip[i], b.size() - k);
                k += n;
                skip[i] -= n;
            } else {
                seen[i].append(reinterpret_cast<const char*>(b.data() + k), b.size() - k);
                k = b.size();
            }
        }
        std::uint64_t rest = skip[i];  // the reassembler drops these for us
        skip[i] = 0;
        return rest;
    }
    std::vector<std::pair<std::uint64_t, bool>> gaps[2];
    void on_gap(Dir d, std::uint64_t len, bool intact, Timestamp) override {
        gaps[idx(d)].emplace_back(len, intact);
    }
    void on_flow_end(Timestamp) override {}
    AppProtocol protocol() const override { return AppProtocol::ssh; }  // any tag
};

// Records skips handed over outside on_data's return value.
struct RecordingHandoff : SkipHandoff {
    std::vector<std::pair<Dir, std::uint64_t>> got;
    void skip(Dir d, std::uint64_t n) override { got.emplace_back(d, n); }
};

// Accepts once 8 bytes starting with "TOY" are visible in either direction.
struct ToyFactory : DissectorFactory {
    ToyConsumer* last = nullptr;
    std::string_view name() const override { return "toy"; }
    std::span<const std::uint16_t> ports() const override {
        static const std::uint16_t p[] = {7777};
        return p;
    }
    ProbeResult probe(const ProbeInput& in) const override {
        bool waiting = false;
        for (Bytes b : {in.orig, in.resp}) {
            std::string_view s = as_chars(b);
            std::string_view head = s.substr(0, 3);
            if (head != std::string_view("TOY").substr(0, head.size())) continue;  // not toy
            if (s.size() >= 8) return ProbeResult::accept;
            waiting = true;
        }
        if (in.final) return ProbeResult::reject;
        if (waiting || in.orig.empty() || in.resp.empty()) return ProbeResult::need_more;
        return ProbeResult::reject;
    }
    std::unique_ptr<StreamConsumer> create(const ConnId&, EventSink&) override {
        auto c = std::make_unique<ToyConsumer>();
        last = c.get();
        return c;
    }
};

Bytes B(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

TEST(Registry, ClaimsByContentAcrossSegments) {
    NullSink sink;
    DissectorRegistry reg(sink);
    auto* f = new ToyFactory;
    reg.add(std::unique_ptr<DissectorFactory>(f));
    ConnId id;
    id.resp_p = 12345;  // not the toy port: content decides
    auto c = reg.create(id);
    EXPECT_EQ(c->on_data(Dir::resp, B("TO"), 0), 0u);  // need more
    EXPECT_EQ(f->last, nullptr);
    // "TOY" + 5 skipped bytes are now visible: claimed, and the consumer's
    // wish to skip the 5 bytes (none of which arrived yet) goes to the reassembler.
    EXPECT_EQ(c->on_data(Dir::resp, B("Y"), 0), 0u);
    EXPECT_EQ(f->last, nullptr);
    EXPECT_EQ(c->on_data(Dir::resp, B("abcde"), 0), 0u);
    ASSERT_NE(f->last, nullptr);
    EXPECT_EQ(f->last->seen[1], "TOY");
    EXPECT_EQ(c->protocol(), AppProtocol::ssh);
    EXPECT_EQ(reg.stats().claimed[0], 1u);
}

TEST(Registry, SkipRequestedDuringReplayIsHonoured) {
    NullSink sink;
    DissectorRegistry reg(sink);
    auto* f = new ToyFactory;
    reg.add(std::unique_ptr<DissectorFactory>(f));
    ConnId id;
    auto c = reg.create(id);
    // Probed in three chunks; on replay the consumer skips 4 bytes of the
    // first and then asks for 4 more, which the dispatcher drops from the
    // replayed chunks ("xx", then "xx" of "xxaft").
    EXPECT_EQ(c->on_data(Dir::orig, B("TOYx"), 0), 0u);
    EXPECT_EQ(c->on_data(Dir::orig, B("xx"), 0), 0u);
    EXPECT_EQ(c->on_data(Dir::orig, B("xxaft"), 0), 0u);
    EXPECT_EQ(c->on_data(Dir::orig, B("er"), 0), 0u);
    EXPECT_EQ(f->last->seen[0], "TOYafter");
}

TEST(Registry, SkipBeyondProbedBytesGoesToTheReassembler) {
    NullSink sink;
    DissectorRegistry reg(sink);
    auto* f = new ToyFactory;
    reg.add(std::unique_ptr<DissectorFactory>(f));
    ConnId id;
    auto c = reg.create(id);
    RecordingHandoff h;
    c->attach(h);
    // Other direction first, so the probe sees 8 bytes only in the resp side;
    // the orig side's "TOY" then needs 5 more bytes skipped that have not arrived.
    EXPECT_EQ(c->on_data(Dir::orig, B("TOY"), 0), 0u);
    EXPECT_EQ(c->on_data(Dir::resp, B("TOY12345"), 0), 0u);
    // Claimed on the resp chunk: the orig side's pending 5 go to the orig
    // reassembler through the hand-off; the dispatcher keeps no carry.
    ASSERT_EQ(h.got.size(), 1u);
    EXPECT_EQ(h.got[0], std::make_pair(Dir::orig, std::uint64_t{5}));
    // What the reassembler then delivers is passed through untouched.
    EXPECT_EQ(c->on_data(Dir::orig, B("data"), 0), 0u);
    EXPECT_EQ(f->last->seen[0], "TOYdata");
    EXPECT_EQ(f->last->seen[1], "TOY");
}

// Two real reassemblers behind a flow's hand-off, as the engine wires them.
struct TwoWayFlow : SkipHandoff {
    SegmentPool pool{1 << 20};
    TcpReassembler r[2];
    std::unique_ptr<StreamConsumer> c;
    explicit TwoWayFlow(std::unique_ptr<StreamConsumer> consumer) : c(std::move(consumer)) {
        c->attach(*this);
        r[0].start(0);
        r[1].start(0);
    }
    ~TwoWayFlow() {
        r[0].release(pool);
        r[1].release(pool);
    }
    void skip(Dir d, std::uint64_t n) override { r[idx(d)].add_skip(n); }
    ReassemblyCtx ctx(Dir d) { return ReassemblyCtx{c.get(), d, pool, 1 << 16}; }
    void add(Dir d, std::uint64_t off, std::string_view s) { r[idx(d)].add(off, B(s), 0, ctx(d)); }
};

TEST(Registry, SkipFromTheOtherDirectionsReplayIsHonouredByItsReassembler) {
    NullSink sink;
    DissectorRegistry reg(sink);
    auto* f = new ToyFactory;
    reg.add(std::unique_ptr<DissectorFactory>(f));
    ConnId id;
    TwoWayFlow flow(reg.create(id));
    flow.add(Dir::orig, 0, "TOY");
    // Bytes 6..8 of the orig side's 5-byte skip (3..8) and the data after it
    // arrive early, before anyone knows of the skip: buffered as data.
    flow.add(Dir::orig, 6, "xx");
    flow.add(Dir::orig, 8, "data");
    EXPECT_EQ(flow.r[0].buffered(), 6u);
    // The resp side's bytes make the claim; replaying orig's "TOY" asks for 5
    // bytes of orig skipped, which reach orig's reassembler directly.
    flow.add(Dir::resp, 0, "TOY12345");
    ASSERT_NE(f->last, nullptr);
    EXPECT_EQ(flow.r[0].pending_skip(), 5u);
    // Bytes 8.. were already buffered as data; a later copy of 4..6 lies
    // inside the skip now and is only remembered as a range, never copied.
    flow.add(Dir::orig, 4, "xx");
    EXPECT_EQ(flow.r[0].buffered(), 6u);
    // Byte 3 never comes: a hole inside the skip keeps the framing.
    flow.r[0].flush(0, flow.ctx(Dir::orig));
    EXPECT_EQ(f->last->seen[0], "TOYdata");
    ASSERT_EQ(f->last->gaps[0].size(), 1u);
    EXPECT_EQ(f->last->gaps[0][0], std::make_pair(std::uint64_t{1}, true));
    EXPECT_EQ(flow.r[0].stats().gap_bytes, 1u);
    EXPECT_EQ(flow.r[0].stats().skipped, 4u);    // 4..8, dropped by the reassembler
    EXPECT_EQ(flow.r[0].stats().delivered, 7u);  // "TOY" and "data"
    EXPECT_EQ(flow.r[0].pending_skip(), 0u);
    EXPECT_EQ(f->last->seen[1], "TOY");
}

TEST(Registry, DeclinedFlowsGetConnAccounting) {
    NullSink sink;
    DissectorRegistry reg(sink);
    reg.add(std::make_unique<ToyFactory>());
    ConnId id;
    auto c = reg.create(id);
    EXPECT_EQ(c->on_data(Dir::orig, B("GET / HTTP/1.1\r\n"), 0), 0u);  // toy waits for the other side
    EXPECT_EQ(c->on_data(Dir::resp, B("HTTP/1.1 200 OK\r\n"), 0), kSkipAll);  // rejected: skip all
    EXPECT_EQ(c->protocol(), AppProtocol::none);
    EXPECT_EQ(reg.stats().declined, 1u);
}

TEST(Registry, ProbeBufferIsBounded) {
    NullSink sink;
    RegistryConfig cfg;
    cfg.max_probe_bytes = 64;
    DissectorRegistry reg(sink, cfg);
    reg.add(std::make_unique<ToyFactory>());
    ConnId id;
    auto c = reg.create(id);
    std::string junk(1000, 'x');
    // Only one direction ever talks and it never matches: decided at the cap.
    EXPECT_EQ(c->on_data(Dir::orig, B(junk), 0), kSkipAll);
    EXPECT_EQ(reg.stats().declined, 1u);
}

TEST(Registry, PortsFeedServerPortList) {
    NullSink sink;
    DissectorRegistry reg(sink);
    reg.add(std::make_unique<ToyFactory>());
    EXPECT_EQ(reg.server_ports(), std::vector<std::uint16_t>{7777});
}

// A factory that reports two counters of its own.
struct CountingFactory : ToyFactory {
    std::string_view name() const override { return "cnt"; }
    void for_each_counter(const CounterFn& fn) const override {
        fn("alpha", 7);
        fn("beta", 9);
    }
};

TEST(Registry, CountersByNameInAFixedOrder) {
    NullSink sink;
    DissectorRegistry reg(sink);
    reg.add(std::make_unique<ToyFactory>());
    reg.add(std::make_unique<CountingFactory>());
    ConnId id;
    auto a = reg.create(id);
    auto b = reg.create(id);
    a->on_data(Dir::orig, B("TOY12345"), 0);                                  // claimed by toy
    b->on_data(Dir::orig, B("GET / HTTP/1.1\r\n"), 0);
    b->on_data(Dir::resp, B("HTTP/1.1 200 OK\r\n"), 0);                       // declined
    std::vector<std::pair<std::string, std::uint64_t>> got;
    reg.for_each_counter([&](std::string_view n, std::uint64_t v) { got.emplace_back(std::string(n), v); });
    const std::vector<std::pair<std::string, std::uint64_t>> want = {
        {"registry.flows", 2},      {"registry.declined", 1}, {"registry.claimed.toy", 1},
        {"registry.claimed.cnt", 0}, {"cnt.alpha", 7},         {"cnt.beta", 9},
    };
    EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace sw
