// SSH records: pure parsers over ByteReader (bytes in, typed record of views
// out). Nothing here keeps state or allocates; every function can be unit
// tested and fuzzed alone.
//
// References: RFC 4253 (transport: identification string 4.2, binary packet
// 6, algorithm negotiation 7.1, KEXINIT 7.1, DH reply 8), RFC 5656 (ECDH
// reply), RFC 8731 (curve25519), RFC 4419 (group exchange).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "capture/byte_reader.h"

namespace sw::ssh {

// SSH message numbers we look at (RFC 4250 4.1.2).
enum MsgCode : std::uint8_t {
    kMsgDisconnect = 1,
    kMsgIgnore = 2,
    kMsgKexinit = 20,
    kMsgNewkeys = 21,
    kMsgKex30 = 30,  // KEXDH_INIT / KEX_ECDH_INIT / KEX_DH_GEX_REQUEST_OLD  (client)
    kMsgKex31 = 31,  // KEXDH_REPLY / KEX_ECDH_REPLY / KEX_DH_GEX_GROUP      (server)
    kMsgKex32 = 32,  // KEX_DH_GEX_INIT                                      (client)
    kMsgKex33 = 33,  // KEX_DH_GEX_REPLY                                     (server)
    kMsgKex34 = 34,  // KEX_DH_GEX_REQUEST                                   (client)
};

// ---------------------------------------------------------------------------
// Identification string: "SSH-protoversion-softwareversion SP comments CR LF"

struct IdentLine {
    std::string_view line;          // without the line terminator
    std::string_view proto_version; // "2.0", "1.99", "1.5"
    std::string_view software;      // "OpenSSH_7.4p1"
    std::string_view comments;      // "Debian-10+deb9u3" ("" if none)
    bool crlf = false;              // terminated by CR LF (else LF only)
};

// One line at the start of `in`: where it ends and whether it is complete.
struct LineScan {
    enum class Status { complete, need_more, too_long } status = Status::need_more;
    std::size_t content_len = 0;  // bytes before the terminator
    std::size_t total_len = 0;    // including the terminator (complete only)
    bool crlf = false;
};

// Finds the end of the first line ('\n', optionally preceded by '\r') within
// the first `max_len` bytes. Pure.
LineScan scan_line(Bytes in, std::size_t max_len);

// True if the line is an SSH identification line (starts with "SSH-"). RFC
// 4253 4.2: other lines (which must not start with "SSH-") may precede it.
bool is_ident_line(std::string_view line);

// Splits an identification line (without terminator) into its parts. Fails
// if it does not start with "SSH-" or has no "-" after the protocol version.
std::optional<IdentLine> parse_ident(std::string_view line);

// Protocol major version an identification announces: 2 for "2.x", 1 for
// "1.x" except "1.99" which means "2 and 1" (returned as 199); 0 if unknown.
int ident_protocol(std::string_view proto_version);

// ---------------------------------------------------------------------------
// Binary packet (RFC 4253 6): uint32 packet_length, byte padding_length,
// payload, random padding (then a MAC once keys are in use).

struct PacketHeaderCheck {
    enum class Status { ok, need_more, bad_length, bad_padding } status = Status::need_more;
    std::uint32_t packet_length = 0;
    std::size_t total = 0;  // 4 + packet_length (ok only)
};

// Looks at the 5-byte header at the start of `in`. bad_length: packet_length
// below the minimum (padding_length byte + 4 padding bytes) or above
// `max_packet_length`; bad_padding: padding does not fit in the packet.
PacketHeaderCheck check_packet_header(Bytes in, std::uint32_t max_packet_length);

struct BinaryPacket {
    std::uint32_t packet_length = 0;
    std::uint8_t padding_length = 0;
    Bytes payload;  // first byte is the message code
    Bytes padding;
};

// Parses one complete cleartext binary packet from the start of `r` and
// advances past it. Fails (nothing consumed) when the packet is incomplete,
// its length is out of range or its padding does not fit.
std::optional<BinaryPacket> parse_binary_packet(ByteReader& r, std::uint32_t max_packet_length);

// ---------------------------------------------------------------------------
// SSH_MSG_KEXINIT (RFC 4253 7.1)

enum KexList : int {
    kKexAlgorithms = 0,
    kServerHostKeyAlgorithms,
    kEncryptionC2S,
    kEncryptionS2C,
    kMacC2S,
    kMacS2C,
    kCompressionC2S,
    kCompressionS2C,
    kLanguagesC2S,
    kLanguagesS2C,
    kKexListCount
};

struct Kexinit {
    Bytes cookie;                                      // 16 bytes
    std::array<std::string_view, kKexListCount> lists; // comma-separated, as sent
    bool first_kex_packet_follows = false;
    std::uint32_t reserved = 0;
};

// `payload` starts with the message code (20). Fails if any name-list runs
// past the payload or the trailing fields are missing.
std::optional<Kexinit> parse_kexinit(Bytes payload);

// ---------------------------------------------------------------------------
// Key exchange reply: the server's host key K_S is the first field after the
// message code in KEXDH_REPLY (RFC 4253 8), KEX_ECDH_REPLY (RFC 5656 4,
// curve25519 RFC 8731, hybrid PQ kex) and KEX_DH_GEX_REPLY (RFC 4419 3).

struct KexReply {
    Bytes host_key;               // K_S blob: string type, then key data
    std::string_view key_type;    // "ssh-ed25519", "ssh-rsa", ...
};

// `payload` starts with the message code (31 or 33). Fails if K_S runs past
// the payload or does not start with a well-formed type string.
std::optional<KexReply> parse_kex_reply_host_key(Bytes payload);

// ---------------------------------------------------------------------------
// Name-lists

// True if `name` is one of the comma-separated names in `list`.
bool name_list_contains(std::string_view list, std::string_view name);

// RFC 4253 7.1: the first algorithm on the client's list that is also on the
// server's list. Empty if none.
std::string_view negotiate(std::string_view client_list, std::string_view server_list);

}  // namespace sw::ssh
