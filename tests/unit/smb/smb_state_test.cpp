// The SMB connection (smb_state, the coordinator) driven with synthetic
// traffic: limits of its tables (each hit a weird, never a crash), state
// freed on TREE_DISCONNECT/LOGOFF/flow end, the flow's orientation kept,
// garbage survived.
#include <gtest/gtest.h>

#include <map>
#include <vector>
#include <string>

#include "smb_state_fixture.h"

namespace sw::smb::fixture {
namespace {

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

TEST(SmbState, CountersAddUpWhenTheConnectionEnds) {
    SmbTotals totals;
    {
        Harness h;
        h.conn = std::make_unique<SmbConnection>(h.id, h.sink, h.cfg, nullptr, &totals);
        h.tree();  // 1 request, 1 response
        h.c2s(pdu(cmd::create, 3, 0, create_req("a.txt")));
        h.s2c(pdu(cmd::create, 3, kResp, create_resp(1, 1)));
        h.s2c(pdu(cmd::close, 77, kResp, close_resp(std::nullopt)));  // answers nothing
        h.end();
        EXPECT_EQ(totals.smb.requests, 0u);  // added only when the connection goes
        h.conn.reset();
    }
    EXPECT_EQ(totals.smb.requests, 2u);
    EXPECT_EQ(totals.smb.responses, 3u);
    EXPECT_EQ(totals.smb.unmatched_responses, 1u);
    EXPECT_EQ(totals.smb.files_emitted, 1u);  // a.txt, logged at flow end
    EXPECT_EQ(totals.framer.messages, 5u);    // one NBSS message per PDU, both directions
    EXPECT_EQ(totals.framer.pdus, 5u);
    std::vector<std::string> names;
    totals.smb.for_each_counter([&](std::string_view n, std::uint64_t) { names.emplace_back(n); });
    EXPECT_EQ(names, (std::vector<std::string>{"requests", "responses", "unmatched_responses", "transform_msgs",
                                               "compressed_msgs", "smb1_msgs", "files_emitted", "session_evictions",
                                               "tree_evictions", "file_evictions", "pending_evictions"}));
    std::vector<std::string> fnames;
    totals.framer.for_each_counter([&](std::string_view n, std::uint64_t) { fnames.emplace_back(n); });
    EXPECT_EQ(fnames, (std::vector<std::string>{"messages", "pdus", "streamed_pdus", "data_delivered", "data_skipped",
                                                "data_missed", "resyncs", "hunt_bytes", "other_nbss"}));
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
    // Garbage made the framers hunt for headers in both directions...
    EXPECT_GT(h.conn->framer_stats(Dir::orig).resyncs, 0u);
    EXPECT_GT(h.conn->framer_stats(Dir::resp).resyncs, 0u);
    // ...nothing is left behind at the end...
    EXPECT_EQ(h.conn->open_files(), 0u);
    EXPECT_LE(h.conn->pending_requests(), h.cfg.max_pending);
    // ...and weirds are sampled (1st, 10th, 100th, ... of a name): under 300 KB
    // of input no name can reach a 7th row.
    auto weirds = h.sink.all<WeirdEvent>();
    ASSERT_FALSE(weirds.empty());
    std::map<std::string, int> rows;
    for (const auto& w : weirds) {
        EXPECT_EQ(w.source, "SMB");
        EXPECT_FALSE(w.name.empty());
        ++rows[w.name];
    }
    for (const auto& [name, n] : rows) EXPECT_LE(n, 6) << name;
    EXPECT_EQ(rows.count("smb_lost_framing"), 1u);
}

}  // namespace
}  // namespace sw::smb::fixture
