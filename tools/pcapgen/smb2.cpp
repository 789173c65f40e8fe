#include "tools/pcapgen/smb2.h"

#include <algorithm>

namespace pcapgen {
namespace {

constexpr std::uint16_t kNegotiate = 0x0000;
constexpr std::uint16_t kSessionSetup = 0x0001;
constexpr std::uint16_t kLogoff = 0x0002;
constexpr std::uint16_t kTreeConnect = 0x0003;
constexpr std::uint16_t kTreeDisconnect = 0x0004;
constexpr std::uint16_t kCreate = 0x0005;
constexpr std::uint16_t kClose = 0x0006;
constexpr std::uint16_t kRead = 0x0008;
constexpr std::uint16_t kWrite = 0x0009;
constexpr std::uint16_t kSetInfo = 0x0011;

constexpr std::uint32_t kFlagResponse = 0x00000001;
constexpr std::uint32_t kFlagSigned = 0x00000008;
constexpr std::uint32_t kTargetCredits = 512;

// OIDs, DER content octets.
constexpr std::uint8_t kOidSpnego[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
constexpr std::uint8_t kOidNtlmssp[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};

// NTLMSSP negotiate flags as Windows 10 clients and Windows Server send them.
constexpr std::uint32_t kNtlmNegotiateFlags = 0xe2088297;
constexpr std::uint32_t kNtlmChallengeFlags = 0xe28a8215;
constexpr std::uint32_t kNtlmAuthenticateFlags = 0xe2888215;

std::size_t der_len_size(std::size_t n) { return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4; }
std::size_t tlv(std::size_t n) { return 1 + der_len_size(n) + n; }
void der(Buf& b, std::uint8_t tag, std::size_t n) {
    b.u8(tag);
    if (n < 0x80) {
        b.u8(static_cast<std::uint32_t>(n));
    } else if (n < 0x100) {
        b.u8(0x81);
        b.u8(static_cast<std::uint32_t>(n));
    } else if (n < 0x10000) {
        b.u8(0x82);
        b.be16(static_cast<std::uint32_t>(n));
    } else {
        b.u8(0x83);
        b.u8(static_cast<std::uint32_t>(n >> 16));
        b.be16(static_cast<std::uint32_t>(n & 0xffff));
    }
}
void der_oid(Buf& b, const std::uint8_t* oid, std::size_t n) {
    der(b, 0x06, n);
    b.bytes(oid, n);
}

// GSS-API InitialContextToken carrying a SPNEGO negTokenInit whose only
// mechanism is NTLMSSP, optionally with a mechToken (RFC 4178 4.2.1).
void spnego_init(Buf& b, const std::uint8_t* token, std::size_t token_len) {
    const std::size_t mech_list = tlv(tlv(sizeof kOidNtlmssp));      // 30 { oid }
    const std::size_t a0 = tlv(mech_list);                             // [0] mechTypes
    const std::size_t a2 = token ? tlv(tlv(token_len)) : 0;            // [2] mechToken
    const std::size_t seq = tlv(a0 + a2);                              // NegTokenInit
    const std::size_t choice = tlv(seq);                               // [0] negTokenInit
    der(b, 0x60, tlv(sizeof kOidSpnego) + choice);
    der_oid(b, kOidSpnego, sizeof kOidSpnego);
    der(b, 0xa0, seq);
    der(b, 0x30, a0 + a2);
    der(b, 0xa0, mech_list);
    der(b, 0x30, tlv(sizeof kOidNtlmssp));
    der_oid(b, kOidNtlmssp, sizeof kOidNtlmssp);
    if (token) {
        der(b, 0xa2, tlv(token_len));
        der(b, 0x04, token_len);
        b.bytes(token, token_len);
    }
}

// SPNEGO negTokenResp (RFC 4178 4.2.2). state < 0 leaves negState out.
void spnego_resp(Buf& b, int state, bool supported_mech, const std::uint8_t* token,
                 std::size_t token_len, const std::uint8_t* mic) {
    const std::size_t a0 = state >= 0 ? tlv(tlv(1)) : 0;
    const std::size_t a1 = supported_mech ? tlv(tlv(sizeof kOidNtlmssp)) : 0;
    const std::size_t a2 = token ? tlv(tlv(token_len)) : 0;
    const std::size_t a3 = mic ? tlv(tlv(16)) : 0;
    const std::size_t body = a0 + a1 + a2 + a3;
    der(b, 0xa1, tlv(body));
    der(b, 0x30, body);
    if (state >= 0) {
        der(b, 0xa0, tlv(1));
        der(b, 0x0a, 1);
        b.u8(static_cast<std::uint32_t>(state));
    }
    if (supported_mech) {
        der(b, 0xa1, tlv(sizeof kOidNtlmssp));
        der_oid(b, kOidNtlmssp, sizeof kOidNtlmssp);
    }
    if (token) {
        der(b, 0xa2, tlv(token_len));
        der(b, 0x04, token_len);
        b.bytes(token, token_len);
    }
    if (mic) {
        der(b, 0xa3, tlv(16));
        der(b, 0x04, 16);
        b.bytes(mic, 16);
    }
}

void random_bytes(Rng& rng, std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(rng.next() >> 56);
}

// SPNEGO mechListMIC for NTLMSSP: an NTLMSSP_MESSAGE_SIGNATURE (MS-NLMP
// 2.2.2.9.1): version 1, 8-byte checksum, sequence number 0.
void mech_list_mic(Rng& rng, std::uint8_t* mic) {
    store_le32(mic, 1);
    random_bytes(rng, mic + 4, 8);
    store_le32(mic + 12, 0);
}

// An NTLMSSP security-buffer descriptor (len, maxlen, offset) patched later.
void ntlm_field(std::uint8_t* at, std::size_t len, std::size_t off) {
    store_le16(at, static_cast<std::uint32_t>(len));
    store_le16(at + 2, static_cast<std::uint32_t>(len));
    store_le32(at + 4, static_cast<std::uint32_t>(off));
}

void av_pair(Buf& b, std::uint16_t id, std::string_view ascii) {
    b.le16(id);
    b.le16(static_cast<std::uint32_t>(ascii.size() * 2));
    b.utf16(ascii);
}

std::string lower(std::string_view s) {
    std::string r(s);
    for (auto& c : r)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return r;
}

}  // namespace

Smb2Conversation::Smb2Conversation(std::uint16_t dialect, const SmbIdentity& id, Rng& rng)
    : dialect_(dialect), id_(id), rng_(rng) {
    random_bytes(rng_, client_guid_, 16);
    random_bytes(rng_, server_guid_, 16);
    random_bytes(rng_, server_challenge_, 8);
}

void Smb2Conversation::header(Buf& b, std::uint16_t cmd, bool resp, std::uint32_t status,
                              std::uint16_t charge, std::uint16_t credits, std::uint64_t mid,
                              bool sign) {
    b.u8(0xfe);
    b.str("SMB");
    b.le16(64);
    b.le16(charge);
    b.le32(status);
    b.le16(cmd);
    b.le16(credits);
    b.le32((resp ? kFlagResponse : 0) | (sign ? kFlagSigned : 0));
    b.le32(0);  // NextCommand
    b.le64(mid);
    b.le32(0xfeff);  // Reserved (ProcessId)
    b.le32(cmd == kNegotiate || cmd == kSessionSetup || (cmd == kTreeConnect && !resp) ? 0 : tree_id_);
    b.le64(cmd == kNegotiate ? 0 : session_id_);
    if (sign) {
        std::uint8_t sig[16];
        random_bytes(rng_, sig, 16);
        b.bytes(sig, 16);
    } else {
        b.zeros(16);
    }
}

void Smb2Conversation::request(Buf& b, std::uint16_t cmd, std::uint32_t payload_len) {
    std::uint16_t charge = cmd == kNegotiate ? 0 : 1;
    if (cmd == kRead || cmd == kWrite)
        charge = static_cast<std::uint16_t>(std::max<std::uint32_t>(1, (payload_len + 65535) / 65536));
    const std::uint16_t consumed = std::max<std::uint16_t>(1, charge);
    // The conversation keeps the balance at kTargetCredits once
    // authenticated, far above the largest charge (8 MiB = 128 credits).
    credits_ -= std::min<std::uint32_t>(credits_, consumed);
    last_mid_ = next_mid_;
    next_mid_ += consumed;
    last_cmd_ = cmd;
    last_charge_ = consumed;
    last_credit_request_ = static_cast<std::uint16_t>(
        std::max<std::uint32_t>(consumed, kTargetCredits - credits_));
    b.be32(0);  // NBSS header, patched by finish()
    header(b, cmd, false, 0, charge, last_credit_request_, last_mid_, false);
}

void Smb2Conversation::response(Buf& b, std::uint32_t status, bool sign) {
    // Before authentication completes servers grant one credit per request.
    std::uint16_t grant = 1;
    if (last_cmd_ != kNegotiate && !(last_cmd_ == kSessionSetup && status != kStatusSuccess))
        grant = last_credit_request_;
    credits_ += grant;
    b.be32(0);
    header(b, last_cmd_, true, status, last_charge_, grant, last_mid_, sign);
}

void Smb2Conversation::finish(Buf& b, std::uint32_t trailing_data) {
    const std::uint32_t len = static_cast<std::uint32_t>(b.size() - 4) + trailing_data;
    std::uint8_t* p = b.at(0);
    p[0] = 0;  // NBSS session message
    p[1] = static_cast<std::uint8_t>(len >> 16);
    p[2] = static_cast<std::uint8_t>(len >> 8);
    p[3] = static_cast<std::uint8_t>(len);
}

void Smb2Conversation::file_id(Buf& b) const {
    b.le64(fid_persistent_);
    b.le64(fid_volatile_);
}

// SMB2_PREAUTH_INTEGRITY_CAPABILITIES context: one hash (SHA-512), 32-byte salt.
void Smb2Conversation::preauth_context(Buf& b) {
    b.le16(0x0001);
    b.le16(38);
    b.le32(0);
    b.le16(1);
    b.le16(32);
    b.le16(0x0001);
    std::uint8_t salt[32];
    random_bytes(rng_, salt, 32);
    b.bytes(salt, 32);
}

void Smb2Conversation::negotiate_request(Buf& b) {
    request(b, kNegotiate, 0);
    const bool v311 = dialect_ == kDialect311;
    static constexpr std::uint16_t k311[] = {0x0202, 0x0210, 0x0300, 0x0302, 0x0311};
    static constexpr std::uint16_t k21[] = {0x0202, 0x0210};
    const std::uint16_t* dialects = v311 ? k311 : k21;
    const std::size_t n = v311 ? 5 : 2;
    b.le16(36);
    b.le16(static_cast<std::uint32_t>(n));
    b.le16(0x0001);  // SecurityMode: signing enabled
    b.le16(0);
    b.le32(v311 ? 0x7f : 0x07);  // Capabilities
    b.bytes(client_guid_, 16);
    const std::size_t ctx_off_at = b.size();
    b.le32(0);  // NegotiateContextOffset / ClientStartTime low
    b.le16(v311 ? 2 : 0);
    b.le16(0);
    for (std::size_t i = 0; i < n; ++i) b.le16(dialects[i]);
    if (v311) {
        b.align(8, 4);
        store_le32(b.at(ctx_off_at), static_cast<std::uint32_t>(b.size() - 4));
        preauth_context(b);
        b.align(8, 4);
        // SMB2_ENCRYPTION_CAPABILITIES: AES-128-GCM, AES-128-CCM, AES-256-GCM, AES-256-CCM.
        b.le16(0x0002);
        b.le16(10);
        b.le32(0);
        b.le16(4);
        b.le16(0x0002);
        b.le16(0x0001);
        b.le16(0x0004);
        b.le16(0x0003);
    }
    finish(b, 0);
}

void Smb2Conversation::negotiate_response(Buf& b, std::uint64_t now_ns, std::uint64_t boot_ns) {
    response(b, kStatusSuccess);
    const bool v311 = dialect_ == kDialect311;
    b.le16(65);
    b.le16(0x0001);
    b.le16(dialect_);
    b.le16(v311 ? 2 : 0);
    b.bytes(server_guid_, 16);
    b.le32(v311 ? 0x2f : 0x07);
    b.le32(kSmbMaxIo);
    b.le32(kSmbMaxIo);
    b.le32(kSmbMaxIo);
    b.le64(filetime(now_ns));
    b.le64(filetime(boot_ns));
    const std::size_t sec_at = b.size();
    b.le16(0x80);
    b.le16(0);
    const std::size_t ctx_off_at = b.size();
    b.le32(0);
    const std::size_t blob_start = b.size();
    spnego_init(b, nullptr, 0);
    store_le16(b.at(sec_at + 2), static_cast<std::uint32_t>(b.size() - blob_start));
    if (v311) {
        b.align(8, 4);
        store_le32(b.at(ctx_off_at), static_cast<std::uint32_t>(b.size() - 4));
        preauth_context(b);
        b.align(8, 4);
        b.le16(0x0002);
        b.le16(4);
        b.le32(0);
        b.le16(1);
        b.le16(0x0002);  // AES-128-GCM chosen
    }
    finish(b, 0);
}

void Smb2Conversation::session_setup_negotiate(Buf& b) {
    // NTLMSSP_NEGOTIATE: signature, type 1, flags, empty domain and
    // workstation fields, version 10.0.19041 / NTLM revision 15.
    std::uint8_t tok[40];
    Buf t(tok, sizeof tok);
    t.str(std::string_view("NTLMSSP\0", 8));
    t.le32(1);
    t.le32(kNtlmNegotiateFlags);
    t.zeros(16);
    t.bytes("\x0a\x00\x61\x4a\x00\x00\x00\x0f", 8);

    request(b, kSessionSetup, 0);
    b.le16(25);
    b.u8(0);
    b.u8(0x01);
    b.le32(0x00000001);
    b.le32(0);
    b.le16(0x58);
    const std::size_t len_at = b.size();
    b.le16(0);
    b.le64(0);
    const std::size_t blob = b.size();
    spnego_init(b, tok, t.size());
    store_le16(b.at(len_at), static_cast<std::uint32_t>(b.size() - blob));
    finish(b, 0);
}

std::size_t Smb2Conversation::target_info(Buf& b, std::uint64_t now_ns, bool for_auth) {
    const std::size_t start = b.size();
    const std::string dns_host = lower(id_.server) + "." + id_.dns_domain;
    av_pair(b, 2, id_.domain);        // MsvAvNbDomainName
    av_pair(b, 1, id_.server);        // MsvAvNbComputerName
    av_pair(b, 4, id_.dns_domain);    // MsvAvDnsDomainName
    av_pair(b, 3, dns_host);          // MsvAvDnsComputerName
    av_pair(b, 5, id_.dns_domain);    // MsvAvDnsTreeName
    b.le16(7);                        // MsvAvTimestamp
    b.le16(8);
    b.le64(filetime(now_ns));
    if (for_auth) {
        b.le16(6);  // MsvAvFlags: MIC present
        b.le16(4);
        b.le32(2);
        b.le16(10);  // MsvAvChannelBindings: none
        b.le16(16);
        b.zeros(16);
        const std::string spn = "cifs/" + id_.server;
        av_pair(b, 9, spn);  // MsvAvTargetName
    }
    b.le32(0);  // MsvAvEOL
    return b.size() - start;
}

std::size_t Smb2Conversation::ntlm_challenge(std::uint8_t* out, std::size_t cap, std::uint64_t now_ns) {
    Buf t(out, cap);
    t.str(std::string_view("NTLMSSP\0", 8));
    t.le32(2);
    t.zeros(8);  // TargetNameFields
    t.le32(kNtlmChallengeFlags);
    t.bytes(server_challenge_, 8);
    t.zeros(8);
    t.zeros(8);                                   // TargetInfoFields
    t.bytes("\x0a\x00\x7c\x4f\x00\x00\x00\x0f", 8);  // 10.0.20348
    const std::size_t name_off = t.size();
    t.utf16(id_.domain);
    ntlm_field(t.at(12), t.size() - name_off, name_off);
    const std::size_t info_off = t.size();
    const std::size_t info_len = target_info(t, now_ns, false);
    ntlm_field(t.at(40), info_len, info_off);
    return t.size();
}

void Smb2Conversation::session_setup_challenge(Buf& b, std::uint64_t now_ns) {
    challenge_time_ = now_ns;
    session_id_ = rng_.next() | 1;
    std::uint8_t tok[512];
    const std::size_t n = ntlm_challenge(tok, sizeof tok, now_ns);
    response(b, kStatusMoreProcessing);
    b.le16(9);
    b.le16(0);
    b.le16(0x48);
    const std::size_t len_at = b.size();
    b.le16(0);
    const std::size_t blob = b.size();
    spnego_resp(b, 1, true, tok, n, nullptr);  // accept-incomplete
    store_le16(b.at(len_at), static_cast<std::uint32_t>(b.size() - blob));
    finish(b, 0);
}

std::size_t Smb2Conversation::ntlm_authenticate(std::uint8_t* out, std::size_t cap, std::uint64_t now_ns) {
    Buf t(out, cap);
    t.str(std::string_view("NTLMSSP\0", 8));
    t.le32(3);
    t.zeros(48);  // Lm, Nt, Domain, User, Workstation, EncryptedRandomSessionKey fields
    t.le32(kNtlmAuthenticateFlags);
    t.bytes("\x0a\x00\x61\x4a\x00\x00\x00\x0f", 8);
    std::uint8_t mic[16];
    random_bytes(rng_, mic, 16);
    t.bytes(mic, 16);

    std::size_t off = t.size();
    t.utf16(id_.domain);
    ntlm_field(t.at(28), t.size() - off, off);
    off = t.size();
    t.utf16(id_.user);
    ntlm_field(t.at(36), t.size() - off, off);
    off = t.size();
    t.utf16(id_.workstation);
    ntlm_field(t.at(44), t.size() - off, off);
    off = t.size();
    t.zeros(24);  // LmChallengeResponse: Z(24) when NTLMv2 with a MIC
    ntlm_field(t.at(12), 24, off);
    // NTLMv2 response: NTProofStr, then the client blob (MS-NLMP 2.2.2.7).
    off = t.size();
    std::uint8_t proof[16];
    random_bytes(rng_, proof, 16);
    t.bytes(proof, 16);
    t.u8(1);
    t.u8(1);
    t.zeros(6);
    t.le64(filetime(now_ns));
    std::uint8_t cchal[8];
    random_bytes(rng_, cchal, 8);
    t.bytes(cchal, 8);
    t.zeros(4);
    target_info(t, challenge_time_, true);
    t.zeros(4);
    ntlm_field(t.at(20), t.size() - off, off);
    off = t.size();
    std::uint8_t key[16];
    random_bytes(rng_, key, 16);
    t.bytes(key, 16);
    ntlm_field(t.at(52), 16, off);
    return t.size();
}

void Smb2Conversation::session_setup_authenticate(Buf& b, std::uint64_t now_ns) {
    std::uint8_t tok[1024];
    const std::size_t n = ntlm_authenticate(tok, sizeof tok, now_ns);
    std::uint8_t mic[16];
    mech_list_mic(rng_, mic);
    request(b, kSessionSetup, 0);
    b.le16(25);
    b.u8(0);
    b.u8(0x01);
    b.le32(0x00000001);
    b.le32(0);
    b.le16(0x58);
    const std::size_t len_at = b.size();
    b.le16(0);
    b.le64(0);
    const std::size_t blob = b.size();
    spnego_resp(b, -1, false, tok, n, mic);
    store_le16(b.at(len_at), static_cast<std::uint32_t>(b.size() - blob));
    finish(b, 0);
}

void Smb2Conversation::session_setup_done(Buf& b) {
    std::uint8_t mic[16];
    mech_list_mic(rng_, mic);
    // SMB 3.1.1 requires the final SESSION_SETUP response to be signed.
    response(b, kStatusSuccess, dialect_ == kDialect311);
    authenticated_ = true;
    b.le16(9);
    b.le16(0);
    b.le16(0x48);
    const std::size_t len_at = b.size();
    b.le16(0);
    const std::size_t blob = b.size();
    spnego_resp(b, 0, false, nullptr, 0, mic);  // accept-completed
    store_le16(b.at(len_at), static_cast<std::uint32_t>(b.size() - blob));
    finish(b, 0);
}

void Smb2Conversation::tree_connect_request(Buf& b, std::string_view unc_path) {
    request(b, kTreeConnect, 0);
    b.le16(9);
    b.le16(0);
    b.le16(0x48);
    b.le16(static_cast<std::uint32_t>(unc_path.size() * 2));
    b.utf16(unc_path);
    finish(b, 0);
}

void Smb2Conversation::tree_connect_response(Buf& b, bool encrypt) {
    tree_id_ = static_cast<std::uint32_t>(rng_.range(1, 0xffff));
    response(b, kStatusSuccess);
    b.le16(16);
    b.u8(0x01);  // disk share
    b.u8(0);
    b.le32(encrypt ? 0x00008000 : 0);  // SMB2_SHAREFLAG_ENCRYPT_DATA
    b.le32(0);
    b.le32(0x001f01ff);
    finish(b, 0);
}

void Smb2Conversation::create_request(Buf& b, std::string_view name, bool for_write) {
    request(b, kCreate, 0);
    b.le16(57);
    b.u8(0);
    b.u8(0);     // no oplock
    b.le32(2);   // impersonation
    b.le64(0);
    b.le64(0);
    b.le32(for_write ? 0x0012019f : 0x00120089);
    b.le32(for_write ? 0x80 : 0);
    b.le32(0x00000007);
    b.le32(for_write ? 5 : 1);  // FILE_OVERWRITE_IF / FILE_OPEN
    b.le32(0x00000044);         // non-directory, sequential only
    b.le16(0x78);
    b.le16(static_cast<std::uint32_t>(name.size() * 2));
    b.le32(0);
    b.le32(0);
    b.utf16(name);
    finish(b, 0);
}

void Smb2Conversation::create_response(Buf& b, bool for_write, std::uint64_t eof, std::uint64_t now_ns) {
    fid_persistent_ = rng_.next();
    fid_volatile_ = rng_.next();
    response(b, kStatusSuccess);
    const std::uint64_t ft = filetime(now_ns);
    const std::uint64_t created = for_write ? ft : ft - 864000000000ULL * rng_.range(1, 400);
    b.le16(89);
    b.u8(0);
    b.u8(0);
    b.le32(for_write ? 2 : 1);  // FILE_CREATED / FILE_OPENED
    b.le64(created);
    b.le64(ft);
    b.le64(for_write ? ft : created);
    b.le64(for_write ? ft : created);
    b.le64((eof + 4095) / 4096 * 4096);
    b.le64(eof);
    b.le32(0x20);  // archive
    b.le32(0);
    file_id(b);
    b.le32(0);
    b.le32(0);
    finish(b, 0);
}

void Smb2Conversation::write_request(Buf& b, std::uint32_t data_len, std::uint64_t file_offset) {
    request(b, kWrite, data_len);
    b.le16(49);
    b.le16(0x70);
    b.le32(data_len);
    b.le64(file_offset);
    file_id(b);
    b.le32(0);
    b.le32(0);
    b.le16(0);
    b.le16(0);
    b.le32(0);
    finish(b, data_len);
}

void Smb2Conversation::write_response(Buf& b, std::uint32_t count) {
    response(b, kStatusSuccess);
    b.le16(17);
    b.le16(0);
    b.le32(count);
    b.le32(0);
    b.le16(0);
    b.le16(0);
    finish(b, 0);
}

void Smb2Conversation::read_request(Buf& b, std::uint32_t len, std::uint64_t file_offset) {
    request(b, kRead, len);
    b.le16(49);
    b.u8(0x50);
    b.u8(0);
    b.le32(len);
    b.le64(file_offset);
    file_id(b);
    b.le32(0);
    b.le32(0);
    b.le32(0);
    b.le16(0);
    b.le16(0);
    b.u8(0);
    finish(b, 0);
}

void Smb2Conversation::read_response(Buf& b, std::uint32_t data_len) {
    response(b, kStatusSuccess);
    b.le16(17);
    b.u8(0x50);
    b.u8(0);
    b.le32(data_len);
    b.le32(0);
    b.le32(0);
    finish(b, data_len);
}

void Smb2Conversation::rename_request(Buf& b, std::string_view new_name) {
    request(b, kSetInfo, 0);
    b.le16(33);
    b.u8(0x01);  // SMB2_0_INFO_FILE
    b.u8(10);    // FileRenameInformation
    b.le32(static_cast<std::uint32_t>(20 + new_name.size() * 2));
    b.le16(64 + 32);  // buffer right after the fixed part
    b.le16(0);
    b.le32(0);
    file_id(b);
    // FILE_RENAME_INFORMATION_TYPE_2: ReplaceIfExists, 7 reserved bytes,
    // RootDirectory, FileNameLength, FileName (full path from the share root).
    b.u8(1);
    b.zeros(7);
    b.le64(0);
    b.le32(static_cast<std::uint32_t>(new_name.size() * 2));
    b.utf16(new_name);
    finish(b, 0);
}

void Smb2Conversation::rename_response(Buf& b) {
    response(b, kStatusSuccess);
    b.le16(2);
    finish(b, 0);
}

void Smb2Conversation::close_request(Buf& b) {
    request(b, kClose, 0);
    b.le16(24);
    b.le16(0x0001);  // SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB
    b.le32(0);
    file_id(b);
    finish(b, 0);
}

void Smb2Conversation::close_response(Buf& b, std::uint64_t eof, std::uint64_t now_ns) {
    response(b, kStatusSuccess);
    const std::uint64_t ft = filetime(now_ns);
    b.le16(60);
    b.le16(0x0001);
    b.le32(0);
    b.le64(ft);
    b.le64(ft);
    b.le64(ft);
    b.le64(ft);
    b.le64((eof + 4095) / 4096 * 4096);
    b.le64(eof);
    b.le32(0x20);
    finish(b, 0);
}

void Smb2Conversation::tree_disconnect_request(Buf& b) {
    request(b, kTreeDisconnect, 0);
    b.le16(4);
    b.le16(0);
    finish(b, 0);
}
void Smb2Conversation::tree_disconnect_response(Buf& b) {
    response(b, kStatusSuccess);
    b.le16(4);
    b.le16(0);
    finish(b, 0);
}
void Smb2Conversation::logoff_request(Buf& b) {
    request(b, kLogoff, 0);
    b.le16(4);
    b.le16(0);
    finish(b, 0);
}
void Smb2Conversation::logoff_response(Buf& b) {
    response(b, kStatusSuccess);
    b.le16(4);
    b.le16(0);
    finish(b, 0);
}

}  // namespace pcapgen
