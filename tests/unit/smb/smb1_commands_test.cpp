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

}  // namespace
}  // namespace sw::smb::fixture
