// Small helpers every layer may use (capture is the bottom of
// capture -> dissectors -> analytics -> output, so anyone can include this).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace sw {

// Visitor from lambdas: std::visit(overloaded{[](const A&) {}, ...}, v).
template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

// Zeek-style sampling of repeated events: true for the 1st, 10th, 100th, ...
// occurrence (n counts from 1).
inline bool sampled_occurrence(std::uint64_t n) {
    std::uint64_t p = 1;
    while (p < n && p <= UINT64_MAX / 10) p *= 10;
    return p == n;
}

// Bytes as an analyst reads them: decimal units with one decimal, as storage
// and SIEM tools print them: 999 -> "999 B", 1'234'567 -> "1.2 MB",
// 999'960 -> "1.0 MB" (never "1000.0 KB").
inline std::string human_bytes(std::uint64_t b) {
    if (b < 1000) return std::to_string(b) + " B";
    static constexpr const char* kUnits[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
    double v = static_cast<double>(b) / 1000.0;
    int u = 0;
    // Move up a unit when the one-decimal rendering would read 1000.0.
    while (v >= 999.95 && u < 5) {
        v /= 1000.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[u]);
    return buf;
}

}  // namespace sw
