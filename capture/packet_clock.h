// The run's clock, driven by packet timestamps and guarded against warps.
//
// Flows, fragments and analytics all run on packet time. One junk frame
// stamped ten years ahead must not move that time: it would expire every
// flow and every analytics window at once. So a timestamp more than
// `max_jump` ahead of the clock, or more than `max_jump` behind it, is a warp:
// the packet is still processed, but at the clock's time, and the clock does
// not move (counted; the caller logs weird `time_jump`).
//
// A real jump (a capture resumed after an outage, files that are hours apart)
// is told from a junk frame by what follows: when `confirm` packets in a row
// agree with the new time (each within `max_jump` of the first of them), the
// clock accepts it; until then those packets run at the clock's time. The
// first packet of a new input file is taken as it is (discontinuity()).
#pragma once

#include <cstdint>

#include "capture/types.h"

namespace sw {

struct PacketClockConfig {
    Duration max_jump = 3600 * kSecond;  // --time.max-jump; 0 disables the guard
    std::uint32_t confirm = 32;          // packets in a row that make a jump real
};

class PacketClock {
public:
    explicit PacketClock(const PacketClockConfig& cfg) : cfg_(cfg) {}

    enum class Verdict : std::uint8_t { ok, warp, jump_accepted };

    // The time to process a packet stamped `ts` at; `v` says what happened.
    Timestamp on_packet(Timestamp ts, Verdict& v) {
        v = Verdict::ok;
        if (!started_) {
            started_ = true;
            if (ts > now_ || now_ == 0) now_ = ts;
            return ts;
        }
        const bool far = cfg_.max_jump > 0 && (ts > now_ + cfg_.max_jump || ts + cfg_.max_jump < now_);
        if (!far) {
            candidates_ = 0;
            if (ts > now_) now_ = ts;
            return ts;
        }
        // A warp, or the start of a real jump: count how many agree in a row.
        if (candidates_ == 0 || ts > cand_ + cfg_.max_jump || ts + cfg_.max_jump < cand_) {
            cand_ = ts;
            candidates_ = 0;
        }
        if (++candidates_ >= cfg_.confirm) {
            candidates_ = 0;
            now_ = ts;
            ++jumps_accepted_;
            v = Verdict::jump_accepted;
            return ts;
        }
        ++warps_;
        v = Verdict::warp;
        return now_;
    }

    // The next packet starts a new input (the next file of a timeline): its
    // time is taken as it is, whatever the distance.
    void discontinuity() { started_ = false; candidates_ = 0; }

    Timestamp now() const { return now_; }
    bool started() const { return started_; }
    std::uint64_t warps() const { return warps_; }
    std::uint64_t jumps_accepted() const { return jumps_accepted_; }

private:
    PacketClockConfig cfg_;
    bool started_ = false;
    Timestamp now_ = 0;
    Timestamp cand_ = 0;
    std::uint32_t candidates_ = 0;
    std::uint64_t warps_ = 0;
    std::uint64_t jumps_accepted_ = 0;
};

}  // namespace sw
