// The SSH dissector (identification, cleartext binary packets, KEXINIT
// negotiation, key exchange, encrypted-phase sizes and auth inference) over
// both directions of a byte stream (stream_driver.h).
//
// Checks: exactly one SshEvent per connection, emitted at the flow's end;
// algorithm negotiation runs at most once per role assignment (two); with a
// progress tick after every record, the SshEvent's progress_* fields are the
// sums of its ProgressEvents, and never more than its totals per direction.
#include <memory>

#include "dissectors/ssh/ssh_dissector.h"
#include "stream_driver.h"

namespace {
struct Sink : sw::EventSink {
    int ssh_events = 0;
    std::uint64_t bytes[2] = {0, 0}, upload = 0, download = 0;
    void on_event(const sw::Event& e) override {
        if (const auto* p = std::get_if<sw::ProgressEvent>(&e)) {
            SW_FUZZ_CHECK(ssh_events == 0, "progress after the connection's event");
            bytes[0] += p->bytes[0];
            bytes[1] += p->bytes[1];
            upload += p->upload;
            download += p->download;
        }
        if (const auto* s = std::get_if<sw::SshEvent>(&e)) {
            ++ssh_events;
            SW_FUZZ_CHECK(s->progress_orig_bytes == bytes[0] && s->progress_resp_bytes == bytes[1],
                          "progress bytes differ from the progress events");
            SW_FUZZ_CHECK(s->progress_upload_bytes == upload && s->progress_download_bytes == download,
                          "progress transfer bytes differ from the progress events");
            SW_FUZZ_CHECK(s->progress_orig_bytes <= s->orig_bytes && s->progress_resp_bytes <= s->resp_bytes,
                          "progress bytes above the connection's totals");
        }
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
    sw::Timestamp tick = 0;
    drv.run(in, [&] { d->on_tick(++tick, sw::TickState{}); });
    SW_FUZZ_CHECK(sink.ssh_events <= 1, "more than one ssh event for one connection");
    SW_FUZZ_CHECK(d->negotiations() <= 2, "algorithm negotiation ran more than once per roles");
    return 0;
}
