// Synthetic SMB traffic for the tests of SmbConnection (smb_state,
// smb2_commands, smb1_commands, smb_transform): SMB2 PDUs and bodies built
// field by field, NBSS framing, compound chains, and a Harness that feeds one
// connection and collects its events.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <optional>

#include "dissectors/smb2/smb_state.h"
#include "support.h"

namespace sw::smb::fixture {

using sw::test::Collector;
using sw::test::hex;
using Buf = std::vector<std::uint8_t>;

inline void put16(Buf& b, std::uint16_t v) { b.insert(b.end(), {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)}); }
inline void put32(Buf& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
inline void put64(Buf& b, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
inline Buf utf16(const std::string& s) {
    Buf b;
    for (char c : s) put16(b, static_cast<std::uint8_t>(c));
    return b;
}

constexpr std::uint64_t kSid = 0x1122334455667788ull;
constexpr std::uint32_t kTid = 5;
constexpr std::uint32_t kResp = flags::server_to_redir;

struct Pdu {
    Buf b;
};

// SMB2 header + body.
inline Buf pdu(std::uint16_t command, std::uint64_t mid, std::uint32_t fl, const Buf& body, std::uint32_t status = 0,
        std::uint64_t sid = kSid, std::uint32_t tid = kTid) {
    Buf b = hex("fe 53 4d 42 40 00 01 00");
    put32(b, status);
    put16(b, command);
    put16(b, 1);
    put32(b, fl);
    put32(b, 0);  // NextCommand, set by compound()
    put64(b, mid);
    if (fl & flags::async) {
        put64(b, 0x99);
    } else {
        put32(b, 0);
        put32(b, tid);
    }
    put64(b, sid);
    b.resize(64, 0);
    b.insert(b.end(), body.begin(), body.end());
    return b;
}

// Several PDUs in one NBSS message, NextCommand set, each padded to 8.
inline Buf compound(std::vector<Buf> parts) {
    Buf out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        Buf& p = parts[i];
        if (i + 1 < parts.size()) {
            p.resize((p.size() + 7) & ~std::size_t{7}, 0);
            std::uint32_t n = static_cast<std::uint32_t>(p.size());
            std::memcpy(p.data() + 20, &n, 4);  // little-endian host
        }
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

inline Buf nbss(const Buf& payload) {
    auto len = static_cast<std::uint32_t>(payload.size());
    Buf b = {0, static_cast<std::uint8_t>(len >> 16), static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

inline Buf fid_bytes(std::uint64_t p, std::uint64_t v) {
    Buf b;
    put64(b, p);
    put64(b, v);
    return b;
}
inline const Buf kRelatedFid = fid_bytes(~0ull, ~0ull);

inline Buf tree_connect_req(const std::string& path) {
    Buf b = hex("09 00 00 00 48 00");
    put16(b, static_cast<std::uint16_t>(path.size() * 2));
    Buf p = utf16(path);
    b.insert(b.end(), p.begin(), p.end());
    return b;
}
inline Buf tree_connect_resp(std::uint8_t type = share_type::disk, std::uint32_t share_flags = 0) {
    Buf b = hex("10 00");
    b.push_back(type);
    b.push_back(0);
    put32(b, share_flags);
    put32(b, 0);
    put32(b, 0x1f01ff);
    return b;
}
inline Buf create_req(const std::string& name, std::uint32_t options = 0x40) {
    Buf b = hex("39 00 00 00 02 00 00 00");
    b.resize(b.size() + 16, 0);
    put32(b, 0x0012019f);  // DesiredAccess
    put32(b, 0x80);
    put32(b, 7);
    put32(b, disposition::overwrite_if);
    put32(b, options);
    put16(b, 0x78);
    put16(b, static_cast<std::uint16_t>(name.size() * 2));
    put32(b, 0);
    put32(b, 0);
    Buf n = utf16(name);
    b.insert(b.end(), n.begin(), n.end());
    return b;
}
inline Buf create_resp(std::uint64_t fp, std::uint64_t fv, std::uint64_t eof = 0, std::uint32_t attrs = 0x20) {
    Buf b = hex("59 00 00 00 02 00 00 00");
    for (int i = 0; i < 4; ++i) put64(b, 0x01da1b2c3d4e5f60ull);  // times
    put64(b, 4096);
    put64(b, eof);
    put32(b, attrs);
    put32(b, 0);
    Buf f = fid_bytes(fp, fv);
    b.insert(b.end(), f.begin(), f.end());
    put64(b, 0);
    return b;
}
inline Buf write_req(const Buf& fid, std::uint64_t off, const Buf& data) {
    Buf b = hex("31 00 70 00");
    put32(b, static_cast<std::uint32_t>(data.size()));
    put64(b, off);
    b.insert(b.end(), fid.begin(), fid.end());
    b.resize(48, 0);
    b.insert(b.end(), data.begin(), data.end());
    return b;
}
inline Buf write_resp(std::uint32_t count) {
    Buf b = hex("11 00 00 00");
    put32(b, count);
    b.resize(16, 0);
    return b;
}
inline Buf read_req(const Buf& fid, std::uint64_t off, std::uint32_t len) {
    Buf b = hex("31 00 50 00");
    put32(b, len);
    put64(b, off);
    b.insert(b.end(), fid.begin(), fid.end());
    b.resize(49, 0);
    return b;
}
inline Buf read_resp(const Buf& data) {
    Buf b = hex("11 00 50 00");
    put32(b, static_cast<std::uint32_t>(data.size()));
    b.resize(16, 0);
    b.insert(b.end(), data.begin(), data.end());
    return b;
}
inline Buf close_req(const Buf& fid) {
    Buf b = hex("18 00 01 00 00 00 00 00");
    b.insert(b.end(), fid.begin(), fid.end());
    return b;
}
inline Buf close_resp(std::optional<std::uint64_t> eof) {
    Buf b = hex("3c 00");
    put16(b, eof ? 1 : 0);
    put32(b, 0);
    for (int i = 0; i < 4; ++i) put64(b, eof ? 0x01da1b2c3d4e5f60ull : 0);
    put64(b, 0);
    put64(b, eof.value_or(0));
    put32(b, 0x20);
    return b;
}
inline Buf set_info(const Buf& fid, std::uint8_t cls, const Buf& buffer) {
    Buf b = hex("21 00 01");
    b.push_back(cls);
    put32(b, static_cast<std::uint32_t>(buffer.size()));
    put16(b, 0x60);
    put16(b, 0);
    put32(b, 0);
    b.insert(b.end(), fid.begin(), fid.end());
    b.insert(b.end(), buffer.begin(), buffer.end());
    return b;
}
inline Buf rename_info(const std::string& name) {
    Buf b(16, 0);
    put32(b, static_cast<std::uint32_t>(name.size() * 2));
    Buf n = utf16(name);
    b.insert(b.end(), n.begin(), n.end());
    return b;
}
inline Buf error_body() { return hex("09 00 00 00 00 00 00 00 00"); }
inline Buf simple(std::uint16_t structure) {
    Buf b;
    put16(b, structure);
    put16(b, 0);
    return b;
}

struct Harness {
    ConnId id;
    Collector sink;
    SmbConfig cfg;
    std::unique_ptr<SmbConnection> conn;
    Timestamp ts = 1'700'000'000'000'000;

    explicit Harness(SmbConfig c = {}) : cfg(c) {
        id.orig_h = *IpAddr::parse("10.0.0.1");
        id.resp_h = *IpAddr::parse("10.0.0.2");
        id.orig_p = 50000;
        id.resp_p = 445;
        id.proto = Transport::tcp;
        std::memcpy(id.uid_buf.data(), "Ctest", 5);
        id.uid_len = 5;
        conn = std::make_unique<SmbConnection>(id, sink, cfg);
    }
    void c2s(const Buf& smb) { conn->on_data(Dir::orig, nbss(smb), ts += 1000); }
    void s2c(const Buf& smb) { conn->on_data(Dir::resp, nbss(smb), ts += 1000); }
    void end() { conn->on_flow_end(ts += 1000); }
    void tree(const std::string& path = "\\\\fs\\stage$", std::uint32_t tid = kTid, std::uint8_t type = share_type::disk) {
        c2s(pdu(cmd::tree_connect, 2, 0, tree_connect_req(path), 0, kSid, 0));
        s2c(pdu(cmd::tree_connect, 2, kResp, tree_connect_resp(type), 0, kSid, tid));
    }
    std::vector<SmbFileEvent> files() const { return sink.all<SmbFileEvent>(); }
    bool weird(const std::string& name) const {
        for (const auto& w : sink.all<WeirdEvent>())
            if (w.name == name) return true;
        return false;
    }
};

inline Buf zip_bytes(std::size_t n) {
    Buf b = hex("50 4b 03 04 14 00 00 00 08 00");
    b.resize(n, 0x33);
    return b;
}

// A COMPRESSION_TRANSFORM message around `smb` (an SMB2 PDU).
inline Buf chained(const std::vector<std::pair<std::uint16_t, Buf>>& payloads, std::uint32_t original) {
    Buf b = hex("fc 53 4d 42");
    put32(b, original);
    for (const auto& [alg, data] : payloads) {
        put16(b, alg);
        put16(b, 0);
        put32(b, static_cast<std::uint32_t>(data.size()));
        b.insert(b.end(), data.begin(), data.end());
    }
    return b;
}

}  // namespace sw::smb::fixture
