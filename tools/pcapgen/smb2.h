// SMB2 over NBSS message builders, with the per-connection protocol state a
// real client/server pair keeps: dialect, MessageId sequence, credit balance
// (multi-credit charges for large READ/WRITE), session/tree/file ids. NTLMSSP
// authentication is carried in SPNEGO tokens the way Windows and Samba do it.
//
// Each builder writes one whole NBSS message into a Buf, except WRITE requests
// and READ responses, whose data bytes are appended by the caller (the NBSS
// length already counts them). References: [MS-SMB2] 2.2, [MS-NLMP] 2.2,
// RFC 4178 (SPNEGO), RFC 1002 (NBSS session message).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tools/pcapgen/buf.h"
#include "tools/pcapgen/rng.h"

namespace pcapgen {

constexpr std::uint16_t kDialect210 = 0x0210;
constexpr std::uint16_t kDialect311 = 0x0311;
constexpr std::uint32_t kSmbMaxIo = 8u << 20;  // MaxRead/Write/TransactSize we negotiate

constexpr std::uint32_t kStatusSuccess = 0x00000000;
constexpr std::uint32_t kStatusMoreProcessing = 0xc0000016;

// Windows FILETIME (100 ns since 1601) from Unix nanoseconds.
inline std::uint64_t filetime(std::uint64_t unix_ns) {
    return unix_ns / 100 + 116444736000000000ULL;
}

// Who is talking, as NTLMSSP and the tree path show it.
struct SmbIdentity {
    std::string user;         // "jdoe"
    std::string domain;       // NetBIOS domain, "CORP"
    std::string dns_domain;   // "corp.example"
    std::string workstation;  // client NetBIOS name, "WS-0003"
    std::string server;       // server NetBIOS name, "FS01"
};

class Smb2Conversation {
public:
    Smb2Conversation(std::uint16_t dialect, const SmbIdentity& id, Rng& rng);

    std::uint16_t dialect() const { return dialect_; }
    std::uint64_t session_id() const { return session_id_; }
    std::uint64_t file_persistent() const { return fid_persistent_; }
    std::uint64_t file_volatile() const { return fid_volatile_; }
    std::uint64_t last_message_id() const { return last_mid_; }
    std::uint32_t credits() const { return credits_; }

    void negotiate_request(Buf& b);
    void preauth_context(Buf& b);
    void negotiate_response(Buf& b, std::uint64_t now_ns, std::uint64_t boot_ns);
    void session_setup_negotiate(Buf& b);                          // NTLMSSP NEGOTIATE
    void session_setup_challenge(Buf& b, std::uint64_t now_ns);    // CHALLENGE, MORE_PROCESSING
    void session_setup_authenticate(Buf& b, std::uint64_t now_ns); // AUTHENTICATE
    void session_setup_done(Buf& b);                               // SUCCESS
    void tree_connect_request(Buf& b, std::string_view unc_path);
    // `encrypt` sets SMB2_SHAREFLAG_ENCRYPT_DATA (per-share encryption).
    void tree_connect_response(Buf& b, bool encrypt = false);
    // CREATE: `for_write` overwrites-or-creates, otherwise opens an existing
    // file of `eof` bytes. The response assigns a fresh FileId.
    void create_request(Buf& b, std::string_view name, bool for_write);
    void create_response(Buf& b, bool for_write, std::uint64_t eof, std::uint64_t now_ns);
    void write_request(Buf& b, std::uint32_t data_len, std::uint64_t file_offset);
    void write_response(Buf& b, std::uint32_t count);
    void read_request(Buf& b, std::uint32_t len, std::uint64_t file_offset);
    void read_response(Buf& b, std::uint32_t data_len);
    // SET_INFO FileRenameInformation on the open file (Office's save: the
    // temporary file is renamed to the document's name).
    void rename_request(Buf& b, std::string_view new_name);
    void rename_response(Buf& b);
    void close_request(Buf& b);
    void close_response(Buf& b, std::uint64_t eof, std::uint64_t now_ns);
    void tree_disconnect_request(Buf& b);
    void tree_disconnect_response(Buf& b);
    void logoff_request(Buf& b);
    void logoff_response(Buf& b);

private:
    // Starts a request: NBSS placeholder + 64-byte header; takes the
    // MessageId(s) and credits the charge consumes.
    void request(Buf& b, std::uint16_t cmd, std::uint32_t payload_len);
    // Starts the response to the last request, granting credits.
    void response(Buf& b, std::uint32_t status, bool sign = false);
    void header(Buf& b, std::uint16_t cmd, bool resp, std::uint32_t status, std::uint16_t charge,
                std::uint16_t credits, std::uint64_t mid, bool sign);
    static void finish(Buf& b, std::uint32_t trailing_data);
    void file_id(Buf& b) const;
    std::size_t ntlm_challenge(std::uint8_t* out, std::size_t cap, std::uint64_t now_ns);
    std::size_t ntlm_authenticate(std::uint8_t* out, std::size_t cap, std::uint64_t now_ns);
    std::size_t target_info(Buf& b, std::uint64_t now_ns, bool for_auth);

    std::uint16_t dialect_;
    const SmbIdentity& id_;
    Rng& rng_;
    std::uint8_t client_guid_[16];
    std::uint8_t server_guid_[16];
    std::uint64_t next_mid_ = 0;
    std::uint64_t last_mid_ = 0;
    std::uint16_t last_cmd_ = 0;
    std::uint16_t last_charge_ = 0;
    std::uint16_t last_credit_request_ = 0;
    std::uint32_t credits_ = 1;
    bool authenticated_ = false;
    std::uint64_t session_id_ = 0;
    std::uint32_t tree_id_ = 0;
    std::uint64_t fid_persistent_ = 0;
    std::uint64_t fid_volatile_ = 0;
    std::uint8_t server_challenge_[8];
    std::uint64_t challenge_time_ = 0;
};

}  // namespace pcapgen
