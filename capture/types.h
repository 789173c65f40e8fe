// Basic value types shared by every layer: time, addresses, directions.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sw {

// Packet time in microseconds since the epoch. Offline runs use packet time
// everywhere; nothing on the packet path reads the wall clock.
using Timestamp = std::int64_t;
// A span of packet time, microseconds.
using Duration = std::int64_t;

constexpr Duration kSecond = 1'000'000;
constexpr Duration kMinute = 60 * kSecond;

// Direction inside a connection, in Zeek's vocabulary: the originator (who
// opened it) and the responder.
enum class Dir : std::uint8_t { orig = 0, resp = 1 };
constexpr Dir other(Dir d) { return d == Dir::orig ? Dir::resp : Dir::orig; }
constexpr int idx(Dir d) { return static_cast<int>(d); }

// An IPv4 or IPv6 address. IPv4 is stored IPv4-mapped (::ffff:a.b.c.d) so that
// comparisons and hashing are uniform.
class IpAddr {
public:
    IpAddr() = default;

    static IpAddr v4(const std::uint8_t* p) {
        IpAddr a;
        a.b_[10] = 0xff;
        a.b_[11] = 0xff;
        std::memcpy(a.b_.data() + 12, p, 4);
        return a;
    }
    static IpAddr v4(std::uint32_t host_order) {
        std::uint8_t p[4] = {static_cast<std::uint8_t>(host_order >> 24),
                             static_cast<std::uint8_t>(host_order >> 16),
                             static_cast<std::uint8_t>(host_order >> 8),
                             static_cast<std::uint8_t>(host_order)};
        return v4(p);
    }
    static IpAddr v6(const std::uint8_t* p) {
        IpAddr a;
        std::memcpy(a.b_.data(), p, 16);
        return a;
    }
    // Parses dotted IPv4 or textual IPv6.
    static std::optional<IpAddr> parse(std::string_view s);

    bool is_v4() const {
        static constexpr std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        return std::memcmp(b_.data(), prefix, 12) == 0;
    }
    const std::array<std::uint8_t, 16>& bytes() const { return b_; }

    // Zeek's text form: dotted quad for IPv4, RFC 5952 for IPv6.
    std::string str() const;
    // Writes the text form into buf (at least 46 bytes); returns its length.
    std::size_t format(char* buf) const;

    // The address as two big-endian words (hashes, fast equality). Inline:
    // every flow lookup hashes two addresses.
    std::uint64_t hi() const { return word(0); }
    std::uint64_t lo() const { return word(8); }

    // Two word compares, not a memcmp call (the flow lookup's key compare).
    friend bool operator==(const IpAddr& a, const IpAddr& b) {
        std::uint64_t x[2], y[2];
        std::memcpy(x, a.b_.data(), 16);
        std::memcpy(y, b.b_.data(), 16);
        return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
    }
    friend auto operator<=>(const IpAddr& a, const IpAddr& b) { return a.b_ <=> b.b_; }

private:
    std::uint64_t word(int at) const {
        std::uint64_t v = 0;
        for (int i = at; i < at + 8; ++i) v = (v << 8) | b_[i];
        return v;
    }
    std::array<std::uint8_t, 16> b_{};
};

// An address prefix such as 10.0.0.0/8 or 2001:db8::/32.
struct Cidr {
    IpAddr net;
    int bits = 0;  // prefix length in the 128-bit (mapped) space
    static std::optional<Cidr> parse(std::string_view s);
    bool contains(const IpAddr& a) const;
    std::string str() const;
};

// A list of prefixes; "is this host local?" for Zeek's local_orig/direction.
class CidrSet {
public:
    void add(const Cidr& c) { list_.push_back(c); }
    bool empty() const { return list_.empty(); }
    bool contains(const IpAddr& a) const {
        for (const auto& c : list_)
            if (c.contains(a)) return true;
        return false;
    }
    const std::vector<Cidr>& list() const { return list_; }

private:
    std::vector<Cidr> list_;
};

}  // namespace sw
