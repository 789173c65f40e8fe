// Zeek-style connection uids: a prefix letter and 96 random bits in base62
// ("CHhAvVGS1DHFjwGM9"). Reproducible when seeded; one generator per worker.
#pragma once

#include <cstdint>
#include <string>

namespace sw {

class UidGenerator {
public:
    // seed == nullopt-like 0 with `seeded` false draws from the OS.
    explicit UidGenerator(std::uint64_t seed);
    static UidGenerator from_entropy();

    // Writes prefix + base62 into out (>= 24 bytes); returns the length.
    std::size_t next(char prefix, char* out);
    std::string next(char prefix);

private:
    std::uint64_t rand64();
    std::uint64_t state_;
};

// Appends the base62 digits of v (most significant first) to out; returns count.
std::size_t base62(std::uint64_t v, char* out);

}  // namespace sw
