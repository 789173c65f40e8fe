#include "analytics/text_format.h"

#include <cstdio>

namespace sw {

std::string human_bytes(std::uint64_t b) {
    if (b < 1000) return std::to_string(b) + " B";
    static const char* units[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
    double v = static_cast<double>(b) / 1000.0;
    int u = 0;
    // Move up a unit when the one-decimal rendering would read 1000.0.
    while (v >= 999.95 && u < 5) {
        v /= 1000.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f %s", v, units[u]);
    return buf;
}

std::string human_span(Duration d) {
    if (d < kSecond) return "under 1 s";
    std::int64_t s = (d + kSecond / 2) / kSecond;
    if (s < 60) return std::to_string(s) + " s";
    std::int64_t m = (s + 30) / 60;
    if (m <= 120) return std::to_string(m) + " min";
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f h", static_cast<double>(s) / 3600.0);
    return buf;
}

}  // namespace sw
