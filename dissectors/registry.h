// Which dissector gets a flow.
//
// A dissector claims a TCP flow by content (the first bytes of either
// direction) and, where it can resynchronise mid-stream, by port. Until a
// claim, a per-flow dispatcher keeps the first bytes (bounded) and asks each
// candidate; afterwards it forwards to the winner and gets out of the way.
// Flows nobody claims get the conn-accounting consumer, which skips all
// payload so the reassembler only tracks ranges.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "capture/engine.h"
#include "capture/stream.h"
#include "dissectors/event.h"

namespace sw {

enum class ProbeResult { reject, need_more, accept };

struct ProbeInput {
    const ConnId& id;
    Bytes orig;            // first bytes the originator sent (in order), maybe empty
    Bytes resp;            // first bytes the responder sent
    bool gap = false;      // the stream has a hole already (mid-stream, loss)
    bool final = false;    // no more bytes will be offered: decide now
};

class DissectorFactory {
public:
    virtual ~DissectorFactory() = default;
    virtual std::string_view name() const = 0;
    // Well-known server ports: a hint for probing order and for deciding who
    // is the server when no SYN was seen. Never sufficient on their own
    // unless probe() says so.
    virtual std::span<const std::uint16_t> ports() const = 0;
    // Pure: looks at bytes, decides. Must not keep references.
    virtual ProbeResult probe(const ProbeInput& in) const = 0;
    virtual std::unique_ptr<StreamConsumer> create(const ConnId& id, EventSink& sink) = 0;
    // The dissector's counters (totals over the connections that ended), by
    // name without the dissector's prefix. Called at the end of a run.
    virtual void for_each_counter(const CounterFn&) const {}
};

struct RegistryConfig {
    std::uint32_t max_probe_bytes = 4096;  // per direction, before giving up
};

struct RegistryStats {
    std::uint64_t flows = 0;
    std::uint64_t declined = 0;
    std::vector<std::uint64_t> claimed;  // per factory, in add() order
};

class DissectorRegistry : public ConsumerFactory {
public:
    DissectorRegistry(EventSink& sink, RegistryConfig cfg = {}) : sink_(sink), cfg_(cfg) {}

    void add(std::unique_ptr<DissectorFactory> f);
    std::unique_ptr<StreamConsumer> create(const ConnId& id) override;

    // Union of all factories' ports (for FlowConfig::server_ports).
    std::vector<std::uint16_t> server_ports() const;
    const std::vector<std::unique_ptr<DissectorFactory>>& factories() const { return factories_; }
    const RegistryStats& stats() const { return stats_; }
    // Every counter, by name, in a fixed order: the registry's
    // ("registry.flows", "registry.declined", "registry.claimed.<dissector>"),
    // then each dissector's ("<dissector>.<counter>", e.g. "smb.requests",
    // "smb.framer.pdus"), in add() order.
    void for_each_counter(const CounterFn& fn) const;

private:
    friend class FlowDispatcher;
    EventSink& sink_;
    RegistryConfig cfg_;
    std::vector<std::unique_ptr<DissectorFactory>> factories_;
    RegistryStats stats_;
};

}  // namespace sw
