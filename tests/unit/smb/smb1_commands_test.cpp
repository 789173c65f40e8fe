// SMB1 commands (smb1_commands): AndX chains.
#include <gtest/gtest.h>

#include "smb_state_fixture.h"

namespace sw::smb::fixture {
namespace {

TEST(Smb1Commands, Smb1AndxOffsetBackwardsIsAWeird) {
    Harness h;
    // SESSION_SETUP_ANDX request whose AndX offset points back into the header.
    Buf b = hex(
        "ff 53 4d 42 73 00 00 00 00 18 07 c8 00 00 00 00 00 00 00 00 00 00 00 00 ff ff 34 12 00 00 05 00  # SMB1 header\n"
        "0c               # WordCount 12\n"
        "75 00 10 00      # AndX: TREE_CONNECT_ANDX at offset 16 (backwards)\n"
        "04 11 0a 00 00 00 00 00 00 00 00 00 00 00 00 00 d4 00 00 a0  # rest of the words\n"
        "00 00            # ByteCount 0");
    h.c2s(b);
    EXPECT_TRUE(h.weird("smb1_andx_offset_invalid"));
    h.end();
}

// LOCKING_ANDX (not tracked) chained to a WRITE_ANDX whose DataOffset is
// `data_offset` and DataLength 0. The message is 82 bytes long.
Buf locking_then_write(const std::string& data_offset) {
    return hex(
        "ff 53 4d 42 24 00 00 00 00 18 07 c8 00 00 00 00 00 00 00 00 00 00 00 00 05 00 34 12 01 08 05 00  # SMB1 header\n"
        "08               # LOCKING_ANDX WordCount 8\n"
        "2f 00 33 00      # AndX: WRITE_ANDX at offset 51\n"
        "00 40 00 00 00 00 00 00 00 00 00 00  # FID, type, level, timeout, counts\n"
        "00 00            # ByteCount 0\n"
        "0e               # WRITE_ANDX WordCount 14\n"
        "ff 00 00 00      # AndX: none\n"
        "00 40            # FID 0x4000\n"
        "00 00 00 00 00 00 00 00 00 00 00 00  # Offset, Timeout, WriteMode, Remaining\n"
        "00 00 00 00      # DataLengthHigh 0, DataLength 0\n" +
        data_offset + "  # DataOffset\n"
        "00 00 00 00      # OffsetHigh\n"
        "00 00            # ByteCount 0");
}

TEST(Smb1Commands, ChainedWriteDataOffsetPastEndIsAWeird) {
    Harness h;
    const Buf b = locking_then_write("ff ff");
    ASSERT_EQ(b.size(), 82u);
    h.c2s(b);
    EXPECT_TRUE(h.weird("smb1_write_bad_data_offset"));
    EXPECT_EQ(h.conn->pending_requests(), 0u);
    h.end();
    EXPECT_TRUE(h.files().empty());  // no write accounted to any handle
}

TEST(Smb1Commands, ChainedEmptyWriteAtMessageEndIsAccepted) {
    Harness h;
    h.c2s(locking_then_write("52 00"));  // DataOffset 82: the end of the message
    EXPECT_FALSE(h.weird("smb1_write_bad_data_offset"));
    EXPECT_EQ(h.conn->pending_requests(), 1u);
    h.end();
    EXPECT_EQ(h.files().size(), 1u);  // the write's handle (opened before the capture)
}

// A tree connect whose reply's Service string is 60,000 bytes: kept up to
// smb.max-name-length like every other name, the cut counted as a weird.
TEST(Smb1Commands, LongServiceStringIsCapped) {
    Harness h;
    h.c2s(hex(
        "ff 53 4d 42 75 00 00 00 00 18 07 c8 00 00 00 00 00 00 00 00 00 00 00 00 ff ff 34 12 01 08 06 00  # SMB1 header\n"
        "04 ff 00 00 00 08 00 01 00  # WordCount 4, AndX none, Flags, PasswordLength 1\n"
        "19 00            # ByteCount 25\n"
        "00               # Password\n"
        "5c 00 5c 00 46 00 53 00 5c 00 50 00 55 00 42 00 00 00  # \\\\FS\\PUB\n"
        "3f 3f 3f 3f 3f 00  # Service \"?????\""));
    const std::size_t n = 60000;
    Buf resp = hex(
        "ff 53 4d 42 75 00 00 00 00 98 07 c8 00 00 00 00 00 00 00 00 00 00 00 00 05 00 34 12 01 08 06 00  # reply\n"
        "03 ff 00 00 00 01 00  # WordCount 3, AndX none, OptionalSupport");
    put16(resp, static_cast<std::uint16_t>(n + 1 + 2));  // ByteCount: service, NUL, native FS (empty)
    resp.insert(resp.end(), n, 'A');
    resp.push_back(0);
    put16(resp, 0);
    h.s2c(resp);
    const auto maps = h.sink.all<SmbMappingEvent>();
    ASSERT_EQ(maps.size(), 1u);
    EXPECT_EQ(maps[0].service, std::string(h.cfg.max_name_length, 'A'));
    EXPECT_TRUE(h.weird("smb_name_truncated"));
    h.end();
}

}  // namespace
}  // namespace sw::smb::fixture
