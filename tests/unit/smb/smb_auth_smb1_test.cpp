// Security blobs (SPNEGO/NTLMSSP/Kerberos) and SMB1 records, with commented
// fixtures per record and per malformed case; UTF-16 names and content
// sniffing.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "dissectors/smb2/gss_records.h"
#include "dissectors/smb2/smb_records.h"
#include "dissectors/smb2/smb_sniff.h"
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

// ---- SMB1 ----

// 32-byte SMB1 header with `cmd`, Flags 0x18 (request) or 0x98 (reply),
// Flags2 0xc807 (Unicode, NT status, extended security), TID 0xffff,
// PID 0x1234, UID 0x0801, MID 5.
std::string smb1_header(const std::string& cmd, bool reply = false) {
    return "ff 53 4d 42      # ProtocolId \\xffSMB\n" + cmd +
           "               # Command\n"
           "00 00 00 00      # Status\n" +
           (reply ? "98" : "18") +
           "               # Flags\n"
           "07 c8            # Flags2 0xc807\n"
           "00 00            # PIDHigh\n"
           "00 00 00 00 00 00 00 00  # SecurityFeatures\n"
           "00 00            # Reserved\n"
           "ff ff            # TID\n"
           "34 12            # PIDLow 0x1234\n"
           "01 08            # UID 0x0801\n"
           "05 00            # MID 5\n";
}

TEST(SmbRecords1, HeaderAndNegotiate) {
    auto b = hex(smb1_header("72") +
                 "00               # WordCount 0\n"
                 "22 00            # ByteCount 34\n"
                 "02 4e 54 20 4c 4d 20 30 2e 31 32 00  # \\x02 \"NT LM 0.12\"\n"
                 "02 53 4d 42 20 32 2e 30 30 32 00     # \\x02 \"SMB 2.002\"\n"
                 "02 53 4d 42 20 32 2e 3f 3f 3f 00     # \\x02 \"SMB 2.???\"");
    Smb1Header h;
    ASSERT_TRUE(parse_smb1_header(b, h));
    EXPECT_EQ(h.command, smb1::negotiate);
    EXPECT_FALSE(h.reply());
    EXPECT_TRUE(h.unicode());
    EXPECT_EQ(h.uid, 0x0801u);
    EXPECT_EQ(h.pid_full, 0x1234u);
    EXPECT_EQ(h.mid, 5u);
    Smb1Block blk;
    ASSERT_TRUE(parse_smb1_block(b, kSmb1HeaderSize, false, blk));
    Smb1NegotiateRequest r;
    ASSERT_TRUE(parse_smb1_negotiate_request(blk, r));
    std::size_t pos = 0;
    std::string_view name;
    std::vector<std::string> names;
    while (r.next_dialect(pos, name)) names.emplace_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"NT LM 0.12", "SMB 2.002", "SMB 2.???"}));
}

TEST(SmbRecords1, TreeConnectAndx) {
    auto b = hex(smb1_header("75") +
                 "04               # WordCount 4\n"
                 "ff 00 00 00      # AndX: none\n"
                 "08 00            # Flags\n"
                 "01 00            # PasswordLength 1\n"
                 "19 00            # ByteCount 25\n"
                 "00               # Password\n"
                 "5c 00 5c 00 46 00 53 00 5c 00 50 00 55 00 42 00 00 00  # \\\\FS\\PUB (UTF-16, aligned)\n"
                 "3f 3f 3f 3f 3f 00  # Service \"?????\"");
    Smb1Header h;
    ASSERT_TRUE(parse_smb1_header(b, h));
    Smb1Block blk;
    ASSERT_TRUE(parse_smb1_block(b, kSmb1HeaderSize, true, blk));
    EXPECT_EQ(blk.andx_command, smb1::no_andx);
    Smb1TreeConnectRequest r;
    ASSERT_TRUE(parse_smb1_tree_connect_request(b, h, blk, r));
    EXPECT_EQ(utf8(r.path), "\\\\FS\\PUB");
    EXPECT_EQ(r.service, "?????");
}

