#include "capture/uid.h"

#include <algorithm>
#include <random>

namespace sw {

UidGenerator::UidGenerator(std::uint64_t seed) : state_(seed) {}

UidGenerator UidGenerator::from_entropy() {
    std::random_device rd;
    std::uint64_t s = (std::uint64_t{rd()} << 32) ^ rd();
    return UidGenerator(s);
}

// splitmix64: small, fast, and every seed gives a full-period sequence.
std::uint64_t UidGenerator::rand64() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::size_t base62(std::uint64_t v, char* out) {
    static constexpr char digits[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char tmp[16];
    std::size_t n = 0;
    do {
        tmp[n++] = digits[v % 62];
        v /= 62;
    } while (v);
    std::reverse_copy(tmp, tmp + n, out);
    return n;
}

std::size_t UidGenerator::next(char prefix, char* out) {
    // 96 bits, as Zeek: one 64-bit word and one 32-bit word.
    std::uint64_t a = rand64();
    std::uint64_t b = rand64() >> 32;
    std::size_t n = 0;
    out[n++] = prefix;
    n += base62(a, out + n);
    n += base62(b, out + n);
    return n;
}

std::string UidGenerator::next(char prefix) {
    char buf[32];
    std::size_t n = next(prefix, buf);
    return std::string(buf, n);
}

}  // namespace sw
