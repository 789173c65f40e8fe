// What a TCP stream consumer (a dissector) sees: ordered bytes per direction,
// gap notices, and the end of the flow.
//
// Who owns "bytes still to skip": the direction's TcpReassembler, and nobody
// else. A consumer asks for a skip in one of two ways, both of which only add
// to that one count:
// - the return value of on_data (bytes directly after the chunk, same
//   direction: the common case, e.g. an SMB WRITE body);
// - SkipHandoff::skip (either direction, at any time during a call into the
//   consumer): for a consumer that learns of a skip for the direction it is
//   not being called for, e.g. the dissector registry's dispatcher when the
//   replay of probed bytes after a claim leaves the *other* direction inside
//   a WRITE body. The engine attaches the flow's hand-off (attach()) before
//   the first call.
// The reassembler drops skipped bytes (in order or out of order) without
// copying them, and reports a hole that falls inside the count as a gap with
// `framing_intact`: the whole of such a gap lies inside the consumer's latest
// skip request for that direction (at most one is outstanding per direction,
// since on_data is only called once the previous skip is used up). Consumers
// and layers in between keep no copy of the count.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>

#include "capture/byte_reader.h"
#include "capture/conn.h"
#include "capture/types.h"

namespace sw {

class MemoryBudget;

// Receives counters by name (stats of the dissectors, the registry).
using CounterFn = std::function<void(std::string_view name, std::uint64_t value)>;

// Returned by on_data to say "I need none of the rest of this direction".
constexpr std::uint64_t kSkipAll = std::numeric_limits<std::uint64_t>::max();

// The flow's per-direction skip counts, as a consumer may extend them.
class SkipHandoff {
public:
    // The next `n` bytes of `dir` not yet delivered, skipped or declared
    // missing are not wanted (added to any skip already pending; kSkipAll:
    // none of the rest of the direction).
    virtual void skip(Dir dir, std::uint64_t n) = 0;
    // The memory budget the flow's consumer charges its state to (null: none).
    virtual MemoryBudget* budget() const { return nullptr; }

protected:
    ~SkipHandoff() = default;
};

// What a flow's progress tick knows of its stream (StreamConsumer::on_tick).
struct TickState {
    // Per Dir: bytes the consumer asked to skip that have not come by yet
    // (kSkipAll: it skips everything).
    std::uint64_t skip_left[2] = {0, 0};
};

class StreamConsumer {
public:
    virtual ~StreamConsumer() = default;

    // The flow's skip hand-off, attached once before any other call; it
    // outlives the consumer. Consumers that only use on_data's return value
    // ignore it.
    virtual void attach(SkipHandoff&) {}

    // In-order payload of one direction. The return value is how many bytes
    // directly after this chunk the consumer does not need: the reassembler
    // drops them (in order or out of order) without copying or delivering
    // them. This is how an SMB WRITE body of 8 MiB is passed over for free.
    // Bytes inside `data` that the consumer does not want it simply ignores.
    virtual std::uint64_t on_data(Dir dir, Bytes data, Timestamp ts) = 0;

    // `len` bytes of `dir` were never seen and never will be. If
    // `framing_intact`, all of them fell inside a region the consumer asked to
    // skip, so its message boundaries are still known; otherwise it must
    // resynchronise.
    virtual void on_gap(Dir dir, std::uint64_t len, bool framing_intact, Timestamp ts) = 0;

    // The flow is over (closed, timed out, evicted, or the input ended). All
    // deliverable data has been delivered. Flush whatever is pending.
    virtual void on_flow_end(Timestamp ts) = 0;

    // Packet time passed the end of a progress interval (FlowConfig::
    // progress_interval); `t` is that interval's last instant. A consumer
    // that counts bytes of things still open (SMB handles, SSH transfers)
    // reports what moved since its previous tick (ProgressEvent). Called for
    // every flow with a consumer, once per interval, before any packet of
    // the next interval is given to it. `s` says, per direction, how much of
    // what the consumer asked to skip has not come by yet: a consumer that
    // counts a message's bytes when it reads its header (an 8 MiB WRITE)
    // reports only the part that has gone past.
    virtual void on_tick(Timestamp /*t*/, const TickState& /*s*/) {}

    // The protocol once it is confirmed (none if not): conn.log's `service`.
    virtual AppProtocol protocol() const { return AppProtocol::none; }

    // Memory budget (capture/memory_budget.h): the bytes of state this
    // consumer has charged, and, under memory pressure, dropping the detail
    // that costs memory without costing a log row (requests awaiting their
    // response, framing buffers). Returns the bytes given back.
    virtual std::uint64_t memory() const { return 0; }
    virtual std::uint64_t shed_detail(Timestamp) { return 0; }
};

}  // namespace sw
