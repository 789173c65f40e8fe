#include "dissectors/ssh/ssh_records.h"

#include <algorithm>
#include <vector>

namespace sw::ssh {

namespace {

// An RFC 4251 5 "string": uint32 length, then that many bytes.
std::optional<Bytes> read_string(ByteReader& r) {
    ByteReader probe = r;
    auto len = probe.read_u32_be();
    if (!len) return std::nullopt;
    auto body = probe.read_bytes(*len);
    if (!body) return std::nullopt;
    r = probe;
    return body;
}

}  // namespace

LineScan scan_line(Bytes in, std::size_t max_len) {
    LineScan s;
    const std::size_t limit = std::min(in.size(), max_len);
    for (std::size_t i = 0; i < limit; ++i) {
        if (in[i] != '\n') continue;
        s.status = LineScan::Status::complete;
        s.crlf = i > 0 && in[i - 1] == '\r';
        s.content_len = s.crlf ? i - 1 : i;
        s.total_len = i + 1;
        return s;
    }
    s.status = in.size() >= max_len ? LineScan::Status::too_long : LineScan::Status::need_more;
    return s;
}

bool is_ident_line(std::string_view line) { return line.starts_with("SSH-"); }

std::optional<IdentLine> parse_ident(std::string_view line) {
    if (!is_ident_line(line)) return std::nullopt;
    IdentLine id;
    id.line = line;
    std::string_view rest = line.substr(4);
    const std::size_t dash = rest.find('-');
    if (dash == std::string_view::npos || dash == 0) return std::nullopt;
    id.proto_version = rest.substr(0, dash);
    rest = rest.substr(dash + 1);
    const std::size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) {
        id.software = rest;
    } else {
        id.software = rest.substr(0, sp);
        id.comments = rest.substr(sp + 1);
    }
    return id;
}

int ident_protocol(std::string_view v) {
    if (v == "1.99") return 199;
    if (v.starts_with("2.")) return 2;
    if (v.starts_with("1.")) return 1;
    return 0;
}

PacketHeaderCheck check_packet_header(Bytes in, std::uint32_t max_packet_length) {
    PacketHeaderCheck c;
    ByteReader r(in);
    auto len = r.read_u32_be();
    auto pad = r.read_u8();
    if (!len) return c;  // need_more
    c.packet_length = *len;
    // padding_length byte + at least 4 bytes of padding (RFC 4253 6).
    if (*len < 5 || *len > max_packet_length) {
        c.status = PacketHeaderCheck::Status::bad_length;
        return c;
    }
    if (!pad) return c;  // need_more
    // The payload must keep at least its message code byte.
    if (std::uint32_t{*pad} + 1 >= *len) {
        c.status = PacketHeaderCheck::Status::bad_padding;
        return c;
    }
    c.status = PacketHeaderCheck::Status::ok;
    c.total = std::size_t{4} + *len;
    return c;
}

std::optional<BinaryPacket> parse_binary_packet(ByteReader& r, std::uint32_t max_packet_length) {
    PacketHeaderCheck c = check_packet_header(r.rest(), max_packet_length);
    if (c.status != PacketHeaderCheck::Status::ok || r.remaining() < c.total) return std::nullopt;
    ByteReader p = r;
    BinaryPacket out;
    out.packet_length = *p.read_u32_be();
    out.padding_length = *p.read_u8();
    out.payload = *p.read_bytes(out.packet_length - 1u - out.padding_length);
    out.padding = *p.read_bytes(out.padding_length);
    r = p;
    return out;
}

std::optional<Kexinit> parse_kexinit(Bytes payload) {
    ByteReader r(payload);
    auto code = r.read_u8();
    if (!code || *code != kMsgKexinit) return std::nullopt;
    Kexinit k;
    auto cookie = r.read_bytes(16);
    if (!cookie) return std::nullopt;
    k.cookie = *cookie;
    for (auto& list : k.lists) {
        auto s = read_string(r);
        if (!s) return std::nullopt;
        list = as_chars(*s);
    }
    auto follows = r.read_u8();
    auto reserved = r.read_u32_be();
    if (!follows || !reserved) return std::nullopt;
    k.first_kex_packet_follows = *follows != 0;
    k.reserved = *reserved;
    return k;
}

std::optional<KexReply> parse_kex_reply_host_key(Bytes payload) {
    ByteReader r(payload);
    auto code = r.read_u8();
    if (!code || (*code != kMsgKex31 && *code != kMsgKex33)) return std::nullopt;
    auto ks = read_string(r);
    if (!ks || ks->empty()) return std::nullopt;
    ByteReader kr(*ks);
    auto type = read_string(kr);
    if (!type || type->empty()) return std::nullopt;
    return KexReply{*ks, as_chars(*type)};
}

bool name_list_contains(std::string_view list, std::string_view name) {
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        if (item == name) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::string_view negotiate(std::string_view client_list, std::string_view server_list) {
    // Both lists come from the wire and may hold thousands of names: sort the
    // server's once and look each client name up, O((c + s) log s), instead
    // of comparing every pair.
    std::vector<std::string_view> server;
    for (std::string_view list = server_list; !list.empty();) {
        const std::size_t comma = list.find(',');
        server.push_back(list.substr(0, comma));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    std::sort(server.begin(), server.end());
    for (std::string_view list = client_list; !list.empty();) {
        const std::size_t comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        if (!item.empty() && std::binary_search(server.begin(), server.end(), item)) return item;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return {};
}

}  // namespace sw::ssh
