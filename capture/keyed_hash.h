// One keyed hash for every table whose keys the traffic chooses: flows, IP
// fragments, SMB file handles, the SMB multichannel directory, analytics hosts.
//
// An attacker who can predict a table's hash can put all its keys in one
// bucket and turn every lookup into a scan. The key here is secret per process
// (drawn from the OS) unless the run is seeded with --seed, in which case it is
// derived from the seed so that a seeded run is reproducible to the byte.
//
// The mixing is the "multiply and fold" step of wyhash/Go's runtime hash: a
// 64x64->128-bit multiply of key-whitened words, high and low halves folded.
// One multiply per 16 bytes keeps it cheap enough for the per-packet flow
// lookup; with a secret key the output is not predictable from the input.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <span>

namespace sw {

class KeyedHash {
public:
    // Unkeyed instances are for tests only; real tables get one of the two
    // factories below.
    KeyedHash() = default;
    explicit KeyedHash(std::uint64_t k0, std::uint64_t k1) : k0_(k0 | 1), k1_(k1 | 1) {}

    static KeyedHash from_seed(std::uint64_t seed) {
        std::uint64_t a = splitmix(seed ^ 0x6b657965645f6831ull);  // "keyed_h1"
        std::uint64_t b = splitmix(a);
        return KeyedHash(a, b);
    }
    static KeyedHash random() {
        std::random_device rd;
        std::uint64_t a = (std::uint64_t{rd()} << 32) | rd();
        std::uint64_t b = (std::uint64_t{rd()} << 32) | rd();
        return KeyedHash(a, b);
    }
    // Seeded runs (`--seed`) are reproducible; others get a secret key.
    static KeyedHash make(bool seeded, std::uint64_t seed) { return seeded ? from_seed(seed) : random(); }

    // Hash of up to two words.
    std::uint64_t operator()(std::uint64_t a, std::uint64_t b = 0) const {
        return fold(fold(a ^ k0_, b ^ k1_) ^ k0_, 0x9E3779B97F4A7C15ull ^ k1_);
    }
    // Chains words: h = combine(h, w) for each further word.
    std::uint64_t combine(std::uint64_t h, std::uint64_t a, std::uint64_t b = 0) const {
        return fold(a ^ h ^ k0_, b ^ k1_);
    }
    // Hash of a byte string (names, GUIDs).
    std::uint64_t bytes(std::span<const std::byte> s) const {
        std::uint64_t h = fold(s.size() ^ k0_, k1_);
        std::size_t i = 0;
        for (; i + 16 <= s.size(); i += 16) h = combine(h, load(s.data() + i), load(s.data() + i + 8));
        if (i < s.size()) {
            std::byte tail[16] = {};
            std::memcpy(tail, s.data() + i, s.size() - i);
            h = combine(h, load(tail), load(tail + 8));
        }
        return fold(h ^ k0_, 0x9E3779B97F4A7C15ull ^ k1_);
    }

    static std::uint64_t splitmix(std::uint64_t x) {
        x += 0x9E3779B97F4A7C15ull;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
        return x ^ (x >> 31);
    }

private:
    static std::uint64_t fold(std::uint64_t a, std::uint64_t b) {
        unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
        return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
    }
    static std::uint64_t load(const std::byte* p) {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
    std::uint64_t k0_ = 0x243F6A8885A308D3ull;
    std::uint64_t k1_ = 0x13198A2E03707345ull;
};

}  // namespace sw
