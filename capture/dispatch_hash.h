// Which worker gets a packet (--threads N).
//
// Symmetric: both directions of a flow go to one worker (the key is the
// canonical flow key of capture/flow.h). Keyed with the run's hash, so the
// traffic cannot choose to load one worker; the bits that pick the worker are
// remixed so that each worker's own flow table (indexed by the low bits of
// flow_hash with the same key) still sees evenly spread hashes.
//
// SMB (TCP 445 or 139) is placed by the server address alone: every
// connection to one server, so every channel of a multichannel session
// (Zeek issue #1286; dissectors/smb2/smb_directory.h), meets in one worker's
// directory. A server reached over several addresses is the limit of this
// (docs/performance.md, Threads).
//
// IP fragments are reassembled by the reader before dispatch, so every
// packet here has its ports.
#pragma once

#include <cstdint>

#include "capture/decode.h"
#include "capture/flow.h"
#include "capture/keyed_hash.h"

namespace sw {

inline bool smb_port(std::uint16_t p) { return p == 445 || p == 139; }

// A 64-bit symmetric, keyed hash of the packet's flow (SMB: of its server).
inline std::uint64_t dispatch_hash(const DecodedPacket& p, const KeyedHash& h) {
    constexpr std::uint8_t kTcp = 6;
    if (p.proto == kTcp && smb_port(p.sport) != smb_port(p.dport)) {
        const IpAddr& server = smb_port(p.sport) ? p.src : p.dst;
        return KeyedHash::splitmix(h.combine(h(server.hi(), server.lo()), p.vlan, p.inner_vlan));
    }
    bool src_is_a = false;
    return KeyedHash::splitmix(flow_hash(make_flow_key(p, src_is_a), h));
}

// Worker index in [0, n) from a dispatch hash (multiply-shift on the high bits).
inline std::uint32_t dispatch_worker(std::uint64_t hash, std::uint32_t n) {
    return static_cast<std::uint32_t>(((hash >> 32) * n) >> 32);
}

}  // namespace sw
