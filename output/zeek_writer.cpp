#include "output/zeek_writer.h"

#include <sys/stat.h>
#include <unistd.h>

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
//
// Valid characters that still must not reach a log as themselves (they end
// lines for splitlines()-style readers, or reorder what a viewer displays)
// go to `unsafe` with their code point and bytes: U+0085 (NEL), U+2028 and
// U+2029 (line/paragraph separators), U+202A-U+202E (bidi embeddings and
// overrides), U+2066-U+2069 (bidi isolates). Only a lead byte 0xC2 or 0xE2
// is looked at further, so other text costs nothing more.
std::uint32_t unsafe_code_point(const unsigned char* p, std::size_t len) {
    if (len == 2) return p[0] == 0xc2 && p[1] == 0x85 ? 0x85 : 0;
    if (len != 3 || p[0] != 0xe2) return 0;
    if (p[1] == 0x80 && p[2] >= 0xa8 && p[2] <= 0xae) return 0x2000u + (p[2] & 0x3fu);  // U+2028..U+202E
    if (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9) return 0x2040u + (p[2] & 0x3fu);  // U+2066..U+2069
    return 0;
}

template <typename Ascii, typename Invalid, typename Unsafe>
void escape_utf8(std::string_view s, std::string& out, Ascii ascii, Invalid invalid, Unsafe unsafe) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            if (std::size_t len = utf8_seq(p + i, n - i)) {
                if (c == 0xc2 || c == 0xe2) {
                    if (const std::uint32_t cp = unsafe_code_point(p + i, len)) {
                        unsafe(cp, p + i, len, out);
                        i += len;
                        continue;
                    }
                }
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
            // Tab (the separator), newline and other controls, and a comma
            // inside a set element; a backslash is doubled (Zeek's ODesc
            // escapes its own escape character so that \xNN stays unambiguous).
            if (c == '\\') o += "\\\\";
            else if (c < 0x20 || c == 0x7f || (in_set && c == ',')) hex_escape(c, o);
            else o += static_cast<char>(c);
        },
        hex_escape,
        // Separators and bidi controls: \xNN of each UTF-8 byte (Zeek passes them).
        [](std::uint32_t, const unsigned char* b, std::size_t len, std::string& o) {
            for (std::size_t k = 0; k < len; ++k) hex_escape(b[k], o);
        });
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
        },
        // Separators and bidi controls: a JSON \uXXXX escape (Zeek passes them).
        [](std::uint32_t cp, const unsigned char*, std::size_t, std::string& o) {
            o += "\\u";
            for (int shift = 12; shift >= 0; shift -= 4) o += kHex[(cp >> shift) & 0xf];
        });
}

// ---- FieldWriter: one row, field by field ----

bool FieldWriter::key() {
    if (fmt_ == LogFormat::tsv) {
        if (index_ > 1) out_ += '\t';
        return true;
    }
    if (!json_first_) out_ += ',';
    json_first_ = false;
    out_ += '"';
    zeek_escape_json(name_, out_);
    out_ += "\":";
    return true;
}

void FieldWriter::end() {
    if (fmt_ == LogFormat::tsv) {
        // A row must never look like a header line.
        if (out_.size() > start_ && out_[start_] == '#') out_.replace(start_, 1, "\\x23");
    } else {
        out_ += '}';
    }
    out_ += '\n';
}

void FieldWriter::unset() {
    if (fmt_ == LogFormat::tsv) {
        key();
        out_ += '-';
    }
    // JSON leaves unset fields out.
}

void FieldWriter::micros(std::int64_t us) {
    key();
    append_micros(us, out_);
}

void FieldWriter::uint(std::uint64_t v) {
    key();
    append_uint(v, out_);
}

void FieldWriter::integer(std::int64_t i) {
    key();
    append_int(i, out_);
}

void FieldWriter::dbl(double d) {
    // JSON has no inf/nan: such a value is left out, like an unset one.
    if (fmt_ == LogFormat::json && !std::isfinite(d)) return;
    key();
    append_double(d, out_);
}

void FieldWriter::boolean(bool b) {
    key();
    if (fmt_ == LogFormat::tsv) out_ += b ? 'T' : 'F';
    else out_ += b ? "true" : "false";
}

