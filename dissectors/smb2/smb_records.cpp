#include "dissectors/smb2/smb_records.h"
#include "dissectors/smb2/smb_records_internal.h"

namespace sw::smb {

using namespace records_internal;

namespace {

// The bytes [off, off + len) of `b`, if they are all there.
std::optional<Bytes> slice(Bytes b, std::size_t off, std::size_t len) {
    if (off > b.size() || len > b.size() - off) return std::nullopt;
    return b.subspan(off, len);
}

// A variable-length field at (off, len) of the PDU; length 0 is an empty field.
ParseStatus field_at(Bytes pdu, std::size_t off, std::size_t len, Bytes& out, const char* error) {
    out = {};
    if (len == 0) return ParseStatus::ok();
    auto b = slice(pdu, off, len);
    if (!b) return ParseStatus::fail(error);
    out = *b;
    return ParseStatus::ok();
}

// A reader over the body of an SMB2 PDU (after the 64-byte header) that
// checks StructureSize first.
ParseStatus body(Bytes pdu, std::uint16_t structure_size, std::size_t need, ByteReader& r) {
    if (pdu.size() < kSmb2HeaderSize + 2) return ParseStatus::fail("smb2_truncated");
    ByteReader b(pdu.subspan(kSmb2HeaderSize));
    if (load_u16_le(b.rest().data()) != structure_size)
        return ParseStatus::fail("smb2_bad_structure_size");
    if (b.remaining() < need) return ParseStatus::fail("smb2_truncated");
    b.skip(2);
    r = b;
    return ParseStatus::ok();
}

// Negotiate contexts start 8-byte aligned relative to the header.
ParseStatus parse_contexts(Bytes pdu, std::uint32_t offset, std::uint16_t count, NegotiateContexts& out) {
    out = {};
    if (count == 0) return ParseStatus::ok();
    std::size_t pos = offset;
    for (std::uint16_t i = 0; i < count; ++i) {
        pos = (pos + 7) & ~std::size_t{7};
        auto hdr = slice(pdu, pos, 8);
        if (!hdr) return ParseStatus::fail("smb2_negotiate_context_past_end");
        std::uint16_t type = load_u16_le(hdr->data());
        std::uint16_t len = load_u16_le(hdr->data() + 2);
        auto data = slice(pdu, pos + 8, len);
        if (!data) return ParseStatus::fail("smb2_negotiate_context_past_end");
        ByteReader d(*data);
        switch (type) {
            case 0x0002: {  // ENCRYPTION_CAPABILITIES
                std::uint16_t n = rd16(d);
                for (std::uint16_t k = 0; k < n && d.remaining() >= 2; ++k) {
                    std::uint16_t c = rd16(d);
                    if (out.cipher_count < out.ciphers.size()) out.ciphers[out.cipher_count++] = c;
                }
                break;
            }
            case 0x0003: {  // COMPRESSION_CAPABILITIES
                std::uint16_t n = rd16(d);
                d.skip(2);
                out.compression_flags = rd32(d);
                for (std::uint16_t k = 0; k < n && d.remaining() >= 2; ++k) {
                    std::uint16_t c = rd16(d);
                    if (out.compression_count < out.compression.size())
                        out.compression[out.compression_count++] = c;
                }
                break;
            }
            case 0x0005:  // NETNAME_NEGOTIATE_CONTEXT_ID
                out.netname = *data;
                break;
            case 0x0008: {  // SIGNING_CAPABILITIES
                std::uint16_t n = rd16(d);
                for (std::uint16_t k = 0; k < n && d.remaining() >= 2; ++k) {
                    std::uint16_t c = rd16(d);
                    if (out.signing_count < out.signing.size()) out.signing[out.signing_count++] = c;
                }
                break;
            }
            default:
                break;
        }
        ++out.count;
        pos += 8 + len;
    }
    return ParseStatus::ok();
}

}  // namespace

Magic magic_of(Bytes b) {
    if (b.size() < 4 || b[1] != 'S' || b[2] != 'M' || b[3] != 'B') return Magic::unknown;
    switch (b[0]) {
        case 0xff: return Magic::smb1;
        case 0xfe: return Magic::smb2;
        case 0xfd: return Magic::transform;
        case 0xfc: return Magic::compressed;
        default: return Magic::unknown;
    }
}

std::string_view magic_name(Magic m) {
    switch (m) {
        case Magic::smb1: return "SMB1";
        case Magic::smb2: return "SMB2";
        case Magic::transform: return "SMB3 transform";
        case Magic::compressed: return "SMB3 compression transform";
        default: return "unknown";
    }
}

ParseStatus parse_nbss_header(Bytes b, NbssHeader& out) {
    if (b.size() < 4) return ParseStatus::fail("nbss_truncated");
    out.type = b[0];
    out.length = (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    switch (out.type) {
        case nbss::kSessionMessage:
        case nbss::kSessionRequest:
        case nbss::kPositiveResponse:
        case nbss::kNegativeResponse:
        case nbss::kRetargetResponse:
        case nbss::kKeepAlive:
            return ParseStatus::ok();
        default:
            return ParseStatus::fail("nbss_unknown_type");
    }
}

std::string_view smb2_command_name(std::uint16_t c) {
    static constexpr std::string_view names[] = {
        "NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT", "CREATE", "CLOSE",
        "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL", "ECHO", "QUERY_DIRECTORY", "CHANGE_NOTIFY",
        "QUERY_INFO", "SET_INFO", "OPLOCK_BREAK"};
    return c < std::size(names) ? names[c] : "UNKNOWN";
}

ParseStatus parse_smb2_header(Bytes pdu, Smb2Header& out) {
    if (pdu.size() < kSmb2HeaderSize) return ParseStatus::fail("smb2_truncated_header");
    if (magic_of(pdu) != Magic::smb2) return ParseStatus::fail("smb2_bad_protocol_id");
    ByteReader r(pdu.subspan(4, kSmb2HeaderSize - 4));
    if (rd16(r) != kSmb2HeaderSize) return ParseStatus::fail("smb2_bad_header_structure_size");
    out.credit_charge = rd16(r);
    out.status = rd32(r);
    out.command = rd16(r);
    out.credits = rd16(r);
    out.flags = rd32(r);
    out.next_command = rd32(r);
    out.message_id = rd64(r);
    if (out.flags & flags::async) {
        out.async_id = rd64(r);
        out.tree_id = 0;
    } else {
        r.skip(4);
        out.tree_id = rd32(r);
        out.async_id = 0;
    }
    out.session_id = rd64(r);
    return ParseStatus::ok();
}

ParseStatus next_command_offset(const Smb2Header& h, std::uint64_t avail, std::optional<std::uint32_t>& out) {
    out.reset();
    if (h.next_command == 0) return ParseStatus::ok();
    if (h.next_command < kSmb2HeaderSize) return ParseStatus::fail("smb2_next_command_backwards");
    if (h.next_command >= avail) return ParseStatus::fail("smb2_next_command_past_end");
    out = h.next_command;
    // Usable, but against the spec (8-byte alignment): reported, still followed.
    if (h.next_command % 8 != 0) return ParseStatus::fail("smb2_next_command_unaligned");
    return ParseStatus::ok();
}

std::optional<std::uint16_t> body_structure_size(Bytes pdu) {
    if (pdu.size() < kSmb2HeaderSize + 2) return std::nullopt;
    return load_u16_le(pdu.data() + kSmb2HeaderSize);
}

std::optional<FileId> request_file_id(std::uint16_t command, Bytes pdu) {
    std::size_t at;
    switch (command) {
        case cmd::close: case cmd::flush: case cmd::lock: case cmd::ioctl: case cmd::query_directory:
        case cmd::change_notify: case cmd::oplock_break:
            at = 8;
            break;
        case cmd::read: case cmd::write: case cmd::set_info:
            at = 16;
            break;
        case cmd::query_info:
            at = 24;
            break;
        default:
            return std::nullopt;
    }
    auto b = slice(pdu, kSmb2HeaderSize + at, 16);
    if (!b) return std::nullopt;
    return FileId{load_u64_le(b->data()), load_u64_le(b->data() + 8)};
}

ParseStatus parse_error_response(Bytes pdu, ErrorResponse& out) {
    ByteReader r;
    // The spec says 8 bytes of fixed part; some servers send only the
    // StructureSize and ByteCount (the zero-byte IOCTL errors do that).
    if (auto s = body(pdu, 9, 2, r); !s) return s;
    out.context_count = rd8(r);
    r.skip(1);
    out.byte_count = rd32(r);
    return ParseStatus::ok();
}

std::string_view dialect_name(std::uint16_t d) {
    switch (d) {
        case dialect::smb202: return "2.0.2";
        case dialect::smb210: return "2.1";
        case dialect::smb300: return "3.0";
        case dialect::smb302: return "3.0.2";
        case dialect::smb311: return "3.1.1";
        case dialect::wildcard: return "2.???";
        case 0x0222: return "2.2.2";
        case 0x0224: return "2.2.4";
        default: return "";
    }
}

std::string_view cipher_name(std::uint16_t c) {
    switch (c) {
        case 1: return "AES-128-CCM";
        case 2: return "AES-128-GCM";
        case 3: return "AES-256-CCM";
        case 4: return "AES-256-GCM";
        default: return "unknown";
    }
}

std::string_view compression_name(std::uint16_t c) {
    switch (c) {
        case compression::none: return "NONE";
        case compression::lznt1: return "LZNT1";
        case compression::lz77: return "LZ77";
        case compression::lz77_huffman: return "LZ77+Huffman";
        case compression::pattern_v1: return "Pattern_V1";
        case compression::lz4: return "LZ4";
        default: return "unknown";
    }
}

ParseStatus parse_negotiate_request(Bytes pdu, NegotiateRequest& out) {
    ByteReader r;
    if (auto s = body(pdu, 36, 36, r); !s) return s;
    out.dialect_count = rd16(r);
    out.security_mode = rd16(r);
    r.skip(2);
    out.capabilities = rd32(r);
    auto guid = r.read_bytes(16);
    std::copy(guid->begin(), guid->end(), out.client_guid.begin());
    std::uint32_t ctx_offset = rd32(r);
    std::uint16_t ctx_count = rd16(r);
    r.skip(2);
    auto d = r.read_bytes(2 * std::size_t{out.dialect_count});
    if (!d) return ParseStatus::fail("smb2_dialects_past_end");
    out.dialects = *d;
    bool has311 = false;
    for (std::size_t i = 0; i < out.dialect_count; ++i) has311 |= out.dialect(i) == dialect::smb311;
    out.contexts = {};
    if (has311 && ctx_count) return parse_contexts(pdu, ctx_offset, ctx_count, out.contexts);
    return ParseStatus::ok();
}

ParseStatus parse_negotiate_response(Bytes pdu, NegotiateResponse& out) {
    ByteReader r;
    if (auto s = body(pdu, 65, 64, r); !s) return s;
    out.security_mode = rd16(r);
    out.dialect = rd16(r);
    std::uint16_t ctx_count = rd16(r);
    auto guid = r.read_bytes(16);
    std::copy(guid->begin(), guid->end(), out.server_guid.begin());
    out.capabilities = rd32(r);
    out.max_transact = rd32(r);
    out.max_read = rd32(r);
    out.max_write = rd32(r);
    out.system_time = rd64(r);
    r.skip(8);
    std::uint16_t sb_off = rd16(r), sb_len = rd16(r);
    std::uint32_t ctx_offset = rd32(r);
    if (auto s = field_at(pdu, sb_off, sb_len, out.security_blob, "smb2_security_blob_past_end"); !s) return s;
    out.contexts = {};
    if (out.dialect == dialect::smb311 && ctx_count)
        return parse_contexts(pdu, ctx_offset, ctx_count, out.contexts);
    return ParseStatus::ok();
}

ParseStatus parse_session_setup_request(Bytes pdu, SessionSetupRequest& out) {
    ByteReader r;
    if (auto s = body(pdu, 25, 24, r); !s) return s;
    out.flags = rd8(r);
    out.security_mode = rd8(r);
    out.capabilities = rd32(r);
    r.skip(4);  // Channel
    std::uint16_t off = rd16(r), len = rd16(r);
    out.previous_session_id = rd64(r);
    if (auto s = field_at(pdu, off, len, out.security_blob, "smb2_security_blob_past_end"); !s) return s;
    return ParseStatus::ok();
}

ParseStatus parse_session_setup_response(Bytes pdu, SessionSetupResponse& out) {
    ByteReader r;
    if (auto s = body(pdu, 9, 8, r); !s) return s;
    out.session_flags = rd16(r);
    std::uint16_t off = rd16(r), len = rd16(r);
    if (auto s = field_at(pdu, off, len, out.security_blob, "smb2_security_blob_past_end"); !s) return s;
    return ParseStatus::ok();
}

ParseStatus parse_tree_connect_request(Bytes pdu, TreeConnectRequest& out) {
    ByteReader r;
    if (auto s = body(pdu, 9, 8, r); !s) return s;
    out.flags = rd16(r);
    std::uint16_t off = rd16(r), len = rd16(r);
    std::size_t path_off = off;
    std::size_t path_len = len;
    // SMB 3.1.1 TREE_CONNECT_FLAG_EXTENSION_PRESENT: PathOffset points at a
    // TREE_CONNECT_Request_Extension whose own PathName follows at +16.
    if (out.flags & 0x0004) {
        auto ext = slice(pdu, off, 16);
        if (!ext) return ParseStatus::fail("smb2_tree_path_past_end");
        path_off = std::size_t{off} + 16;
        path_len = len >= 16 ? len - 16u : 0u;
    }
    auto p = slice(pdu, path_off, path_len);
    if (!p) return ParseStatus::fail("smb2_tree_path_past_end");
    out.path = *p;
    return ParseStatus::ok();
}

ParseStatus parse_tree_connect_response(Bytes pdu, TreeConnectResponse& out) {
    ByteReader r;
    if (auto s = body(pdu, 16, 16, r); !s) return s;
    out.share_type = rd8(r);
    r.skip(1);
    out.share_flags = rd32(r);
    out.capabilities = rd32(r);
    out.maximal_access = rd32(r);
    return ParseStatus::ok();
}

std::string_view share_type_name(std::uint8_t t) {
    switch (t) {
        case share_type::disk: return "DISK";
        case share_type::pipe: return "PIPE";
        case share_type::print: return "PRINT";
        default: return "";
    }
}

ParseStatus parse_create_request(Bytes pdu, CreateRequest& out) {
    ByteReader r;
    if (auto s = body(pdu, 57, 56, r); !s) return s;
    r.skip(1);  // SecurityFlags
    out.oplock = rd8(r);
    r.skip(4 + 8 + 8);  // ImpersonationLevel, SmbCreateFlags, Reserved
    out.desired_access = rd32(r);
    out.file_attributes = rd32(r);
    out.share_access = rd32(r);
    out.disposition = rd32(r);
    out.options = rd32(r);
    std::uint16_t off = rd16(r), len = rd16(r);
    if (auto s = field_at(pdu, off, len, out.name, "smb2_create_name_past_end"); !s) return s;
    return ParseStatus::ok();
}

ParseStatus parse_create_response(Bytes pdu, CreateResponse& out) {
    ByteReader r;
    if (auto s = body(pdu, 89, 88, r); !s) return s;
    out.oplock = rd8(r);
    r.skip(1);
    out.create_action = rd32(r);
    out.times = rd_times(r);
    out.allocation_size = rd64(r);
    out.end_of_file = rd64(r);
    out.file_attributes = rd32(r);
    r.skip(4);
    out.file_id = rd_fid(r);
    return ParseStatus::ok();
}

ParseStatus parse_close_request(Bytes pdu, CloseRequest& out) {
    ByteReader r;
    if (auto s = body(pdu, 24, 24, r); !s) return s;
    out.flags = rd16(r);
    r.skip(4);
    out.file_id = rd_fid(r);
    return ParseStatus::ok();
}

ParseStatus parse_close_response(Bytes pdu, CloseResponse& out) {
    ByteReader r;
    if (auto s = body(pdu, 60, 60, r); !s) return s;
    out.flags = rd16(r);
    r.skip(4);
    out.times = rd_times(r);
    out.allocation_size = rd64(r);
    out.end_of_file = rd64(r);
    out.file_attributes = rd32(r);
    return ParseStatus::ok();
}

ParseStatus parse_read_request(Bytes pdu, ReadRequest& out) {
    ByteReader r;
    if (auto s = body(pdu, 49, 48, r); !s) return s;
    r.skip(1);  // Padding
    out.flags = rd8(r);
    out.length = rd32(r);
    out.offset = rd64(r);
    out.file_id = rd_fid(r);
    out.minimum_count = rd32(r);
    return ParseStatus::ok();
}

ParseStatus parse_read_response(Bytes pdu, ReadResponse& out) {
    ByteReader r;
    if (auto s = body(pdu, 17, 16, r); !s) return s;
    out.data_offset = rd8(r);
    r.skip(1);  // Reserved: not checked (some servers put garbage there)
    out.data_length = rd32(r);
    out.data_remaining = rd32(r);
    if (out.data_length && out.data_offset < kReadResponseHead)
        return ParseStatus::fail("smb2_read_bad_data_offset");
    return ParseStatus::ok();
}

ParseStatus parse_write_request(Bytes pdu, WriteRequest& out) {
    ByteReader r;
    if (auto s = body(pdu, 49, 48, r); !s) return s;
    out.data_offset = rd16(r);
    out.length = rd32(r);
    out.offset = rd64(r);
    out.file_id = rd_fid(r);
    out.channel = rd32(r);
    out.remaining = rd32(r);
    r.skip(4);
    out.flags = rd32(r);
    if (out.length && out.data_offset < kWriteRequestHead) return ParseStatus::fail("smb2_write_bad_data_offset");
    return ParseStatus::ok();
}

ParseStatus parse_write_response(Bytes pdu, WriteResponse& out) {
    ByteReader r;
    if (auto s = body(pdu, 17, 16, r); !s) return s;
    r.skip(2);
    out.count = rd32(r);
    out.remaining = rd32(r);
    return ParseStatus::ok();
}

ParseStatus parse_set_info_request(Bytes pdu, SetInfoRequest& out) {
    ByteReader r;
    if (auto s = body(pdu, 33, 32, r); !s) return s;
    out.info_type = rd8(r);
    out.info_class = rd8(r);
    std::uint32_t len = rd32(r);
    std::uint16_t off = rd16(r);
    r.skip(2);
    out.additional = rd32(r);
    out.file_id = rd_fid(r);
    if (auto s = field_at(pdu, off, len, out.buffer, "smb2_set_info_buffer_past_end"); !s) return s;
    return ParseStatus::ok();
}

ParseStatus parse_rename_info(Bytes buf, bool ex, RenameInfo& out) {
    ByteReader r(buf);
    if (r.remaining() < 20) return ParseStatus::fail("smb2_rename_info_truncated");
    if (ex) {
        out.ex_flags = rd32(r);
        out.replace_if_exists = out.ex_flags & 0x1;
    } else {
        out.replace_if_exists = rd8(r) != 0;
        r.skip(7);
        out.ex_flags = 0;
    }
    out.root_directory = rd64(r);
    std::uint32_t n = rd32(r);
    auto name = r.read_bytes(n);
    if (!name) return ParseStatus::fail("smb2_rename_name_past_end");
    out.name = *name;
    return ParseStatus::ok();
}

ParseStatus parse_disposition_info(Bytes buf, bool ex, bool& delete_pending) {
    ByteReader r(buf);
    if (ex) {
        auto f = r.read_u32_le();
        if (!f) return ParseStatus::fail("smb2_disposition_info_truncated");
        delete_pending = *f & 0x1;
    } else {
        auto f = r.read_u8();
        if (!f) return ParseStatus::fail("smb2_disposition_info_truncated");
        delete_pending = *f != 0;
    }
    return ParseStatus::ok();
}

ParseStatus parse_end_of_file_info(Bytes buf, std::uint64_t& eof) {
    ByteReader r(buf);
    auto v = r.read_u64_le();
    if (!v) return ParseStatus::fail("smb2_eof_info_truncated");
    eof = *v;
    return ParseStatus::ok();
}

ParseStatus parse_transform_header(Bytes pdu, TransformHeader& out) {
    if (pdu.size() < kTransformHeaderSize) return ParseStatus::fail("smb3_transform_truncated");
    if (magic_of(pdu) != Magic::transform) return ParseStatus::fail("smb3_transform_bad_protocol_id");
    ByteReader r(pdu.subspan(20));  // after ProtocolId and Signature
    auto nonce = r.read_bytes(16);
    std::copy(nonce->begin(), nonce->end(), out.nonce.begin());
    out.original_size = rd32(r);
    r.skip(2);
    out.flags = rd16(r);
    out.session_id = rd64(r);
    if (out.flags != 0x0001) return ParseStatus::fail("smb3_transform_bad_flags");
    return ParseStatus::ok();
}

ParseStatus parse_compression_header(Bytes pdu, CompressionHeader& out) {
    if (pdu.size() < kCompressionHeaderSize) return ParseStatus::fail("smb3_compression_truncated");
    if (magic_of(pdu) != Magic::compressed) return ParseStatus::fail("smb3_compression_bad_protocol_id");
    ByteReader r(pdu.subspan(4));
    out.original_size = rd32(r);
    out.algorithm = rd16(r);
    out.flags = rd16(r);
    out.offset_or_length = rd32(r);
    return ParseStatus::ok();
}

bool parse_pattern_v1(Bytes b, std::uint8_t& pattern, std::uint32_t& repetitions) {
    if (b.size() != 8) return false;
    pattern = b[0];
    repetitions = load_u32_le(b.data() + 4);
    return true;
}

}  // namespace sw::smb
