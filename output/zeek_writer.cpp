#include "output/zeek_writer.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace sw {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void hex_escape(unsigned char c, std::string& out) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
}

// Length of the valid UTF-8 multi-byte sequence at p (2..4), or 0.
std::size_t utf8_seq(const unsigned char* p, std::size_t n) {
    unsigned char c = p[0];
    std::size_t len;
    std::uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07;
    else return 0;
    if (n < len) return 0;
    for (std::size_t i = 1; i < len; ++i) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return 0;
    if (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) return 0;
    return len;
}

void append_uint(std::uint64_t v, std::string& out) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
}

void append_int(std::int64_t v, std::string& out) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
}

// Microseconds as seconds with exactly six decimals.
void append_micros(std::int64_t us, std::string& out) {
    if (us < 0) {
        out += '-';
        us = -us;
    }
    append_uint(static_cast<std::uint64_t>(us / 1'000'000), out);
    char frac[8];
    std::int64_t f = us % 1'000'000;
    for (int i = 5; i >= 0; --i) {
        frac[i] = static_cast<char>('0' + f % 10);
        f /= 10;
    }
    out += '.';
    out.append(frac, 6);
}

void append_double(double d, std::string& out) {
    char buf[64];
    int n = std::snprintf(buf, sizeof(buf), "%.6f", d);
    out.append(buf, static_cast<std::size_t>(n));
}

void append_addr(const IpAddr& a, std::string& out) {
    char buf[64];
    std::size_t n = a.format(buf);
    out.append(buf, n);
}

void tsv_string(std::string_view s, bool in_set, std::string& out) {
    if (s.empty()) {
        out += "(empty)";
        return;
    }
    if (s == "-") {
        out += "\\x2d";
        return;
    }
    if (s == "(empty)") {
        out += "\\x28empty)";
        return;
    }
    zeek_escape_tsv(s, in_set, out);
}

bool json_representable(const Value& v) {
    return !(v.kind == Value::Kind::dbl && !std::isfinite(v.d));
}

}  // namespace

std::string_view zeek_type_name(FieldType t) {
    switch (t) {
        case FieldType::time: return "time";
        case FieldType::interval: return "interval";
        case FieldType::string: return "string";
        case FieldType::enum_: return "enum";
        case FieldType::addr: return "addr";
        case FieldType::port: return "port";
        case FieldType::count: return "count";
        case FieldType::int_: return "int";
        case FieldType::double_: return "double";
        case FieldType::bool_: return "bool";
        case FieldType::set_string: return "set[string]";
        case FieldType::set_addr: return "set[addr]";
        case FieldType::set_enum: return "set[enum]";
        case FieldType::vector_string: return "vector[string]";
    }
    return "string";
}

bool is_container(FieldType t) {
    return t == FieldType::set_string || t == FieldType::set_addr || t == FieldType::set_enum ||
           t == FieldType::vector_string;
}

namespace {
// Walks `s`, copying valid multi-byte UTF-8 sequences as they are and handing
// every other byte to `ascii` (bytes < 0x80) or `invalid` (bytes that do not
// start a valid sequence).
template <typename Ascii, typename Invalid>
void escape_utf8(std::string_view s, std::string& out, Ascii ascii, Invalid invalid) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            if (std::size_t len = utf8_seq(p + i, n - i)) {
                out.append(s.data() + i, len);
                i += len;
                continue;
            }
            invalid(c, out);
        } else {
            ascii(c, out);
        }
        ++i;
    }
}
}  // namespace

void zeek_escape_tsv(std::string_view s, bool in_set, std::string& out) {
    escape_utf8(
        s, out,
        [in_set](unsigned char c, std::string& o) {
            // Tab (the separator), newline and other controls, the backslash,
            // and a comma inside a set element.
            if (c < 0x20 || c == 0x7f || c == '\\' || (in_set && c == ',')) hex_escape(c, o);
            else o += static_cast<char>(c);
        },
        hex_escape);
}

void zeek_escape_json(std::string_view s, std::string& out) {
    escape_utf8(
        s, out,
        [](unsigned char c, std::string& o) {
            switch (c) {
                case '"': o += "\\\""; break;
                case '\\': o += "\\\\"; break;
                case '\n': o += "\\n"; break;
                case '\r': o += "\\r"; break;
                case '\t': o += "\\t"; break;
                case '\b': o += "\\b"; break;
                case '\f': o += "\\f"; break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        o += "\\u00";
                        o += kHex[c >> 4];
                        o += kHex[c & 0xf];
                    } else {
                        o += static_cast<char>(c);
                    }
            }
        },
        // Not UTF-8: the text \xNN (the JSON string holds a literal backslash).
        [](unsigned char c, std::string& o) {
            o += "\\\\x";
            o += kHex[c >> 4];
            o += kHex[c & 0xf];
        });
}

std::string zeek_header_time(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tmv{};
    localtime_r(&t, &tmv);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%d-%H-%M-%S", &tmv);
    return buf;
}

std::string LogWriter::header(const Schema& schema, std::int64_t open_time) {
    std::string h = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t";
    h += schema.path;
    h += "\n#open\t";
    h += zeek_header_time(open_time);
    h += "\n#fields";
    for (const auto& f : schema.fields) {
        h += '\t';
        h += f.name;
    }
    h += "\n#types";
    for (const auto& f : schema.fields) {
        h += '\t';
        h += zeek_type_name(f.type);
    }
    h += '\n';
    return h;
}

