// IPv4 and IPv6 fragment reassembly with hard caps.
//
// Policy: first data wins on overlap (as for TCP), a datagram larger than the
// cap or a table over its cap drops the fragment (counted), incomplete
// datagrams expire after `timeout` of packet time. Fragments are rare, so this
// code favours clarity over speed; it never runs for unfragmented packets.
#pragma once

#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

#include "capture/byte_reader.h"
#include "capture/keyed_hash.h"
#include "capture/types.h"

namespace sw {

struct FragmentConfig {
    std::size_t max_datagrams = 4096;          // incomplete datagrams held at once
    std::uint32_t max_datagram_bytes = 65535;  // reassembled upper-layer size cap
    std::uint32_t max_fragments = 256;         // fragments per datagram
    std::uint64_t max_held_bytes = 32ull << 20;  // fragment bytes held by all incomplete datagrams
    Duration timeout = 30 * kSecond;
    KeyedHash hash;  // the table's key hash: set from --seed or drawn at random
};

struct FragmentStats {
    std::uint64_t fragments = 0;
    std::uint64_t reassembled = 0;
    std::uint64_t dropped = 0;     // refused: caps, truncated fragment, bad offsets
    std::uint64_t overlaps = 0;    // fragments overlapping earlier data (first data kept)
    std::uint64_t timed_out = 0;   // incomplete datagrams given up
    std::uint64_t evicted = 0;     // incomplete datagrams pushed out by the table or byte cap
};

struct FragmentKey {
    IpAddr src, dst;
    std::uint32_t id = 0;
    std::uint8_t proto = 0;
    std::uint8_t version = 0;
    friend bool operator==(const FragmentKey&, const FragmentKey&) = default;
};

struct FragmentKeyHash {
    KeyedHash hash;
    std::size_t operator()(const FragmentKey& k) const;
};

class FragmentReassembler {
public:
    enum class Result { held, complete, dropped };

    // A zero cap would leave no room for any datagram: it is read as one.
    explicit FragmentReassembler(const FragmentConfig& cfg)
        : cfg_(cfg), table_(16, FragmentKeyHash{cfg.hash}) {
        if (cfg_.max_datagrams == 0) cfg_.max_datagrams = 1;
    }

    // One fragment: `offset` in bytes, `more` = MF flag, `data` its payload.
    // On `complete`, `out` views the whole upper-layer payload; the view stays
    // valid until the next call.
    Result add(const FragmentKey& key, std::uint32_t offset, bool more, Bytes data, Timestamp ts,
               Bytes& out);

    void expire(Timestamp now);
    const FragmentStats& stats() const { return stats_; }
    std::size_t in_flight() const { return table_.size(); }
    // Fragment payload bytes held right now (what the byte cap bounds).
    std::uint64_t held_bytes() const { return held_bytes_; }

private:
    // Bytes held are only those received: each new (not overlapping) part of
    // a fragment is appended to `data`, and `have` says where it belongs, so
    // an 8-byte fragment at offset 65528 costs 8 bytes, not 64 KiB.
    struct Range {
        std::uint32_t begin, end;  // datagram offsets
        std::uint32_t at;          // where the bytes sit in `data`
    };
    struct Datagram {
        std::vector<std::uint8_t> data;
        std::vector<Range> have;  // sorted by begin, disjoint
        std::uint32_t total = 0;  // known once the last fragment arrived
        bool have_last = false;
        std::uint32_t nfrags = 0;
        Timestamp first_seen = 0;
        std::list<FragmentKey>::iterator age;  // position in `by_age_`
    };
    using Table = std::unordered_map<FragmentKey, Datagram, FragmentKeyHash>;

    Table::iterator drop(Table::iterator it);
    void store(Datagram& d, std::uint32_t begin, std::uint32_t end, const std::uint8_t* bytes);

    FragmentConfig cfg_;
    Table table_;
    std::list<FragmentKey> by_age_;  // oldest first: O(1) eviction and expiry
    std::uint64_t held_bytes_ = 0;
    std::vector<std::uint8_t> done_;
    FragmentStats stats_;
};

}  // namespace sw
