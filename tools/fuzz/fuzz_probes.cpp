// The dissectors' content probes, alone and through the registry's
// dispatcher (the per-flow consumer that buffers the first bytes, asks each
// probe, hands the flow to the winner and replays what it held).
//
// Input: [flags u8][orig length u16][orig bytes][resp bytes], then the same
// bytes drive the dispatcher as a stream (stream_driver.h record format
// from the start of the input).
// Checks: a probe is pure (same answer twice); with `final` set it decides
// (never need_more).
#include <memory>

#include "dissectors/all.h"
#include "dissectors/registry.h"
#include "stream_driver.h"

namespace {
struct NullSink : sw::EventSink {
    void on_event(const sw::Event&) override {}
};
}  // namespace

SW_FUZZ_ENTRY(fuzz_probes)(const std::uint8_t* data, std::size_t size) {
    sw::fuzz::Input in(data, size);
    const std::uint8_t flags = in.u8();
    const std::uint16_t olen = in.u16();
    sw::Bytes orig = in.bytes(olen);
    sw::Bytes resp = in.rest();
    static const std::uint16_t kPorts[] = {445, 139, 22, 2222, 80, 49152};
    sw::ConnId id;
    id.orig_h = *sw::IpAddr::parse("10.0.0.1");
    id.resp_h = *sw::IpAddr::parse("10.0.0.2");
    id.orig_p = 50000;
    id.resp_p = kPorts[(flags >> 2) % std::size(kPorts)];
    id.proto = sw::Transport::tcp;

    NullSink sink;
    sw::DissectorsConfig dcfg;
    sw::RegistryConfig rcfg;
    rcfg.max_probe_bytes = (flags & 0x80) ? 64 : 4096;
    sw::DissectorRegistry reg(sink, rcfg);
    sw::register_dissectors(reg, dcfg);

    sw::ProbeInput pi{id, orig, resp, static_cast<bool>(flags & 1), static_cast<bool>(flags & 2)};
    for (const auto& f : reg.factories()) {
        const auto a = f->probe(pi);
        SW_FUZZ_CHECK(a == f->probe(pi), "probe answered differently for the same bytes");
        if (pi.final) SW_FUZZ_CHECK(a != sw::ProbeResult::need_more, "probe asked for more bytes after the last");
    }

    // The dispatcher over the whole input as a stream.
    auto consumer = reg.create(id);
    if (consumer) {
        sw::fuzz::Input again(data, size);
        sw::fuzz::StreamDriver drv(*consumer);
        drv.run(again);
    }
    return 0;
}
