// SMB2 commands (smb2_commands): compound chains with related operations,
// interim STATUS_PENDING responses, sizes, write ranges, renames/deletes,
// reads, handles opened before the capture, multi-credit requests.
#include <gtest/gtest.h>

#include "smb_state_fixture.h"

namespace sw::smb::fixture {
namespace {

TEST(Smb2Commands, CompoundCreateWriteCloseWithRelatedFileId) {
    Harness h;
    h.tree();
    // One message: CREATE x.zip, WRITE 600 bytes (related, FileId all ones), CLOSE (related).
    h.c2s(compound({pdu(cmd::create, 10, 0, create_req("dir\\x.zip")),
                    pdu(cmd::write, 11, flags::related, write_req(kRelatedFid, 0, zip_bytes(600)), 0, ~0ull, ~0u),
                    pdu(cmd::close, 12, flags::related, close_req(kRelatedFid), 0, ~0ull, ~0u)}));
    EXPECT_TRUE(h.files().empty());  // nothing is logged before the close answer
    h.s2c(compound({pdu(cmd::create, 10, kResp, create_resp(7, 8)), pdu(cmd::write, 11, kResp | flags::related, write_resp(600)),
                    pdu(cmd::close, 12, kResp | flags::related, close_resp(600))}));
    auto f = h.files();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].name, "dir\\x.zip");
    EXPECT_EQ(f[0].path, "\\\\fs\\stage$");
    EXPECT_EQ(f[0].share, "stage$");
    EXPECT_EQ(f[0].action, "SMB::FILE_WRITE");
    EXPECT_EQ(f[0].bytes_written, 600u);
    EXPECT_EQ(f[0].size, std::optional<std::uint64_t>(600));
    EXPECT_EQ(f[0].content_type, "zip");
    EXPECT_TRUE(f[0].archive_name);
    EXPECT_EQ(f[0].write_ranges, 1u);
    EXPECT_EQ(f[0].id.orig_h.str(), "10.0.0.1");
    EXPECT_EQ(h.conn->open_files(), 0u);
    EXPECT_EQ(h.conn->pending_requests(), 0u);
    EXPECT_EQ(h.conn->protocol(), AppProtocol::smb);
}

// MessageId 0xFFFFFFFFFFFFFFFF is reserved ([MS-SMB2] 3.3.1.1: the sequence
// never wraps; 3.2.5.19: a message with it is an oplock/lease break
// notification). A request with it is a weird and enters no table; the
// server's unsolicited break with it matches nothing.
TEST(Smb2Commands, ReservedMessageIdRequestIsIgnored) {
    Harness h;
    h.tree();
    h.c2s(pdu(cmd::create, ~0ull, 0, create_req("x.zip")));
    EXPECT_TRUE(h.weird("smb2_reserved_message_id"));
    EXPECT_EQ(h.conn->pending_requests(), 0u);
    EXPECT_EQ(h.conn->open_files(), 0u);
    Buf brk = hex("18 00 00 00 00 00 00 00");  // OPLOCK_BREAK notification, level none
    Buf fid = fid_bytes(7, 8);
    brk.insert(brk.end(), fid.begin(), fid.end());
    h.s2c(pdu(0x12, ~0ull, kResp, brk));
    EXPECT_EQ(h.conn->pending_requests(), 0u);
    // The connection goes on normally.
    h.c2s(pdu(cmd::create, 20, 0, create_req("y.zip")));
    h.s2c(pdu(cmd::create, 20, kResp, create_resp(7, 8)));
    h.c2s(pdu(cmd::close, 21, 0, close_req(fid_bytes(7, 8))));
    h.s2c(pdu(cmd::close, 21, kResp, close_resp(0)));
    auto f = h.files();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].name, "y.zip");
    h.end();
    EXPECT_EQ(h.files().size(), 1u);
}

TEST(Smb2Commands, FailedCompoundCreateDropsItsWrites) {
    Harness h;
    h.tree();
    h.c2s(compound({pdu(cmd::create, 10, 0, create_req("denied.bin")),
                    pdu(cmd::write, 11, flags::related, write_req(kRelatedFid, 0, Buf(100, 1)), 0, ~0ull, ~0u)}));
    h.s2c(compound({pdu(cmd::create, 10, kResp, error_body(), status::access_denied),
                    pdu(cmd::write, 11, kResp | flags::related, error_body(), status::access_denied)}));
    h.end();
    EXPECT_TRUE(h.files().empty());
}

