// SMB records: pure parsers from bytes to typed structs ([MS-SMB2], [MS-CIFS],
// [MS-SMB], RFC 1002 for the NetBIOS session header).
//
// Every parse_* function takes the bytes of one PDU (starting at its protocol
// id) or one sub-structure, never mutates anything but its output, and returns
// a ParseStatus naming what was wrong. Records hold spans into the input: they
// are valid only as long as the bytes they were parsed from. Offsets inside a
// PDU ("NameOffset", "DataOffset", ...) are checked against the bytes given;
// a PDU passed in truncated (its tail skipped by the framer) fails cleanly.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "capture/byte_reader.h"

namespace sw::smb {

// Why a parse failed; `error` is a weird.log-style name ("" = success).
struct ParseStatus {
    const char* error = nullptr;
    explicit operator bool() const { return error == nullptr; }
    static ParseStatus ok() { return {}; }
    static ParseStatus fail(const char* e) { return {e}; }
};

// ---- Protocol ids -------------------------------------------------------

enum class Magic : std::uint8_t { unknown, smb1, smb2, transform, compressed };
// \xffSMB, \xfeSMB, \xfdSMB, \xfcSMB; needs 4 bytes.
Magic magic_of(Bytes b);
std::string_view magic_name(Magic m);

// ---- NetBIOS session service (RFC 1002 4.3.1; [MS-SMB2] 2.1) ------------

namespace nbss {
constexpr std::uint8_t kSessionMessage = 0x00;
constexpr std::uint8_t kSessionRequest = 0x81;
constexpr std::uint8_t kPositiveResponse = 0x82;
constexpr std::uint8_t kNegativeResponse = 0x83;
constexpr std::uint8_t kRetargetResponse = 0x84;
constexpr std::uint8_t kKeepAlive = 0x85;
}  // namespace nbss

struct NbssHeader {
    std::uint8_t type = 0;
    std::uint32_t length = 0;  // 24 bits (SMB2 direct TCP / SMB1 with 17 used bits)
};
// Exactly 4 bytes of header. Fails on an unknown type.
ParseStatus parse_nbss_header(Bytes b, NbssHeader& out);

// ---- SMB2 header ([MS-SMB2] 2.2.1) ---------------------------------------

namespace cmd {
constexpr std::uint16_t negotiate = 0x00, session_setup = 0x01, logoff = 0x02, tree_connect = 0x03,
                        tree_disconnect = 0x04, create = 0x05, close = 0x06, flush = 0x07, read = 0x08,
                        write = 0x09, lock = 0x0a, ioctl = 0x0b, cancel = 0x0c, echo = 0x0d,
                        query_directory = 0x0e, change_notify = 0x0f, query_info = 0x10, set_info = 0x11,
                        oplock_break = 0x12;
}
std::string_view smb2_command_name(std::uint16_t c);

namespace flags {
constexpr std::uint32_t server_to_redir = 0x00000001, async = 0x00000002, related = 0x00000004,
                        signed_ = 0x00000008, dfs = 0x10000000, replay = 0x20000000;
}

namespace status {
constexpr std::uint32_t success = 0x00000000, pending = 0x00000103, buffer_overflow = 0x80000005,
                        more_processing = 0xc0000016, access_denied = 0xc0000022,
                        end_of_file = 0xc0000011, no_more_files = 0x80000006,
                        logon_failure = 0xc000006d;
inline bool is_error(std::uint32_t s) { return (s >> 30) == 3; }
}  // namespace status

constexpr std::size_t kSmb2HeaderSize = 64;
constexpr std::uint64_t kAllOnes64 = ~std::uint64_t{0};
constexpr std::uint32_t kAllOnes32 = ~std::uint32_t{0};

struct Smb2Header {
    std::uint16_t credit_charge = 0;
    std::uint32_t status = 0;  // ChannelSequence/Reserved in 3.x requests
    std::uint16_t command = 0;
    std::uint16_t credits = 0;
    std::uint32_t flags = 0;
    std::uint32_t next_command = 0;
    std::uint64_t message_id = 0;
    std::uint64_t async_id = 0;  // async form only
    std::uint32_t tree_id = 0;   // sync form only
    std::uint64_t session_id = 0;