TEST(SmbRecords1, NtCreateAndx) {
    auto req = hex(smb1_header("a2") +
                   "18               # WordCount 24\n"
                   "ff 00 00 00      # AndX: none\n"
                   "00               # Reserved\n"
                   "0e 00            # NameLength 14 (with the terminator)\n"
                   "16 00 00 00      # Flags\n"
                   "00 00 00 00      # RootDirectoryFID\n"
                   "89 00 12 00      # DesiredAccess\n"
                   "00 00 00 00 00 00 00 00  # AllocationSize\n"
                   "80 00 00 00      # ExtFileAttributes\n"
                   "07 00 00 00      # ShareAccess\n"
                   "05 00 00 00      # CreateDisposition OVERWRITE_IF\n"
                   "40 00 00 00      # CreateOptions NON_DIRECTORY_FILE\n"
                   "02 00 00 00      # ImpersonationLevel\n"
                   "00               # SecurityFlags\n"
                   "0f 00            # ByteCount 15\n"
                   "00               # pad: Unicode names are 2-aligned (Bytes start at 83)\n"
                   "5c 00 65 00 69 00 63 00 61 00 72 00 00 00  # \\eicar");
    Smb1Header h;
    ASSERT_TRUE(parse_smb1_header(req, h));
    Smb1Block blk;
    ASSERT_TRUE(parse_smb1_block(req, kSmb1HeaderSize, true, blk));
    Smb1NtCreateRequest r;
    ASSERT_TRUE(parse_smb1_nt_create_request(req, h, blk, r));
    EXPECT_EQ(utf8(r.name), "\\eicar");
    EXPECT_EQ(r.disposition, disposition::overwrite_if);

    auto resp = hex(smb1_header("a2", true) +
                    "22               # WordCount 34\n"
                    "ff 00 00 00      # AndX: none\n"
                    "00               # OplockLevel\n"
                    "00 40            # FID 0x4000\n"
                    "02 00 00 00      # CreateDisposition (action): created\n"
                    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # CreationTime, LastAccessTime\n"
                    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # LastWriteTime, LastChangeTime\n"
                    "80 00 00 00      # ExtFileAttributes\n"
                    "00 00 00 00 00 00 00 00  # AllocationSize\n"
                    "44 00 00 00 00 00 00 00  # EndOfFile 68\n"
                    "00 00 00 00      # ResourceType, NMPipeStatus\n"
                    "00               # Directory\n"
                    "00 00            # ByteCount");
    ASSERT_TRUE(parse_smb1_block(resp, kSmb1HeaderSize, true, blk));
    Smb1NtCreateResponse cr;
    ASSERT_TRUE(parse_smb1_nt_create_response(blk, cr));
    EXPECT_EQ(cr.fid, 0x4000u);
    EXPECT_EQ(cr.create_action, 2u);
    EXPECT_EQ(cr.end_of_file, 68u);
    EXPECT_FALSE(cr.directory);
}

TEST(SmbRecords1, NtCreateNameLengthPastBufferFails) {
    auto req = hex(smb1_header("a2") +
                   "18 ff 00 00 00 00  # WordCount 24, AndX, Reserved\n"
                   "40 00            # NameLength 64: only 14 bytes follow\n"
                   "16 00 00 00 00 00 00 00 89 00 12 00 00 00 00 00 00 00 00 00 80 00 00 00\n"
                   "07 00 00 00 05 00 00 00 40 00 00 00 02 00 00 00 00\n"
                   "0f 00 00 5c 00 65 00 69 00 63 00 61 00 72 00 00 00");
    Smb1Header h;
    ASSERT_TRUE(parse_smb1_header(req, h));
    Smb1Block blk;
    ASSERT_TRUE(parse_smb1_block(req, kSmb1HeaderSize, true, blk));
    Smb1NtCreateRequest r;
    EXPECT_STREQ(parse_smb1_nt_create_request(req, h, blk, r).error, "smb1_nt_create_name_past_end");
}