void FieldWriter::str(std::string_view s) {
    key();
    if (fmt_ == LogFormat::tsv) {
        tsv_string(s, false, out_);
    } else {
        out_ += '"';
        zeek_escape_json(s, out_);
        out_ += '"';
    }
}

void FieldWriter::addr(const IpAddr& a) {
    key();
    if (fmt_ == LogFormat::tsv) {
        append_addr(a, out_);
    } else {
        out_ += '"';
        append_addr(a, out_);
        out_ += '"';
    }
}

void FieldWriter::strings(std::span<const std::string> v) {
    key();
    if (fmt_ == LogFormat::tsv) {
        if (v.empty()) out_ += "(empty)";
        for (std::size_t k = 0; k < v.size(); ++k) {
            if (k) out_ += ',';
            tsv_string(v[k], true, out_);
        }
        return;
    }
    out_ += '[';
    for (std::size_t k = 0; k < v.size(); ++k) {
        if (k) out_ += ',';
        out_ += '"';
        zeek_escape_json(v[k], out_);
        out_ += '"';
    }
    out_ += ']';
}

void FieldWriter::addrs(std::span<const IpAddr> v) {
    key();
    const bool tsv = fmt_ == LogFormat::tsv;
    if (tsv && v.empty()) out_ += "(empty)";
    if (!tsv) out_ += '[';
    for (std::size_t k = 0; k < v.size(); ++k) {
        if (k) out_ += ',';
        if (!tsv) out_ += '"';
        append_addr(v[k], out_);
        if (!tsv) out_ += '"';
    }
    if (!tsv) out_ += ']';
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

LogWriter::LogWriter(const Schema& schema, LogFormat fmt, const std::string& file)
    : schema_(schema), fmt_(fmt), file_(file) {
    open("w");
}

LogWriter::~LogWriter() { close(); }

void LogWriter::open(const char* mode) {
    fp_ = std::fopen(file_.c_str(), mode);
    if (!fp_) throw std::runtime_error(file_ + ": cannot " + (*mode == 'w' ? "create" : "reopen") + ": " +
                                       std::strerror(errno));
    // Unbuffered: buf_ is the buffer (64 KiB of whole lines), so a failed
    // write leaves no half line behind in stdio to appear at fclose.
    std::setvbuf(fp_, nullptr, _IONBF, 0);
    struct stat st {};
    size_ = ::fstat(::fileno(fp_), &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
    if (fmt_ == LogFormat::tsv) buf_ = header(schema_, std::time(nullptr));
}

bool LogWriter::flush_buffer() {
    if (!fp_ || buf_.empty()) return error_.empty();
    if (!error_.empty()) {  // failed before: the rest is lost, not half-written
        buf_.clear();
        buffered_rows_ = 0;
        return false;
    }
    const std::size_t n = std::fwrite(buf_.data(), 1, buf_.size(), fp_);
    if (n != buf_.size()) {
        const int e = errno;
        error_ = file_ + ": " + std::strerror(e != 0 ? e : EIO);
        // Cut the partial write back to the last whole line (a regular file;
        // a device such as /dev/full has nothing to cut).
        std::fflush(fp_);
        if (::ftruncate(::fileno(fp_), static_cast<off_t>(size_)) == 0) std::fseek(fp_, 0, SEEK_END);
        buf_.clear();
        buffered_rows_ = 0;
        return false;
    }
    size_ += n;
    rows_ += buffered_rows_;
    buffered_rows_ = 0;
    buf_.clear();
    return true;
}

void LogWriter::flush() { flush_buffer(); }

void LogWriter::reopen() {
    close();
    if (!error_.empty()) return;
    // Append: if nobody moved the file away, its rows stay and a new header
    // block follows the #close (Zeek's readers take several blocks).
    open("a");
}

void LogWriter::close() {
    if (!fp_) return;
    if (fmt_ == LogFormat::tsv && error_.empty()) {
        buf_ += "#close\t";
        buf_ += zeek_header_time(std::time(nullptr));
        buf_ += '\n';
    }
    flush_buffer();
    if (std::fclose(fp_) != 0 && error_.empty()) error_ = file_ + ": " + std::strerror(errno);
    fp_ = nullptr;
}

}  // namespace sw