void LogWriter::format_row(const Schema& schema, LogFormat fmt, const Row& row, std::string& out) {
    const auto& vals = row.values();
    const std::size_t start = out.size();
    if (fmt == LogFormat::tsv) {
        for (std::size_t i = 0; i < schema.fields.size(); ++i) {
            if (i) out += '\t';
            const Value v = i < vals.size() ? vals[i] : Value{};
            switch (v.kind) {
                case Value::Kind::unset: out += '-'; break;
                case Value::Kind::time:
                case Value::Kind::interval: append_micros(v.i, out); break;
                case Value::Kind::str: tsv_string(v.s, false, out); break;
                case Value::Kind::addr: append_addr(v.a, out); break;
                case Value::Kind::port:
                case Value::Kind::count: append_uint(v.u, out); break;
                case Value::Kind::int_: append_int(v.i, out); break;
                case Value::Kind::dbl: append_double(v.d, out); break;
                case Value::Kind::boolean: out += v.u ? 'T' : 'F'; break;
                case Value::Kind::strings:
                    if (v.strs->empty()) out += "(empty)";
                    for (std::size_t k = 0; k < v.strs->size(); ++k) {
                        if (k) out += ',';
                        tsv_string((*v.strs)[k], true, out);
                    }
                    break;
                case Value::Kind::addrs:
                    if (v.addrs->empty()) out += "(empty)";
                    for (std::size_t k = 0; k < v.addrs->size(); ++k) {
                        if (k) out += ',';
                        append_addr((*v.addrs)[k], out);
                    }
                    break;
            }
        }
        // A row must never look like a header line.
        if (out.size() > start && out[start] == '#') out.replace(start, 1, "\\x23");
    } else {
        out += '{';
        bool first = true;
        for (std::size_t i = 0; i < schema.fields.size() && i < vals.size(); ++i) {
            const Value& v = vals[i];
            if (v.kind == Value::Kind::unset || !json_representable(v)) continue;
            if (!first) out += ',';
            first = false;
            out += '"';
            zeek_escape_json(schema.fields[i].name, out);
            out += "\":";
            switch (v.kind) {
                case Value::Kind::unset: break;
                case Value::Kind::time:
                case Value::Kind::interval: append_micros(v.i, out); break;
                case Value::Kind::str:
                    out += '"';
                    zeek_escape_json(v.s, out);
                    out += '"';
                    break;
                case Value::Kind::addr:
                    out += '"';
                    append_addr(v.a, out);
                    out += '"';
                    break;
                case Value::Kind::port:
                case Value::Kind::count: append_uint(v.u, out); break;
                case Value::Kind::int_: append_int(v.i, out); break;
                case Value::Kind::dbl: append_double(v.d, out); break;
                case Value::Kind::boolean: out += v.u ? "true" : "false"; break;
                case Value::Kind::strings:
                    out += '[';
                    for (std::size_t k = 0; k < v.strs->size(); ++k) {
                        if (k) out += ',';
                        out += '"';
                        zeek_escape_json((*v.strs)[k], out);
                        out += '"';
                    }
                    out += ']';
                    break;
                case Value::Kind::addrs:
                    out += '[';
                    for (std::size_t k = 0; k < v.addrs->size(); ++k) {
                        if (k) out += ',';
                        out += '"';
                        append_addr((*v.addrs)[k], out);
                        out += '"';
                    }
                    out += ']';
                    break;
            }
        }
        out += '}';
    }
    out += '\n';
}

LogWriter::LogWriter(const Schema& schema, LogFormat fmt, const std::string& file)
    : schema_(schema), fmt_(fmt), file_(file) {
    fp_ = std::fopen(file.c_str(), "w");
    if (!fp_) throw std::runtime_error(file + ": cannot create: " + std::strerror(errno));
    if (fmt_ == LogFormat::tsv) buf_ = header(schema_, std::time(nullptr));
}

LogWriter::~LogWriter() { close(); }

void LogWriter::flush_buffer() {
    if (!fp_ || buf_.empty()) return;
    std::fwrite(buf_.data(), 1, buf_.size(), fp_);
    buf_.clear();
}

void LogWriter::write(const Row& row) {
    format_row(schema_, fmt_, row, buf_);
    ++rows_;
    if (buf_.size() >= (1u << 16)) flush_buffer();
}

void LogWriter::flush() {
    flush_buffer();
    if (fp_) std::fflush(fp_);
}

void LogWriter::reopen() {
    close();
    // Append: if nobody moved the file away, its rows stay and a new header
    // block follows the #close (Zeek's readers take several blocks).
    fp_ = std::fopen(file_.c_str(), "a");
    if (!fp_) throw std::runtime_error(file_ + ": cannot reopen: " + std::strerror(errno));
    if (fmt_ == LogFormat::tsv) buf_ = header(schema_, std::time(nullptr));
}

void LogWriter::close() {
    if (!fp_) return;
    if (fmt_ == LogFormat::tsv) {
        buf_ += "#close\t";
        buf_ += zeek_header_time(std::time(nullptr));
        buf_ += '\n';
    }
    flush_buffer();
    std::fclose(fp_);
    fp_ = nullptr;
}

}  // namespace sw
