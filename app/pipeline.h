// One worker's pipeline: decode -> flows/reassembly -> dissectors -> events ->
// analytics -> logs. Single-threaded today; a sharded version runs one
// Pipeline-like worker per core with flows assigned by flow_hash().
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "analytics/event_bus.h"
#include "analytics/staging_analytics.h"
#include "capture/decode.h"
#include "capture/engine.h"
#include "capture/packet_source.h"
#include "config/config.h"
#include "dissectors/registry.h"
#include "output/finding_writer.h"
#include "output/log_set.h"
#include "output/output_sink.h"

namespace sw {

struct RunStats {
    std::uint64_t packets = 0;
    std::uint64_t captured_bytes = 0;
    std::uint64_t wire_bytes = 0;
    double seconds = 0;
};

class Pipeline : public FlowSink {
public:
    Pipeline(const Config& cfg, LogSet& logs);
    ~Pipeline() override;

    // Reads the source to its end. `progress` (may be empty) is called now
    // and then with the source, for a progress display.
    RunStats run(PacketSource& src, const std::function<void(const PacketSource&)>& progress);

    // Extra event subscribers (tests, later: remote sinks). Called after
    // analytics and before the log writers.
    void subscribe(EventSink* s) { bus_.subscribe(s); }

    // FlowSink
    void on_conn(const ConnRecord& rec) override;
    void on_weird(const WeirdRecord& w) override;

    const PacketDecoder& decoder() const { return decoder_; }
    const FlowEngine& engine() const { return *engine_; }
    const DissectorRegistry& registry() const { return registry_; }
    const StagingAnalytics& analytics() const { return analytics_; }

private:
    const Config& cfg_;
    EventBus bus_;
    FindingWriter findings_;
    StagingAnalytics analytics_;
    OutputSink output_;
    PacketDecoder decoder_;
    DissectorRegistry registry_;
    std::unique_ptr<FlowEngine> engine_;
};

// Ports that mark the likely server side when no SYN was seen.
std::vector<std::uint16_t> default_server_ports();

}  // namespace sw
