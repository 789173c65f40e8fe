// Log schemas: each log is declared once, as a table of columns.
//
// A column is (name, Zeek type, accessor). The accessor reads the value from
// the record (an event, a finding); its C++ return type must be the one the
// declared Zeek type takes (ZeekValue<T>), or a std::optional of it (nullopt
// writes the unset marker), so a value of the wrong kind for its column does
// not compile. Both the TSV and the JSON writer walk the same table, and each
// column writes exactly one field, so a row always fills exactly its declared
// columns. Nothing is allocated per row: values are written straight into the
// writer's reused buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
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

// The header side of a table: path and (name, type) per column.
struct Schema {
    std::string_view path;  // "conn" -> conn.log
    std::vector<Field> fields;
};

enum class LogFormat { tsv, json };

// Writes the fields of one row, in column order, into `out` (TSV or JSON).
// Driven only by a table's columns; each typed method writes one field.
class FieldWriter {
public:
    FieldWriter(LogFormat fmt, std::string& out) : fmt_(fmt), out_(out), start_(out.size()) {}
    void begin() { out_ += fmt_ == LogFormat::json ? "{" : ""; }
    void next(std::string_view name) {
        name_ = name;
        ++index_;
    }
    void end();

    void unset();
    void time(Timestamp t) { micros(t); }
    void interval(Duration d) { micros(d); }
    void str(std::string_view s);
    void addr(const IpAddr& a);
    void port(std::uint16_t p) { uint(p); }
    void count(std::uint64_t c) { uint(c); }
    void integer(std::int64_t i);
    void dbl(double d);
    void boolean(bool b);
    void strings(std::span<const std::string> s);
    void addrs(std::span<const IpAddr> a);

private:
    bool key();  // JSON: writes the separator and "name": ; TSV: the tab
    void micros(std::int64_t us);
    void uint(std::uint64_t v);

    LogFormat fmt_;
    std::string& out_;
    std::size_t start_;
    std::string_view name_;
    std::size_t index_ = 0;
    bool json_first_ = true;
};

// The C++ type an accessor returns for each Zeek type.
template <FieldType T> struct ZeekValue;
template <> struct ZeekValue<FieldType::time> { using type = Timestamp; };
template <> struct ZeekValue<FieldType::interval> { using type = Duration; };
template <> struct ZeekValue<FieldType::string> { using type = std::string_view; };
template <> struct ZeekValue<FieldType::enum_> { using type = std::string_view; };
template <> struct ZeekValue<FieldType::addr> { using type = IpAddr; };
template <> struct ZeekValue<FieldType::port> { using type = std::uint16_t; };
template <> struct ZeekValue<FieldType::count> { using type = std::uint64_t; };
template <> struct ZeekValue<FieldType::int_> { using type = std::int64_t; };
template <> struct ZeekValue<FieldType::double_> { using type = double; };
template <> struct ZeekValue<FieldType::bool_> { using type = bool; };
template <> struct ZeekValue<FieldType::set_string> { using type = std::span<const std::string>; };
template <> struct ZeekValue<FieldType::set_enum> { using type = std::span<const std::string>; };
template <> struct ZeekValue<FieldType::vector_string> { using type = std::span<const std::string>; };
template <> struct ZeekValue<FieldType::set_addr> { using type = std::span<const IpAddr>; };

