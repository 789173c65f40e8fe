// SMB1 records (smb1_records): header, AndX blocks and the commands
// followed, with commented fixtures per record and per malformed case.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "dissectors/smb2/smb_records.h"
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

}  // namespace
}  // namespace sw::smb
