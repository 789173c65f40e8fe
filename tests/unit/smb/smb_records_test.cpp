// SMB2/SMB3 record parsers ([MS-SMB2] 2.2): one commented fixture per record
// and one per malformed case. Field values in the comments are what the
// assertions check; offsets are relative to the SMB2 header.
#include <gtest/gtest.h>

#include "dissectors/smb2/smb_records.h"
#include "support.h"

namespace sw::smb {
namespace {

using sw::test::hex;

// A 64-byte sync header: `cmd` and `flags` as little-endian hex, MessageId 7,
// TreeId 1, SessionId 0x8877665544332211, NextCommand `next`.
std::string header(const std::string& cmd, const std::string& flags = "00 00 00 00",
                   const std::string& next = "00 00 00 00", const std::string& status = "00 00 00 00") {
    return "fe 53 4d 42      # ProtocolId \\xfeSMB\n"
           "40 00            # StructureSize 64\n"
           "01 00            # CreditCharge 1\n" +
           status + "        # Status\n" + cmd + "            # Command\n" +
           "01 00            # CreditRequest 1\n" + flags + "      # Flags\n" + next +
           "      # NextCommand\n"
           "07 00 00 00 00 00 00 00  # MessageId 7\n"
           "00 00 00 00      # Reserved (ProcessId)\n"
           "01 00 00 00      # TreeId 1\n"
           "11 22 33 44 55 66 77 88  # SessionId 0x8877665544332211\n"
           "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # Signature\n";
}

TEST(SmbRecords, NbssHeader) {
    NbssHeader h;
    auto b = hex("00        # type: session message\n"
                 "01 00 48  # length 0x010048 (24-bit, as SMB2 direct TCP uses it)");
    ASSERT_TRUE(parse_nbss_header(b, h));
    EXPECT_EQ(h.type, nbss::kSessionMessage);
    EXPECT_EQ(h.length, 0x010048u);
    auto keep = hex("85 00 00 00  # keep-alive, length 0");
    ASSERT_TRUE(parse_nbss_header(keep, h));
    EXPECT_EQ(h.type, nbss::kKeepAlive);
}

TEST(SmbRecords, NbssUnknownTypeFails) {
    NbssHeader h;
    auto b = hex("42 00 00 10  # type 0x42 is not an RFC 1002 session packet type");
    EXPECT_STREQ(parse_nbss_header(b, h).error, "nbss_unknown_type");
    EXPECT_FALSE(parse_nbss_header(hex("00 00 00"), h));  // 3 bytes: truncated
}

TEST(SmbRecords, Smb2SyncHeader) {
    auto b = hex(header("05 00", "0d 00 00 00", "68 00 00 00"));
    // Flags 0x0d: SERVER_TO_REDIR | RELATED_OPERATIONS | SIGNED; NextCommand 0x68.
    Smb2Header h;
    ASSERT_TRUE(parse_smb2_header(b, h));
    EXPECT_EQ(h.command, cmd::create);
    EXPECT_TRUE(h.response());
    EXPECT_TRUE(h.related());
    EXPECT_FALSE(h.async());
    EXPECT_EQ(h.next_command, 0x68u);
    EXPECT_EQ(h.message_id, 7u);
    EXPECT_EQ(h.tree_id, 1u);
    EXPECT_EQ(h.session_id, 0x8877665544332211ull);
    EXPECT_EQ(h.credit_charge, 1u);
}

TEST(SmbRecords, Smb2AsyncHeader) {
    auto b = hex(
        "fe 53 4d 42      # ProtocolId\n"
        "40 00            # StructureSize 64\n"
        "00 00            # CreditCharge\n"
        "03 01 00 00      # Status STATUS_PENDING (0x103)\n"
        "08 00            # Command READ\n"
        "01 00            # CreditResponse\n"
        "03 00 00 00      # Flags SERVER_TO_REDIR | ASYNC_COMMAND\n"
        "00 00 00 00      # NextCommand\n"
        "2a 00 00 00 00 00 00 00  # MessageId 42\n"
        "0e 00 00 00 00 00 00 00  # AsyncId 14 (in place of Reserved + TreeId)\n"
        "01 00 00 00 00 00 00 00  # SessionId 1\n"
        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # Signature");
    Smb2Header h;
    ASSERT_TRUE(parse_smb2_header(b, h));
    EXPECT_TRUE(h.async());
    EXPECT_EQ(h.status, status::pending);
    EXPECT_EQ(h.async_id, 14u);
    EXPECT_EQ(h.tree_id, 0u);
    EXPECT_EQ(h.message_id, 42u);
}

TEST(SmbRecords, Smb2HeaderWrongStructureSizeFails) {
    std::string s = header("05 00");
    s.replace(s.find("40 00"), 5, "41 00");  // StructureSize 65
    Smb2Header h;
    EXPECT_STREQ(parse_smb2_header(hex(s), h).error, "smb2_bad_header_structure_size");
    EXPECT_STREQ(parse_smb2_header(hex("fe 53 4d 42 40 00"), h).error, "smb2_truncated_header");
}

TEST(SmbRecords, NextCommandChecks) {
    Smb2Header h;
    std::optional<std::uint32_t> next;
    h.next_command = 0;
    ASSERT_TRUE(next_command_offset(h, 200, next));
    EXPECT_FALSE(next);
    h.next_command = 0x68;  // 104: a CREATE padded to 8
    ASSERT_TRUE(next_command_offset(h, 200, next));
    EXPECT_EQ(next, 0x68u);
    // Pointing back into this PDU's own header.
    h.next_command = 16;
    EXPECT_STREQ(next_command_offset(h, 200, next).error, "smb2_next_command_backwards");
    EXPECT_FALSE(next);
    // Past the end of the NBSS message.
    h.next_command = 200;
    EXPECT_STREQ(next_command_offset(h, 200, next).error, "smb2_next_command_past_end");
    EXPECT_FALSE(next);
    // Not 8-byte aligned: reported, still followed.
    h.next_command = 0x6a;
    EXPECT_STREQ(next_command_offset(h, 200, next).error, "smb2_next_command_unaligned");
    EXPECT_EQ(next, 0x6au);
}

TEST(SmbRecords, NegotiateRequestWithContexts) {
    auto b = hex(header("00 00") +
                 "24 00            # StructureSize 36\n"
                 "03 00            # DialectCount 3\n"
                 "01 00            # SecurityMode: signing enabled\n"
                 "00 00            # Reserved\n"
                 "44 00 00 00      # Capabilities: ENCRYPTION | LARGE_MTU\n"
                 "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  # ClientGuid\n"
                 "70 00 00 00      # NegotiateContextOffset 0x70 (112)\n"
                 "01 00            # NegotiateContextCount 1\n"
                 "00 00            # Reserved2\n"
                 "10 02 00 03 11 03  # Dialects 2.1, 3.0, 3.1.1 (ends at 106)\n"
                 "00 00 00 00 00 00  # padding to 8 (112)\n"
                 "02 00            # ContextType ENCRYPTION_CAPABILITIES\n"
                 "06 00            # DataLength 6\n"
                 "00 00 00 00      # Reserved\n"
                 "02 00            # CipherCount 2\n"
                 "02 00 01 00      # AES-128-GCM, AES-128-CCM");
    NegotiateRequest r;
    ASSERT_TRUE(parse_negotiate_request(b, r));
    ASSERT_EQ(r.dialect_count, 3u);
    EXPECT_EQ(r.dialect(0), dialect::smb210);
    EXPECT_EQ(r.dialect(2), dialect::smb311);
    EXPECT_EQ(r.capabilities, 0x44u);
    EXPECT_EQ(r.client_guid[15], 0x0f);
    EXPECT_EQ(r.contexts.count, 1u);
    ASSERT_EQ(r.contexts.cipher_count, 2u);
    EXPECT_EQ(cipher_name(r.contexts.ciphers[0]), "AES-128-GCM");
    EXPECT_EQ(cipher_name(r.contexts.ciphers[1]), "AES-128-CCM");
}

TEST(SmbRecords, NegotiateDialectsPastEndFails) {
    auto b = hex(header("00 00") +
                 "24 00 05 00 01 00 00 00 00 00 00 00  # StructureSize 36, DialectCount 5\n"
                 "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # ClientGuid\n"
                 "00 00 00 00 00 00 00 00  # no contexts\n"
                 "02 02 10 02      # only 2 of the 5 dialects present");
    NegotiateRequest r;
    EXPECT_STREQ(parse_negotiate_request(b, r).error, "smb2_dialects_past_end");
}

TEST(SmbRecords, NegotiateContextPastEndFails) {
    auto b = hex(header("00 00") +
                 "24 00 01 00 01 00 00 00 00 00 00 00  # StructureSize 36, DialectCount 1\n"
                 "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # ClientGuid\n"
                 "68 00 00 00 01 00 00 00  # context at 0x68, count 1\n"
                 "11 03            # Dialect 3.1.1\n"
                 "00 00            # pad to 0x68\n"
                 "03 00 40 00 00 00 00 00  # COMPRESSION_CAPABILITIES, DataLength 64: past the end\n"
                 "01 00 00 00");
    NegotiateRequest r;
    EXPECT_STREQ(parse_negotiate_request(b, r).error, "smb2_negotiate_context_past_end");
}

TEST(SmbRecords, NegotiateResponse) {
    auto b = hex(header("00 00", "01 00 00 00") +
                 "41 00            # StructureSize 65\n"
                 "01 00            # SecurityMode\n"
                 "11 03            # DialectRevision 3.1.1\n"
                 "01 00            # NegotiateContextCount 1\n"
                 "aa aa aa aa aa aa aa aa bb bb bb bb bb bb bb bb  # ServerGuid\n"
                 "2f 00 00 00      # Capabilities\n"
                 "00 00 80 00      # MaxTransactSize 8 MiB\n"
                 "00 00 80 00      # MaxReadSize 8 MiB\n"
                 "00 00 80 00      # MaxWriteSize 8 MiB\n"
                 "00 00 00 00 00 00 00 00  # SystemTime\n"
                 "00 00 00 00 00 00 00 00  # ServerStartTime\n"
                 "80 00            # SecurityBufferOffset 0x80\n"
                 "04 00            # SecurityBufferLength 4\n"
                 "88 00 00 00      # NegotiateContextOffset 0x88\n"
                 "60 02 05 06      # security blob (4 bytes at 0x80)\n"
                 "00 00 00 00      # pad to 0x88\n"
                 "03 00 0c 00 00 00 00 00  # COMPRESSION_CAPABILITIES, 12 bytes\n"
                 "02 00 00 00      # CompressionAlgorithmCount 2, Padding\n"
                 "00 00 00 00      # Flags\n"
                 "01 00 04 00      # LZNT1, Pattern_V1");
    NegotiateResponse r;
    ASSERT_TRUE(parse_negotiate_response(b, r));
    EXPECT_EQ(r.dialect, dialect::smb311);
    EXPECT_EQ(dialect_name(r.dialect), "3.1.1");
    EXPECT_EQ(r.max_write, 8u << 20);
    EXPECT_EQ(r.server_guid[0], 0xaa);
    ASSERT_EQ(r.security_blob.size(), 4u);
    EXPECT_EQ(r.security_blob[0], 0x60);
    ASSERT_EQ(r.contexts.compression_count, 2u);
    EXPECT_EQ(compression_name(r.contexts.compression[0]), "LZNT1");
    EXPECT_EQ(compression_name(r.contexts.compression[1]), "Pattern_V1");
}

TEST(SmbRecords, SessionSetupRequestAndResponse) {
    auto req = hex(header("01 00") +
                   "19 00            # StructureSize 25\n"
                   "00               # Flags\n"
                   "01               # SecurityMode\n"
                   "01 00 00 00      # Capabilities DFS\n"
                   "00 00 00 00      # Channel\n"
                   "58 00            # SecurityBufferOffset 0x58\n"
                   "03 00            # SecurityBufferLength 3\n"
                   "00 00 00 00 00 00 00 00  # PreviousSessionId\n"
                   "a1 01 00         # security blob");
    SessionSetupRequest r;
    ASSERT_TRUE(parse_session_setup_request(req, r));
    ASSERT_EQ(r.security_blob.size(), 3u);
    EXPECT_EQ(r.security_blob[0], 0xa1);

    auto resp = hex(header("01 00", "01 00 00 00") +
                    "09 00            # StructureSize 9\n"
                    "05 00            # SessionFlags IS_GUEST | ENCRYPT_DATA\n"
                    "48 00            # SecurityBufferOffset 0x48\n"
                    "00 00            # SecurityBufferLength 0");
    SessionSetupResponse s;
    ASSERT_TRUE(parse_session_setup_response(resp, s));
    EXPECT_EQ(s.session_flags, session_flags::is_guest | session_flags::encrypt_data);
    EXPECT_TRUE(s.security_blob.empty());
}

TEST(SmbRecords, SessionSetupBlobPastEndFails) {
    auto req = hex(header("01 00") +
                   "19 00 00 01 00 00 00 00 00 00 00 00  # StructureSize 25 ...\n"
                   "58 00            # SecurityBufferOffset 0x58\n"
                   "00 02            # SecurityBufferLength 512: past the end\n"
                   "00 00 00 00 00 00 00 00 a1");
    SessionSetupRequest r;
    EXPECT_STREQ(parse_session_setup_request(req, r).error, "smb2_security_blob_past_end");
}

TEST(SmbRecords, TreeConnect) {
    auto req = hex(header("03 00") +
                   "09 00            # StructureSize 9\n"
                   "00 00            # Flags\n"
                   "48 00            # PathOffset 0x48\n"
                   "0e 00            # PathLength 14\n"
                   "5c 00 5c 00 66 00 73 00 5c 00 64 00 24 00  # \\\\fs\\d$ (UTF-16LE)");
    TreeConnectRequest r;
    ASSERT_TRUE(parse_tree_connect_request(req, r));
    EXPECT_EQ(r.path.size(), 14u);
    EXPECT_EQ(r.path[4], 'f');

    auto resp = hex(header("03 00", "01 00 00 00") +
                    "10 00            # StructureSize 16\n"
                    "01               # ShareType DISK\n"
                    "00               # Reserved\n"
                    "00 80 00 00      # ShareFlags ENCRYPT_DATA\n"
                    "00 00 00 00      # Capabilities\n"
                    "ff 01 1f 00      # MaximalAccess");
    TreeConnectResponse t;
    ASSERT_TRUE(parse_tree_connect_response(resp, t));
    EXPECT_EQ(share_type_name(t.share_type), "DISK");
    EXPECT_TRUE(t.share_flags & kShareFlagEncryptData);
    EXPECT_EQ(t.maximal_access, 0x001f01ffu);
}

TEST(SmbRecords, TreeConnectPathPastEndFails) {
    auto req = hex(header("03 00") + "09 00 00 00 48 00 40 00  # PathLength 64, only 4 bytes follow\n5c 00 5c 00");
    TreeConnectRequest r;
    EXPECT_STREQ(parse_tree_connect_request(req, r).error, "smb2_tree_path_past_end");
}

// CREATE of "a\b.zip" with delete-on-close, body at 0x40.
std::string create_request(const std::string& name_len = "0e 00") {
    return header("05 00") +
           "39 00            # StructureSize 57\n"
           "00               # SecurityFlags\n"
           "00               # RequestedOplockLevel\n"
           "02 00 00 00      # ImpersonationLevel\n"
           "00 00 00 00 00 00 00 00  # SmbCreateFlags\n"
           "00 00 00 00 00 00 00 00  # Reserved\n"
           "9f 01 12 00      # DesiredAccess\n"
           "80 00 00 00      # FileAttributes NORMAL\n"
           "07 00 00 00      # ShareAccess\n"
           "05 00 00 00      # CreateDisposition OVERWRITE_IF\n"
           "40 10 00 00      # CreateOptions NON_DIRECTORY_FILE | DELETE_ON_CLOSE\n"
           "78 00            # NameOffset 0x78\n" +
           name_len +
           "            # NameLength\n"
           "00 00 00 00      # CreateContextsOffset\n"
           "00 00 00 00      # CreateContextsLength\n"
           "61 00 5c 00 62 00 2e 00 7a 00 69 00 70 00  # a\\b.zip";
}

TEST(SmbRecords, CreateRequest) {
    CreateRequest r;
    const auto b = hex(create_request());
    ASSERT_TRUE(parse_create_request(b, r));
    EXPECT_EQ(r.disposition, disposition::overwrite_if);
    EXPECT_TRUE(r.options & create_options::delete_on_close);
    EXPECT_TRUE(r.options & create_options::non_directory_file);
    EXPECT_EQ(r.desired_access, 0x0012019fu);
    EXPECT_EQ(r.name.size(), 14u);
}

TEST(SmbRecords, CreateNameLengthPastBufferFails) {
    CreateRequest r;
    EXPECT_STREQ(parse_create_request(hex(create_request("10 00")), r).error, "smb2_create_name_past_end");
}

TEST(SmbRecords, CreateWrongStructureSizeFails) {
    std::string s = create_request();
    s.replace(s.find("39 00"), 5, "38 00");  // 56
    CreateRequest r;
    EXPECT_STREQ(parse_create_request(hex(s), r).error, "smb2_bad_structure_size");
}

TEST(SmbRecords, CreateResponse) {
    auto b = hex(header("05 00", "01 00 00 00") +
                 "59 00            # StructureSize 89\n"
                 "00               # OplockLevel\n"
                 "00               # Flags\n"
                 "02 00 00 00      # CreateAction FILE_CREATED\n"
                 "60 5f 4e 3d 2c 1b da 01  # CreationTime 0x01da1b2c3d4e5f60 (2023)\n"
                 "00 80 3e d5 de b1 9d 01  # LastAccessTime\n"
                 "00 80 3e d5 de b1 9d 01  # LastWriteTime\n"
                 "00 80 3e d5 de b1 9d 01  # ChangeTime\n"
                 "00 10 00 00 00 00 00 00  # AllocationSize 4096\n"
                 "39 05 00 00 00 00 00 00  # EndofFile 1337\n"
                 "20 00 00 00      # FileAttributes ARCHIVE\n"
                 "00 00 00 00      # Reserved2\n"
                 "01 00 00 00 00 00 00 00  # FileId.Persistent 1\n"
                 "02 00 00 00 00 00 00 00  # FileId.Volatile 2\n"
                 "00 00 00 00 00 00 00 00  # CreateContextsOffset, Length");
    CreateResponse r;
    ASSERT_TRUE(parse_create_response(b, r));
    EXPECT_EQ(r.create_action, 2u);
    EXPECT_EQ(r.end_of_file, 1337u);
    EXPECT_EQ(r.file_id.persistent, 1u);
    EXPECT_EQ(r.file_id.volatile_, 2u);
    EXPECT_FALSE(r.file_attributes & kAttrDirectory);
    // FILETIME counts 100 ns since 1601; 116444736000000000 of them reach 1970.
    ASSERT_TRUE(filetime_to_us(r.times.created));
    EXPECT_EQ(*filetime_to_us(r.times.created), static_cast<std::int64_t>((0x01da1b2c3d4e5f60ull - 116444736000000000ull) / 10));
    EXPECT_FALSE(filetime_to_us(0));
    EXPECT_FALSE(filetime_to_us(116444736000000000ull));  // the epoch itself: not a real time
    EXPECT_FALSE(filetime_to_us(r.times.accessed));  // 0x019db1ded53e8000 is exactly 1970-01-01
}

TEST(SmbRecords, ErrorResponseIsNotACreateResponse) {
    auto b = hex(header("05 00", "01 00 00 00", "00 00 00 00", "34 00 00 c0") +
                 "09 00            # StructureSize 9 (error response)\n"
                 "00 00            # ErrorContextCount, Reserved\n"
                 "00 00 00 00      # ByteCount\n"
                 "00               # ErrorData");
    CreateResponse r;
    EXPECT_STREQ(parse_create_response(b, r).error, "smb2_bad_structure_size");
    ErrorResponse e;
    ASSERT_TRUE(parse_error_response(b, e));
    EXPECT_EQ(e.byte_count, 0u);
    Smb2Header h;
    ASSERT_TRUE(parse_smb2_header(b, h));
    EXPECT_EQ(h.status, 0xc0000034u);  // STATUS_OBJECT_NAME_NOT_FOUND
    EXPECT_TRUE(status::is_error(h.status));
}

TEST(SmbRecords, CloseRequestAndResponse) {
    auto req = hex(header("06 00") +
                   "18 00            # StructureSize 24\n"
                   "01 00            # Flags POSTQUERY_ATTRIB\n"
                   "00 00 00 00      # Reserved\n"
                   "01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00  # FileId {1, 2}");
    CloseRequest c;
    ASSERT_TRUE(parse_close_request(req, c));
    EXPECT_EQ(c.file_id, (FileId{1, 2}));
    EXPECT_EQ(request_file_id(cmd::close, req), (FileId{1, 2}));

    auto resp = hex(header("06 00", "01 00 00 00") +
                    "3c 00            # StructureSize 60\n"
                    "01 00            # Flags POSTQUERY_ATTRIB\n"
                    "00 00 00 00      # Reserved\n"
                    "00 00 00 00 00 00 00 00  # CreationTime\n"
                    "00 00 00 00 00 00 00 00  # LastAccessTime\n"
                    "00 00 00 00 00 00 00 00  # LastWriteTime\n"
                    "00 00 00 00 00 00 00 00  # ChangeTime\n"
                    "00 00 10 00 00 00 00 00  # AllocationSize\n"
                    "00 00 00 19 00 00 00 00  # EndofFile 419430400 (400 MiB)\n"
                    "20 00 00 00      # FileAttributes");
    CloseResponse r;
    ASSERT_TRUE(parse_close_response(resp, r));
    EXPECT_TRUE(r.has_attributes());
    EXPECT_EQ(r.end_of_file, 419430400u);
}

TEST(SmbRecords, ReadRequestAndResponse) {
    auto req = hex(header("08 00") +
                   "31 00            # StructureSize 49\n"
                   "50               # Padding\n"
                   "00               # Flags\n"
                   "00 00 01 00      # Length 65536\n"
                   "00 00 01 00 00 00 00 00  # Offset 65536\n"
                   "01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00  # FileId {1, 2}\n"
                   "01 00 00 00      # MinimumCount\n"
                   "00 00 00 00      # Channel\n"
                   "00 00 00 00      # RemainingBytes\n"
                   "00 00 00 00      # ReadChannelInfoOffset, Length\n"
                   "00               # Buffer");
    ReadRequest r;
    ASSERT_TRUE(parse_read_request(req, r));
    EXPECT_EQ(r.length, 65536u);
    EXPECT_EQ(r.offset, 65536u);
    EXPECT_EQ(r.file_id, (FileId{1, 2}));

    auto resp = hex(header("08 00", "01 00 00 00") +
                    "11 00            # StructureSize 17\n"
                    "50               # DataOffset 0x50 (80)\n"
                    "7f               # Reserved (non-zero on some servers: not checked)\n"
                    "7a 01 00 00      # DataLength 378\n"
                    "00 00 00 00      # DataRemaining\n"
                    "00 00 00 00      # Reserved2\n"
                    "41 42            # first data bytes (the rest is not needed)");
    ReadResponse rr;
    ASSERT_TRUE(parse_read_response(resp, rr));
    EXPECT_EQ(rr.data().offset, 80u);
    EXPECT_EQ(rr.data().length, 378u);
}

TEST(SmbRecords, ReadResponseDataOffsetIntoHeaderFails) {
    auto resp = hex(header("08 00", "01 00 00 00") +
                    "11 00 40 00      # StructureSize 17, DataOffset 0x40: inside the fixed part\n"
                    "10 00 00 00 00 00 00 00 00 00 00 00");
    ReadResponse rr;
    EXPECT_STREQ(parse_read_response(resp, rr).error, "smb2_read_bad_data_offset");
}

std::string write_head(const std::string& data_offset = "70 00") {
    return header("09 00") +
           "31 00            # StructureSize 49\n" +
           data_offset +
           "            # DataOffset\n"
           "00 00 80 00      # Length 8 MiB\n"
           "00 00 00 01 00 00 00 00  # Offset 16 MiB\n"
           "01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00  # FileId {1, 2}\n"
           "00 00 00 00      # Channel\n"
           "00 00 00 00      # RemainingBytes\n"
           "00 00 00 00      # WriteChannelInfoOffset, Length\n"
           "00 00 00 00      # Flags\n";
}

TEST(SmbRecords, WriteRequestHead) {
    WriteRequest w;
    ASSERT_TRUE(parse_write_request(hex(write_head()), w));  // the head alone: no data needed
    EXPECT_EQ(w.data().offset, 0x70u);
    EXPECT_EQ(w.data().length, 8u << 20);
    EXPECT_EQ(w.offset, 16u << 20);
    EXPECT_EQ(w.file_id, (FileId{1, 2}));
    EXPECT_EQ(kWriteRequestHead, 0x70u);
}

TEST(SmbRecords, WriteDataOffsetIntoFixedPartFails) {
    WriteRequest w;
    EXPECT_STREQ(parse_write_request(hex(write_head("40 00")), w).error, "smb2_write_bad_data_offset");
}

TEST(SmbRecords, WriteResponse) {
    auto b = hex(header("09 00", "01 00 00 00") +
                 "11 00            # StructureSize 17\n"
                 "00 00            # Reserved\n"
                 "00 00 80 00      # Count 8 MiB\n"
                 "00 00 00 00      # Remaining\n"
                 "00 00 00 00      # WriteChannelInfoOffset, Length");
    WriteResponse r;
    ASSERT_TRUE(parse_write_response(b, r));
    EXPECT_EQ(r.count, 8u << 20);
}

std::string set_info(const std::string& cls, const std::string& len, const std::string& buffer) {
    return header("11 00") +
           "21 00            # StructureSize 33\n"
           "01               # InfoType FILE\n" +
           cls + "               # FileInfoClass\n" + len +
           "      # BufferLength\n"
           "60 00            # BufferOffset 0x60\n"
           "00 00            # Reserved\n"
           "00 00 00 00      # AdditionalInformation\n"
           "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff  # FileId: all ones (related compound)\n" +
           buffer;
}

TEST(SmbRecords, SetInfoRename) {
    auto b = hex(set_info("0a", "1c 00 00 00",
                          "00               # ReplaceIfExists\n"
                          "00 00 00 00 00 00 00  # Reserved\n"
                          "00 00 00 00 00 00 00 00  # RootDirectory\n"
                          "08 00 00 00      # FileNameLength 8\n"
                          "6e 00 65 00 77 00 21 00  # new!"));
    SetInfoRequest s;
    ASSERT_TRUE(parse_set_info_request(b, s));
    EXPECT_EQ(s.info_type, info_type::file);
    EXPECT_EQ(s.info_class, file_info::rename);
    EXPECT_TRUE(s.file_id.all_ones());
    RenameInfo ri;
    ASSERT_TRUE(parse_rename_info(s.buffer, false, ri));
    EXPECT_FALSE(ri.replace_if_exists);
    EXPECT_EQ(ri.name.size(), 8u);
}

TEST(SmbRecords, SetInfoRenameNamePastEndFails) {
    auto b = hex(set_info("0a", "1c 00 00 00",
                          "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
                          "20 00 00 00      # FileNameLength 32: only 8 bytes follow\n"
                          "6e 00 65 00 77 00 21 00"));
    SetInfoRequest s;
    ASSERT_TRUE(parse_set_info_request(b, s));
    RenameInfo ri;
    EXPECT_STREQ(parse_rename_info(s.buffer, false, ri).error, "smb2_rename_name_past_end");
}

TEST(SmbRecords, SetInfoBufferPastEndFails) {
    auto b = hex(set_info("0d", "40 00 00 00", "01  # DeletePending, but BufferLength says 64"));
    SetInfoRequest s;
    EXPECT_STREQ(parse_set_info_request(b, s).error, "smb2_set_info_buffer_past_end");
}

TEST(SmbRecords, SetInfoDispositionAndEof) {
    SetInfoRequest s;
    const auto disp = hex(set_info("0d", "01 00 00 00", "01  # DeletePending"));  // records point into it
    ASSERT_TRUE(parse_set_info_request(disp, s));
    bool del = false;
    ASSERT_TRUE(parse_disposition_info(s.buffer, false, del));
    EXPECT_TRUE(del);
    // FileDispositionInformationEx: Flags 0x13 = DELETE | POSIX_SEMANTICS | IGNORE_READONLY.
    ASSERT_TRUE(parse_disposition_info(hex("13 00 00 00"), true, del));
    EXPECT_TRUE(del);
    ASSERT_TRUE(parse_disposition_info(hex("00 00 00 00"), true, del));
    EXPECT_FALSE(del);
    std::uint64_t eof = 0;
    const auto eofb = hex(set_info("14", "08 00 00 00", "d2 04 00 00 00 00 00 00  # EndOfFile 1234"));
    ASSERT_TRUE(parse_set_info_request(eofb, s));
    ASSERT_TRUE(parse_end_of_file_info(s.buffer, eof));
    EXPECT_EQ(eof, 1234u);
    EXPECT_FALSE(parse_end_of_file_info(hex("d2 04"), eof));
}

TEST(SmbRecords, RequestFileIdPerCommand) {
    // QUERY_INFO has its FileId at body offset 24.
    auto q = hex(header("10 00") +
                 "29 00 01 05 00 01 00 00 00 00 00 00 00 00 00 00  # StructureSize 41 ... InputBufferLength\n"
                 "00 00 00 00 00 00 00 00  # AdditionalInformation, Flags\n"
                 "05 00 00 00 00 00 00 00 06 00 00 00 00 00 00 00  # FileId {5, 6}");
    EXPECT_EQ(request_file_id(cmd::query_info, q), (FileId{5, 6}));
    EXPECT_FALSE(request_file_id(cmd::create, q));
    EXPECT_FALSE(request_file_id(cmd::close, hex(header("06 00") + "18 00 00 00")));  // too short
}

TEST(SmbRecords, TransformHeader) {
    auto b = hex(
        "fd 53 4d 42      # ProtocolId \\xfdSMB\n"
        "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff  # Signature\n"
        "01 02 03 04 05 06 07 08 09 0a 0b 00 00 00 00 00  # Nonce (11 bytes for CCM + padding)\n"
        "e8 03 00 00      # OriginalMessageSize 1000\n"
        "00 00            # Reserved\n"
        "01 00            # Flags: Encrypted\n"
        "3d 00 00 94 00 48 00 00  # SessionId 0x000048009400003d");
    TransformHeader t;
    ASSERT_TRUE(parse_transform_header(b, t));
    EXPECT_EQ(t.original_size, 1000u);
    EXPECT_EQ(t.session_id, 0x000048009400003dull);
    EXPECT_EQ(t.nonce[0], 1);
    EXPECT_STREQ(parse_transform_header(Bytes(b).first(40), t).error, "smb3_transform_truncated");
}

TEST(SmbRecords, CompressionTransformHeader) {
    auto b = hex(
        "fc 53 4d 42      # ProtocolId \\xfcSMB\n"
        "00 10 00 00      # OriginalCompressedSegmentSize 4096\n"
        "01 00            # CompressionAlgorithm LZNT1\n"
        "00 00            # Flags: unchained\n"
        "70 00 00 00      # Offset 0x70: uncompressed bytes before the compressed data");
    CompressionHeader c;
    ASSERT_TRUE(parse_compression_header(b, c));
    EXPECT_EQ(c.original_size, 4096u);
    EXPECT_EQ(c.algorithm, compression::lznt1);
    EXPECT_FALSE(c.chained());
    EXPECT_EQ(c.offset_or_length, 0x70u);
}

TEST(SmbRecords, MagicOf) {
    EXPECT_EQ(magic_of(hex("ff 53 4d 42")), Magic::smb1);
    EXPECT_EQ(magic_of(hex("fe 53 4d 42")), Magic::smb2);
    EXPECT_EQ(magic_of(hex("fd 53 4d 42")), Magic::transform);
    EXPECT_EQ(magic_of(hex("fc 53 4d 42")), Magic::compressed);
    EXPECT_EQ(magic_of(hex("fe 53 4d 43")), Magic::unknown);
    EXPECT_EQ(magic_of(hex("fe 53")), Magic::unknown);
}

}  // namespace
}  // namespace sw::smb
