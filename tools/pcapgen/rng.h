// Deterministic random numbers for pcapgen.
//
// The standard <random> distributions are implementation-defined (libstdc++
// and libc++ give different sequences), so everything here is integer-only
// and fully specified: xoshiro256** seeded through splitmix64, Lemire's
// unbiased bounded draw, and an octave-wise "log-uniform" size draw that
// needs no libm. Same seed, same numbers, on every platform.
#pragma once

#include <cstdint>

namespace pcapgen {

inline std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

class Rng {
public:
    Rng() : Rng(0) {}
    // `stream` separates independent sequences derived from one seed.
    explicit Rng(std::uint64_t seed, std::uint64_t stream = 0) {
        std::uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
        for (auto& w : s_) w = splitmix64(x);
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    std::uint32_t u32() { return static_cast<std::uint32_t>(next() >> 32); }

    // Uniform in [0, n); n == 0 gives 0.
    std::uint64_t below(std::uint64_t n) {
        if (n == 0) return 0;
        unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
        auto low = static_cast<std::uint64_t>(m);
        if (low < n) {
            const std::uint64_t threshold = (0 - n) % n;
            while (low < threshold) {
                m = static_cast<unsigned __int128>(next()) * n;
                low = static_cast<std::uint64_t>(m);
            }
        }
        return static_cast<std::uint64_t>(m >> 64);
    }
    // Uniform in [lo, hi] (inclusive); lo > hi gives lo.
    std::uint64_t range(std::uint64_t lo, std::uint64_t hi) {
        if (hi <= lo) return lo;
        if (hi - lo == UINT64_MAX) return next();
        return lo + below(hi - lo + 1);
    }
    // True with probability `threshold / 2^53` (see Chance).
    bool chance53(std::uint64_t threshold) { return (next() >> 11) < threshold; }

    // A size in [lo, hi] whose octaves are equally likely: an octave
    // [lo*2^k, lo*2^(k+1)) is picked uniformly, then a value uniformly inside
    // it (clamped to hi). Many small values, a few large ones, no libm.
    std::uint64_t log_uniform(std::uint64_t lo, std::uint64_t hi) {
        if (lo == 0) lo = 1;
        if (hi <= lo) return lo;
        unsigned octaves = 0;
        for (std::uint64_t v = lo; v < hi && octaves < 63; v <<= 1) ++octaves;
        const unsigned k = static_cast<unsigned>(below(octaves));
        const std::uint64_t a = lo << k;
        std::uint64_t b = (a << 1) - 1;
        if (b > hi || b < a) b = hi;
        return range(a, b);
    }

    template <typename T, std::size_t N>
    const T& pick(const T (&arr)[N]) {
        return arr[below(N)];
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

// A probability turned into an integer threshold once, so the per-packet
// draw is one integer compare.
inline std::uint64_t chance_threshold(double p) {
    if (!(p > 0)) return 0;
    if (p >= 1) return std::uint64_t{1} << 53;
    return static_cast<std::uint64_t>(p * 9007199254740992.0);
}

}  // namespace pcapgen
