// The SMB hot path allocates nothing per packet: after warm-up, a stream of
// WRITE requests/responses (and READ requests/responses) to an open handle
// goes through the dissector without a single heap allocation. Counted by
// replacing the global operator new of the test binary (a plain counter in
// front of malloc).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "dissectors/smb2/smb_state.h"
#include "support.h"

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

}  // namespace
}  // namespace sw::smb