TEST(SmbRecords1, WordsPastEndFails) {
    auto b = hex(smb1_header("2f") + "0e ff 00 00 00 00 40  # WordCount 14, only 6 bytes of words");
    Smb1Block blk;
    EXPECT_STREQ(parse_smb1_block(b, kSmb1HeaderSize, true, blk).error, "smb1_words_past_end");
    EXPECT_STREQ(parse_smb1_block(b, 200, true, blk).error, "smb1_block_past_end");
    Smb1Header h;
    EXPECT_STREQ(parse_smb1_header(hex("ff 53 4d 42 72 00"), h).error, "smb1_truncated_header");
}

TEST(SmbRecords1, WriteAndxHeadAndReadAndxResponse) {
    auto w = hex(smb1_header("2f") +
                 "0e               # WordCount 14\n"
                 "ff 00 00 00      # AndX: none\n"
                 "00 40            # FID 0x4000\n"
                 "00 10 00 00      # Offset 4096\n"
                 "00 00 00 00      # Timeout\n"
                 "01 00            # WriteMode\n"
                 "00 00            # Remaining\n"
                 "01 00            # DataLengthHigh 1 (CAP_LARGE_WRITEX)\n"
                 "44 00            # DataLength 68 -> 65536 + 68\n"
                 "40 00            # DataOffset 64\n"
                 "01 00 00 00      # OffsetHigh 1 -> offset 4 GiB + 4096\n"
                 "45 00            # ByteCount\n"
                 "00               # pad to DataOffset");
    Smb1Block blk;
    ASSERT_TRUE(parse_smb1_block(w, kSmb1HeaderSize, true, blk));  // a head: data not present
    Smb1WriteRequest wr;
    ASSERT_TRUE(parse_smb1_write_andx_request(w, blk, wr));
    EXPECT_EQ(wr.fid, 0x4000u);
    EXPECT_EQ(wr.offset, (1ull << 32) + 4096);
    EXPECT_EQ(wr.data.offset, 64u);
    EXPECT_EQ(wr.data.length, 65536u + 68);

    auto r = hex(smb1_header("2e", true) +
                 "0c               # WordCount 12\n"
                 "ff 00 00 00      # AndX: none\n"
                 "ff ff            # Available\n"
                 "00 00            # DataCompactionMode\n"
                 "00 00            # Reserved1\n"
                 "0f 00            # DataLength 15\n"
                 "3c 00            # DataOffset 60\n"
                 "00 00            # DataLengthHigh\n"
                 "00 00 00 00 00 00 00 00  # Reserved2\n"
                 "10 00            # ByteCount 16\n"
                 "00               # pad\n"
                 "68 65 6c 6c 6f 20 66 72 6f 6d 20 66 6f 6f 0a  # data (15 bytes)");
    ASSERT_TRUE(parse_smb1_block(r, kSmb1HeaderSize, true, blk));
    Smb1ReadResponse rr;
    ASSERT_TRUE(parse_smb1_read_andx_response(r, blk, rr));
    EXPECT_EQ(rr.data.offset, 60u);
    EXPECT_EQ(rr.data.length, 15u);
}

TEST(SmbRecords1, WriteAndxDataOffsetBeforeBytesFails) {
    auto w = hex(smb1_header("2f") +
                 "0c ff 00 00 00 00 40 00 00 00 00 00 00 00 00 01 00 00 00 00 00  # WordCount 12 ...\n"
                 "10 00            # DataLength 16\n"
                 "20 00            # DataOffset 32: inside the SMB header\n"
                 "00 00");
    Smb1Block blk;
    ASSERT_TRUE(parse_smb1_block(w, kSmb1HeaderSize, true, blk));
    Smb1WriteRequest wr;
    EXPECT_STREQ(parse_smb1_write_andx_request(w, blk, wr).error, "smb1_write_bad_data_offset");
}

