#include "report/log_reader.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace sw::report {

namespace fs = std::filesystem;

namespace {

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

std::vector<std::string_view> split(std::string_view s, std::string_view sep) {
    std::vector<std::string_view> out;
    if (sep.empty()) {
        out.push_back(s);
        return out;
    }
    std::size_t pos = 0;
    for (;;) {
        std::size_t p = s.find(sep, pos);
        if (p == std::string_view::npos) {
            out.push_back(s.substr(pos));
            return out;
        }
        out.push_back(s.substr(pos, p - pos));
        pos = p + sep.size();
    }
}

// Minimal JSON value reader for one flat Zeek object per line.
struct JsonCursor {
    std::string_view s;
    std::size_t i = 0;
    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
    }
    bool eat(char c) {
        ws();
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    }
    bool string(std::string& out) {
        out.clear();
        if (!eat('"')) return false;
        while (i < s.size()) {
            char c = s[i++];
            if (c == '"') return true;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i >= s.size()) return false;
            char e = s[i++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    auto hex4 = [&](std::uint32_t& v) {
                        if (i + 4 > s.size()) return false;
                        v = 0;
                        for (int k = 0; k < 4; ++k) {
                            int h = hexval(s[i + k]);
                            if (h < 0) return false;
                            v = v * 16 + static_cast<std::uint32_t>(h);
                        }
                        i += 4;
                        return true;
                    };
                    std::uint32_t cp;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < s.size() && s[i] == '\\' && s[i + 1] == 'u') {
                        i += 2;
                        std::uint32_t lo;
                        if (!hex4(lo)) return false;
                        if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        else cp = 0xfffd;
                    } else if (cp >= 0xd800 && cp < 0xe000) {
                        cp = 0xfffd;
                    }
                    put_utf8(out, cp);
                    break;
                }
                default: return false;
            }
        }
        return false;
    }
    // A scalar (string, number, true/false/null) as text; false on error.
    bool scalar(std::string& out, bool& is_null) {
        ws();
        is_null = false;
        if (i < s.size() && s[i] == '"') return string(out);
        std::size_t b = i;
        while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ') ++i;
        std::string_view t = s.substr(b, i - b);
        if (t.empty()) return false;
        if (t == "null") is_null = true;
        else if (t == "true") out = "T";
        else if (t == "false") out = "F";
        else out.assign(t);
        return true;
    }
};

bool ends_with(std::string_view s, std::string_view suf) {
    return s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf;
}

}  // namespace

std::string zeek_unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
            int h = hexval(s[i + 2]), l = hexval(s[i + 3]);
            if (h >= 0 && l >= 0) {
                out += static_cast<char>(h * 16 + l);
                i += 3;
                continue;
            }
        }
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\\') {
            out += '\\';
            ++i;
            continue;
        }
        out += s[i];
    }
    return out;
}

int LogRow::index(std::string_view name) const {
    if (!names_) return -1;
    for (std::size_t i = 0; i < names_->size() && i < slots_.size(); ++i)
        if ((*names_)[i] == name) return static_cast<int>(i);
    return -1;
}

std::optional<std::string_view> LogRow::get(std::string_view name) const {
    int i = index(name);
    if (i < 0 || !slots_[static_cast<std::size_t>(i)].present) return std::nullopt;
    return std::string_view(slots_[static_cast<std::size_t>(i)].value);
}

double LogRow::num(std::string_view name) const {
    auto v = get(name);
    if (!v || v->empty()) return 0;
    std::string t(*v);
    char* end = nullptr;
    double d = std::strtod(t.c_str(), &end);
    return end == t.c_str() ? 0 : d;
}

std::uint64_t LogRow::count(std::string_view name) const {
    auto v = get(name);
    if (!v) return 0;
    std::uint64_t n = 0;
    auto r = std::from_chars(v->data(), v->data() + v->size(), n);
    if (r.ec != std::errc()) {
        double d = num(name);
        return d > 0 ? static_cast<std::uint64_t>(d) : 0;
    }
    return n;
}

bool LogRow::flag(std::string_view name) const {
    auto v = get(name);
    return v && (*v == "T" || *v == "true");
}

std::vector<std::string> LogRow::list(std::string_view name) const {
    int i = index(name);
    if (i < 0) return {};
    const Slot& s = slots_[static_cast<std::size_t>(i)];
    if (!s.present) return {};
    if (s.is_list) return s.elems;
    if (s.value.empty()) return {};
    return {s.value};
}

void LogRow::reset(const std::vector<std::string>* names) {
    names_ = names;
    slots_.resize(names ? names->size() : 0);
    for (auto& s : slots_) {
        s.present = false;
        s.is_list = false;
        s.value.clear();
        s.elems.clear();
    }
}

void LogRow::set(std::size_t i, std::string value) {
    if (i >= slots_.size()) slots_.resize(i + 1);
    slots_[i].present = true;
    slots_[i].is_list = false;
    slots_[i].value = std::move(value);
}

