#include "app/pipeline.h"

#include "dissectors/all.h"

namespace sw {

std::vector<std::uint16_t> default_server_ports() {
    return {21,   22,   23,   25,   53,   80,   88,   110,  111,  135,  137,  138,  139,  143,
            389,  443,  445,  465,  587,  593,  636,  873,  993,  995,  1080, 1433, 1521, 2049,
            3128, 3268, 3306, 3389, 5060, 5432, 5900, 5985, 5986, 6379, 8000, 8080, 8443, 8888, 9200};
}

Pipeline::Pipeline(const Config& cfg, LogSet& logs)
    : cfg_(cfg),
      findings_(logs),
      analytics_(cfg.analytics, findings_),
      output_(logs),
      decoder_(cfg.decoder),
      registry_(bus_, cfg.registry) {
    // Analytics sees every event before it is logged.
    bus_.subscribe(&analytics_);
    bus_.subscribe(&output_);
    register_dissectors(registry_, cfg.dissectors);
    FlowConfig fc = cfg.flow;
    fc.server_ports = default_server_ports();
    for (std::uint16_t p : registry_.server_ports()) fc.server_ports.push_back(p);
    engine_ = std::make_unique<FlowEngine>(fc, &registry_, *this);
}

Pipeline::~Pipeline() = default;

void Pipeline::on_conn(const ConnRecord& rec) { bus_.on_event(Event{rec}); }
void Pipeline::on_weird(const WeirdRecord& w) { bus_.on_event(Event{w}); }

RunStats Pipeline::run(PacketSource& src, const std::function<void(const PacketSource&)>& progress) {
    RunStats rs;
    auto t0 = std::chrono::steady_clock::now();
    RawPacket raw;
    DecodedPacket pkt;
    Timestamp next_frag_expiry = 0;
    Timestamp next_analytics_tick = 0;
    while (src.next(raw) == ReadResult::packet) {
        ++rs.packets;
        rs.captured_bytes += raw.data.size();
        rs.wire_bytes += raw.wirelen;
        DecodeStatus s = decoder_.decode(raw.linktype, raw.ts, raw.data, raw.wirelen, pkt);
        if (s == DecodeStatus::ok) engine_->process(pkt);
        else engine_->advance(raw.ts);
        if (raw.ts >= next_frag_expiry) {
            decoder_.expire(raw.ts);
            next_frag_expiry = raw.ts + kSecond;
        }
        // Analytics runs on packet time only: one tick per second of it.
        if (raw.ts >= next_analytics_tick) {
            analytics_.advance(raw.ts);
            next_analytics_tick = raw.ts + kSecond;
        }
        if (progress && (rs.packets & 0x3fff) == 0) progress(src);
    }
    engine_->finish();
    analytics_.finish();
    rs.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rs;
}

}  // namespace sw