// ---- names ----

TEST(SmbStrings, Utf16ToUtf8) {
    // "Zoë €𝄞" : e-diaeresis (2-byte UTF-8), euro (3-byte), G clef (surrogate pair, 4-byte).
    auto b = hex("5a 00 6f 00 eb 00 20 00 ac 20 34 d8 1e dd");
    EXPECT_EQ(utf8(b), "Zo\xc3\xab \xe2\x82\xac\xf0\x9d\x84\x9e");
    // Trailing NUL terminators are dropped.
    EXPECT_EQ(utf8(hex("61 00 00 00")), "a");
}

TEST(SmbStrings, InvalidSequencesStayVisible) {
    // A lone high surrogate D800 then 'a': kept as the 3 bytes ED A0 80 (WTF-8),
    // which the log writer escapes (\xed\xa0\x80) instead of dropping.
    EXPECT_EQ(utf8(hex("00 d8 61 00")), "\xed\xa0\x80" "a");
    // A lone low surrogate DC00.
    EXPECT_EQ(utf8(hex("00 dc")), "\xed\xb0\x80");
    // An odd trailing byte is kept as it is.
    EXPECT_EQ(utf8(hex("61 00 ff")), "a\xff");
}

TEST(SmbStrings, MaxLengthCutsOnCharacterBoundary) {
    std::string out;
    // "ab€" needs 1+1+3 bytes; a limit of 4 keeps "ab" only.
    EXPECT_FALSE(append_utf16le(hex("61 00 62 00 ac 20"), out, 4));
    EXPECT_EQ(out, "ab");
    out.clear();
    EXPECT_TRUE(append_oem(hex("61 62 e9 00"), out, 16));  // OEM 0xe9 kept for the writer to escape
    EXPECT_EQ(out, "ab\xe9");
}

// ---- content sniffing ----

std::vector<std::uint8_t> with_prefix(const std::string& hx, std::size_t total) {
    auto b = hex(hx);
    b.resize(std::max(total, b.size()), 0x41);
    return b;
}

TEST(SmbSniff, MagicNumbers) {
    EXPECT_EQ(sniff_content_type(with_prefix("50 4b 03 04 14 00 00 00 08 00", 64)), "zip");
    EXPECT_EQ(sniff_content_type(with_prefix("37 7a bc af 27 1c 00 04", 64)), "7z");
    EXPECT_EQ(sniff_content_type(with_prefix("52 61 72 21 1a 07 00", 64)), "rar");       // RAR 4
    EXPECT_EQ(sniff_content_type(with_prefix("52 61 72 21 1a 07 01 00", 64)), "rar");    // RAR 5
    EXPECT_EQ(sniff_content_type(with_prefix("1f 8b 08 00", 64)), "gzip");
    EXPECT_EQ(sniff_content_type(with_prefix("42 5a 68 39 31 41 59 26 53 59", 64)), "bzip2");
    EXPECT_EQ(sniff_content_type(with_prefix("fd 37 7a 58 5a 00 00 04", 64)), "xz");
    EXPECT_EQ(sniff_content_type(with_prefix("28 b5 2f fd 24 00", 64)), "zstd");
    EXPECT_EQ(sniff_content_type(with_prefix("4d 53 43 46 00 00 00 00", 64)), "cab");
    EXPECT_EQ(sniff_content_type(with_prefix("20 00 2d 6c 68 35 2d", 64)), "lzh");
    EXPECT_EQ(sniff_content_type(with_prefix("60 ea 2a 00", 64)), "arj");
    EXPECT_EQ(sniff_content_type(with_prefix("d0 cf 11 e0 a1 b1 1a e1", 64)), "ole2");
    EXPECT_EQ(sniff_content_type(with_prefix("25 50 44 46 2d 31 2e 37", 64)), "pdf");
    EXPECT_EQ(sniff_content_type(with_prefix("7f 45 4c 46 02 01 01", 64)), "elf");
    EXPECT_EQ(sniff_content_type({}), "");
}

