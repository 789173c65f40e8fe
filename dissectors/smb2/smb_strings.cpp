#include "dissectors/smb2/smb_strings.h"

namespace sw::smb {

namespace {

// Encodes a code point (or a lone surrogate, WTF-8 style) into buf; returns length.
std::size_t encode(std::uint32_t cp, char* buf) {
    if (cp < 0x80) {
        buf[0] = static_cast<char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = static_cast<char>(0xc0 | (cp >> 6));
        buf[1] = static_cast<char>(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = static_cast<char>(0xe0 | (cp >> 12));
        buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        buf[2] = static_cast<char>(0x80 | (cp & 0x3f));
        return 3;
    }
    buf[0] = static_cast<char>(0xf0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3f));
    return 4;
}

}  // namespace

bool append_utf16le(Bytes in, std::string& out, std::size_t max_bytes) {
    std::size_t n = in.size();
    // Drop trailing NUL code units (a terminator some clients include).
    while (n >= 2 && in[n - 1] == 0 && in[n - 2] == 0) n -= 2;
    std::size_t i = 0;
    char buf[4];
    while (i + 1 < n) {
        std::uint32_t u = load_u16_le(in.data() + i);
        std::size_t used = 2;
        std::uint32_t cp = u;
        if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
            std::uint32_t lo = load_u16_le(in.data() + i + 2);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                used = 4;
            }
        }
        std::size_t len = encode(cp, buf);  // a lone surrogate stays a surrogate (WTF-8)
        if (out.size() + len > max_bytes) return false;
        out.append(buf, len);
        i += used;
    }
    if (i < n) {  // odd trailing byte: keep it as it is
        if (out.size() + 1 > max_bytes) return false;
        out.push_back(static_cast<char>(in[i]));
    }
    return true;
}

bool append_oem(Bytes in, std::string& out, std::size_t max_bytes) {
    std::size_t n = in.size();
    while (n > 0 && in[n - 1] == 0) --n;
    bool whole = true;
    if (out.size() + n > max_bytes) {
        n = max_bytes > out.size() ? max_bytes - out.size() : 0;
        whole = false;
    }
    out.append(reinterpret_cast<const char*>(in.data()), n);
    return whole;
}

}  // namespace sw::smb
