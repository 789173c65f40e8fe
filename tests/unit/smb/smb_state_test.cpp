// The SMB connection state machine, driven with synthetic SMB2/SMB1 traffic:
// compound chains with related operations, interim STATUS_PENDING
// responses, renames/deletes, limits (each hit a weird, never a crash),
// state freed on TREE_DISCONNECT/LOGOFF/flow end, encrypted volumes.
#include <gtest/gtest.h>

#include <cstring>

#include "dissectors/smb2/smb_state.h"
#include "support.h"

namespace sw::smb {
namespace {

using sw::test::Collector;
using sw::test::hex;
using Buf = std::vector<std::uint8_t>;

void put16(Buf& b, std::uint16_t v) { b.insert(b.end(), {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)}); }
void put32(Buf& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put64(Buf& b, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
Buf utf16(const std::string& s) {
    Buf b;
    for (char c : s) put16(b, static_cast<std::uint8_t>(c));
    return b;
}

constexpr std::uint64_t kSid = 0x1122334455667788ull;
constexpr std::uint32_t kTid = 5;
constexpr std::uint32_t kResp = flags::server_to_redir;

struct Pdu {
    Buf b;
};

// SMB2 header + body.
Buf pdu(std::uint16_t command, std::uint64_t mid, std::uint32_t fl, const Buf& body, std::uint32_t status = 0,
        std::uint64_t sid = kSid, std::uint32_t tid = kTid) {
    Buf b = hex("fe 53 4d 42 40 00 01 00");
    put32(b, status);
    put16(b, command);
    put16(b, 1);
    put32(b, fl);
    put32(b, 0);  // NextCommand, set by compound()
    put64(b, mid);
    if (fl & flags::async) {
        put64(b, 0x99);
    } else {
        put32(b, 0);
        put32(b, tid);
    }
    put64(b, sid);
    b.resize(64, 0);
    b.insert(b.end(), body.begin(), body.end());
    return b;
}

// Several PDUs in one NBSS message, NextCommand set, each padded to 8.
Buf compound(std::vector<Buf> parts) {
    Buf out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        Buf& p = parts[i];
        if (i + 1 < parts.size()) {
            p.resize((p.size() + 7) & ~std::size_t{7}, 0);
            std::uint32_t n = static_cast<std::uint32_t>(p.size());
            std::memcpy(p.data() + 20, &n, 4);  // little-endian host
        }
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

Buf nbss(const Buf& payload) {
    auto len = static_cast<std::uint32_t>(payload.size());
    Buf b = {0, static_cast<std::uint8_t>(len >> 16), static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

Buf fid_bytes(std::uint64_t p, std::uint64_t v) {
    Buf b;
    put64(b, p);
    put64(b, v);
    return b;
}
const Buf kRelatedFid = fid_bytes(~0ull, ~0ull);

Buf tree_connect_req(const std::string& path) {
    Buf b = hex("09 00 00 00 48 00");
    put16(b, static_cast<std::uint16_t>(path.size() * 2));
    Buf p = utf16(path);
    b.insert(b.end(), p.begin(), p.end());
    return b;
}
Buf tree_connect_resp(std::uint8_t type = share_type::disk, std::uint32_t share_flags = 0) {
    Buf b = hex("10 00");
    b.push_back(type);
    b.push_back(0);
    put32(b, share_flags);
    put32(b, 0);
    put32(b, 0x1f01ff);
    return b;
}
Buf create_req(const std::string& name, std::uint32_t options = 0x40) {
    Buf b = hex("39 00 00 00 02 00 00 00");
    b.resize(b.size() + 16, 0);
    put32(b, 0x0012019f);  // DesiredAccess
    put32(b, 0x80);
    put32(b, 7);
    put32(b, disposition::overwrite_if);
    put32(b, options);
    put16(b, 0x78);
    put16(b, static_cast<std::uint16_t>(name.size() * 2));
    put32(b, 0);
    put32(b, 0);
    Buf n = utf16(name);
    b.insert(b.end(), n.begin(), n.end());
    return b;
}
Buf create_resp(std::uint64_t fp, std::uint64_t fv, std::uint64_t eof = 0, std::uint32_t attrs = 0x20) {
    Buf b = hex("59 00 00 00 02 00 00 00");
    for (int i = 0; i < 4; ++i) put64(b, 0x01da1b2c3d4e5f60ull);  // times
    put64(b, 4096);
    put64(b, eof);
    put32(b, attrs);
    put32(b, 0);
    Buf f = fid_bytes(fp, fv);
    b.insert(b.end(), f.begin(), f.end());
    put64(b, 0);
    return b;
}
Buf write_req(const Buf& fid, std::uint64_t off, const Buf& data) {
    Buf b = hex("31 00 70 00");
    put32(b, static_cast<std::uint32_t>(data.size()));
    put64(b, off);
    b.insert(b.end(), fid.begin(), fid.end());
    b.resize(48, 0);
    b.insert(b.end(), data.begin(), data.end());
    return b;
}
Buf write_resp(std::uint32_t count) {
    Buf b = hex("11 00 00 00");
    put32(b, count);
    b.resize(16, 0);
    return b;
}
Buf read_req(const Buf& fid, std::uint64_t off, std::uint32_t len) {
    Buf b = hex("31 00 50 00");
    put32(b, len);
    put64(b, off);
    b.insert(b.end(), fid.begin(), fid.end());
    b.resize(49, 0);
    return b;
}
Buf read_resp(const Buf& data) {
    Buf b = hex("11 00 50 00");
    put32(b, static_cast<std::uint32_t>(data.size()));
    b.resize(16, 0);
    b.insert(b.end(), data.begin(), data.end());
    return b;
}
Buf close_req(const Buf& fid) {
    Buf b = hex("18 00 01 00 00 00 00 00");
    b.insert(b.end(), fid.begin(), fid.end());
    return b;
}
Buf close_resp(std::optional<std::uint64_t> eof) {
    Buf b = hex("3c 00");
    put16(b, eof ? 1 : 0);
    put32(b, 0);
    for (int i = 0; i < 4; ++i) put64(b, eof ? 0x01da1b2c3d4e5f60ull : 0);
    put64(b, 0);
    put64(b, eof.value_or(0));
    put32(b, 0x20);
    return b;
}
Buf set_info(const Buf& fid, std::uint8_t cls, const Buf& buffer) {
    Buf b = hex("21 00 01");
    b.push_back(cls);
    put32(b, static_cast<std::uint32_t>(buffer.size()));
    put16(b, 0x60);
    put16(b, 0);
    put32(b, 0);
    b.insert(b.end(), fid.begin(), fid.end());
    b.insert(b.end(), buffer.begin(), buffer.end());
    return b;
}
Buf rename_info(const std::string& name) {
    Buf b(16, 0);
    put32(b, static_cast<std::uint32_t>(name.size() * 2));
    Buf n = utf16(name);
    b.insert(b.end(), n.begin(), n.end());
    return b;
}
Buf error_body() { return hex("09 00 00 00 00 00 00 00 00"); }
Buf simple(std::uint16_t structure) {
    Buf b;
    put16(b, structure);
    put16(b, 0);
    return b;
}

struct Harness {
    ConnId id;
    Collector sink;
    SmbConfig cfg;
    std::unique_ptr<SmbConnection> conn;
    Timestamp ts = 1'700'000'000'000'000;

    explicit Harness(SmbConfig c = {}) : cfg(c) {
        id.orig_h = *IpAddr::parse("10.0.0.1");
        id.resp_h = *IpAddr::parse("10.0.0.2");
        id.orig_p = 50000;
        id.resp_p = 445;
        id.proto = Transport::tcp;
        std::memcpy(id.uid_buf.data(), "Ctest", 5);
        id.uid_len = 5;
        conn = std::make_unique<SmbConnection>(id, sink, cfg);
    }
    void c2s(const Buf& smb) { conn->on_data(Dir::orig, nbss(smb), ts += 1000); }
    void s2c(const Buf& smb) { conn->on_data(Dir::resp, nbss(smb), ts += 1000); }
    void end() { conn->on_flow_end(ts += 1000); }
    void tree(const std::string& path = "\\\\fs\\stage$", std::uint32_t tid = kTid, std::uint8_t type = share_type::disk) {
        c2s(pdu(cmd::tree_connect, 2, 0, tree_connect_req(path), 0, kSid, 0));
        s2c(pdu(cmd::tree_connect, 2, kResp, tree_connect_resp(type), 0, kSid, tid));
    }
    std::vector<SmbFileEvent> files() const { return sink.all<SmbFileEvent>(); }
    bool weird(const std::string& name) const {
        for (const auto& w : sink.all<WeirdEvent>())
            if (w.name == name) return true;
        return false;
    }
};

Buf zip_bytes(std::size_t n) {
    Buf b = hex("50 4b 03 04 14 00 00 00 08 00");
    b.resize(n, 0x33);
    return b;
}

TEST(SmbState, CompoundCreateWriteCloseWithRelatedFileId) {
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
    EXPECT_EQ(h.conn->service(), "smb");
}

TEST(SmbState, FailedCompoundCreateDropsItsWrites) {
    Harness h;
    h.tree();
    h.c2s(compound({pdu(cmd::create, 10, 0, create_req("denied.bin")),
                    pdu(cmd::write, 11, flags::related, write_req(kRelatedFid, 0, Buf(100, 1)), 0, ~0ull, ~0u)}));
    h.s2c(compound({pdu(cmd::create, 10, kResp, error_body(), status::access_denied),
                    pdu(cmd::write, 11, kResp | flags::related, error_body(), status::access_denied)}));
    h.end();
    EXPECT_TRUE(h.files().empty());
}

TEST(SmbState, InterimPendingKeepsTheRequest) {
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

TEST(SmbState, SizeComesFromCloseElseWritesElseCreate) {
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

TEST(SmbState, WriteRangesCountHoles) {
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

TEST(SmbState, RenameAndDeleteRows) {
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

TEST(SmbState, ReadsCountedFromResponses) {
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

TEST(SmbState, TreeDisconnectAndLogoffFreeState) {
    Harness h;
    h.tree();
    h.c2s(pdu(cmd::create, 10, 0, create_req("open.txt")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1)));
    EXPECT_EQ(h.conn->open_files(), 1u);
    h.c2s(pdu(cmd::tree_disconnect, 11, 0, simple(4)));
    h.s2c(pdu(cmd::tree_disconnect, 11, kResp, simple(4)));
    EXPECT_EQ(h.conn->open_files(), 0u);
    ASSERT_EQ(h.files().size(), 1u);  // logged when its tree went away
    h.c2s(pdu(cmd::logoff, 12, 0, simple(4)));
    h.s2c(pdu(cmd::logoff, 12, kResp, simple(4)));
    auto s = h.sink.all<SmbSessionEvent>();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].session_id, kSid);
    h.end();
    EXPECT_EQ(h.sink.all<SmbSessionEvent>().size(), 1u);  // not again at flow end
}

TEST(SmbState, OpenFilesAreLoggedAtFlowEnd) {
    Harness h;
    h.tree();
    h.c2s(pdu(cmd::create, 10, 0, create_req("a")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1)));
    h.c2s(pdu(cmd::create, 11, 0, create_req("b")));
    h.s2c(pdu(cmd::create, 11, kResp, create_resp(2, 2)));
    h.c2s(pdu(cmd::write, 12, 0, write_req(fid_bytes(2, 2), 0, Buf(10, 'x'))));
    EXPECT_TRUE(h.files().empty());
    h.end();
    auto f = h.files();
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].name, "a");  // in open order
    EXPECT_EQ(f[1].name, "b");
    EXPECT_EQ(f[1].bytes_written, 10u);
    EXPECT_EQ(f[1].close_ts, h.ts);
}

TEST(SmbState, WriteToUnknownHandleStillCounts) {
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

TEST(SmbState, OpenFileLimitEvictsOldestAsWeird) {
    SmbConfig cfg;
    cfg.max_open_files = 2;
    Harness h(cfg);
    h.tree();
    for (std::uint64_t i = 1; i <= 3; ++i) {
        h.c2s(pdu(cmd::create, 10 + i, 0, create_req("f" + std::to_string(i))));
        h.s2c(pdu(cmd::create, 10 + i, kResp, create_resp(i, i)));
    }
    EXPECT_TRUE(h.weird("smb_open_file_limit"));
    ASSERT_EQ(h.files().size(), 1u);  // f1 evicted and logged
    EXPECT_EQ(h.files()[0].name, "f1");
    EXPECT_LE(h.conn->open_files(), 2u);
    h.end();
    EXPECT_EQ(h.files().size(), 3u);
}

TEST(SmbState, PendingLimitIsAWeirdNotAGrowth) {
    SmbConfig cfg;
    cfg.max_pending = 4;
    Harness h(cfg);
    h.tree();
    h.c2s(pdu(cmd::create, 10, 0, create_req("r")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1)));
    // One-sided from here: 1000 READs never answered.
    for (std::uint64_t i = 0; i < 1000; ++i) h.c2s(pdu(cmd::read, 100 + i, 0, read_req(fid_bytes(1, 1), i * 10, 10)));
    EXPECT_EQ(h.conn->pending_requests(), 4u);
    EXPECT_TRUE(h.weird("smb_pending_limit"));
    // Sampled: the 1st, 10th, 100th and 1000th hit, not 996 rows.
    std::size_t n = 0;
    for (const auto& w : h.sink.all<WeirdEvent>()) n += w.name == "smb_pending_limit";
    EXPECT_EQ(n, 3u);  // 996 hits: 1st, 10th, 100th
}

TEST(SmbState, NameLengthLimit) {
    SmbConfig cfg;
    cfg.max_name_length = 16;
    Harness h(cfg);
    h.tree();
    h.c2s(pdu(cmd::create, 10, 0, create_req("a-very-long-directory\\and-a-file.zip")));
    h.s2c(pdu(cmd::create, 10, kResp, create_resp(1, 1)));
    h.end();
    EXPECT_TRUE(h.weird("smb_name_truncated"));
    ASSERT_EQ(h.files().size(), 1u);
    EXPECT_EQ(h.files()[0].name, "a-very-long-dire");
}

TEST(SmbState, TreeAndSessionLimits) {
    SmbConfig cfg;
    cfg.max_trees = 1;
    cfg.max_sessions = 1;
    Harness h(cfg);
    h.tree("\\\\fs\\a", 1);
    h.tree("\\\\fs\\b", 2);
    EXPECT_TRUE(h.weird("smb_tree_limit"));
    EXPECT_EQ(h.sink.all<SmbMappingEvent>().size(), 2u);
    // Two sessions (seen through transform headers).
    for (std::uint64_t sid : {1ull, 2ull}) {
        Buf t = hex("fd 53 4d 42");
        t.resize(36, 0);
        put32(t, 16);
        put16(t, 0);
        put16(t, 1);
        put64(t, sid);
        t.resize(52 + 16, 0);
        h.c2s(t);
    }
    EXPECT_TRUE(h.weird("smb_session_limit"));
    h.end();
}

TEST(SmbState, EncryptedVolumesPerDirection) {
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
    EXPECT_EQ(h.conn->service(), "smb");
}

TEST(SmbState, EventsKeepTheFlowsOrientation) {
    // The flow engine decided orig/resp (conn.log); the SMB rows of the same
    // uid must say the same, even when the requests come from resp (here the
    // engine took the server for the originator).
    Harness r;
    r.id.orig_p = 445;
    r.id.resp_p = 50000;
    std::swap(r.id.orig_h, r.id.resp_h);  // orig 10.0.0.2:445, resp 10.0.0.1:50000
    r.conn = std::make_unique<SmbConnection>(r.id, r.sink, r.cfg);
    r.conn->on_data(Dir::resp, nbss(pdu(cmd::tree_connect, 2, 0, tree_connect_req("\\\\fs\\x"), 0, kSid, 0)), 1);
    r.conn->on_data(Dir::orig, nbss(pdu(cmd::tree_connect, 2, kResp, tree_connect_resp(), 0, kSid, kTid)), 2);
    r.conn->on_data(Dir::resp, nbss(pdu(cmd::create, 3, 0, create_req("q"))), 3);
    r.conn->on_data(Dir::orig, nbss(pdu(cmd::create, 3, kResp, create_resp(1, 1))), 4);
    r.conn->on_flow_end(5);
    auto f = r.sink.all<SmbFileEvent>();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].id.orig_h.str(), "10.0.0.2");
    EXPECT_EQ(f[0].id.orig_p, 445);
    EXPECT_EQ(f[0].id.resp_h.str(), "10.0.0.1");
    EXPECT_EQ(f[0].id.resp_p, 50000);
    auto m = r.sink.all<SmbMappingEvent>();
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].id.orig_h.str(), "10.0.0.2");
    EXPECT_EQ(m[0].id.resp_p, 50000);
}

// A COMPRESSION_TRANSFORM message around `smb` (an SMB2 PDU).
Buf chained(const std::vector<std::pair<std::uint16_t, Buf>>& payloads, std::uint32_t original) {
    Buf b = hex("fc 53 4d 42");
    put32(b, original);
    for (const auto& [alg, data] : payloads) {
        put16(b, alg);
        put16(b, 0);
        put32(b, static_cast<std::uint32_t>(data.size()));
        b.insert(b.end(), data.begin(), data.end());
    }
    return b;
}

TEST(SmbState, ChainedCompressedWriteIsRebuilt) {
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

TEST(SmbState, UnchainedLz77WriteCountsFromItsHeader) {
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

TEST(SmbState, MultiCreditRequestsMatchByTheirFirstMessageId) {
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

TEST(SmbState, Smb1AndxOffsetBackwardsIsAWeird) {
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

TEST(SmbState, GarbageNeverCrashes) {
    // Random bytes in both directions, in odd pieces, with gaps: no crash, no event.
    Harness h;
    std::uint64_t x = 12345;
    for (int round = 0; round < 200; ++round) {
        Buf b(1 + (x % 3000));
        for (auto& c : b) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            c = static_cast<std::uint8_t>(x >> 56);
        }
        // Sprinkle plausible headers so the parsers get exercised.
        if (round % 3 == 0 && b.size() > 80) {
            Buf hd = nbss(pdu(static_cast<std::uint16_t>(x % 19), x, static_cast<std::uint32_t>(x >> 32) & 7, Buf(16, 0)));
            std::copy(hd.begin(), hd.begin() + std::min<std::size_t>(hd.size(), 70), b.begin());
        }
        Dir d = (x >> 7) & 1 ? Dir::orig : Dir::resp;
        h.conn->on_data(d, b, h.ts += 10);
        if (round % 17 == 0) h.conn->on_gap(d, x % 5000, (x >> 9) & 1, h.ts);
    }
    h.end();
    SUCCEED();
}

}  // namespace
}  // namespace sw::smb
