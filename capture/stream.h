// What a TCP stream consumer (a dissector) sees: ordered bytes per direction,
// gap notices, and the end of the flow.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>

#include "capture/byte_reader.h"
#include "capture/conn.h"
#include "capture/types.h"

namespace sw {

// Receives counters by name (stats of the dissectors, the registry).
using CounterFn = std::function<void(std::string_view name, std::uint64_t value)>;

// Returned by on_data to say "I need none of the rest of this direction".
constexpr std::uint64_t kSkipAll = std::numeric_limits<std::uint64_t>::max();

class StreamConsumer {
public:
    virtual ~StreamConsumer() = default;

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

    // The protocol once it is confirmed (none if not): conn.log's `service`.
    virtual AppProtocol protocol() const { return AppProtocol::none; }
};

}  // namespace sw
