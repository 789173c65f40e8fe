// The flow engine: Zeek's conn_state/history/byte semantics on hand-built
// packet sequences, timeouts, the max-flows cap, 5-tuple reuse, role flips,
// sequence wrap, and uids.
#include <gtest/gtest.h>

#include <algorithm>

#include <deque>
#include <set>
#include <string>

#include "capture/engine.h"
#include "capture/uid.h"

namespace sw {
namespace {

struct Sink : FlowSink {
    std::vector<ConnRecord> conns;
    void on_conn(const ConnRecord& r) override { conns.push_back(r); }
    void on_weird(const WeirdRecord&) override {}
};

// Collects the ordered stream of every flow.
struct StreamCollector : StreamConsumer {
    std::string* out[2];
    std::uint64_t on_data(Dir d, Bytes b, Timestamp) override {
        out[idx(d)]->append(reinterpret_cast<const char*>(b.data()), b.size());
        return 0;
    }
    void on_gap(Dir, std::uint64_t, bool, Timestamp) override {}
    void on_flow_end(Timestamp) override {}
};
struct Factory : ConsumerFactory {
    std::string orig, resp;
    std::unique_ptr<StreamConsumer> create(const ConnId&) override {
        auto c = std::make_unique<StreamCollector>();
        c->out[0] = &orig;
        c->out[1] = &resp;
        return c;
    }
};

const IpAddr A = *IpAddr::parse("10.1.1.1");
const IpAddr B = *IpAddr::parse("10.1.1.2");
constexpr std::uint8_t S = tcpflag::syn, AK = tcpflag::ack, F = tcpflag::fin, R = tcpflag::rst,
                       P = tcpflag::psh;

struct Builder {
    std::string store;  // payload bytes live here
    DecodedPacket tcp(Timestamp ts, bool from_a, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack,
                      std::string_view data = {}, std::uint16_t aport = 50000, std::uint16_t bport = 445) {
        DecodedPacket p;
        p.ts = ts;
        p.ip_version = 4;
        p.proto = 6;
        p.src = from_a ? A : B;
        p.dst = from_a ? B : A;
        p.sport = from_a ? aport : bport;
        p.dport = from_a ? bport : aport;
        p.tcp_flags = flags;
        p.seq = seq;
        p.ack = ack;
        p.window = 1000;
        data_.emplace_back(data);
        p.payload = Bytes(reinterpret_cast<const std::uint8_t*>(data_.back().data()), data_.back().size());
        p.payload_len = static_cast<std::uint32_t>(data.size());
        p.ip_bytes = 40 + p.payload_len;
        return p;
    }
    DecodedPacket udp(Timestamp ts, bool from_a, std::string_view data, std::uint16_t aport = 5353,
                      std::uint16_t bport = 53) {
        DecodedPacket p = tcp(ts, from_a, 0, 0, 0, data, aport, bport);
        p.proto = 17;
        p.ip_bytes = 28 + p.payload_len;
        return p;
    }
    std::deque<std::string> data_;
};

FlowConfig seeded() {
    FlowConfig c;
    c.seeded = true;
    c.seed = 42;
    c.server_ports = {22, 53, 445};
    return c;
}

constexpr Timestamp T0 = 1'700'000'000 * kSecond;

TEST(Flow, FullConnectionIsSF) {
    Sink sink;
    Factory fac;
    FlowEngine e(seeded(), &fac, sink);
    Builder b;
    e.process(b.tcp(T0, true, S, 100, 0));
    e.process(b.tcp(T0 + 10, false, S | AK, 500, 101));
    e.process(b.tcp(T0 + 20, true, AK, 101, 501));
    e.process(b.tcp(T0 + 30, true, P | AK, 101, 501, "hello"));
    e.process(b.tcp(T0 + 40, false, P | AK, 501, 106, "world!"));
    e.process(b.tcp(T0 + 50, true, F | AK, 106, 507));
    e.process(b.tcp(T0 + 60, false, F | AK, 507, 107));
    e.process(b.tcp(T0 + 70, true, AK, 107, 508));
    e.finish();
    ASSERT_EQ(sink.conns.size(), 1u);
    const ConnRecord& c = sink.conns[0];
    EXPECT_EQ(c.conn_state, "SF");
    // The responder never sent a bare ACK, so no 'a' (Zeek records A only for those).
    EXPECT_EQ(c.history, "ShADdFf");
    EXPECT_EQ(c.orig_bytes, 5u);
    EXPECT_EQ(c.resp_bytes, 6u);
    EXPECT_EQ(c.orig_pkts, 5u);
    EXPECT_EQ(c.resp_pkts, 3u);
    EXPECT_EQ(c.orig_ip_bytes, 5 * 40 + 5u);
    EXPECT_EQ(c.id.orig_h, A);
    EXPECT_EQ(c.id.resp_p, 445);
    EXPECT_EQ(c.ts, T0);
    // Zeek stops the clock once both sides have closed: the last ACK doesn't count.
    EXPECT_EQ(c.duration, 60);
    EXPECT_EQ(c.missed_bytes, 0u);
    EXPECT_EQ(fac.orig, "hello");
    EXPECT_EQ(fac.resp, "world!");
}

TEST(Flow, UnansweredSynIsS0) {
    Sink sink;
    FlowEngine e(seeded(), nullptr, sink);
    Builder b;
    e.process(b.tcp(T0, true, S, 7, 0));
    e.finish();
    ASSERT_EQ(sink.conns.size(), 1u);
    EXPECT_EQ(sink.conns[0].conn_state, "S0");
    EXPECT_EQ(sink.conns[0].history, "S");
    EXPECT_FALSE(sink.conns[0].sized);  // duration 0: no bytes fields, as Zeek
}

TEST(Flow, RejectedIsREJ) {
    Sink sink;
    FlowEngine e(seeded(), nullptr, sink);
    Builder b;
    e.process(b.tcp(T0, true, S, 7, 0));
    e.process(b.tcp(T0 + 5, false, R | AK, 0, 8));
    e.finish();
    ASSERT_EQ(sink.conns.size(), 1u);
    EXPECT_EQ(sink.conns[0].conn_state, "REJ");
    EXPECT_EQ(sink.conns[0].history, "Sr");
}

TEST(Flow, MidStreamPickupIsOTH) {
    Sink sink;
    Factory fac;
    FlowEngine e(seeded(), &fac, sink);
    Builder b;
    // Picked up mid-stream: the first packet comes from the server port, so
    // the engine makes the other side the originator (history starts '^').
    e.process(b.tcp(T0, false, P | AK, 9000, 5000, "from server"));
    e.process(b.tcp(T0 + 10, true, P | AK, 5000, 9011, "from client"));
    e.finish();
    ASSERT_EQ(sink.conns.size(), 1u);
    const ConnRecord& c = sink.conns[0];
    EXPECT_EQ(c.id.orig_h, A);
    EXPECT_EQ(c.id.resp_p, 445);
    EXPECT_EQ(c.conn_state, "OTH");
    EXPECT_EQ(c.history, "^dD");
    EXPECT_EQ(c.orig_bytes, 11u);
    EXPECT_EQ(c.resp_bytes, 11u);
    EXPECT_EQ(fac.orig, "from client");
    EXPECT_EQ(fac.resp, "from server");
}

TEST(Flow, SequenceWrapAcross2To32) {
    for (std::uint32_t isn : {0xFFFFFFF0u, 0xFFFFFFFFu, 0xFFFFF000u}) {
        Sink sink;
        Factory fac;
        FlowEngine e(seeded(), &fac, sink);
        Builder b;
        std::string data;
        for (int i = 0; i < 3000; ++i) data += static_cast<char>('A' + i % 26);
        e.process(b.tcp(T0, true, S, isn, 0));
        e.process(b.tcp(T0 + 1, false, S | AK, 77, isn + 1));
        e.process(b.tcp(T0 + 2, true, AK, isn + 1, 78));
        // Send in 7 segments, out of order.
        std::vector<std::pair<std::uint32_t, std::string>> segs;
        for (std::size_t off = 0; off < data.size(); off += 500)
            segs.emplace_back(isn + 1 + static_cast<std::uint32_t>(off), data.substr(off, 500));
        std::swap(segs[1], segs[4]);
        std::swap(segs[0], segs[2]);
        Timestamp t = T0 + 3;
        for (auto& [seq, d] : segs) e.process(b.tcp(t++, true, P | AK, seq, 78, d));
        e.process(b.tcp(t++, false, AK, 78, isn + 1 + 3000));
        e.finish();
        ASSERT_EQ(sink.conns.size(), 1u);
        EXPECT_EQ(sink.conns[0].orig_bytes, 3000u) << std::hex << isn;
        EXPECT_EQ(fac.orig, data) << std::hex << isn;
        EXPECT_EQ(sink.conns[0].missed_bytes, 0u);
    }
}

TEST(Flow, LostSegmentCountsAsMissedBytes) {
    Sink sink;
    Factory fac;
    FlowEngine e(seeded(), &fac, sink);
    Builder b;
    e.process(b.tcp(T0, true, S, 0, 0));
    e.process(b.tcp(T0 + 1, false, S | AK, 0, 1));
    e.process(b.tcp(T0 + 2, true, P | AK, 1, 1, std::string(100, 'a')));
    // 101..201 lost by the sensor; the receiver acknowledges everything.
    e.process(b.tcp(T0 + 3, true, P | AK, 201, 1, std::string(100, 'c')));
    e.process(b.tcp(T0 + 4, false, AK, 1, 301));
    e.finish();
    ASSERT_EQ(sink.conns.size(), 1u);
    EXPECT_EQ(sink.conns[0].orig_bytes, 300u);   // sequence space, as Zeek
    EXPECT_EQ(sink.conns[0].missed_bytes, 100u);
    EXPECT_NE(sink.conns[0].history.find('G'), std::string::npos);
    EXPECT_EQ(fac.orig, std::string(100, 'a') + std::string(100, 'c'));
}

TEST(Flow, AttemptTimeoutSplitsLateSynRetransmission) {
    Sink sink;
    FlowEngine e(seeded(), nullptr, sink);
    Builder b;
    e.process(b.tcp(T0, true, S, 7, 0));
    e.process(b.tcp(T0 + 3 * kSecond, true, S, 7, 0));  // within 5 s: same attempt
    e.process(b.tcp(T0 + 9 * kSecond, true, S, 7, 0));  // after: a new connection
    e.finish();
    ASSERT_EQ(sink.conns.size(), 2u);
    EXPECT_EQ(sink.conns[0].orig_pkts, 2u);
    EXPECT_EQ(sink.conns[1].orig_pkts, 1u);
    EXPECT_NE(sink.conns[0].id.uid(), sink.conns[1].id.uid());
}

TEST(Flow, InactivityTimeout) {
    FlowConfig cfg = seeded();
    cfg.udp_inactivity = 60 * kSecond;
    Sink sink;
    FlowEngine e(cfg, nullptr, sink);
    Builder b;
    e.process(b.udp(T0, true, "q"));
    e.process(b.udp(T0 + 1, false, "answer"));
    e.process(b.udp(T0 + 59 * kSecond, true, "q"));   // still the same flow
    e.process(b.udp(T0 + 200 * kSecond, true, "q"));  // idle > 60 s: new flow
    e.finish();
    ASSERT_EQ(sink.conns.size(), 2u);
    EXPECT_EQ(sink.conns[0].conn_state, "SF");
    EXPECT_EQ(sink.conns[0].orig_bytes, 2u);
    EXPECT_EQ(sink.conns[0].resp_bytes, 6u);
    EXPECT_EQ(sink.conns[0].history, "Dd");
    EXPECT_EQ(sink.conns[0].end_reason, "timeout");
    EXPECT_EQ(sink.conns[1].conn_state, "S0");
    EXPECT_EQ(e.stats().flows_timed_out, 1u);
}

TEST(Flow, TimeoutWithoutTrafficOnThatFlow) {
    Sink sink;
    FlowEngine e(seeded(), nullptr, sink);
    Builder b;
    e.process(b.udp(T0, true, "x", 1000, 53));
    // Other traffic moves packet time on; the first flow expires by itself.
    e.process(b.udp(T0 + 120 * kSecond, true, "y", 1001, 53));
    EXPECT_EQ(sink.conns.size(), 1u);
    EXPECT_EQ(e.live_flows(), 1u);
}

TEST(Flow, MaxFlowsEvictsOldestIdle) {
    FlowConfig cfg = seeded();
    cfg.max_flows = 3;
    Sink sink;
    FlowEngine e(cfg, nullptr, sink);
    Builder b;
    e.process(b.udp(T0, true, "1", 1001));
    e.process(b.udp(T0 + 1, true, "2", 1002));
    e.process(b.udp(T0 + 2, true, "3", 1003));
    e.process(b.udp(T0 + 3, true, "1", 1001));  // 1001 is active again; 1002 is now the oldest idle
    e.process(b.udp(T0 + 4, true, "4", 1004));
    EXPECT_EQ(e.live_flows(), 3u);
    ASSERT_EQ(sink.conns.size(), 1u);
    EXPECT_EQ(sink.conns[0].id.orig_p, 1002);
    EXPECT_EQ(sink.conns[0].end_reason, "evicted");
    EXPECT_EQ(e.stats().flows_evicted, 1u);
}

TEST(Flow, NewSynAfterCloseIsNewConnection) {
    Sink sink;
    FlowEngine e(seeded(), nullptr, sink);
    Builder b;
    e.process(b.tcp(T0, true, S, 100, 0));
    e.process(b.tcp(T0 + 1, false, S | AK, 500, 101));
    e.process(b.tcp(T0 + 2, true, F | AK, 101, 501));
    e.process(b.tcp(T0 + 3, false, F | AK, 501, 102));
    e.process(b.tcp(T0 + 4, true, S, 9000, 0));  // same 5-tuple, new ISN, within close delay
    e.finish();
    ASSERT_EQ(sink.conns.size(), 2u);
    EXPECT_EQ(sink.conns[0].conn_state, "SF");
    EXPECT_EQ(sink.conns[1].conn_state, "S0");
    EXPECT_EQ(e.stats().flows_reused, 1u);
}

TEST(Flow, DataAtTheIsnWithoutSynIsNotAGap) {
    // After the handshake, a segment without SYN starts exactly at the ISN:
    // its first octet sits where the SYN was, the rest is data. The offset
    // used to wrap to 2^64-1 and every byte became a gap.
    Sink sink;
    Factory fac;
    FlowEngine e(seeded(), &fac, sink);
    Builder b;
    e.process(b.tcp(T0, true, S, 100, 0));
    e.process(b.tcp(T0 + 1, false, S | AK, 500, 101));
    e.process(b.tcp(T0 + 2, true, P | AK, 100, 501, "xhello"));
    e.process(b.tcp(T0 + 3, true, P | AK, 106, 501, " world"));
    e.process(b.tcp(T0 + 4, true, AK, 100, 501, "z"));  // only the SYN's octet: nothing to deliver
    e.finish();
    ASSERT_EQ(sink.conns.size(), 1u);
    EXPECT_EQ(sink.conns[0].missed_bytes, 0u);
    EXPECT_EQ(fac.orig, "hello world");
}

TEST(Flow, FinRstStormKeepsHistoryBounded) {
    // An attacker repeating FIN and RST with fresh sequence numbers added one
    // history letter per packet. Repeats are kept up to three, then at the
    // 10th, 100th, 1000th ... repeat.
    Sink sink;
    FlowEngine e(seeded(), nullptr, sink);
    Builder b;
    e.process(b.tcp(T0, true, S, 100, 0));
    e.process(b.tcp(T0 + 1, false, S | AK, 500, 101));
    e.process(b.tcp(T0 + 2, true, AK, 101, 501));
    for (std::uint32_t i = 0; i < 20000; ++i) {
        e.process(b.tcp(T0 + 3 + 2 * i, true, F | AK, 101 + i, 501));
        e.process(b.tcp(T0 + 4 + 2 * i, false, R, 501 + i, 0));
    }
    e.finish();
    ASSERT_EQ(sink.conns.size(), 1u);
    const std::string& h = sink.conns[0].history;
    // F: first + 3 repeats + the 10th, 100th, 1000th and 10000th repeat.
    EXPECT_EQ(std::count(h.begin(), h.end(), 'F'), 8);
    EXPECT_EQ(std::count(h.begin(), h.end(), 'r'), 8);
    EXPECT_LE(h.size(), 32u) << h;
}

TEST(Flow, SeededRunsGiveSameUids) {
    auto run = [] {
        Sink sink;
        FlowEngine e(seeded(), nullptr, sink);
        Builder b;
        for (std::uint16_t p = 1000; p < 1010; ++p) e.process(b.udp(T0 + p, true, "x", p));
        e.finish();
        std::vector<std::string> u;
        for (auto& c : sink.conns) u.emplace_back(c.id.uid());
        return u;
    };
    EXPECT_EQ(run(), run());
}

TEST(Flow, HashIsSymmetric) {
    Builder b;
    bool x, y;
    auto p1 = b.tcp(T0, true, S, 1, 0);
    auto p2 = b.tcp(T0, false, S | AK, 1, 2);
    FlowKey k1 = make_flow_key(p1, x), k2 = make_flow_key(p2, y);
    EXPECT_TRUE(k1 == k2);
    EXPECT_NE(x, y);
    KeyedHash h = KeyedHash::from_seed(7);
    EXPECT_EQ(flow_hash(k1, h), flow_hash(k2, h));
}

// A second SIGTERM while flows are being finished: finish() stops between
// flows as soon as it is asked to, logs none of the rest and says how many.
TEST(Flow, FinishStopsBetweenFlowsWhenInterrupted) {
    Sink sink;
    FlowEngine e(seeded(), nullptr, sink);
    Builder b;
    for (std::uint16_t i = 0; i < 10; ++i) e.process(b.tcp(T0 + i, true, S, 7, 0, {}, 40000 + i));
    int asked = 0;
    EXPECT_EQ(e.finish([&] { return ++asked > 3; }), 7u);
    EXPECT_EQ(sink.conns.size(), 3u);
    EXPECT_EQ(e.finish(), 0u);  // not interrupted: the rest are finished
    EXPECT_EQ(sink.conns.size(), 10u);
}

}  // namespace
}  // namespace sw