namespace detail {
template <class X> struct is_optional : std::false_type {};
template <class X> struct is_optional<std::optional<X>> : std::true_type {};

// Exactly the accessor's type, or a lossless integer widening; a bool is never
// a number and a number never a bool, a string never an address.
template <FieldType T, class V>
constexpr bool accepts() {
    using W = typename ZeekValue<T>::type;
    using U = std::remove_cvref_t<V>;
    if constexpr (std::is_same_v<U, W>) return true;
    else if constexpr (std::is_integral_v<W> && !std::is_same_v<W, bool>)
        return std::is_integral_v<U> && !std::is_same_v<U, bool> && std::is_signed_v<U> == std::is_signed_v<W> &&
               sizeof(U) <= sizeof(W);
    else if constexpr (std::is_same_v<W, std::string_view>)
        return std::is_same_v<U, std::string> || std::is_same_v<U, const char*>;
    else if constexpr (std::is_same_v<W, std::span<const std::string>>)
        return std::is_same_v<U, std::vector<std::string>>;
    else if constexpr (std::is_same_v<W, std::span<const IpAddr>>)
        return std::is_same_v<U, std::vector<IpAddr>>;
    else return false;
}

template <FieldType T>
void put_value(FieldWriter& w, const typename ZeekValue<T>::type& v) {
    if constexpr (T == FieldType::time) w.time(v);
    else if constexpr (T == FieldType::interval) w.interval(v);
    else if constexpr (T == FieldType::string || T == FieldType::enum_) w.str(v);
    else if constexpr (T == FieldType::addr) w.addr(v);
    else if constexpr (T == FieldType::port) w.port(v);
    else if constexpr (T == FieldType::count) w.count(v);
    else if constexpr (T == FieldType::int_) w.integer(v);
    else if constexpr (T == FieldType::double_) w.dbl(v);
    else if constexpr (T == FieldType::bool_) w.boolean(v);
    else if constexpr (T == FieldType::set_addr) w.addrs(v);
    else w.strings(v);
}

template <FieldType T, class V>
void put(FieldWriter& w, const V& v) {
    if constexpr (is_optional<V>::value) {
        static_assert(accepts<T, typename V::value_type>(), "accessor type does not match the column's Zeek type");
        if (v) put_value<T>(w, *v);
        else w.unset();
    } else {
        static_assert(accepts<T, V>(), "accessor type does not match the column's Zeek type");
        put_value<T>(w, v);
    }
}
}  // namespace detail

// One column of a log over records of type Rec.
template <class Rec>
struct Column {
    std::string_view name;
    FieldType type;
    void (*emit)(const Rec&, FieldWriter&);
};

namespace detail {
template <class F> struct accessor_arg : accessor_arg<decltype(&F::operator())> {};
template <class C, class R, class A> struct accessor_arg<R (C::*)(A) const> {
    using type = std::remove_cvref_t<A>;
};
}  // namespace detail

// col<FieldType::count>("size", [](const SmbFileEvent& e) { return e.size; })
// The accessor is a captureless lambda taking the record; its return type is
// checked against the Zeek type at compile time.
template <FieldType T, class F>
auto col(std::string_view name, F) {
    static_assert(std::is_default_constructible_v<F>, "use a captureless lambda");
    using Rec = typename detail::accessor_arg<F>::type;
    return Column<Rec>{name, T, [](const Rec& r, FieldWriter& w) { detail::put<T>(w, F{}(r)); }};
}

// A column that is always unset (a Zeek field we never fill).
template <FieldType T, class Rec>
Column<Rec> unset_col(std::string_view name) {
    return {name, T, [](const Rec&, FieldWriter& w) { w.unset(); }};
}

// A log: its path and its columns, declared once.
template <class Rec>
struct LogTable {
    std::string_view path;
    std::vector<Column<Rec>> columns;
    Schema schema;

    LogTable(std::string_view p, std::vector<Column<Rec>> cols) : path(p), columns(std::move(cols)) {
        schema.path = path;
        for (const auto& c : columns) schema.fields.push_back({c.name, c.type});
    }

    // Appends one row (with its newline) to `out`.
    void format(LogFormat fmt, const Rec& r, std::string& out) const {
        FieldWriter w(fmt, out);
        w.begin();
        for (const auto& c : columns) {
            w.next(c.name);
            c.emit(r, w);
        }
        w.end();
    }
};

// Unset when empty: for optional string fields.
inline std::optional<std::string_view> nonempty(std::string_view s) {
    if (s.empty()) return std::nullopt;
    return s;
}

}  // namespace sw
