#include "report/format.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace sw::report {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8_len(std::string_view s, std::size_t i) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n;
    std::uint32_t min;
    if (b < 0x80) return 1;
    if ((b & 0xe0) == 0xc0) n = 2, min = 0x80;
    else if ((b & 0xf0) == 0xe0) n = 3, min = 0x800;
    else if ((b & 0xf8) == 0xf0) n = 4, min = 0x10000;
    else return 0;
    if (i + n > s.size()) return 0;
    std::uint32_t cp = b & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
        auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return 0;
    return n;
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        char c = s[i];
        auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '&': out += "&amp;"; ++i; continue;
            case '<': out += "&lt;"; ++i; continue;
            case '>': out += "&gt;"; ++i; continue;
            case '"': out += "&quot;"; ++i; continue;
            case '\'': out += "&#39;"; ++i; continue;
            default: break;
        }
        std::size_t n = utf8_len(s, i);
        if (u < 0x20 || u == 0x7f || n == 0) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
            ++i;
            continue;
        }
        out.append(s.substr(i, n));
        i += n;
    }
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    append_escaped(out, s);
    return out;
}

std::string anchor_id(std::string_view prefix, std::string_view s) {
    std::string out(prefix);
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                  c == ':' || c == '-';
        out += ok ? c : '_';
    }
    return out;
}

std::string fmt_bytes(std::uint64_t b) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1000 && u < 5) v /= 1000, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

std::string fmt_time(double epoch) {
    if (epoch <= 0) return "-";
    std::time_t t = static_cast<std::time_t>(std::floor(epoch));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string fmt_clock(double epoch) {
    std::time_t t = static_cast<std::time_t>(std::floor(epoch));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
    return buf;
}

std::string fmt_duration(double s) {
    char buf[32];
    if (s < 1) std::snprintf(buf, sizeof buf, "under 1 s");
    else if (s < 120) std::snprintf(buf, sizeof buf, "%.0f s", s);
    else if (s < 7200) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
    else if (s < 172800) std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
    else std::snprintf(buf, sizeof buf, "%.1f d", s / 86400);
    return buf;
}

std::string fmt_num(double v, int decimals) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace sw::report
