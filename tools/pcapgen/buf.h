// A bounded byte writer over a caller-owned array, used to build protocol
// messages without allocating. Overrunning the array is a programming error
// (the arrays are sized for the largest message pcapgen builds), so it aborts
// loudly instead of writing past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace pcapgen {

inline void store_be16(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}
inline void store_le16(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
}
inline void store_le32(std::uint8_t* p, std::uint32_t v) {
    store_le16(p, v);
    store_le16(p + 2, v >> 16);
}
inline void store_le64(std::uint8_t* p, std::uint64_t v) {
    store_le32(p, static_cast<std::uint32_t>(v));
    store_le32(p + 4, static_cast<std::uint32_t>(v >> 32));
}

class Buf {
public:
    Buf(std::uint8_t* p, std::size_t cap) : p_(p), cap_(cap) {}

    std::size_t size() const { return n_; }
    std::uint8_t* data() { return p_; }
    const std::uint8_t* data() const { return p_; }
    std::uint8_t* at(std::size_t off) { return p_ + off; }

    std::uint8_t* grow(std::size_t k) {
        if (k > cap_ - n_) {
            std::fprintf(stderr, "pcapgen: internal error: message buffer overflow\n");
            std::abort();
        }
        std::uint8_t* w = p_ + n_;
        n_ += k;
        return w;
    }
    void u8(std::uint32_t v) { *grow(1) = static_cast<std::uint8_t>(v); }
    void le16(std::uint32_t v) { store_le16(grow(2), v); }
    void le32(std::uint32_t v) { store_le32(grow(4), v); }
    void le64(std::uint64_t v) { store_le64(grow(8), v); }
    void be16(std::uint32_t v) { store_be16(grow(2), v); }
    void be32(std::uint32_t v) { store_be32(grow(4), v); }
    void bytes(const void* src, std::size_t k) {
        if (k) std::memcpy(grow(k), src, k);
    }
    void str(std::string_view s) { bytes(s.data(), s.size()); }
    void zeros(std::size_t k) { std::memset(grow(k), 0, k); }
    // ASCII as UTF-16LE (every name pcapgen makes is ASCII).
    void utf16(std::string_view s) {
        for (char c : s) le16(static_cast<std::uint8_t>(c));
    }
    // Pads with zeros to a multiple of `a` measured from offset `base`.
    void align(std::size_t a, std::size_t base = 0) {
        while ((n_ - base) % a) u8(0);
    }
    // An SSH string / name-list: uint32 length, bytes.
    void ssh_string(std::string_view s) {
        be32(static_cast<std::uint32_t>(s.size()));
        str(s);
    }

private:
    std::uint8_t* p_;
    std::size_t cap_;
    std::size_t n_ = 0;
};

}  // namespace pcapgen
