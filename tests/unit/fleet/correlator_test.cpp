// fleet/correlator: three sensors each see one source writing to a target;
// together they make a fan-in. A write seen by two sensors (overlapping SPAN
// ports) counts once, events arriving out of order within the lateness give
// the in-order answer, later ones are counted as late, and the notice names
// the sensors.
#include "fleet/correlator.h"

#include <gtest/gtest.h>

#include "report/log_reader.h"
#include "support.h"

namespace sw::fleet {
namespace {

constexpr Timestamp T0 = 1796283000 * kSecond;

SmbFileEvent write(const char* client, std::uint16_t port, Timestamp open, std::uint64_t bytes, const char* name) {
    SmbFileEvent f;
    f.ts = open;
    f.close_ts = open + kSecond;
    f.id.orig_h = *IpAddr::parse(client);
    f.id.resp_h = *IpAddr::parse("10.9.9.9");
    f.id.orig_p = port;
    f.id.resp_p = 445;
    f.id.proto = Transport::tcp;
    f.action = "SMB::FILE_WRITE";
    f.path = "\\\\10.9.9.9\\stage";
    f.share = "stage";
    f.name = name;
    f.bytes_written = bytes;
    f.size = bytes;
    return f;
}

struct Outcome {
    std::vector<std::vector<std::string>> rows;  // note, dst, sources, bytes, sensors
    CorrelatorStats stats;
};

Outcome correlate(const std::vector<std::pair<SmbFileEvent, std::string>>& in, Duration lateness = 5 * kMinute) {
    test::TempDir d;
    Outcome r;
    {
        LogSet logs(d.str(), LogFormat::tsv);
        CorrelatorConfig cfg;
        cfg.analytics.min_bytes = 1000;
        cfg.max_lateness = lateness;
        Correlator c(cfg, logs);
        for (const auto& [e, s] : in) c.add(Event{e}, s);
        c.finish();
        logs.close_all();
        r.stats = c.stats();
    }
    report::LogReader reader;
    reader.read_log({d.str()}, "notice", [&](const report::LogRow& row) {
        if (row.str("note") != "Staging::Fan_In") return;
        r.rows.push_back({std::string(row.str("dst")), std::string(row.str("sources")),
                          std::string(row.str("bytes")), std::string(row.str("sensors"))});
    });
    return r;
}

const SmbFileEvent a = write("10.0.0.1", 40001, T0, 3000, "a.zip");
const SmbFileEvent b = write("10.0.0.2", 40002, T0 + 10 * kSecond, 5000, "b.zip");
const SmbFileEvent c = write("10.0.0.3", 40003, T0 + 20 * kSecond, 7000, "c.zip");

TEST(Correlator, FanInAcrossSensorsCountsTheOverlapOnce) {
    SmbFileEvent b_seen_elsewhere = b;
    b_seen_elsewhere.ts += 300000;  // the other sensor's clock: 0.3 s off, within the tolerance
    b_seen_elsewhere.close_ts += 300000;
    b_seen_elsewhere.fuid = "Fother";
    Outcome r = correlate({{a, "s1"}, {b, "s2"}, {b_seen_elsewhere, "s3"}, {c, "s3"}});
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0], "10.9.9.9");
    EXPECT_EQ(r.rows[0][1], "10.0.0.1,10.0.0.2,10.0.0.3");
    EXPECT_EQ(r.rows[0][2], "15000");  // 3000 + 5000 + 7000: b once
    EXPECT_EQ(r.rows[0][3], "s1,s2,s3");
    EXPECT_EQ(r.stats.duplicates, 1u);
    EXPECT_EQ(r.stats.events, 3u);
}

TEST(Correlator, SameSensorTwiceIsTwoWrites) {
    SmbFileEvent b2 = b;  // the same 5-tuple and name from the same sensor: a second write
    Outcome r = correlate({{a, "s1"}, {b, "s2"}, {b2, "s2"}, {c, "s3"}});
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][2], "20000");
    EXPECT_EQ(r.stats.duplicates, 0u);
}

TEST(Correlator, OutOfOrderWithinLatenessIsTheInOrderAnswer) {
    Outcome in_order = correlate({{a, "s1"}, {b, "s2"}, {c, "s3"}});
    Outcome reordered = correlate({{c, "s3"}, {a, "s1"}, {b, "s2"}});
    EXPECT_EQ(in_order.rows, reordered.rows);
    EXPECT_EQ(reordered.stats.late, 0u);
}

TEST(Correlator, LaterThanLatenessIsCountedLate) {
    SmbFileEvent much_later = write("10.0.0.4", 40004, T0 + 10 * kMinute, 100, "d.txt");
    // With 1 min lateness, d releases a..c; a copy of a arriving afterwards is late.
    SmbFileEvent a_again = write("10.0.0.5", 40005, T0 + 2 * kSecond, 100, "e.txt");
    Outcome r = correlate({{a, "s1"}, {b, "s2"}, {c, "s3"}, {much_later, "s1"}, {a_again, "s2"}}, kMinute);
    EXPECT_EQ(r.stats.late, 1u);
    EXPECT_EQ(r.stats.events, 5u);
}

}  // namespace
}  // namespace sw::fleet