TEST(Smb2Commands, InterimPendingKeepsTheRequest) {
    Harness h;
    h.tree();
    h.c2s(pdu(cmd::create, 10, 0, create_req("a.txt")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1)));
    Buf fid = fid_bytes(1, 1);
    h.c2s(pdu(cmd::write, 11, 0, write_req(fid, 0, Buf(1000, 'a'))));
    h.c2s(pdu(cmd::write, 12, 0, write_req(fid, 1000, Buf(500, 'b'))));
    // Interim answers (async, STATUS_PENDING), then the final ones.
    h.s2c(pdu(cmd::write, 11, kResp | flags::async, error_body(), status::pending));
    h.s2c(pdu(cmd::write, 12, kResp | flags::async, error_body(), status::pending));
    EXPECT_EQ(h.conn->pending_requests(), 2u);
    h.s2c(pdu(cmd::write, 11, kResp | flags::async, write_resp(1000)));
    h.s2c(pdu(cmd::write, 12, kResp | flags::async, error_body(), status::access_denied));  // refused
    EXPECT_EQ(h.conn->pending_requests(), 0u);
    h.c2s(pdu(cmd::close, 13, 0, close_req(fid)));
    h.s2c(pdu(cmd::close, 13, kResp, close_resp(std::nullopt)));
    auto f = h.files();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].bytes_written, 1000u);  // the refused 500 are not counted
    EXPECT_EQ(f[0].content_type, "text");
}

TEST(Smb2Commands, SizeComesFromCloseElseWritesElseCreate) {
    Harness h;
    h.tree();
    // Existing file of 5000 bytes, 100 bytes written at 6000, closed without attributes.
    h.c2s(pdu(cmd::create, 10, 0, create_req("grow.bin")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1, 5000)));
    h.c2s(pdu(cmd::write, 11, 0, write_req(fid_bytes(1, 1), 6000, Buf(100, 1))));
    h.c2s(pdu(cmd::close, 12, 0, close_req(fid_bytes(1, 1))));
    h.s2c(pdu(cmd::close, 12, kResp, close_resp(std::nullopt)));
    // Created empty, nothing written: size 0 from the CREATE response.
    h.c2s(pdu(cmd::create, 13, 0, create_req("empty.txt")));
    h.s2c(pdu(cmd::create, 13, kResp, create_resp(2, 2, 0)));
    h.c2s(pdu(cmd::close, 14, 0, close_req(fid_bytes(2, 2))));
    h.s2c(pdu(cmd::close, 14, kResp, close_resp(std::nullopt)));
    auto f = h.files();
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].size, std::optional<std::uint64_t>(6100));
    EXPECT_EQ(f[0].write_ranges, 1u);
    EXPECT_EQ(f[1].size, std::optional<std::uint64_t>(0));
    EXPECT_EQ(f[1].action, "SMB::FILE_OPEN");
}

TEST(Smb2Commands, WriteRangesCountHoles) {
    Harness h;
    h.tree();
    h.c2s(pdu(cmd::create, 10, 0, create_req("sparse")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1)));
    Buf fid = fid_bytes(1, 1);
    std::uint64_t mid = 20;
    for (std::uint64_t off : {0ull, 100ull, 1000ull, 200ull, 100ull}) h.c2s(pdu(cmd::write, mid++, 0, write_req(fid, off, Buf(100, 0))));
    h.end();
    auto f = h.files();
    ASSERT_EQ(f.size(), 1u);
    // [0,300) merged from 0, 100, 200; [1000,1100) apart.
    EXPECT_EQ(f[0].write_ranges, 2u);
    EXPECT_EQ(f[0].bytes_written, 500u);
}

