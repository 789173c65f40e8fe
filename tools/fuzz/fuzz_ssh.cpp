// The SSH dissector (identification, cleartext binary packets, KEXINIT
// negotiation, key exchange, encrypted-phase sizes and auth inference) over
// both directions of a byte stream (stream_driver.h).
//
// Checks: exactly one SshEvent per connection, emitted at the flow's end;
// algorithm negotiation runs at most once per role assignment (two).
#include <memory>

#include "dissectors/ssh/ssh_dissector.h"
#include "stream_driver.h"

namespace {
struct Sink : sw::EventSink {
    int ssh_events = 0;
    void on_event(const sw::Event& e) override {
        if (std::holds_alternative<sw::SshEvent>(e)) ++ssh_events;
    }
};
}  // namespace

SW_FUZZ_ENTRY(fuzz_ssh)(const std::uint8_t* data, std::size_t size) {
    sw::fuzz::Input in(data, size);
    sw::ConnId id;
    id.orig_h = *sw::IpAddr::parse("10.0.0.1");
    id.resp_h = *sw::IpAddr::parse("10.0.0.2");
    id.orig_p = 40000;
    id.resp_p = 22;
    id.proto = sw::Transport::tcp;
    sw::SshConfig cfg;
    sw::CidrSet nets;
    Sink sink;
    auto d = std::make_unique<sw::SshDissector>(id, sink, cfg, nets);
    sw::fuzz::StreamDriver drv(*d);
    drv.run(in);
    SW_FUZZ_CHECK(sink.ssh_events <= 1, "more than one ssh event for one connection");
    SW_FUZZ_CHECK(d->negotiations() <= 2, "algorithm negotiation ran more than once per roles");
    return 0;
}