void LogRow::set_list(std::size_t i, std::vector<std::string> elems) {
    if (i >= slots_.size()) slots_.resize(i + 1);
    Slot& s = slots_[i];
    s.present = true;
    s.is_list = true;
    s.value.clear();
    for (std::size_t k = 0; k < elems.size(); ++k) {
        if (k) s.value += ',';
        s.value += elems[k];
    }
    s.elems = std::move(elems);
}

std::vector<std::string> log_files(const std::string& dir, std::string_view path) {
    std::vector<std::string> rotated;
    std::string current;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (!e.is_regular_file(ec)) continue;
        std::string name = e.path().filename().string();
        std::string_view n = name;
        if (n.substr(0, path.size()) != path || !ends_with(n, ".log")) continue;
        std::string_view rest = n.substr(path.size());
        if (rest == ".log") current = e.path().string();
        // conn.2026-11-22-13-00-00.log (digits and dashes) or conn__open__close__.log
        else if (rest.size() > 5 && rest[0] == '.' &&
                 std::all_of(rest.begin() + 1, rest.end() - 4,
                             [](char c) { return (c >= '0' && c <= '9') || c == '-' || c == '_' || c == ':'; }))
            rotated.push_back(e.path().string());
        else if (rest.size() > 6 && rest.substr(0, 2) == "__" && ends_with(rest, "__.log"))
            rotated.push_back(e.path().string());
    }
    std::sort(rotated.begin(), rotated.end());
    if (!current.empty()) rotated.push_back(current);
    return rotated;
}

bool LogReader::parse_json_line(std::string_view line, std::vector<std::string>& names, LogRow& row) {
    JsonCursor c{line};
    names.clear();
    row.reset(nullptr);
    if (!c.eat('{')) return false;
    if (c.eat('}')) {
        row.names_ = &names;
        return true;
    }
    std::string key, val;
    for (;;) {
        if (!c.string(key) || !c.eat(':')) return false;
        std::size_t idx = names.size();
        names.push_back(key);
        c.ws();
        if (c.i < c.s.size() && c.s[c.i] == '[') {
            ++c.i;
            std::vector<std::string> elems;
            if (!c.eat(']')) {
                for (;;) {
                    bool is_null;
                    if (!c.scalar(val, is_null)) return false;
                    if (!is_null) elems.push_back(val);
                    if (c.eat(']')) break;
                    if (!c.eat(',')) return false;
                }
            }
            row.set_list(idx, std::move(elems));
        } else {
            bool is_null;
            if (!c.scalar(val, is_null)) return false;
            if (!is_null) row.set(idx, val);  // null: left unset
        }
        if (c.eat('}')) break;
        if (!c.eat(',')) return false;
    }
    row.names_ = &names;
    return true;
}

bool LogReader::read_file(const std::string& file, const RowFn& fn) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    ++stats_.files;
    std::string line;
    std::vector<std::string> names;
    std::string sep = "\t", set_sep = ",", empty = "(empty)", unset = "-";
    LogRow row;
    row.file_ = file;
    std::uint64_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        if (line[0] == '{') {
            if (!parse_json_line(line, names, row)) {
                ++stats_.bad_lines;
                continue;
            }
            row.line_ = lineno;
            ++stats_.rows;
            fn(row);
            continue;
        }
        if (line[0] == '#') {
            std::string_view l = line;
            if (l.substr(0, 11) == "#separator ") {
                sep = zeek_unescape(l.substr(11));
                continue;
            }
            auto parts = split(l, sep);
            if (parts.size() < 2) continue;
            if (parts[0] == "#set_separator") set_sep = zeek_unescape(parts[1]);
            else if (parts[0] == "#empty_field") empty = std::string(parts[1]);
            else if (parts[0] == "#unset_field") unset = std::string(parts[1]);
            else if (parts[0] == "#fields") names.assign(parts.begin() + 1, parts.end());
            continue;
        }
        if (names.empty()) {
            ++stats_.bad_lines;
            continue;
        }
        auto parts = split(line, sep);
        if (parts.size() != names.size()) {
            ++stats_.bad_lines;
            continue;
        }
        row.reset(&names);
        for (std::size_t i = 0; i < parts.size(); ++i) {
            std::string_view v = parts[i];
            if (v == unset) continue;
            if (v == empty) {
                row.set_list(i, {});
                continue;
            }
            if (v.find(set_sep) != std::string_view::npos) {
                std::vector<std::string> elems;
                for (auto e : split(v, set_sep)) elems.push_back(zeek_unescape(e));
                row.set_list(i, std::move(elems));
            } else {
                row.set(i, zeek_unescape(v));
            }
        }
        row.line_ = lineno;
        ++stats_.rows;
        fn(row);
    }
    return true;
}

void LogReader::read_log(const std::vector<std::string>& dirs, std::string_view path, const RowFn& fn) {
    for (const auto& d : dirs)
        for (const auto& f : log_files(d, path)) read_file(f, fn);
}

}  // namespace sw::report