TEST(SmbSniff, PeNeedsItsHeader) {
    auto pe = with_prefix("4d 5a 90 00", 0x100);
    pe[0x3c] = 0x80;  // e_lfanew = 0x00000080
    pe[0x3d] = pe[0x3e] = pe[0x3f] = 0;
    pe[0x80] = 'P';
    pe[0x81] = 'E';
    pe[0x82] = 0;
    pe[0x83] = 0;
    EXPECT_EQ(sniff_content_type(pe), "pe");
    pe[0x80] = 'X';  // e_lfanew points at something else: just data starting with MZ
    EXPECT_NE(sniff_content_type(pe), "pe");
}

TEST(SmbSniff, TarAndIso) {
    std::vector<std::uint8_t> tar(512, 0);
    const char* name = "etc/passwd";
    std::copy(name, name + 10, tar.begin());
    const char* ustar = "ustar\0" "00";
    std::copy(ustar, ustar + 8, tar.begin() + 257);
    EXPECT_EQ(sniff_content_type(tar), "tar");
    std::vector<std::uint8_t> head(512, 0);
    EXPECT_EQ(sniff_content_type(head, hex("43 44 30 30 31  # CD001 at 32769")), "iso9660");
    EXPECT_EQ(sniff_content_type(head), "data");
}

TEST(SmbSniff, OoxmlAndOdfFromFirstEntry) {
    // Local file header + name "[Content_Types].xml".
    std::string ct = "[Content_Types].xml";
    std::vector<std::uint8_t> z = hex("50 4b 03 04 14 00 06 00 08 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    z.push_back(static_cast<std::uint8_t>(ct.size()));
    z.push_back(0);
    z.push_back(0);
    z.push_back(0);  // extra length 0
    z.insert(z.end(), ct.begin(), ct.end());
    EXPECT_EQ(sniff_content_type(z), "ooxml");
    std::string mt = "mimetype";
    std::string odt = "application/vnd.oasis.opendocument.text";
    std::vector<std::uint8_t> o = hex("50 4b 03 04 0a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    o.push_back(static_cast<std::uint8_t>(mt.size()));
    o.insert(o.end(), {0, 0, 0});
    o.insert(o.end(), mt.begin(), mt.end());
    o.insert(o.end(), odt.begin(), odt.end());
    EXPECT_EQ(sniff_content_type(o), "odf");
}

TEST(SmbSniff, TextAndEntropy) {
    std::string t = "Quarterly numbers\r\n\tSales: 12\n";
    EXPECT_EQ(sniff_content_type(Bytes(reinterpret_cast<const std::uint8_t*>(t.data()), t.size())), "text");
    std::vector<std::uint8_t> all(256);
    for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
    EXPECT_DOUBLE_EQ(shannon_entropy(all), 8.0);  // every byte value once
    std::vector<std::uint8_t> two = {'a', 'b', 'a', 'b'};
    EXPECT_DOUBLE_EQ(shannon_entropy(two), 1.0);
    EXPECT_DOUBLE_EQ(shannon_entropy({}), 0.0);
}

TEST(SmbSniff, ArchiveNames) {
    EXPECT_TRUE(is_archive_name("dir\\HR-Export.ZIP"));
    EXPECT_TRUE(is_archive_name("x.tar.gz"));
    EXPECT_TRUE(is_archive_name("backup.7z.001"));
    EXPECT_TRUE(is_archive_name("a.z01"));
    EXPECT_TRUE(is_archive_name("disk.iso:Zone.Identifier"));
    EXPECT_FALSE(is_archive_name("report.docx"));
    EXPECT_FALSE(is_archive_name("zip.d\\readme"));
    EXPECT_FALSE(is_archive_name(""));
}

}  // namespace
}  // namespace sw::smb
