// Log schemas and row values.
//
// Each log is declared once as a Schema (path + ordered (name, type) fields);
// the TSV and JSON writers are driven only by that declaration.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/types.h"

namespace sw {

enum class FieldType : std::uint8_t {
    time,
    interval,
    string,
    enum_,
    addr,
    port,
    count,
    int_,
    double_,
    bool_,
    set_string,
    set_addr,
    set_enum,
    vector_string,
};

// Zeek's type name, as written in #types ("time", "set[string]", ...).
std::string_view zeek_type_name(FieldType t);
bool is_container(FieldType t);

struct Field {
    std::string_view name;
    FieldType type;
};

struct Schema {
    std::string_view path;  // "conn" -> conn.log
    std::vector<Field> fields;
    Schema(std::string_view p, std::initializer_list<Field> f) : path(p), fields(f) {}
    Schema(std::string_view p, std::vector<Field> f) : path(p), fields(std::move(f)) {}
};

// One value of a row. Strings are views: they must outlive the write() call.
struct Value {
    enum class Kind : std::uint8_t { unset, time, interval, str, addr, port, count, int_, dbl, boolean, strings, addrs };
    Kind kind = Kind::unset;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
    std::string_view s;
    IpAddr a;
    const std::vector<std::string>* strs = nullptr;
    const std::vector<IpAddr>* addrs = nullptr;
};

// A row under construction; reuse one Row to avoid reallocations.
class Row {
public:
    Row& clear() {
        v_.clear();
        return *this;
    }
    Row& unset() { return push({}); }
    Row& time(Timestamp t) { return push(num(Value::Kind::time, t)); }
    Row& interval(Duration d) { return push(num(Value::Kind::interval, d)); }
    Row& str(std::string_view s) {
        Value v;
        v.kind = Value::Kind::str;
        v.s = s;
        return push(v);
    }
    // Unset when empty: for optional string fields.
    Row& str_or_unset(std::string_view s) { return s.empty() ? unset() : str(s); }
    Row& addr(const IpAddr& a) {
        Value v;
        v.kind = Value::Kind::addr;
        v.a = a;
        return push(v);
    }
    Row& port(std::uint16_t p) {
        Value v;
        v.kind = Value::Kind::port;
        v.u = p;
        return push(v);
    }
    Row& count(std::uint64_t c) {
        Value v;
        v.kind = Value::Kind::count;
        v.u = c;
        return push(v);
    }
    Row& integer(std::int64_t x) { return push(num(Value::Kind::int_, x)); }
    Row& dbl(double x) {
        Value v;
        v.kind = Value::Kind::dbl;
        v.d = x;
        return push(v);
    }
    Row& boolean(bool b) {
        Value v;
        v.kind = Value::Kind::boolean;
        v.u = b;
        return push(v);
    }
    Row& strings(const std::vector<std::string>& s) {
        Value v;
        v.kind = Value::Kind::strings;
        v.strs = &s;
        return push(v);
    }
    Row& addrs(const std::vector<IpAddr>& a) {
        Value v;
        v.kind = Value::Kind::addrs;
        v.addrs = &a;
        return push(v);
    }
    template <typename T, typename F>
    Row& opt(const std::optional<T>& o, F&& setter) {
        if (!o) return unset();
        setter(*this, *o);
        return *this;
    }
    Row& opt_count(const std::optional<std::uint64_t>& o) { return o ? count(*o) : unset(); }
    Row& opt_bool(const std::optional<bool>& o) { return o ? boolean(*o) : unset(); }
    Row& opt_time(const std::optional<Timestamp>& o) { return o ? time(*o) : unset(); }
    Row& opt_dbl(const std::optional<double>& o) { return o ? dbl(*o) : unset(); }

    const std::vector<Value>& values() const { return v_; }

private:
    static Value num(Value::Kind k, std::int64_t x) {
        Value v;
        v.kind = k;
        v.i = x;
        return v;
    }
    Row& push(const Value& v) {
        v_.push_back(v);
        return *this;
    }
    std::vector<Value> v_;
};

}  // namespace sw