TEST(Smb2Commands, RenameAndDeleteRows) {
    Harness h;
    h.tree();
    h.c2s(pdu(cmd::create, 10, 0, create_req("old.zip")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1, 61440)));
    h.c2s(pdu(cmd::set_info, 11, 0, set_info(fid_bytes(1, 1), file_info::rename, rename_info("new.zip"))));
    h.s2c(pdu(cmd::set_info, 11, kResp, simple(2)));
    h.c2s(pdu(cmd::close, 12, 0, close_req(fid_bytes(1, 1))));
    h.s2c(pdu(cmd::close, 12, kResp, close_resp(61440)));
    // Delete through the disposition.
    h.c2s(pdu(cmd::create, 13, 0, create_req("gone.txt")));
    h.s2c(pdu(cmd::create, 13, kResp, create_resp(2, 2, 10)));
    h.c2s(pdu(cmd::set_info, 14, 0, set_info(fid_bytes(2, 2), file_info::disposition, hex("01"))));
    h.s2c(pdu(cmd::set_info, 14, kResp, simple(2)));
    h.c2s(pdu(cmd::close, 15, 0, close_req(fid_bytes(2, 2))));
    h.s2c(pdu(cmd::close, 15, kResp, close_resp(10)));
    // Delete on close from the CREATE options.
    h.c2s(pdu(cmd::create, 16, 0, create_req("tmp.bin", 0x1040)));
    h.s2c(pdu(cmd::create, 16, kResp, create_resp(3, 3, 0)));
    h.c2s(pdu(cmd::close, 17, 0, close_req(fid_bytes(3, 3))));
    h.s2c(pdu(cmd::close, 17, kResp, close_resp(0)));
    // A rename the server refused changes nothing.
    h.c2s(pdu(cmd::create, 18, 0, create_req("keep.txt")));
    h.s2c(pdu(cmd::create, 18, kResp, create_resp(4, 4, 1)));
    h.c2s(pdu(cmd::set_info, 19, 0, set_info(fid_bytes(4, 4), file_info::rename, rename_info("x.txt"))));
    h.s2c(pdu(cmd::set_info, 19, kResp, error_body(), status::access_denied));
    h.end();
    auto f = h.files();
    ASSERT_EQ(f.size(), 4u);
    EXPECT_EQ(f[0].action, "SMB::FILE_RENAME");
    EXPECT_EQ(f[0].name, "new.zip");
    EXPECT_EQ(f[0].prev_name, "old.zip");
    EXPECT_EQ(f[0].size, std::optional<std::uint64_t>(61440));
    EXPECT_EQ(f[1].action, "SMB::FILE_DELETE");
    EXPECT_EQ(f[1].name, "gone.txt");
    EXPECT_TRUE(f[1].deleted);
    EXPECT_EQ(f[2].action, "SMB::FILE_DELETE");
    EXPECT_EQ(f[2].name, "tmp.bin");
    EXPECT_EQ(f[3].action, "SMB::FILE_OPEN");
    EXPECT_EQ(f[3].name, "keep.txt");
    EXPECT_TRUE(f[3].prev_name.empty());
}

TEST(Smb2Commands, ReadsCountedFromResponses) {
    Harness h;
    h.tree();
    h.c2s(pdu(cmd::create, 10, 0, create_req("r.txt")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1, 300)));
    h.c2s(pdu(cmd::read, 11, 0, read_req(fid_bytes(1, 1), 0, 65536)));
    h.s2c(pdu(cmd::read, 11, kResp, read_resp(Buf(300, 'r'))));
    h.c2s(pdu(cmd::read, 12, 0, read_req(fid_bytes(1, 1), 300, 65536)));
    h.s2c(pdu(cmd::read, 12, kResp, error_body(), status::end_of_file));
    h.c2s(pdu(cmd::close, 13, 0, close_req(fid_bytes(1, 1))));
    h.s2c(pdu(cmd::close, 13, kResp, close_resp(300)));
    auto f = h.files();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].action, "SMB::FILE_READ");
    EXPECT_EQ(f[0].bytes_read, 300u);
}

// A PE image: "MZ", e_lfanew = 0x40 at 0x3c, "PE\0\0" at 0x40, then code bytes.
Buf pe_image(std::size_t n) {
    Buf b(n, 0x90);
    b[0] = 'M';
    b[1] = 'Z';
    for (std::size_t i = 2; i < 0x40; ++i) b[i] = 0;
    b[0x3c] = 0x40;
    b[0x40] = 'P';
    b[0x41] = 'E';
    b[0x42] = 0;
    b[0x43] = 0;
    return b;
}

