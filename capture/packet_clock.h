// The run's clock, driven by packet timestamps and guarded against warps.
//
// Flows, fragments and analytics all run on packet time. One junk frame
// stamped ten years ahead must not move that time: it would expire every
// flow and every analytics window at once. So a timestamp more than
// `max_jump` ahead of the clock, or more than `max_jump` behind it, is "far".
// A far packet is held back until the next packet shows what it was:
// - the next packet agrees with it (within `max_jump`): the capture really
//   moved on (an outage, a merged trace); the clock jumps and the held packet
//   is processed at its own time;
// - otherwise it was a warp: it is processed at the clock's time and the
//   clock does not move (counted; the pipeline logs weird `time_jump`).
// The first packet of a new input file is taken as it is (discontinuity()).
// The pipeline (app/pipeline.cpp) does the holding; this class decides.
#pragma once

#include <cstdint>

#include "capture/types.h"

namespace sw {

struct PacketClockConfig {
    Duration max_jump = 3600 * kSecond;  // --time.max-jump; 0 turns the guard off
};

class PacketClock {
public:
    explicit PacketClock(const PacketClockConfig& cfg) : cfg_(cfg) {}

    // Is `ts` far from the clock (a warp, or the start of a real jump)?
    bool far(Timestamp ts) const { return started_ && cfg_.max_jump > 0 && !near(ts, now_); }
    // Does `ts` agree with `held` (the far packet waiting for its verdict)?
    bool agrees(Timestamp ts, Timestamp held) const { return near(ts, held); }

    // A packet that is not far: the clock follows it (never backwards).
    void observe(Timestamp ts) {
        if (!started_) {
            started_ = true;
            if (now_ == 0 || ts > now_) now_ = ts;
            return;
        }
        if (ts > now_) now_ = ts;
    }
    // The held packet was confirmed by the next one: the clock goes there.
    void jump_to(Timestamp ts) {
        now_ = ts;
        ++jumps_accepted_;
    }
    // The held packet was not confirmed: a warp.
    void warp() { ++warps_; }
    // The next packet starts a new input (the next file of a timeline): its
    // time is taken as it is, whatever the distance.
    void discontinuity() { started_ = false; }

    Timestamp now() const { return now_; }
    std::uint64_t warps() const { return warps_; }
    std::uint64_t jumps_accepted() const { return jumps_accepted_; }

private:
    bool near(Timestamp a, Timestamp b) const {
        return cfg_.max_jump == 0 || (a <= b + cfg_.max_jump && b <= a + cfg_.max_jump);
    }
    PacketClockConfig cfg_;
    bool started_ = false;
    Timestamp now_ = 0;
    std::uint64_t warps_ = 0;
    std::uint64_t jumps_accepted_ = 0;
};

}  // namespace sw
