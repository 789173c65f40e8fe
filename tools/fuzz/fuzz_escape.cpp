// Zeek log escaping (output/zeek_writer.h) with a round-trip check.
//
// TSV: unescaping the output by Zeek's rules (\\ is a backslash, \xNN a
// byte) gives the input back exactly; the output holds no tab, newline or
// other control byte, no ',' inside a set element, and is valid UTF-8.
// JSON: decoding the output as a JSON string body (\" \\ \n \r \t \b \f
// \uXXXX) gives the input with every byte that is not part of well-formed
// UTF-8 replaced by the text \xNN (Zeek's JSON writer); the output holds no
// raw control byte or unescaped quote. "Well-formed" is Unicode's Table 3-7,
// written here independently of the writer.
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "output/zeek_writer.h"

namespace {

// Length of the well-formed UTF-8 sequence at s[i] (Unicode 15, Table 3-7), or 0.
std::size_t wf_len(std::string_view s, std::size_t i) {
    auto b = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100u; };
    auto in = [](unsigned v, unsigned lo, unsigned hi) { return v >= lo && v <= hi; };
    const unsigned c = b(0);
    if (c < 0x80) return 1;
    if (in(c, 0xc2, 0xdf)) return in(b(1), 0x80, 0xbf) ? 2 : 0;
    unsigned lo = 0x80, hi = 0xbf;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
    if (in(c, 0xe0, 0xef)) return in(b(1), lo, hi) && in(b(2), 0x80, 0xbf) ? 3 : 0;
    lo = 0x80, hi = 0xbf;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
    if (in(c, 0xf0, 0xf4)) return in(b(1), lo, hi) && in(b(2), 0x80, 0xbf) && in(b(3), 0x80, 0xbf) ? 4 : 0;
    return 0;
}

bool well_formed(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = wf_len(s, i);
        if (!n) return false;
        i += n;
    }
    return true;
}

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Zeek's TSV unescaping: \\ -> \, \xNN -> byte; any other backslash is a bug.
std::string tsv_unescape(std::string_view e) {
    std::string out;
    for (std::size_t i = 0; i < e.size(); ++i) {
        if (e[i] != '\\') {
            out += e[i];
            continue;
        }
        SW_FUZZ_CHECK(i + 1 < e.size(), "TSV output ends in a lone backslash");
        if (e[i + 1] == '\\') {
            out += '\\';
            ++i;
            continue;
        }
        SW_FUZZ_CHECK(e[i + 1] == 'x' && i + 3 < e.size() && hexval(e[i + 2]) >= 0 && hexval(e[i + 3]) >= 0,
                      "TSV output has a backslash that is neither \\\\ nor \\xNN");
        out += static_cast<char>(hexval(e[i + 2]) * 16 + hexval(e[i + 3]));
        i += 3;
    }
    return out;
}

void put_utf8(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | cp >> 6);
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | cp >> 12);
        out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | cp >> 18);
        out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
        out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

std::uint32_t hex4(std::string_view e, std::size_t at) {
    SW_FUZZ_CHECK(at + 4 <= e.size(), "JSON \\u escape cut short");
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
        const int h = hexval(e[at + k]);
        SW_FUZZ_CHECK(h >= 0, "JSON \\u escape with a non-hex digit");
        v = v * 16 + static_cast<std::uint32_t>(h);
    }
    return v;
}

// A JSON string body (RFC 8259 7) decoded to UTF-8.
std::string json_unescape(std::string_view e) {
    std::string out;
    for (std::size_t i = 0; i < e.size(); ++i) {
        const char c = e[i];
        SW_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20, "raw control byte in JSON output");
        SW_FUZZ_CHECK(c != '"', "unescaped quote in JSON output");
        if (c != '\\') {
            out += c;
            continue;
        }
        SW_FUZZ_CHECK(i + 1 < e.size(), "JSON output ends in a lone backslash");
        switch (e[++i]) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u': {
                std::uint32_t cp = hex4(e, i + 1);
                i += 4;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    SW_FUZZ_CHECK(i + 2 < e.size() && e[i + 1] == '\\' && e[i + 2] == 'u', "JSON lone high surrogate");
                    const std::uint32_t lo = hex4(e, i + 3);
                    SW_FUZZ_CHECK(lo >= 0xdc00 && lo <= 0xdfff, "JSON high surrogate without low");
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                }
                put_utf8(cp, out);
                break;
            }
            default: SW_FUZZ_CHECK(false, "unknown JSON escape");
        }
    }
    return out;
}

const char kHex[] = "0123456789abcdef";

}  // namespace

SW_FUZZ_ENTRY(fuzz_escape)(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    for (bool in_set : {false, true}) {
        std::string e;
        sw::zeek_escape_tsv(s, in_set, e);
        for (char c : e) {
            const auto u = static_cast<unsigned char>(c);
            SW_FUZZ_CHECK(u >= 0x20 && u != 0x7f, "control byte in TSV output");
            SW_FUZZ_CHECK(!in_set || c != ',', "set separator in a TSV set element");
        }
        SW_FUZZ_CHECK(well_formed(e), "TSV output is not valid UTF-8");
        SW_FUZZ_CHECK(tsv_unescape(e) == s, "TSV escape does not round-trip");
    }
    std::string j;
    sw::zeek_escape_json(s, j);
    SW_FUZZ_CHECK(well_formed(j), "JSON output is not valid UTF-8");
    std::string want;
    for (std::size_t i = 0; i < s.size();) {
        if (const std::size_t n = wf_len(s, i)) {
            want.append(s.substr(i, n));
            i += n;
        } else {
            const auto c = static_cast<unsigned char>(s[i++]);
            want += "\\x";
            want += kHex[c >> 4];
            want += kHex[c & 0xf];
        }
    }
    SW_FUZZ_CHECK(json_unescape(j) == want, "JSON escape does not round-trip");
    return 0;
}
