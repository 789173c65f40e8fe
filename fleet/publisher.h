// Publishes the events staging analytics consumes to NATS JetStream.
//
// on_event() runs on the packet path and never blocks on the network: it
// encodes the event (event_codec.h) and appends it to a bounded buffer
// (publish.buffer bytes). A background thread connects (retrying while NATS
// is unreachable), creates the stream if missing, and sends the buffer in
// batches with js_PublishAsync, removing a batch only once JetStream has
// acknowledged all of it. A batch that was not acknowledged is sent again;
// each message carries a Nats-Msg-Id (sensor, run, sequence), so JetStream
// stores a resent message once. When the buffer is full new events are
// dropped, counted, and logged (first drop, then every power of two).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "dissectors/event.h"
#include "fleet/fleet_config.h"

namespace sw::fleet {

struct PublisherStats {
    std::uint64_t queued = 0;
    std::uint64_t published = 0;  // acknowledged by JetStream
    std::uint64_t dropped = 0;    // buffer full
    std::uint64_t resent = 0;     // batches sent again after no/negative ack
    std::uint64_t connects = 0;
};

class Publisher : public EventSink {
public:
    explicit Publisher(const PublishConfig& cfg);
    ~Publisher() override;
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    void on_event(const Event& e) override;
    // Waits up to `timeout` for the buffer to drain, then stops the thread.
    // Returns true when everything queued was acknowledged.
    bool close(Duration timeout);
    PublisherStats stats() const;

private:
    struct Msg {
        std::string subject;
        std::string id;
        std::string data;
    };
    void run();

    const PublishConfig cfg_;
    const std::string run_id_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Msg> queue_;
    std::size_t queued_bytes_ = 0;
    std::uint64_t seq_ = 0;
    bool stop_ = false;
    PublisherStats stats_;
    std::string enc_;
    std::thread thread_;
};

}  // namespace sw::fleet
