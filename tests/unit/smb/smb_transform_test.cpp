// SMB3 transforms (smb_transform): encrypted volumes per direction, the
// COMPRESSION_TRANSFORM rebuilt where no LZ decoder is needed.
#include <gtest/gtest.h>

#include "smb_state_fixture.h"

namespace sw::smb::fixture {
namespace {

TEST(SmbTransform, EncryptedVolumesPerDirection) {
    Harness h;
    auto transform = [](std::uint32_t size) {
        Buf t = hex("fd 53 4d 42");
        t.resize(36, 0xab);  // signature, nonce
        put32(t, size);
        put16(t, 0);
        put16(t, 1);
        put64(t, kSid);
        t.resize(52 + size, 0xcd);
        return t;
    };
    h.c2s(transform(100000));
    h.s2c(transform(80));
    h.c2s(transform(2000));
    h.end();
    auto s = h.sink.all<SmbSessionEvent>();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_TRUE(s[0].encrypted);
    EXPECT_EQ(s[0].encrypted_msgs[0], 2u);  // client -> server
    EXPECT_EQ(s[0].encrypted_msgs[1], 1u);
    EXPECT_EQ(s[0].encrypted_bytes[0], 102000u);
    EXPECT_EQ(s[0].encrypted_bytes[1], 80u);
    EXPECT_EQ(s[0].id.orig_h.str(), "10.0.0.1");
    auto m = h.sink.all<SmbMappingEvent>();
    ASSERT_EQ(m.size(), 1u);
    EXPECT_TRUE(m[0].encrypted);
    EXPECT_TRUE(m[0].path.empty());
    EXPECT_EQ(h.conn->protocol(), AppProtocol::smb);
}

TEST(SmbTransform, ChainedCompressedWriteIsRebuilt) {
    Harness h;
    h.tree();
    h.c2s(pdu(cmd::create, 10, 0, create_req("c.zip")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1)));
    // WRITE of 512 bytes: header, fixed part and "PK\3\4" in a NONE payload,
    // the remaining 506 zero bytes as a Pattern_V1 run.
    Buf w = pdu(cmd::write, 11, 0, write_req(fid_bytes(1, 1), 0, hex("50 4b 03 04 14 00")));
    w[0x44] = 0;  // Length 512 (the data continues in the pattern)
    w[0x45] = 2;
    Buf pattern = hex("00 00 00 00");  // Pattern 0x00, reserved
    put32(pattern, 506);
    h.c2s(chained({{compression::none, w}, {compression::pattern_v1, pattern}}, 112 + 512));
    h.s2c(pdu(cmd::write, 11, kResp, write_resp(512)));
    h.end();
    auto f = h.files();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].bytes_written, 512u);
    EXPECT_EQ(f[0].content_type, "zip");
    EXPECT_FALSE(h.weird("smb3_compressed_not_decoded"));
}

TEST(SmbTransform, UnchainedLz77WriteCountsFromItsHeader) {
    Harness h;
    h.tree();
    h.c2s(pdu(cmd::create, 10, 0, create_req("big.bin")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1)));
    // Unchained: the first 0x70 bytes (SMB2 header + WRITE fixed part) in
    // clear, then 65536 bytes of data compressed with LZ77 (not decoded).
    Buf w = pdu(cmd::write, 11, 0, write_req(fid_bytes(1, 1), 0, {}));
    w[0x44] = 0;
    w[0x45] = 0;
    w[0x46] = 1;  // Length 65536
    Buf m = hex("fc 53 4d 42");
    put32(m, 112 + 65536);
    put16(m, compression::lz77);
    put16(m, 0);
    put32(m, 112);  // Offset
    m.insert(m.end(), w.begin(), w.end());
    m.resize(m.size() + 300, 0x5a);  // the compressed bytes
    h.c2s(m);
    h.end();
    auto f = h.files();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].bytes_written, 65536u);
    EXPECT_TRUE(f[0].content_type.empty());  // the content itself stays compressed
}

}  // namespace
}  // namespace sw::smb::fixture
