// Shared pieces of the libFuzzer targets (tools/fuzz/*.cpp).
//
// Each target defines its entry point with SW_FUZZ_ENTRY(name). Built with
// -DSTAGEWATCH_FUZZ=ON (clang) it is LLVMFuzzerTestOneInput and the target is
// a libFuzzer binary of its own; in the normal build every target is linked
// into one replay binary (sw_fuzz_replay, replay_main.cpp) where the entry
// points are registered by name, so the regression inputs in
// tools/fuzz/regressions/<name>/ run as ctests without clang.
//
// A target signals a finding the way libFuzzer expects: the sanitizers, or
// SW_FUZZ_CHECK (abort with a message) for a model mismatch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

namespace sw::fuzz {

using Entry = int (*)(const std::uint8_t*, std::size_t);

// The replay binary's table of entry points (replay_main.cpp).
struct Register {
    Register(const char* name, Entry e);
};

// Reads fuzzer-chosen values off the front of the input; past the end every
// read yields 0 / an empty span, so targets need no length checks.
class Input {
public:
    Input(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
    bool empty() const { return n_ == 0; }
    std::size_t remaining() const { return n_; }
    std::uint8_t u8() {
        if (!n_) return 0;
        --n_;
        return *d_++;
    }
    std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | u8() << 8); }
    std::uint32_t u32() { return u16() | static_cast<std::uint32_t>(u16()) << 16; }
    std::span<const std::uint8_t> bytes(std::size_t n) {
        if (n > n_) n = n_;
        std::span<const std::uint8_t> out(d_, n);
        d_ += n;
        n_ -= n;
        return out;
    }
    std::span<const std::uint8_t> rest() { return bytes(n_); }

private:
    const std::uint8_t* d_;
    std::size_t n_;
};

}  // namespace sw::fuzz

#define SW_FUZZ_CHECK(cond, msg)                                                      \
    do {                                                                              \
        if (!(cond)) {                                                                \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d): %s\n", #cond, __FILE__, \
                         __LINE__, msg);                                              \
            std::abort();                                                             \
        }                                                                             \
    } while (0)

#ifdef SW_FUZZ_REPLAY
#define SW_FUZZ_ENTRY(name)                                                         \
    static int name##_entry(const std::uint8_t*, std::size_t);                      \
    static const ::sw::fuzz::Register name##_registered(#name, &name##_entry);      \
    static int name##_entry
#else
#define SW_FUZZ_ENTRY(name) extern "C" int LLVMFuzzerTestOneInput
#endif
