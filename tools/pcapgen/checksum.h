// The Internet checksum (RFC 1071), computed in memory order so it is correct
// on any host byte order: words are summed as loaded, and the folded result is
// stored back in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pcapgen {

// Adds `n` bytes at `p` to a running sum. An odd tail byte is padded with a
// zero, so only the last chunk of a checksummed range may have odd length.
inline std::uint64_t csum_add(std::uint64_t acc, const std::uint8_t* p, std::size_t n) {
    std::uint64_t carry = 0;
    while (n >= 32) {
        std::uint64_t w[4];
        std::memcpy(w, p, 32);
        for (std::uint64_t v : w) {
            acc += v;
            carry += acc < v;
        }
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        acc += v;
        carry += acc < v;
        p += 8;
        n -= 8;
    }
    std::uint8_t tail[8] = {};
    if (n) {
        std::memcpy(tail, p, n);
        std::uint64_t v;
        std::memcpy(&v, tail, 8);
        acc += v;
        carry += acc < v;
    }
    acc += carry;
    if (acc < carry) ++acc;  // end-around carry of the carry itself
    return acc;
}

// Folds a running sum and returns the complemented 16-bit checksum, to be
// stored with memcpy (memory order).
inline std::uint16_t csum_finish(std::uint64_t acc) {
    acc = (acc & 0xffffffffULL) + (acc >> 32);
    acc = (acc & 0xffffffffULL) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<std::uint16_t>(~acc & 0xffff);
}

}  // namespace pcapgen
