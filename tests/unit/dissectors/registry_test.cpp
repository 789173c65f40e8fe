// The dissector registry: claims by content on either direction, port hints,
// replay of probed bytes (honouring the winner's skips) and declining to the
// conn-accounting consumer.
#include <gtest/gtest.h>

#include "capture/byte_reader.h"
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
    void on_gap(Dir, std::uint64_t, bool, Timestamp) override {}
    void on_flow_end(Timestamp) override {}
    AppProtocol protocol() const override { return AppProtocol::ssh; }  // any tag
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
    // Other direction first, so the probe sees 8 bytes only in the resp side;
    // the orig side's "TOY" then needs 5 more bytes skipped that have not arrived.
    EXPECT_EQ(c->on_data(Dir::orig, B("TOY"), 0), 0u);
    EXPECT_EQ(c->on_data(Dir::resp, B("TOY12345"), 0), 0u);
    // Claimed on the resp chunk; the orig side's pending 5 are dropped by the
    // dispatcher from what comes next.
    EXPECT_EQ(c->on_data(Dir::orig, B("xxxxxdata"), 0), 0u);
    EXPECT_EQ(f->last->seen[0], "TOYdata");
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
