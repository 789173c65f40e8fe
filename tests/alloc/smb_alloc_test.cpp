// The SMB hot path allocates nothing per packet: after warm-up, a stream of
// WRITE requests/responses (and READ requests/responses) to an open handle
// goes through the dissector without a single heap allocation, and so do
// whole sessions (SESSION_SETUP with NTLMSSP, TREE_CONNECT, CREATE, WRITE,
// CLOSE, TREE_DISCONNECT, LOGOFF) with names longer than a string's inline
// buffer, with their smb_files, smb_mapping, ntlm and session rows. Counted by
// replacing the global operator new of the test binary (a plain counter in
// front of malloc).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "dissectors/smb2/smb_state.h"
#include "support.h"
#include "unit/smb/smb_state_fixture.h"

namespace {
std::atomic<std::uint64_t> g_allocs{0};
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
    g_allocs.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace sw::smb {
namespace {

using Buf = std::vector<std::uint8_t>;

void put(Buf& b, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

Buf message(std::uint16_t command, std::uint64_t mid, bool response, const Buf& body) {
    Buf b = {0xfe, 'S', 'M', 'B', 64, 0, 1, 0};
    put(b, 0, 4);
    put(b, command, 2);
    put(b, 1, 2);
    put(b, response ? 1 : 0, 4);
    put(b, 0, 4);
    put(b, mid, 8);
    put(b, 0, 4);
    put(b, 5, 4);
    put(b, 0x42, 8);
    b.resize(64, 0);
    b.insert(b.end(), body.begin(), body.end());
    std::uint32_t len = static_cast<std::uint32_t>(b.size());
    Buf n;
    n.reserve(4 + b.size());
    put(n, __builtin_bswap32(len), 4);  // NBSS: type 0, 24-bit big-endian length
    for (std::uint8_t c : b) n.push_back(c);
    return n;
}

TEST(SmbHotPath, WritesAndReadsAllocateNothing) {
    ConnId id;
    id.orig_h = *IpAddr::parse("10.0.0.1");
    id.resp_h = *IpAddr::parse("10.0.0.2");
    id.orig_p = 50000;
    id.resp_p = 445;
    sw::test::Collector sink;
    SmbConfig cfg;
    SmbConnection conn(id, sink, cfg);

    Buf create = {57, 0};
    create.resize(56, 0);
    create[44] = 0x78;  // NameOffset
    create[46] = 2;     // NameLength
    create.insert(create.end(), {'f', 0});
    Buf create_resp = {89, 0};
    create_resp.resize(88, 0);
    create_resp[64] = 1;  // FileId {1, 1}
    create_resp[72] = 1;
    conn.on_data(Dir::orig, message(cmd::create, 1, false, create), 1);
    conn.on_data(Dir::resp, message(cmd::create, 1, true, create_resp), 2);

    // Pre-built traffic: 2000 WRITEs of 64 KiB at increasing offsets, each
    // delivered as its head + first 1448 bytes (the rest skipped by count),
    // then its response; and READs of 4 KiB.
    constexpr int kN = 2000;
    std::vector<Buf> writes, write_resps, reads, read_resps;
    for (int i = 0; i < kN; ++i) {
        Buf w = {49, 0, 0x70, 0};
        put(w, 65536, 4);
        put(w, std::uint64_t(i) * 65536, 8);
        put(w, 1, 8);
        put(w, 1, 8);
        w.resize(48, 0);
        w.resize(48 + 1448 - 112 + 64, 0xaa);  // part of the data in this segment
        Buf m = message(cmd::write, 100 + i, false, w);
        std::uint32_t len = 112 + 65536;  // the NBSS length of the whole WRITE
        m[1] = static_cast<std::uint8_t>(len >> 16);
        m[2] = static_cast<std::uint8_t>(len >> 8);
        m[3] = static_cast<std::uint8_t>(len);
        writes.push_back(m);
        Buf wr = {17, 0, 0, 0};
        put(wr, 65536, 4);
        wr.resize(16, 0);
        write_resps.push_back(message(cmd::write, 100 + i, true, wr));
        Buf r = {49, 0, 0x50, 0};
        put(r, 4096, 4);
        put(r, std::uint64_t(i) * 4096, 8);
        put(r, 1, 8);
        put(r, 1, 8);
        r.resize(49, 0);
        reads.push_back(message(cmd::read, 100000 + i, false, r));
        Buf rr = {17, 0, 0x50, 0};
        put(rr, 4096, 4);
        rr.resize(16, 0);
        rr.resize(16 + 4096, 0xbb);
        read_resps.push_back(message(cmd::read, 100000 + i, true, rr));
    }
    // The rest of every WRITE's data, delivered only where the dissector
    // asks for it (its sniff windows); everything else is skipped by count.
    const Buf tail(65536, 0xaa);
    std::uint64_t skipped = 0;
    auto run = [&](int from, int to) {
        for (int i = from; i < to; ++i) {
            std::uint64_t pos = writes[i].size() - 4 - 112;  // data bytes already delivered
            std::uint64_t skip = conn.on_data(Dir::orig, writes[i], 10 + i);
            while (pos + skip < 65536) {
                pos += skip;
                std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(1448, 65536 - pos));
                skip = conn.on_data(Dir::orig, Bytes(tail.data() + pos, n), 10 + i);
                pos += n;
            }
            skipped += skip;
            conn.on_data(Dir::resp, write_resps[i], 10 + i);
            conn.on_data(Dir::orig, reads[i], 10 + i);
            conn.on_data(Dir::resp, read_resps[i], 10 + i);
        }
    };
    run(0, 100);  // warm-up: tables reach their working size
    std::uint64_t before = g_allocs.load();
    run(100, kN);
    std::uint64_t after = g_allocs.load();
    EXPECT_EQ(after - before, 0u) << "heap allocations on the WRITE/READ path";
    EXPECT_GT(skipped, std::uint64_t(kN) * 60000);  // the bodies went by skip
    conn.on_flow_end(100000);
    auto f = sink.all<SmbFileEvent>();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].bytes_written, std::uint64_t(kN) * 65536);
    EXPECT_EQ(f[0].bytes_read, std::uint64_t(kN) * 4096);
    EXPECT_EQ(f[0].write_ranges, 1u);
}

// Counts the events and checks their strings in place: storing them would
// allocate (the pipeline's sinks copy what they keep, outside this test).
struct CountingSink final : EventSink {
    std::uint64_t files = 0, mappings = 0, ntlm = 0, sessions = 0, weirds = 0, other = 0;
    std::uint64_t bytes_written = 0;
    std::uint64_t bad = 0;  // rows whose strings are not what was sent
    void on_event(const Event& e) override {
        if (const auto* f = std::get_if<SmbFileEvent>(&e)) {
            ++files;
            bytes_written += f->bytes_written;
            if (f->name != "Reports\\2024\\q3_financials_00042.xlsx" ||
                f->path != "\\\\FILESERVER01.corp.example\\Projects$" || f->action != "SMB::FILE_WRITE" ||
                f->username != "CORPORATION-EU\\administrator.backup" || f->content_type != "zip")
                ++bad;
        } else if (const auto* m = std::get_if<SmbMappingEvent>(&e)) {
            ++mappings;
            if (m->path != "\\\\FILESERVER01.corp.example\\Projects$" || m->share_type != "DISK") ++bad;
        } else if (const auto* n = std::get_if<NtlmEvent>(&e)) {
            ++ntlm;
            if (n->username != "administrator.backup" || n->domainname != "CORPORATION-EU" ||
                n->hostname != "WORKSTATION-0042.corp" || n->success != true)
                ++bad;
        } else if (const auto* s = std::get_if<SmbSessionEvent>(&e)) {
            ++sessions;
            if (s->username != "CORPORATION-EU\\administrator.backup") ++bad;
        } else if (std::holds_alternative<WeirdEvent>(e)) {
            ++weirds;
        } else {
            ++other;
        }
    }
};

// NTLMSSP AUTHENTICATE ([MS-NLMP] 2.2.1.3), raw (no SPNEGO), Unicode names.
Buf ntlm_authenticate(const std::string& domain, const std::string& user, const std::string& ws) {
    using fixture::put16;
    using fixture::put32;
    const Buf d = fixture::utf16(domain), u = fixture::utf16(user), w = fixture::utf16(ws);
    const Buf nt = {0xaa, 0xbb};
    Buf b = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    put32(b, 3);  // AUTHENTICATE
    std::uint32_t at = 0x40;
    auto field = [&](std::size_t len) {
        put16(b, static_cast<std::uint16_t>(len));
        put16(b, static_cast<std::uint16_t>(len));
        put32(b, at);
        at += static_cast<std::uint32_t>(len);
    };
    field(0);          // LmChallengeResponse
    field(nt.size());  // NtChallengeResponse
    field(d.size());   // DomainName
    field(u.size());   // UserName
    field(w.size());   // Workstation
    field(0);          // EncryptedRandomSessionKey
    put32(b, 0xa2080201);  // NegotiateFlags, UNICODE set
    for (const Buf* x : {&nt, &d, &u, &w}) b.insert(b.end(), x->begin(), x->end());
    return b;
}

// SESSION_SETUP request ([MS-SMB2] 2.2.5): the buffer at 64 + 24.
Buf session_setup_req(const Buf& blob) {
    Buf b = {25, 0, 0, 1};  // StructureSize, Flags, SecurityMode
    fixture::put32(b, 0);     // Capabilities
    fixture::put32(b, 0);     // Channel
    fixture::put16(b, 0x58);  // SecurityBufferOffset
    fixture::put16(b, static_cast<std::uint16_t>(blob.size()));
    fixture::put64(b, 0);     // PreviousSessionId
    b.insert(b.end(), blob.begin(), blob.end());
    return b;
}
// SESSION_SETUP response (2.2.6), no security buffer.
Buf session_setup_resp() { return {9, 0, 0, 0, 0x48, 0, 0, 0, 0}; }

TEST(SmbHotPath, SessionsTreesCreatesAndClosesAllocateNothing) {
    using namespace fixture;
    ConnId id;
    id.orig_h = *IpAddr::parse("10.0.0.1");
    id.resp_h = *IpAddr::parse("10.0.0.2");
    id.orig_p = 50000;
    id.resp_p = 445;
    CountingSink sink;
    SmbConfig cfg;
    SmbConnection conn(id, sink, cfg);

    // Pre-built: per cycle a new session (its own SessionId), a tree, three
    // files (CREATE, one 4 KiB WRITE starting with a zip header, CLOSE),
    // TREE_DISCONNECT and LOGOFF. Every name is longer than 15 bytes.
    const std::string path = "\\\\FILESERVER01.corp.example\\Projects$";
    const std::string file = "Reports\\2024\\q3_financials_00042.xlsx";
    const Buf auth = ntlm_authenticate("CORPORATION-EU", "administrator.backup", "WORKSTATION-0042.corp");
    Buf data(4096, 0x5a);
    const Buf zip = {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0};
    std::copy(zip.begin(), zip.end(), data.begin());
    constexpr int kCycles = 300, kFiles = 3;
    std::vector<std::vector<Buf>> cycles(kCycles);
    for (int c = 0; c < kCycles; ++c) {
        const std::uint64_t sid = 0x1000 + c;
        const std::uint32_t tid = 7 + c % 3;
        std::uint64_t mid = 10;
        auto& m = cycles[c];
        m.push_back(fixture::nbss(pdu(cmd::session_setup, mid, 0, session_setup_req(auth), 0, sid, 0)));
        m.push_back(fixture::nbss(pdu(cmd::session_setup, mid++, kResp, session_setup_resp(), 0, sid, 0)));
        m.push_back(fixture::nbss(pdu(cmd::tree_connect, mid, 0, tree_connect_req(path), 0, sid, 0)));
        m.push_back(fixture::nbss(pdu(cmd::tree_connect, mid++, kResp, tree_connect_resp(), 0, sid, tid)));
        for (int f = 0; f < kFiles; ++f) {
            const Buf fid = fid_bytes(0x500 + c * kFiles + f, 0x9000 + f);
            m.push_back(fixture::nbss(pdu(cmd::create, mid, 0, create_req(file), 0, sid, tid)));
            m.push_back(fixture::nbss(pdu(cmd::create, mid++, kResp, create_resp(0x500 + c * kFiles + f, 0x9000 + f), 0, sid, tid)));
            m.push_back(fixture::nbss(pdu(cmd::write, mid, 0, write_req(fid, 0, data), 0, sid, tid)));
            m.push_back(fixture::nbss(pdu(cmd::write, mid++, kResp, write_resp(4096), 0, sid, tid)));
            m.push_back(fixture::nbss(pdu(cmd::close, mid, 0, close_req(fid), 0, sid, tid)));
            m.push_back(fixture::nbss(pdu(cmd::close, mid++, kResp, close_resp(4096), 0, sid, tid)));
        }
        m.push_back(fixture::nbss(pdu(cmd::tree_disconnect, mid, 0, simple(4), 0, sid, tid)));
        m.push_back(fixture::nbss(pdu(cmd::tree_disconnect, mid++, kResp, simple(4), 0, sid, tid)));
        m.push_back(fixture::nbss(pdu(cmd::logoff, mid, 0, simple(4), 0, sid, 0)));
        m.push_back(fixture::nbss(pdu(cmd::logoff, mid++, kResp, simple(4), 0, sid, 0)));
    }
    Timestamp ts = 1'700'000'000'000'000;
    auto run = [&](int from, int to) {
        for (int c = from; c < to; ++c)
            for (std::size_t i = 0; i < cycles[c].size(); ++i)
                conn.on_data(i % 2 == 0 ? Dir::orig : Dir::resp, cycles[c][i], ts += 1000);
    };
    run(0, 20);  // warm-up: tables, pools and kept buffers reach their working size
    const std::uint64_t before = g_allocs.load();
    run(20, kCycles);
    const std::uint64_t after = g_allocs.load();
    EXPECT_EQ(after - before, 0u) << "heap allocations on SESSION_SETUP/TREE_CONNECT/CREATE/CLOSE/LOGOFF";

    // Every row came out, right, and nothing went wrong on the way.
    EXPECT_EQ(sink.files, std::uint64_t(kCycles) * kFiles);
    EXPECT_EQ(sink.bytes_written, std::uint64_t(kCycles) * kFiles * 4096);
    EXPECT_EQ(sink.mappings, std::uint64_t(kCycles));
    EXPECT_EQ(sink.ntlm, std::uint64_t(kCycles));
    EXPECT_EQ(sink.sessions, std::uint64_t(kCycles));
    EXPECT_EQ(sink.bad, 0u);
    EXPECT_EQ(sink.weirds, 0u);
    EXPECT_EQ(sink.other, 0u);
    EXPECT_EQ(conn.open_files(), 0u);
    EXPECT_EQ(conn.pending_requests(), 0u);
}

}  // namespace
}  // namespace sw::smb
