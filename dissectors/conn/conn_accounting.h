// The trivial stream consumer: counts what the reassembler hands it and asks
// to skip everything else. It is what every unclaimed TCP flow gets, so the
// reassembler tracks ranges (for missed_bytes) without copying payload.
#pragma once

#include "capture/stream.h"

namespace sw {

class ConnAccounting : public StreamConsumer {
public:
    std::uint64_t on_data(Dir d, Bytes data, Timestamp) override {
        delivered_[idx(d)] += data.size();
        return kSkipAll;
    }
    void on_gap(Dir d, std::uint64_t len, bool, Timestamp) override { gaps_[idx(d)] += len; }
    void on_flow_end(Timestamp) override {}

    std::uint64_t delivered(Dir d) const { return delivered_[idx(d)]; }
    std::uint64_t gap_bytes(Dir d) const { return gaps_[idx(d)]; }

private:
    std::uint64_t delivered_[2] = {0, 0};
    std::uint64_t gaps_[2] = {0, 0};
};

}  // namespace sw
