// ByteReader: the one way every parser in stagewatch reads bytes.
//
// Modelled on Chromium's base::SpanReader: a read either succeeds completely
// and advances, or fails and changes nothing. Endianness is part of the method
// name. There are no pointer casts over packet data anywhere in the project;
// everything goes through this reader (or the free load_* helpers below).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sw {

using Bytes = std::span<const std::uint8_t>;

inline std::uint16_t load_u16_be(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint16_t load_u16_le(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t load_u32_be(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
inline std::uint32_t load_u32_le(const std::uint8_t* p) {
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
           (std::uint32_t{p[3]} << 24);
}
inline std::uint64_t load_u64_le(const std::uint8_t* p) {
    return std::uint64_t{load_u32_le(p)} | (std::uint64_t{load_u32_le(p + 4)} << 32);
}
inline std::uint64_t load_u64_be(const std::uint8_t* p) {
    return (std::uint64_t{load_u32_be(p)} << 32) | std::uint64_t{load_u32_be(p + 4)};
}

class ByteReader {
public:
    ByteReader() = default;
    explicit ByteReader(Bytes data) : data_(data) {}

    std::size_t remaining() const { return data_.size(); }
    bool empty() const { return data_.empty(); }
    Bytes rest() const { return data_; }

    bool skip(std::size_t n) {
        if (n > data_.size()) return false;
        data_ = data_.subspan(n);
        return true;
    }

    std::optional<Bytes> read_bytes(std::size_t n) {
        if (n > data_.size()) return std::nullopt;
        Bytes out = data_.first(n);
        data_ = data_.subspan(n);
        return out;
    }

    // A reader over the next n bytes; the parent advances past them.
    std::optional<ByteReader> sub_reader(std::size_t n) {
        auto b = read_bytes(n);
        if (!b) return std::nullopt;
        return ByteReader(*b);
    }

    std::optional<std::uint8_t> read_u8() {
        if (data_.empty()) return std::nullopt;
        std::uint8_t v = data_[0];
        data_ = data_.subspan(1);
        return v;
    }
    std::optional<std::uint16_t> read_u16_be() { return read_with<std::uint16_t, 2>(load_u16_be); }
    std::optional<std::uint16_t> read_u16_le() { return read_with<std::uint16_t, 2>(load_u16_le); }
    std::optional<std::uint32_t> read_u32_be() { return read_with<std::uint32_t, 4>(load_u32_be); }
    std::optional<std::uint32_t> read_u32_le() { return read_with<std::uint32_t, 4>(load_u32_le); }
    std::optional<std::uint64_t> read_u64_le() { return read_with<std::uint64_t, 8>(load_u64_le); }
    std::optional<std::uint64_t> read_u64_be() { return read_with<std::uint64_t, 8>(load_u64_be); }

    // Peeks never advance.
    std::optional<std::uint8_t> peek_u8(std::size_t at = 0) const {
        if (at >= data_.size()) return std::nullopt;
        return data_[at];
    }
    std::optional<std::uint16_t> peek_u16_be(std::size_t at = 0) const {
        if (data_.size() < 2 || at > data_.size() - 2) return std::nullopt;
        return load_u16_be(data_.data() + at);
    }
    std::optional<std::uint32_t> peek_u32_be(std::size_t at = 0) const {
        if (data_.size() < 4 || at > data_.size() - 4) return std::nullopt;
        return load_u32_be(data_.data() + at);
    }

private:
    template <typename T, std::size_t N, typename F>
    std::optional<T> read_with(F f) {
        if (data_.size() < N) return std::nullopt;
        T v = f(data_.data());
        data_ = data_.subspan(N);
        return v;
    }

    Bytes data_;
};

inline std::string_view as_chars(Bytes b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace sw