    bool response() const { return flags & flags::server_to_redir; }
    bool async() const { return flags & flags::async; }
    bool related() const { return flags & flags::related; }
};
// Needs the 64 header bytes; checks the protocol id and StructureSize (64).
ParseStatus parse_smb2_header(Bytes pdu, Smb2Header& out);

// Where the next PDU of a compound starts, relative to this one: nullopt if
// this is the last one. `avail` is how many bytes of the NBSS message are
// left from the start of this PDU. Fails when NextCommand points into this
// header (backwards) or past the message (`out` unset: treat this PDU as
// the last), or is not 8-byte aligned (`out` set: still usable).
ParseStatus next_command_offset(const Smb2Header& h, std::uint64_t avail, std::optional<std::uint32_t>& out);

// The StructureSize field of the body (first 2 bytes after the header).
std::optional<std::uint16_t> body_structure_size(Bytes pdu);

struct FileId {
    std::uint64_t persistent = 0;
    std::uint64_t volatile_ = 0;
    bool all_ones() const { return persistent == kAllOnes64 && volatile_ == kAllOnes64; }
    friend bool operator==(const FileId&, const FileId&) = default;
};

// A Windows FILETIME (100 ns ticks since 1601); 0 = not given.
struct FileTimes {
    std::uint64_t created = 0, accessed = 0, written = 0, changed = 0;
};

// The FileId a request names (nullopt for commands without one or a short
// PDU): CLOSE, FLUSH, READ, WRITE, LOCK, IOCTL, QUERY_DIRECTORY,
// CHANGE_NOTIFY, QUERY_INFO, SET_INFO, OPLOCK_BREAK. Used for compound
// chains, where a related request's all-ones FileId means "the previous one".
std::optional<FileId> request_file_id(std::uint16_t command, Bytes pdu);

// Error response ([MS-SMB2] 2.2.2): StructureSize 9.
struct ErrorResponse {
    std::uint8_t context_count = 0;
    std::uint32_t byte_count = 0;
};
ParseStatus parse_error_response(Bytes pdu, ErrorResponse& out);

// ---- NEGOTIATE (2.2.3 / 2.2.4) --------------------------------------------

namespace dialect {
constexpr std::uint16_t smb202 = 0x0202, smb210 = 0x0210, smb300 = 0x0300, smb302 = 0x0302,
                        smb311 = 0x0311, wildcard = 0x02ff;
}
// "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "2.???" (wildcard); "" if unknown.
std::string_view dialect_name(std::uint16_t d);

// Negotiate contexts (SMB 3.1.1, 2.2.3.1), summarised.
struct NegotiateContexts {
    std::uint16_t count = 0;           // contexts walked
    std::uint16_t cipher_count = 0;    // ENCRYPTION_CAPABILITIES
    std::array<std::uint16_t, 8> ciphers{};
    std::uint16_t compression_count = 0;  // COMPRESSION_CAPABILITIES
    std::array<std::uint16_t, 8> compression{};
    std::uint32_t compression_flags = 0;
    Bytes netname;                     // NETNAME_NEGOTIATE_CONTEXT_ID (UTF-16LE)
    std::uint16_t signing_count = 0;
    std::array<std::uint16_t, 4> signing{};
};
std::string_view cipher_name(std::uint16_t c);       // "AES-128-CCM", ...
std::string_view compression_name(std::uint16_t c);  // "LZNT1", ...

struct NegotiateRequest {
    std::uint16_t dialect_count = 0;
    std::uint16_t security_mode = 0;
    std::uint32_t capabilities = 0;
    std::array<std::uint8_t, 16> client_guid{};
    Bytes dialects;  // dialect_count little-endian u16
    NegotiateContexts contexts;
    std::uint16_t dialect(std::size_t i) const { return load_u16_le(dialects.data() + 2 * i); }
};
ParseStatus parse_negotiate_request(Bytes pdu, NegotiateRequest& out);

struct NegotiateResponse {
    std::uint16_t security_mode = 0;
    std::uint16_t dialect = 0;
    std::array<std::uint8_t, 16> server_guid{};
    std::uint32_t capabilities = 0;
    std::uint32_t max_transact = 0, max_read = 0, max_write = 0;
    std::uint64_t system_time = 0;
    Bytes security_blob;
    NegotiateContexts contexts;
};
ParseStatus parse_negotiate_response(Bytes pdu, NegotiateResponse& out);

namespace caps {
constexpr std::uint32_t dfs = 0x1, leasing = 0x2, large_mtu = 0x4, multi_channel = 0x8,
                        persistent_handles = 0x10, directory_leasing = 0x20, encryption = 0x40;
}

// ---- SESSION_SETUP (2.2.5 / 2.2.6), LOGOFF (2.2.7) -------------------------

struct SessionSetupRequest {
    std::uint8_t flags = 0;  // 0x01 BINDING
    std::uint8_t security_mode = 0;
    std::uint32_t capabilities = 0;
    std::uint64_t previous_session_id = 0;
    Bytes security_blob;
};
ParseStatus parse_session_setup_request(Bytes pdu, SessionSetupRequest& out);

namespace session_flags {
constexpr std::uint16_t is_guest = 0x1, is_null = 0x2, encrypt_data = 0x4;
}
struct SessionSetupResponse {
    std::uint16_t session_flags = 0;
    Bytes security_blob;
};
ParseStatus parse_session_setup_response(Bytes pdu, SessionSetupResponse& out);

// ---- TREE_CONNECT (2.2.9 / 2.2.10) -----------------------------------------

struct TreeConnectRequest {
    std::uint16_t flags = 0;
    Bytes path;  // UTF-16LE
};
ParseStatus parse_tree_connect_request(Bytes pdu, TreeConnectRequest& out);

namespace share_type {
constexpr std::uint8_t disk = 1, pipe = 2, print = 3;
}
constexpr std::uint32_t kShareFlagEncryptData = 0x00008000;
struct TreeConnectResponse {
    std::uint8_t share_type = 0;
    std::uint32_t share_flags = 0;
    std::uint32_t capabilities = 0;
    std::uint32_t maximal_access = 0;
};
ParseStatus parse_tree_connect_response(Bytes pdu, TreeConnectResponse& out);
std::string_view share_type_name(std::uint8_t t);  // "DISK", "PIPE", "PRINT", ""

// ---- CREATE (2.2.13 / 2.2.14) ----------------------------------------------

namespace create_options {
constexpr std::uint32_t directory_file = 0x1, non_directory_file = 0x40, delete_on_close = 0x1000;
}
namespace disposition {
constexpr std::uint32_t supersede = 0, open = 1, create = 2, open_if = 3, overwrite = 4, overwrite_if = 5;
}
constexpr std::uint32_t kAttrDirectory = 0x10;

struct CreateRequest {
    std::uint8_t oplock = 0;
    std::uint32_t desired_access = 0;
    std::uint32_t file_attributes = 0;
    std::uint32_t share_access = 0;
    std::uint32_t disposition = 0;
    std::uint32_t options = 0;
    Bytes name;  // UTF-16LE, relative to the share
};
ParseStatus parse_create_request(Bytes pdu, CreateRequest& out);

struct CreateResponse {
    std::uint8_t oplock = 0;
    std::uint32_t create_action = 0;  // 0 superseded, 1 opened, 2 created, 3 overwritten
    FileTimes times;
    std::uint64_t allocation_size = 0;
    std::uint64_t end_of_file = 0;
    std::uint32_t file_attributes = 0;
    FileId file_id;
};
ParseStatus parse_create_response(Bytes pdu, CreateResponse& out);

// ---- CLOSE (2.2.15 / 2.2.16) -----------------------------------------------

constexpr std::uint16_t kClosePostqueryAttrib = 0x0001;
struct CloseRequest {
    std::uint16_t flags = 0;
    FileId file_id;
};
ParseStatus parse_close_request(Bytes pdu, CloseRequest& out);

struct CloseResponse {
    std::uint16_t flags = 0;
    FileTimes times;
    std::uint64_t allocation_size = 0;
    std::uint64_t end_of_file = 0;
    std::uint32_t file_attributes = 0;
    bool has_attributes() const { return flags & kClosePostqueryAttrib; }
};
ParseStatus parse_close_response(Bytes pdu, CloseResponse& out);

// ---- READ (2.2.19 / 2.2.20), WRITE (2.2.21 / 2.2.22) -----------------------

struct ReadRequest {
    std::uint8_t flags = 0;
    std::uint32_t length = 0;
    std::uint64_t offset = 0;
    FileId file_id;
    std::uint32_t minimum_count = 0;
};
ParseStatus parse_read_request(Bytes pdu, ReadRequest& out);

// Where a PDU's data payload lies, relative to the start of the PDU.
struct DataRegion {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
};

constexpr std::size_t kReadResponseHead = kSmb2HeaderSize + 16;   // up to Reserved2
constexpr std::size_t kWriteRequestHead = kSmb2HeaderSize + 48;   // up to Flags

struct ReadResponse {
    std::uint8_t data_offset = 0;
    std::uint32_t data_length = 0;
    std::uint32_t data_remaining = 0;
    DataRegion data() const { return {data_offset, data_length}; }
};
// Needs kReadResponseHead bytes (the data need not be present).
ParseStatus parse_read_response(Bytes pdu, ReadResponse& out);

struct WriteRequest {
    std::uint16_t data_offset = 0;
    std::uint32_t length = 0;
    std::uint64_t offset = 0;
    FileId file_id;
    std::uint32_t channel = 0;
    std::uint32_t remaining = 0;
    std::uint32_t flags = 0;
    DataRegion data() const { return {data_offset, length}; }
};
// Needs kWriteRequestHead bytes (the data need not be present). Fails when
// DataOffset points into the fixed part.
ParseStatus parse_write_request(Bytes pdu, WriteRequest& out);

struct WriteResponse {
    std::uint32_t count = 0;
    std::uint32_t remaining = 0;
};
ParseStatus parse_write_response(Bytes pdu, WriteResponse& out);

// ---- SET_INFO (2.2.39) and the FILE_INFORMATION classes we use -------------

namespace info_type {
constexpr std::uint8_t file = 1, filesystem = 2, security = 3, quota = 4;
}
namespace file_info {
constexpr std::uint8_t basic = 4, rename = 10, disposition = 13, allocation = 19, end_of_file = 20,
                       disposition_ex = 64, rename_ex = 65;
}
struct SetInfoRequest {
    std::uint8_t info_type = 0;
    std::uint8_t info_class = 0;
    std::uint32_t additional = 0;
    FileId file_id;
    Bytes buffer;
};
ParseStatus parse_set_info_request(Bytes pdu, SetInfoRequest& out);

// [MS-FSCC] 2.4.42 FileRenameInformation (SMB2 form) and 2.4.42.2 _EX.
struct RenameInfo {
    bool replace_if_exists = false;
    std::uint32_t ex_flags = 0;
    std::uint64_t root_directory = 0;
    Bytes name;  // UTF-16LE, relative to the share root
};
ParseStatus parse_rename_info(Bytes buf, bool ex, RenameInfo& out);
// [MS-FSCC] 2.4.11 FileDispositionInformation / 2.4.11.2 _EX: delete requested?
ParseStatus parse_disposition_info(Bytes buf, bool ex, bool& delete_pending);
// [MS-FSCC] 2.4.14 FileEndOfFileInformation.
ParseStatus parse_end_of_file_info(Bytes buf, std::uint64_t& eof);

// ---- SMB3 TRANSFORM (2.2.41) and COMPRESSION_TRANSFORM (2.2.42) ------------

constexpr std::size_t kTransformHeaderSize = 52;
struct TransformHeader {
    std::array<std::uint8_t, 16> nonce{};
    std::uint32_t original_size = 0;
    std::uint16_t flags = 0;  // 0x0001 encrypted (3.1.1) / EncryptionAlgorithm AES-128-CCM (3.0)
    std::uint64_t session_id = 0;
};
ParseStatus parse_transform_header(Bytes pdu, TransformHeader& out);

constexpr std::size_t kCompressionHeaderSize = 16;
namespace compression {
constexpr std::uint16_t none = 0, lznt1 = 1, lz77 = 2, lz77_huffman = 3, pattern_v1 = 4, lz4 = 5;
constexpr std::uint16_t flag_chained = 0x0001;
}  // namespace compression
struct CompressionHeader {
    std::uint32_t original_size = 0;
    std::uint16_t algorithm = 0;  // of the first payload when chained
    std::uint16_t flags = 0;
    std::uint32_t offset_or_length = 0;  // Offset (unchained) / Length (chained)
    bool chained() const { return flags & compression::flag_chained; }
};
ParseStatus parse_compression_header(Bytes pdu, CompressionHeader& out);

// One payload of a chained COMPRESSION_TRANSFORM (2.2.42.2.1 / .2).
struct CompressionPayload {
    std::uint16_t algorithm = 0;
    std::uint16_t flags = 0;
    std::uint32_t original_size = 0;  // for compressed algorithms (not NONE / Pattern_V1)
    Bytes data;                       // NONE: the bytes; Pattern_V1: its 8-byte descriptor
};
// Walks the payloads of a chained message (pdu starts at \xfcSMB); calls
// `f` per payload; stops at the end or at a malformed payload.
template <typename F>
ParseStatus for_each_compression_payload(Bytes pdu, F&& f) {
    ByteReader r(pdu);
    if (!r.skip(8)) return ParseStatus::fail("smb3_compression_truncated");
    while (!r.empty()) {
        auto alg = r.read_u16_le();
        auto fl = r.read_u16_le();
        auto len = r.read_u32_le();
        if (!alg || !fl || !len) return ParseStatus::fail("smb3_compression_payload_truncated");
        CompressionPayload p;
        p.algorithm = *alg;
        p.flags = *fl;
        std::uint32_t n = *len;
        if (*alg != compression::none && *alg != compression::pattern_v1) {
            auto orig = r.read_u32_le();
            if (!orig || n < 4) return ParseStatus::fail("smb3_compression_payload_truncated");
            p.original_size = *orig;
            n -= 4;
        }
        auto d = r.read_bytes(n);
        if (!d) return ParseStatus::fail("smb3_compression_payload_past_end");
        p.data = *d;
        if (!f(p)) break;
    }
    return ParseStatus::ok();
}

// Pattern_V1 ([MS-SMB2] 2.2.42.2.2): a byte repeated; false if malformed.
bool parse_pattern_v1(Bytes b, std::uint8_t& pattern, std::uint32_t& repetitions);

// ---- SMB1 ([MS-CIFS] 2.2.3.1, 2.2.4) ---------------------------------------

namespace smb1 {
constexpr std::uint8_t close = 0x04, del = 0x06, rename = 0x07, transaction = 0x25, transaction2 = 0x32,
                       read_andx = 0x2e, write_andx = 0x2f, tree_disconnect = 0x71, negotiate = 0x72,
                       session_setup_andx = 0x73, logoff_andx = 0x74, tree_connect_andx = 0x75,
                       nt_transact = 0xa0, nt_create_andx = 0xa2, open_andx = 0x2d, no_andx = 0xff;
constexpr std::uint8_t flag_reply = 0x80;
constexpr std::uint16_t flags2_unicode = 0x8000, flags2_nt_status = 0x4000, flags2_ext_sec = 0x0800;
}  // namespace smb1
constexpr std::size_t kSmb1HeaderSize = 32;

struct Smb1Header {
    std::uint8_t command = 0;
    std::uint32_t status = 0;
    std::uint8_t flags = 0;
    std::uint16_t flags2 = 0;
    std::uint16_t tid = 0, pid = 0, uid = 0, mid = 0;
    std::uint32_t pid_full = 0;  // PIDHigh << 16 | PIDLow
    bool reply() const { return flags & smb1::flag_reply; }
    bool unicode() const { return flags2 & smb1::flags2_unicode; }
    bool error() const { return status != 0 && (!(flags2 & smb1::flags2_nt_status) || status::is_error(status)); }
};
ParseStatus parse_smb1_header(Bytes msg, Smb1Header& out);

// One command block: WordCount, Words, ByteCount, Bytes, at `at` in the message.
struct Smb1Block {
    std::size_t at = 0;
    std::uint8_t word_count = 0;
    Bytes words;
    Bytes bytes;
    std::size_t bytes_at = 0;  // offset of Bytes within the message (for alignment)
    // The AndX header (first two words) of AndX commands.
    std::uint8_t andx_command = smb1::no_andx;
    std::uint16_t andx_offset = 0;
};
ParseStatus parse_smb1_block(Bytes msg, std::size_t at, bool andx, Smb1Block& out);
std::string_view smb1_command_name(std::uint8_t c);

struct Smb1NegotiateRequest {
    Bytes dialect_bytes;  // 0x02 "NAME\0" ... ; iterate with next_dialect()
    // Walks the list; returns false at the end.
    bool next_dialect(std::size_t& pos, std::string_view& name) const;
};
ParseStatus parse_smb1_negotiate_request(const Smb1Block& b, Smb1NegotiateRequest& out);
struct Smb1NegotiateResponse {
    std::uint16_t dialect_index = 0xffff;
    std::uint32_t capabilities = 0;
    bool extended_security = false;
};
ParseStatus parse_smb1_negotiate_response(const Smb1Block& b, Smb1NegotiateResponse& out);

struct Smb1SessionSetupRequest {
    bool extended = false;   // WordCount 12: security blob
    Bytes security_blob;
    // WordCount 13 (plain NT LM 0.12 logon): names as sent (ASCII or UTF-16LE)
    Bytes account, domain;
    bool unicode = false;
};
ParseStatus parse_smb1_session_setup_request(Bytes msg, const Smb1Header& h, const Smb1Block& b,
                                             Smb1SessionSetupRequest& out);
struct Smb1SessionSetupResponse {
    std::uint16_t action = 0;  // bit 0: logged on as guest
    Bytes security_blob;
};
ParseStatus parse_smb1_session_setup_response(const Smb1Block& b, Smb1SessionSetupResponse& out);

struct Smb1TreeConnectRequest {
    Bytes path;  // UTF-16LE if unicode, else OEM
    bool unicode = false;
    std::string_view service;  // "?????", "A:", "IPC", ...
};
ParseStatus parse_smb1_tree_connect_request(Bytes msg, const Smb1Header& h, const Smb1Block& b,
                                            Smb1TreeConnectRequest& out);
struct Smb1TreeConnectResponse {
    std::string_view service;  // "A:", "IPC", "LPT1:", "COMM"
    Bytes native_fs;           // UTF-16LE if unicode, else OEM
    bool unicode = false;
};
ParseStatus parse_smb1_tree_connect_response(Bytes msg, const Smb1Header& h, const Smb1Block& b,
                                             Smb1TreeConnectResponse& out);

struct Smb1NtCreateRequest {
    std::uint32_t desired_access = 0;
    std::uint32_t disposition = 0;
    std::uint32_t options = 0;
    Bytes name;
    bool unicode = false;
};
ParseStatus parse_smb1_nt_create_request(Bytes msg, const Smb1Header& h, const Smb1Block& b,
                                         Smb1NtCreateRequest& out);
struct Smb1NtCreateResponse {
    std::uint16_t fid = 0;
    std::uint32_t create_action = 0;
    FileTimes times;
    std::uint32_t attributes = 0;
    std::uint64_t end_of_file = 0;
    std::uint16_t resource_type = 0;
    bool directory = false;
};
ParseStatus parse_smb1_nt_create_response(const Smb1Block& b, Smb1NtCreateResponse& out);

// OPEN_ANDX ([MS-CIFS] 2.2.4.41), used by old clients instead of NT_CREATE_ANDX.
struct Smb1OpenRequest {
    std::uint16_t open_mode = 0;  // OpenMode: bits 0-1 file exists, bit 4 create
    Bytes name;
    bool unicode = false;
};
ParseStatus parse_smb1_open_andx_request(Bytes msg, const Smb1Header& h, const Smb1Block& b, Smb1OpenRequest& out);
struct Smb1OpenResponse {
    std::uint16_t fid = 0;
    std::uint32_t last_write = 0;  // UTIME (seconds since 1970)
    std::uint32_t size = 0;
    std::uint16_t resource_type = 0;
};
ParseStatus parse_smb1_open_andx_response(const Smb1Block& b, Smb1OpenResponse& out);

constexpr std::size_t kSmb1WriteAndxHead = kSmb1HeaderSize + 1 + 2 * 14 + 2;
struct Smb1WriteRequest {
    std::uint16_t fid = 0;
    std::uint64_t offset = 0;
    DataRegion data;  // relative to the message start
};
// Works on a head of the message (the data need not be present).
ParseStatus parse_smb1_write_andx_request(Bytes msg, const Smb1Block& b, Smb1WriteRequest& out);
struct Smb1WriteResponse {
    std::uint32_t count = 0;
};
ParseStatus parse_smb1_write_andx_response(const Smb1Block& b, Smb1WriteResponse& out);

struct Smb1ReadRequest {
    std::uint16_t fid = 0;
    std::uint64_t offset = 0;
    std::uint32_t max_count = 0;
};
ParseStatus parse_smb1_read_andx_request(const Smb1Block& b, Smb1ReadRequest& out);
constexpr std::size_t kSmb1ReadAndxHead = kSmb1HeaderSize + 1 + 2 * 12 + 2;
struct Smb1ReadResponse {
    DataRegion data;  // relative to the message start
};
ParseStatus parse_smb1_read_andx_response(Bytes msg, const Smb1Block& b, Smb1ReadResponse& out);

struct Smb1CloseRequest {
    std::uint16_t fid = 0;
};
ParseStatus parse_smb1_close_request(const Smb1Block& b, Smb1CloseRequest& out);

// ---- Small helpers ----------------------------------------------------------

// FILETIME -> microseconds since the Unix epoch; nullopt for 0 or pre-1970.
std::optional<std::int64_t> filetime_to_us(std::uint64_t ft);

}  // namespace sw::smb