TEST(Smb2Commands, FirstBytesReadAreSniffedApartFromWrites) {
    Harness h;
    h.tree("\\\\fs\\C$");
    h.c2s(pdu(cmd::create, 10, 0, create_req("tools\\psexec.exe")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1, 1000)));
    // 300 bytes at 0, then the rest: the sample is the first 512 bytes, across two READs.
    const Buf image = pe_image(1000);
    h.c2s(pdu(cmd::read, 11, 0, read_req(fid_bytes(1, 1), 0, 300)));
    h.s2c(pdu(cmd::read, 11, kResp, read_resp(Buf(image.begin(), image.begin() + 300))));
    h.c2s(pdu(cmd::read, 12, 0, read_req(fid_bytes(1, 1), 300, 700)));
    h.s2c(pdu(cmd::read, 12, kResp, read_resp(Buf(image.begin() + 300, image.end()))));
    h.c2s(pdu(cmd::close, 13, 0, close_req(fid_bytes(1, 1))));
    h.s2c(pdu(cmd::close, 13, kResp, close_resp(1000)));
    // A second handle read only from 4096 on: offset 0 never read, no type.
    h.c2s(pdu(cmd::create, 20, 0, create_req("big.bin")));
    h.s2c(pdu(cmd::create, 20, kResp, create_resp(2, 2, 8192)));
    h.c2s(pdu(cmd::read, 21, 0, read_req(fid_bytes(2, 2), 4096, 4096)));
    h.s2c(pdu(cmd::read, 21, kResp, read_resp(pe_image(4096))));
    h.c2s(pdu(cmd::close, 22, 0, close_req(fid_bytes(2, 2))));
    h.s2c(pdu(cmd::close, 22, kResp, close_resp(8192)));
    auto f = h.files();
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].action, "SMB::FILE_READ");
    EXPECT_EQ(f[0].bytes_read, 1000u);
    EXPECT_EQ(f[0].read_content_type, "pe");
    EXPECT_TRUE(f[0].content_type.empty());  // nothing written
    EXPECT_EQ(f[1].bytes_read, 4096u);
    EXPECT_TRUE(f[1].read_content_type.empty());
}

TEST(Smb2Commands, WriteToUnknownHandleStillCounts) {
    // Mid-session capture: the CREATE was before the capture started.
    Harness h;
    h.c2s(pdu(cmd::write, 50, 0, write_req(fid_bytes(9, 9), 4096, Buf(4096, 0))));
    h.s2c(pdu(cmd::write, 50, kResp, write_resp(4096)));
    h.end();
    auto f = h.files();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_TRUE(f[0].name.empty());
    EXPECT_EQ(f[0].bytes_written, 4096u);
    EXPECT_EQ(f[0].size, std::optional<std::uint64_t>(8192));  // at least the end of the write
    EXPECT_TRUE(f[0].content_type.empty());                     // offset 0 never written
}

TEST(Smb2Commands, MultiCreditRequestsMatchByTheirFirstMessageId) {
    // A 1 MiB WRITE charged 16 credits uses MessageIds 100..115; its response
    // carries 100, and the next request starts at 116.
    Harness h;
    h.tree();
    h.c2s(pdu(cmd::create, 90, 0, create_req("m.bin")));
    h.s2c(pdu(cmd::create, 90, kResp, create_resp(1, 1)));
    Buf w = pdu(cmd::write, 100, 0, write_req(fid_bytes(1, 1), 0, Buf(1 << 20, 7)));
    w[6] = 16;  // CreditCharge 16
    h.c2s(w);
    h.c2s(pdu(cmd::write, 116, 0, write_req(fid_bytes(1, 1), 1 << 20, Buf(10, 7))));
    h.s2c(pdu(cmd::write, 116, kResp, write_resp(10)));
    h.s2c(pdu(cmd::write, 100, kResp, error_body(), status::access_denied));  // answered last, refused
    h.end();
    auto f = h.files();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].bytes_written, 10u);
    EXPECT_EQ(h.conn->pending_requests(), 0u);
}

}  // namespace
}  // namespace sw::smb::fixture
