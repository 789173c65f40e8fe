// SMB1 records ([MS-CIFS], [MS-SMB]): the header, parameter/data blocks of
// AndX chains, and the commands stagewatch follows. Pure parsers: bytes in,
// typed struct of spans out.
#include "dissectors/smb2/smb_records.h"
#include "dissectors/smb2/smb_records_internal.h"

namespace sw::smb {

using namespace records_internal;

ParseStatus parse_smb1_header(Bytes msg, Smb1Header& out) {
    if (msg.size() < kSmb1HeaderSize) return ParseStatus::fail("smb1_truncated_header");
    if (magic_of(msg) != Magic::smb1) return ParseStatus::fail("smb1_bad_protocol_id");
    ByteReader r(msg.subspan(4, kSmb1HeaderSize - 4));
    out.command = rd8(r);
    out.status = rd32(r);
    out.flags = rd8(r);
    out.flags2 = rd16(r);
    std::uint16_t pid_high = rd16(r);
    r.skip(8 + 2);  // SecurityFeatures, Reserved
    out.tid = rd16(r);
    out.pid = rd16(r);
    out.uid = rd16(r);
    out.mid = rd16(r);
    out.pid_full = (std::uint32_t{pid_high} << 16) | out.pid;
    return ParseStatus::ok();
}

ParseStatus parse_smb1_block(Bytes msg, std::size_t at, bool andx, Smb1Block& out) {
    ByteReader r(msg);
    if (!r.skip(at)) return ParseStatus::fail("smb1_block_past_end");
    auto wc = r.read_u8();
    if (!wc) return ParseStatus::fail("smb1_truncated_block");
    auto words = r.read_bytes(2 * std::size_t{*wc});
    if (!words) return ParseStatus::fail("smb1_words_past_end");
    auto bc = r.read_u16_le();
    if (!bc) return ParseStatus::fail("smb1_truncated_block");
    out.at = at;
    out.word_count = *wc;
    out.words = *words;
    out.bytes_at = at + 1 + 2 * std::size_t{*wc} + 2;
    // A head of a long message may stop before the end of Bytes.
    out.bytes = r.rest().first(std::min<std::size_t>(*bc, r.remaining()));
    out.andx_command = smb1::no_andx;
    out.andx_offset = 0;
    if (andx && *wc >= 2) {
        out.andx_command = words->data()[0];
        out.andx_offset = load_u16_le(words->data() + 2);
    }
    return ParseStatus::ok();
}

std::string_view smb1_command_name(std::uint8_t c) {
    switch (c) {
        case smb1::close: return "CLOSE";
        case smb1::del: return "DELETE";
        case smb1::rename: return "RENAME";
        case smb1::transaction: return "TRANSACTION";
        case smb1::transaction2: return "TRANSACTION2";
        case smb1::read_andx: return "READ_ANDX";
        case smb1::write_andx: return "WRITE_ANDX";
        case smb1::tree_disconnect: return "TREE_DISCONNECT";
        case smb1::negotiate: return "NEGOTIATE";
        case smb1::session_setup_andx: return "SESSION_SETUP_ANDX";
        case smb1::logoff_andx: return "LOGOFF_ANDX";
        case smb1::tree_connect_andx: return "TREE_CONNECT_ANDX";
        case smb1::nt_transact: return "NT_TRANSACT";
        case smb1::nt_create_andx: return "NT_CREATE_ANDX";
        case smb1::open_andx: return "OPEN_ANDX";
        default: return "UNKNOWN";
    }
}

namespace {

// A NUL-terminated string in SMB1 Bytes starting at `pos` (relative to the
// block's Bytes), Unicode strings aligned to 2 relative to the message.
// Returns the string (without terminator) and moves pos past it.
Bytes smb1_string(const Smb1Block& b, std::size_t& pos, bool unicode) {
    if (unicode && ((b.bytes_at + pos) & 1)) ++pos;
    if (pos >= b.bytes.size()) {
        pos = b.bytes.size();
        return {};
    }
    std::size_t start = pos;
    if (unicode) {
        while (pos + 1 < b.bytes.size() && !(b.bytes[pos] == 0 && b.bytes[pos + 1] == 0)) pos += 2;
        Bytes s = b.bytes.subspan(start, std::min(pos, b.bytes.size()) - start);
        pos = std::min(pos + 2, b.bytes.size());
        return s;
    }
    while (pos < b.bytes.size() && b.bytes[pos] != 0) ++pos;
    Bytes s = b.bytes.subspan(start, pos - start);
    if (pos < b.bytes.size()) ++pos;
    return s;
}

}  // namespace

bool Smb1NegotiateRequest::next_dialect(std::size_t& pos, std::string_view& name) const {
    while (pos < dialect_bytes.size()) {
        std::uint8_t fmt = dialect_bytes[pos++];
        std::size_t start = pos;
        while (pos < dialect_bytes.size() && dialect_bytes[pos] != 0) ++pos;
        name = as_chars(dialect_bytes.subspan(start, pos - start));
        if (pos < dialect_bytes.size()) ++pos;
        if (fmt == 0x02) return true;
    }
    return false;
}

ParseStatus parse_smb1_negotiate_request(const Smb1Block& b, Smb1NegotiateRequest& out) {
    if (b.word_count != 0) return ParseStatus::fail("smb1_negotiate_bad_word_count");
    out.dialect_bytes = b.bytes;
    return ParseStatus::ok();
}

ParseStatus parse_smb1_negotiate_response(const Smb1Block& b, Smb1NegotiateResponse& out) {
    if (b.word_count < 1) return ParseStatus::fail("smb1_negotiate_bad_word_count");
    out.dialect_index = load_u16_le(b.words.data());
    out.capabilities = 0;
    out.extended_security = false;
    if (b.word_count == 17) {
        out.capabilities = load_u32_le(b.words.data() + 19);
        out.extended_security = out.capabilities & 0x80000000u;
    }
    return ParseStatus::ok();
}

ParseStatus parse_smb1_session_setup_request(Bytes, const Smb1Header& h, const Smb1Block& b,
                                             Smb1SessionSetupRequest& out) {
    out = {};
    out.unicode = h.unicode();
    const std::uint8_t* w = b.words.data();
    if (b.word_count == 12) {
        out.extended = true;
        std::uint16_t len = load_u16_le(w + 14);
        if (len > b.bytes.size()) return ParseStatus::fail("smb1_security_blob_past_end");
        out.security_blob = b.bytes.first(len);
        return ParseStatus::ok();
    }
    std::size_t pw = 0;
    if (b.word_count == 13) pw = std::size_t{load_u16_le(w + 14)} + load_u16_le(w + 16);
    else if (b.word_count == 10) pw = load_u16_le(w + 14);
    else return ParseStatus::fail("smb1_session_setup_bad_word_count");
    if (pw > b.bytes.size()) return ParseStatus::fail("smb1_password_past_end");
    std::size_t pos = pw;
    out.account = smb1_string(b, pos, out.unicode);
    out.domain = smb1_string(b, pos, out.unicode);
    return ParseStatus::ok();
}

ParseStatus parse_smb1_session_setup_response(const Smb1Block& b, Smb1SessionSetupResponse& out) {
    out = {};
    if (b.word_count < 3) return ParseStatus::fail("smb1_session_setup_bad_word_count");
    out.action = load_u16_le(b.words.data() + 4);
    if (b.word_count == 4) {
        std::uint16_t len = load_u16_le(b.words.data() + 6);
        if (len > b.bytes.size()) return ParseStatus::fail("smb1_security_blob_past_end");
        out.security_blob = b.bytes.first(len);
    }
    return ParseStatus::ok();
}

ParseStatus parse_smb1_tree_connect_request(Bytes, const Smb1Header& h, const Smb1Block& b,
                                            Smb1TreeConnectRequest& out) {
    if (b.word_count != 4) return ParseStatus::fail("smb1_tree_connect_bad_word_count");
    std::uint16_t pw = load_u16_le(b.words.data() + 6);
    if (pw > b.bytes.size()) return ParseStatus::fail("smb1_password_past_end");
    std::size_t pos = pw;
    out.unicode = h.unicode();
    out.path = smb1_string(b, pos, out.unicode);
    out.service = as_chars(smb1_string(b, pos, false));
    return ParseStatus::ok();
}

ParseStatus parse_smb1_tree_connect_response(Bytes, const Smb1Header& h, const Smb1Block& b,
                                             Smb1TreeConnectResponse& out) {
    if (b.word_count < 3) return ParseStatus::fail("smb1_tree_connect_bad_word_count");
    std::size_t pos = 0;
    out.unicode = h.unicode();
    out.service = as_chars(smb1_string(b, pos, false));
    out.native_fs = smb1_string(b, pos, out.unicode);
    return ParseStatus::ok();
}

ParseStatus parse_smb1_nt_create_request(Bytes, const Smb1Header& h, const Smb1Block& b,
                                         Smb1NtCreateRequest& out) {
    if (b.word_count != 24) return ParseStatus::fail("smb1_nt_create_bad_word_count");
    const std::uint8_t* w = b.words.data();
    std::uint16_t name_len = load_u16_le(w + 5);
    out.desired_access = load_u32_le(w + 15);
    out.disposition = load_u32_le(w + 35);
    out.options = load_u32_le(w + 39);
    out.unicode = h.unicode();
    std::size_t pos = (out.unicode && (b.bytes_at & 1)) ? 1 : 0;
    if (pos > b.bytes.size() || name_len > b.bytes.size() - pos)
        return ParseStatus::fail("smb1_nt_create_name_past_end");
    Bytes name = b.bytes.subspan(pos, name_len);
    // NameLength may or may not count the terminator.
    if (out.unicode) {
        while (name.size() >= 2 && name[name.size() - 1] == 0 && name[name.size() - 2] == 0)
            name = name.first(name.size() - 2);
    } else {
        while (!name.empty() && name.back() == 0) name = name.first(name.size() - 1);
    }
    out.name = name;
    return ParseStatus::ok();
}

ParseStatus parse_smb1_nt_create_response(const Smb1Block& b, Smb1NtCreateResponse& out) {
    if (b.word_count < 34) return ParseStatus::fail("smb1_nt_create_bad_word_count");
    ByteReader r(b.words.subspan(5));
    out.fid = rd16(r);
    out.create_action = rd32(r);
    out.times = rd_times(r);
    out.attributes = rd32(r);
    r.skip(8);  // AllocationSize
    out.end_of_file = rd64(r);
    out.resource_type = rd16(r);
    r.skip(2);
    out.directory = rd8(r) != 0;
    return ParseStatus::ok();
}

ParseStatus parse_smb1_open_andx_request(Bytes, const Smb1Header& h, const Smb1Block& b, Smb1OpenRequest& out) {
    if (b.word_count != 15) return ParseStatus::fail("smb1_open_bad_word_count");
    out.open_mode = load_u16_le(b.words.data() + 16);
    out.unicode = h.unicode();
    std::size_t pos = 0;
    out.name = smb1_string(b, pos, out.unicode);
    return ParseStatus::ok();
}

ParseStatus parse_smb1_open_andx_response(const Smb1Block& b, Smb1OpenResponse& out) {
    if (b.word_count != 15 && b.word_count != 19) return ParseStatus::fail("smb1_open_bad_word_count");
    ByteReader r(b.words.subspan(4));
    out.fid = rd16(r);
    r.skip(2);
    out.last_write = rd32(r);
    out.size = rd32(r);
    r.skip(2);
    out.resource_type = rd16(r);
    return ParseStatus::ok();
}

ParseStatus parse_smb1_write_andx_request(Bytes, const Smb1Block& b, Smb1WriteRequest& out) {
    if (b.word_count != 12 && b.word_count != 14) return ParseStatus::fail("smb1_write_bad_word_count");
    const std::uint8_t* w = b.words.data();
    out.fid = load_u16_le(w + 4);
    out.offset = load_u32_le(w + 6);
    if (b.word_count == 14) out.offset |= std::uint64_t{load_u32_le(w + 24)} << 32;
    std::uint32_t high = load_u16_le(w + 18);
    std::uint32_t low = load_u16_le(w + 20);
    out.data.length = (high << 16) | low;
    out.data.offset = load_u16_le(w + 22);
    if (out.data.length && out.data.offset < b.bytes_at) return ParseStatus::fail("smb1_write_bad_data_offset");
    return ParseStatus::ok();
}

ParseStatus parse_smb1_write_andx_response(const Smb1Block& b, Smb1WriteResponse& out) {
    if (b.word_count != 6) return ParseStatus::fail("smb1_write_bad_word_count");
    out.count = load_u16_le(b.words.data() + 4) | (std::uint32_t{load_u16_le(b.words.data() + 8)} << 16);
    return ParseStatus::ok();
}

ParseStatus parse_smb1_read_andx_request(const Smb1Block& b, Smb1ReadRequest& out) {
    if (b.word_count != 10 && b.word_count != 12) return ParseStatus::fail("smb1_read_bad_word_count");
    const std::uint8_t* w = b.words.data();
    out.fid = load_u16_le(w + 4);
    out.offset = load_u32_le(w + 6);
    if (b.word_count == 12) out.offset |= std::uint64_t{load_u32_le(w + 20)} << 32;
    out.max_count = load_u16_le(w + 10);
    std::uint32_t high = load_u32_le(w + 14);
    if (high != 0xffffffffu) out.max_count |= (high & 0xffff) << 16;
    return ParseStatus::ok();
}

ParseStatus parse_smb1_read_andx_response(Bytes, const Smb1Block& b, Smb1ReadResponse& out) {
    if (b.word_count != 12) return ParseStatus::fail("smb1_read_bad_word_count");
    const std::uint8_t* w = b.words.data();
    std::uint32_t low = load_u16_le(w + 10);
    std::uint32_t high = load_u16_le(w + 14);
    out.data.length = (high << 16) | low;
    out.data.offset = load_u16_le(w + 12);
    if (out.data.length && out.data.offset < b.bytes_at) return ParseStatus::fail("smb1_read_bad_data_offset");
    return ParseStatus::ok();
}

ParseStatus parse_smb1_close_request(const Smb1Block& b, Smb1CloseRequest& out) {
    if (b.word_count != 3) return ParseStatus::fail("smb1_close_bad_word_count");
    out.fid = load_u16_le(b.words.data());
    return ParseStatus::ok();
}

std::optional<std::int64_t> filetime_to_us(std::uint64_t ft) {
    constexpr std::uint64_t kEpochDelta = 116444736000000000ull;  // 1601 -> 1970 in 100 ns
    if (ft <= kEpochDelta) return std::nullopt;
    std::uint64_t us = (ft - kEpochDelta) / 10;
    if (us > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(us);
}

}  // namespace sw::smb