namespace sw {
namespace {

// Records, in order, the data and the ticks a flow's consumer sees.
struct TickRecorder : StreamConsumer {
    std::vector<std::string>* log;
    bool first = true;
    std::uint64_t on_data(Dir, Bytes b, Timestamp ts) override {
        log->push_back("data " + std::to_string(b.size()) + " @" + std::to_string(ts - T0));
        // The first chunk asks to skip the next 4 bytes (a body passed over).
        const std::uint64_t s = first ? 4 : 0;
        first = false;
        return s;
    }
    void on_gap(Dir, std::uint64_t, bool, Timestamp) override {}
    void on_flow_end(Timestamp) override {}
    void on_tick(Timestamp t, const TickState& s) override {
        log->push_back("tick @" + std::to_string(t - T0) + " skip " + std::to_string(s.skip_left[0]) + "/" +
                       std::to_string(s.skip_left[1]));
    }
};
struct TickFactory : ConsumerFactory {
    std::vector<std::string> log;
    bool skip_first = true;
    std::unique_ptr<StreamConsumer> create(const ConnId&) override {
        auto c = std::make_unique<TickRecorder>();
        c->log = &log;
        c->first = skip_first;
        return c;
    }
};

TEST(Flow, ProgressTicksComeOncePerIntervalBeforeTheNextIntervalsData) {
    FlowConfig cfg = seeded();
    cfg.progress_interval = 10 * kSecond;
    Sink sink;
    TickFactory f;
    FlowEngine e(cfg, &f, sink);
    Builder b;
    // T0 is a multiple of 10 s: intervals [T0, T0+10s), [T0+10s, T0+20s), ...
    ASSERT_EQ(T0 % (10 * kSecond), 0);
    e.process(b.tcp(T0 + 1 * kSecond, true, S, 100, 0));
    e.process(b.tcp(T0 + 1 * kSecond + 1, false, S | AK, 500, 101));
    e.process(b.tcp(T0 + 2 * kSecond, true, AK | P, 101, 501, "abc"));
    e.process(b.tcp(T0 + 9 * kSecond, true, AK | P, 104, 501, "de"));
    e.process(b.tcp(T0 + 10 * kSecond, true, AK | P, 106, 501, "f"));       // next interval: tick first
    e.process(b.tcp(T0 + 10 * kSecond + 5, true, AK | P, 107, 501, "g"));   // same interval: no tick
    e.process(b.tcp(T0 + 45 * kSecond, true, AK | P, 108, 501, "hi"));      // jumped over 3 boundaries: one tick
    e.advance(T0 + 52 * kSecond);  // packet time moves on without packets
    const std::string s1 = std::to_string(10 * kSecond - 1), s2 = std::to_string(20 * kSecond - 1),
                      s5 = std::to_string(50 * kSecond - 1);
    // "abc" asks to skip 4 bytes: "de" and "f" and "g" go by unseen; the
    // first tick knows 2 of them are still to come.
    const std::vector<std::string> want = {
        "data 3 @" + std::to_string(2 * kSecond),
        "tick @" + s1 + " skip 2/0",
        "tick @" + s2 + " skip 0/0",
        "data 2 @" + std::to_string(45 * kSecond),
        "tick @" + s5 + " skip 0/0",
    };
    EXPECT_EQ(f.log, want);
}

// The boundary is crossed at the first packet of the whole input stamped at
// or after it (docs/detection.md#time): a segment of another connection
// stamped just before the boundary but read after that packet (a capture
// point stamping on several CPUs) comes after its flow's tick, so it counts
// in the next interval; nothing is lost or counted twice.
TEST(Flow, ProgressTickComesAtTheFirstPacketPastTheBoundaryOfAnyFlow) {
    FlowConfig cfg = seeded();
    cfg.progress_interval = 10 * kSecond;
    Sink sink;
    TickFactory f;
    f.skip_first = false;
    FlowEngine e(cfg, &f, sink);
    Builder b;
    ASSERT_EQ(T0 % (10 * kSecond), 0);
    e.process(b.tcp(T0 + 1 * kSecond, true, S, 100, 0, {}, 40001));
    e.process(b.tcp(T0 + 1 * kSecond + 1, false, S | AK, 500, 101, {}, 40001));
    e.process(b.tcp(T0 + 1 * kSecond + 2, true, S, 700, 0, {}, 40002));
    e.process(b.tcp(T0 + 1 * kSecond + 3, false, S | AK, 900, 701, {}, 40002));
    e.process(b.tcp(T0 + 2 * kSecond, true, AK | P, 101, 501, "x", 40001));
    e.process(b.tcp(T0 + 3 * kSecond, true, AK | P, 701, 901, "yyy", 40002));
    e.process(b.tcp(T0 + 10 * kSecond + 5, true, AK | P, 102, 501, "aaaa", 40001));  // past the boundary
    e.process(b.tcp(T0 + 10 * kSecond - 5, true, AK | P, 704, 901, "bb", 40002));    // stamped before it
    e.advance(T0 + 20 * kSecond);
    const std::string s1 = std::to_string(10 * kSecond - 1), s2 = std::to_string(20 * kSecond - 1);
    const std::vector<std::string> want = {
        "data 1 @" + std::to_string(2 * kSecond),
        "data 3 @" + std::to_string(3 * kSecond),
        "tick @" + s1 + " skip 0/0",
        "tick @" + s1 + " skip 0/0",
        "data 4 @" + std::to_string(10 * kSecond + 5),
        "data 2 @" + std::to_string(10 * kSecond - 5),
        "tick @" + s2 + " skip 0/0",
        "tick @" + s2 + " skip 0/0",
    };
    EXPECT_EQ(f.log, want);
}

TEST(Flow, NoProgressTicksWhenTheIntervalIsZero) {
    Sink sink;
    TickFactory f;
    FlowEngine e(seeded(), &f, sink);
    Builder b;
    e.process(b.tcp(T0, true, S, 100, 0));
    e.process(b.tcp(T0 + 1, false, S | AK, 500, 101));
    e.process(b.tcp(T0 + 2, true, AK | P, 101, 501, "abc"));
    e.process(b.tcp(T0 + 600 * kSecond, true, AK | P, 104, 501, "de"));
    for (const std::string& l : f.log) EXPECT_EQ(l.rfind("tick", 0), std::string::npos) << l;
}

// What an idle TCP connection keeps (docs/performance.md, "Idle flow state"):
// the flow and its index share, kFlowCost, after the handshake and after
// data delivered in order, whether a dissector took it or not. Only an
// out-of-order segment (or a gap, a retransmission, an ACK ahead of the
// data) gives a direction its side record, charged while the flow lives.
TEST(Flow, IdleTcpFlowKeepsNoSideRecord) {
    for (bool with_consumer : {false, true}) {
        MemoryBudget budget(1 << 30);
        FlowConfig cfg = seeded();
        cfg.budget = &budget;
        Sink sink;
        Factory fac;
        FlowEngine e(cfg, with_consumer ? &fac : nullptr, sink);
        Builder b;
        const auto flows = [&] { return budget.used(MemoryArea::flows); };
        const std::uint64_t one = static_cast<std::uint64_t>(FlowTable::kFlowCost);
        e.process(b.tcp(T0, true, S, 100, 0));
        e.process(b.tcp(T0 + 10, false, S | AK, 500, 101));
        e.process(b.tcp(T0 + 20, true, AK, 101, 501));
        EXPECT_EQ(flows(), one) << "handshake only";
        e.process(b.tcp(T0 + 30, true, P | AK, 101, 501, "hello"));
        e.process(b.tcp(T0 + 40, false, P | AK, 501, 106, "world!"));
        e.process(b.tcp(T0 + 50, true, AK, 106, 507));
        EXPECT_EQ(flows(), one) << "after data in order";
        // Bytes 5..9 of the responder's stream before 0..4: out of order.
        e.process(b.tcp(T0 + 60, false, P | AK, 512, 106, "there"));
        EXPECT_EQ(flows(), one + static_cast<std::uint64_t>(ReassemblyExtPool::kCost));
        e.process(b.tcp(T0 + 70, false, P | AK, 507, 106, "hi yo"));
        e.finish();
        EXPECT_EQ(flows(), 0u);
        ASSERT_EQ(sink.conns.size(), 1u);
        // 'hi yo' sits below the highest sequence seen: Zeek's 't'.
        EXPECT_EQ(sink.conns[0].history, "ShADdt");
        EXPECT_EQ(sink.conns[0].resp_bytes, 16u);
        if (with_consumer) {
            EXPECT_EQ(fac.resp, "world!hi yothere");
        }
    }
}

// A UDP flow's counters share the bytes of the TCP-only ones: the history
// ('^' for a flip, then 'D' / 'd' once each, in the order they came) and
// payload bytes.
TEST(Flow, UdpHistoryAndBytesWithAFlip) {
    Sink sink;
    FlowEngine e(seeded(), nullptr, sink);
    Builder b;
    // From the server port 53 to a client port: the responder spoke first.
    e.process(b.udp(T0, false, "answer!"));
    e.process(b.udp(T0 + 10, true, "q"));
    e.process(b.udp(T0 + 20, false, "again"));
    e.process(b.udp(T0 + 30, true, "qq"));
    e.finish();
    ASSERT_EQ(sink.conns.size(), 1u);
    const ConnRecord& c = sink.conns[0];
    EXPECT_EQ(c.history, "^dD");
    EXPECT_EQ(c.id.orig_h, A);
    EXPECT_EQ(c.orig_bytes, 3u);
    EXPECT_EQ(c.resp_bytes, 12u);
    EXPECT_EQ(c.conn_state, "SF");
}

}  // namespace
}  // namespace sw
