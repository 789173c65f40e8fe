// Security blobs (gss_records): SPNEGO NegTokenInit/NegTokenResp, NTLMSSP
// AUTHENTICATE and CHALLENGE, Kerberos, with commented fixtures per record
// and per malformed case.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "dissectors/smb2/gss_records.h"
#include "dissectors/smb2/smb_strings.h"
#include "support.h"

namespace sw::smb {
namespace {

using sw::test::hex;

std::string utf8(Bytes b, bool unicode = true) {
    std::string s;
    append_name(b, unicode, s, 1024);
    return s;
}

// NTLMSSP AUTHENTICATE ([MS-NLMP] 2.2.1.3) without Version/MIC: payload at 0x40.
const char* kAuthenticate =
    "4e 54 4c 4d 53 53 50 00  # Signature NTLMSSP\\0\n"
    "03 00 00 00              # MessageType AUTHENTICATE\n"
    "00 00 00 00 40 00 00 00  # LmChallengeResponse: len 0 at 0x40\n"
    "02 00 02 00 40 00 00 00  # NtChallengeResponse: len 2 at 0x40\n"
    "06 00 06 00 42 00 00 00  # DomainName: len 6 at 0x42\n"
    "06 00 06 00 48 00 00 00  # UserName: len 6 at 0x48\n"
    "06 00 06 00 4e 00 00 00  # Workstation: len 6 at 0x4e\n"
    "00 00 00 00 54 00 00 00  # EncryptedRandomSessionKey: empty\n"
    "01 02 08 a2              # NegotiateFlags (UNICODE set)\n"
    "aa bb                    # NT response\n"
    "4c 00 41 00 42 00        # LAB\n"
    "62 00 6f 00 62 00        # bob\n"
    "57 00 53 00 31 00        # WS1\n";

TEST(SmbAuth, RawNtlmsspAuthenticate) {
    GssToken t;
    auto b = hex(kAuthenticate);
    ASSERT_TRUE(parse_gss_token(b, t));
    EXPECT_EQ(t.mech, Mech::ntlmssp);
    EXPECT_FALSE(t.spnego);
    NtlmMessage m;
    ASSERT_TRUE(parse_ntlmssp(t.ntlmssp, m));
    EXPECT_EQ(m.type, ntlm::authenticate);
    EXPECT_TRUE(m.unicode);
    EXPECT_EQ(utf8(m.domain), "LAB");
    EXPECT_EQ(utf8(m.user), "bob");
    EXPECT_EQ(utf8(m.workstation), "WS1");
    EXPECT_FALSE(m.anonymous());
}

TEST(SmbAuth, SpnegoNegTokenRespWithAuthenticate) {
    auto b = hex(std::string("a1 5a        # [1] NegTokenResp, 90 bytes\n"
                             "30 58        # SEQUENCE, 88\n"
                             "a2 56        # [2] responseToken, 86\n"
                             "04 54        # OCTET STRING, 84: the NTLMSSP message\n") +
                 kAuthenticate);
    GssToken t;
    ASSERT_TRUE(parse_gss_token(b, t));
    EXPECT_TRUE(t.spnego);
    EXPECT_EQ(t.mech, Mech::ntlmssp);
    NtlmMessage m;
    ASSERT_TRUE(parse_ntlmssp(t.ntlmssp, m));
    EXPECT_EQ(utf8(m.user), "bob");
}

TEST(SmbAuth, NtlmsspFieldPastEndFails) {
    std::string s = kAuthenticate;
    s.replace(s.find("06 00 06 00 48 00 00 00"), 23, "40 00 40 00 48 00 00 00");  // UserName len 64
    NtlmMessage m;
    EXPECT_STREQ(parse_ntlmssp(hex(s), m).error, "ntlmssp_field_past_end");
    EXPECT_STREQ(parse_ntlmssp(hex("4e 54 4c 4d 53 53 50 00 03 00 00 00 00 00"), m).error, "ntlmssp_truncated");
    EXPECT_STREQ(parse_ntlmssp(hex("4e 54 4c 4d 53 53 50 00 07 00 00 00"), m).error, "ntlmssp_unknown_message_type");
    EXPECT_STREQ(parse_ntlmssp(hex("4e 54 4c 4d 00 00 00 00 03 00 00 00"), m).error, "ntlmssp_bad_signature");
}

TEST(SmbAuth, NtlmsspChallengeTargetInfo) {
    auto b = hex(
        "4e 54 4c 4d 53 53 50 00  # Signature\n"
        "02 00 00 00              # MessageType CHALLENGE\n"
        "06 00 06 00 30 00 00 00  # TargetName: len 6 at 0x30\n"
        "05 02 89 a2              # NegotiateFlags\n"
        "01 23 45 67 89 ab cd ef  # ServerChallenge\n"
        "00 00 00 00 00 00 00 00  # Reserved\n"
        "34 00 34 00 36 00 00 00  # TargetInfo: len 52 at 0x36\n"
        "4c 00 41 00 42 00        # TargetName LAB\n"
        "02 00 06 00 4c 00 41 00 42 00  # MsvAvNbDomainName LAB\n"
        "01 00 06 00 46 00 53 00 31 00  # MsvAvNbComputerName FS1\n"
        "03 00 0e 00 66 00 73 00 31 00 2e 00 6c 00 61 00 62 00  # MsvAvDnsComputerName fs1.lab\n"
        "05 00 06 00 6c 00 61 00 62 00  # MsvAvDnsTreeName lab\n"
        "00 00 00 00              # MsvAvEOL");
    NtlmMessage m;
    ASSERT_TRUE(parse_ntlmssp(b, m));
    EXPECT_EQ(m.type, ntlm::challenge);
    EXPECT_EQ(utf8(m.target_name), "LAB");
    EXPECT_EQ(utf8(m.nb_domain), "LAB");
    EXPECT_EQ(utf8(m.nb_computer), "FS1");
    EXPECT_EQ(utf8(m.dns_computer), "fs1.lab");
    EXPECT_EQ(utf8(m.dns_tree), "lab");
}

TEST(SmbAuth, NtlmsspAvPairPastEndFails) {
    auto b = hex(
        "4e 54 4c 4d 53 53 50 00 02 00 00 00  # CHALLENGE\n"
        "00 00 00 00 30 00 00 00  # TargetName: empty\n"
        "05 02 89 a2 01 23 45 67 89 ab cd ef 00 00 00 00 00 00 00 00\n"
        "08 00 08 00 30 00 00 00  # TargetInfo: 8 bytes at 0x30\n"
        "01 00 40 00 46 00 53 00  # MsvAvNbComputerName claims 64 bytes");
    NtlmMessage m;
    EXPECT_STREQ(parse_ntlmssp(b, m).error, "ntlmssp_av_pair_past_end");
}

TEST(SmbAuth, KerberosInSpnegoNegTokenInit) {
    auto b = hex(
        "60 3e                    # [APPLICATION 0] InitialContextToken, 62\n"
        "06 06 2b 06 01 05 05 02  # OID 1.3.6.1.5.5.2 SPNEGO\n"
        "a0 34                    # [0] NegTokenInit, 52\n"
        "30 32                    # SEQUENCE, 50\n"
        "a0 19 30 17              # [0] mechTypes: SEQUENCE OF, 23\n"
        "06 09 2a 86 48 82 f7 12 01 02 02  # 1.2.840.48018.1.2.2 MS Kerberos\n"
        "06 0a 2b 06 01 04 01 82 37 02 02 0a  # 1.3.6.1.4.1.311.2.2.10 NTLMSSP\n"
        "a2 15 04 13              # [2] mechToken: OCTET STRING, 19\n"
        "60 11                    # Kerberos GSS token\n"
        "06 09 2a 86 48 86 f7 12 01 02 02  # 1.2.840.113554.1.2.2 Kerberos 5\n"
        "01 00                    # TOK_ID AP-REQ\n"
        "6e 02 30 00              # AP-REQ (contents elided)");
    GssToken t;
    ASSERT_TRUE(parse_gss_token(b, t));
    EXPECT_TRUE(t.spnego);
    EXPECT_EQ(t.mech, Mech::kerberos);
    EXPECT_EQ(t.first_offered, Mech::kerberos);
    EXPECT_TRUE(t.ntlmssp.empty());
}

TEST(SmbAuth, SpnegoResponseNamesKerberos) {
    auto b = hex(
        "a1 14 30 12              # NegTokenResp\n"
        "a0 03 0a 01 00           # negState accept-completed\n"
        "a1 0b 06 09 2a 86 48 82 f7 12 01 02 02  # supportedMech MS Kerberos");
    GssToken t;
    ASSERT_TRUE(parse_gss_token(b, t));
    EXPECT_EQ(t.neg_state, 0);
    EXPECT_EQ(t.mech, Mech::kerberos);
}

TEST(SmbAuth, BadDerFails) {
    GssToken t;
    // NegTokenResp whose SEQUENCE claims 0x7f bytes.
    EXPECT_STREQ(parse_gss_token(hex("a1 05 30 7f 0a 01 00"), t).error, "spnego_bad_der");
    // Long-form length of 5 bytes (beyond what we accept).
    EXPECT_STREQ(parse_gss_token(hex("60 85 00 00 00 00 10"), t).error, "gss_bad_der");
    EXPECT_STREQ(parse_gss_token(hex("13 37 00"), t).error, "gss_unknown_token");
}

}  // namespace
}  // namespace sw::smb
