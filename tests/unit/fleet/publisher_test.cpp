// fleet/publisher: with NATS unreachable, on_event() returns at once, events
// fill the bounded buffer up to publish.buffer bytes and the rest are
// dropped and counted; nothing is delivered; the password never reaches the
// log output.
#include "fleet/publisher.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "fleet/event_codec.h"

namespace sw::fleet {
namespace {

ConnRecord conn(std::uint16_t port) {
    ConnRecord c;
    c.id.orig_h = *IpAddr::parse("10.0.0.1");
    c.id.resp_h = *IpAddr::parse("10.0.0.2");
    c.id.orig_p = port;
    c.id.resp_p = 8080;
    c.id.proto = Transport::tcp;
    c.ts = 1000 * kSecond;
    c.conn_state = "SF";
    return c;
}

TEST(Publisher, UnreachableServerFillsTheBufferThenDrops) {
    std::ostringstream logged;
    auto prev = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::ostream_sink_mt>(logged)));

    // Every event below encodes to the same size (ports 10000-10004: 5 digits).
    std::string one;
    ASSERT_TRUE(encode_event(Event{conn(10000)}, "s1", one));
    const std::string subject = "stagewatch.p0.c0.conn";  // fleet/partition.h
    PublishConfig cfg;
    cfg.sensor = "s1";
    cfg.servers = {"nats://127.0.0.1:1"};  // nothing listens on port 1
    cfg.partitions = 1;
    cfg.password = "s3cret-pw";
    cfg.user = "u";
    cfg.buffer = 3 * (one.size() + subject.size() + 64);  // room for exactly three
    {
        Publisher p(cfg);
        const auto t0 = std::chrono::steady_clock::now();
        for (std::uint16_t i = 0; i < 5; ++i) p.on_event(Event{conn(static_cast<std::uint16_t>(10000 + i))});
        EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(100));  // never waits for NATS
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the thread tries to connect
        EXPECT_FALSE(p.close(0));
        const PublisherStats s = p.stats();
        EXPECT_EQ(s.queued, 3u);
        EXPECT_EQ(s.dropped, 2u);
        EXPECT_EQ(s.published, 0u);
    }
    spdlog::set_default_logger(prev);
    const std::string out = logged.str();
    EXPECT_NE(out.find("NATS not reachable"), std::string::npos) << out;
    EXPECT_NE(out.find("dropped"), std::string::npos) << out;
    EXPECT_EQ(out.find("s3cret-pw"), std::string::npos) << out;
}

}  // namespace
}  // namespace sw::fleet
