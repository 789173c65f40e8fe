// Security blobs carried by SMB SESSION_SETUP: GSS-API / SPNEGO (RFC 4178,
// RFC 2743 3.1) wrapping NTLMSSP ([MS-NLMP] 2.2) or Kerberos (RFC 4121).
// Pure parsers over bytes; results hold spans into the input.
#pragma once

#include <cstdint>

#include "capture/byte_reader.h"
#include "dissectors/smb2/smb_records.h"

namespace sw::smb {

enum class Mech : std::uint8_t { none, ntlmssp, kerberos, other };
std::string_view mech_name(Mech m);

struct GssToken {
    Mech mech = Mech::none;     // what the token carries (or, for a bare SPNEGO
                                // response, the mechanism the server chose)
    Bytes ntlmssp;              // the NTLMSSP message, if any
    bool spnego = false;        // wrapped in SPNEGO
    int neg_state = -1;         // NegTokenResp negState (0 accept-completed, 1 incomplete, 2 reject)
    Mech first_offered = Mech::none;  // first mechType of a NegTokenInit
};
// Accepts raw NTLMSSP, a GSS InitialContextToken (SPNEGO, Kerberos or NTLM
// OID) or a bare NegTokenInit/NegTokenResp. Fails on malformed DER.
ParseStatus parse_gss_token(Bytes blob, GssToken& out);

namespace ntlm {
constexpr std::uint32_t negotiate = 1, challenge = 2, authenticate = 3;
constexpr std::uint32_t flag_unicode = 0x00000001, flag_oem = 0x00000002;
}  // namespace ntlm

struct NtlmMessage {
    std::uint32_t type = 0;
    std::uint32_t flags = 0;
    bool unicode = false;  // strings are UTF-16LE (else OEM)
    // CHALLENGE
    Bytes target_name;
    Bytes nb_computer, nb_domain, dns_computer, dns_domain, dns_tree;  // AV pairs (UTF-16LE)
    // AUTHENTICATE
    Bytes domain, user, workstation;
    Bytes lm_response, nt_response;
    bool anonymous() const { return user.empty() && nt_response.empty(); }
};
ParseStatus parse_ntlmssp(Bytes msg, NtlmMessage& out);

}  // namespace sw::smb
