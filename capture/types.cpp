#include "capture/types.h"

#include <arpa/inet.h>

#include <charconv>

namespace sw {

std::optional<IpAddr> IpAddr::parse(std::string_view s) {
    char buf[64];
    if (s.empty() || s.size() >= sizeof(buf)) return std::nullopt;
    std::memcpy(buf, s.data(), s.size());
    buf[s.size()] = '\0';
    std::uint8_t raw[16];
    if (inet_pton(AF_INET, buf, raw) == 1) return v4(raw);
    if (inet_pton(AF_INET6, buf, raw) == 1) return v6(raw);
    return std::nullopt;
}

std::size_t IpAddr::format(char* buf) const {
    if (is_v4()) {
        // Hand-rolled: this runs for every logged address.
        char* p = buf;
        for (int i = 12; i < 16; ++i) {
            auto r = std::to_chars(p, p + 4, static_cast<unsigned>(b_[i]));
            p = r.ptr;
            if (i != 15) *p++ = '.';
        }
        *p = '\0';
        return static_cast<std::size_t>(p - buf);
    }
    if (!inet_ntop(AF_INET6, b_.data(), buf, 46)) {
        buf[0] = '\0';
        return 0;
    }
    return std::strlen(buf);
}

std::string IpAddr::str() const {
    char buf[64];
    std::size_t n = format(buf);
    return std::string(buf, n);
}

std::optional<Cidr> Cidr::parse(std::string_view s) {
    auto slash = s.find('/');
    auto addr = IpAddr::parse(s.substr(0, slash));
    if (!addr) return std::nullopt;
    int maxbits = addr->is_v4() ? 32 : 128;
    int bits = maxbits;
    if (slash != std::string_view::npos) {
        auto num = s.substr(slash + 1);
        auto r = std::from_chars(num.data(), num.data() + num.size(), bits);
        if (r.ec != std::errc() || r.ptr != num.data() + num.size() || bits < 0 || bits > maxbits)
            return std::nullopt;
    }
    Cidr c;
    c.net = *addr;
    c.bits = addr->is_v4() ? bits + 96 : bits;
    // Normalise: clear host bits so contains() is a plain prefix compare.
    auto b = c.net.bytes();
    for (int i = 0; i < 16; ++i) {
        int keep = c.bits - i * 8;
        if (keep >= 8) continue;
        b[i] = keep <= 0 ? 0 : static_cast<std::uint8_t>(b[i] & (0xff << (8 - keep)));
    }
    c.net = IpAddr::v6(b.data());
    return c;
}

bool Cidr::contains(const IpAddr& a) const {
    const auto& x = a.bytes();
    const auto& n = net.bytes();
    int full = bits / 8;
    if (std::memcmp(x.data(), n.data(), static_cast<std::size_t>(full)) != 0) return false;
    int rem = bits % 8;
    if (rem == 0) return true;
    std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rem));
    return (x[full] & mask) == (n[full] & mask);
}

std::string Cidr::str() const {
    int shown = net.is_v4() ? bits - 96 : bits;
    return net.str() + "/" + std::to_string(shown);
}

}  // namespace sw
