// Seeded random event streams under tight caps: bytes are conserved in
// volume.log through host evictions, output is deterministic, and every
// notice respects the thresholds it claims.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

struct Stream {
    std::vector<Event> events;
    std::vector<Timestamp> ticks;  // advance() after event i, or -1
    std::uint64_t volume_bytes = 0;
};

Stream make_stream(std::uint32_t seed, int n) {
    std::mt19937 rng(seed);
    auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<unsigned>(k)); };
    const char* names[] = {"a.zip", "b.7z.001", "c.docx", "d.pdf", "Windows\\Temp\\e.rar", "f.jpg", "g.z01", ""};
    const char* contents[] = {"", "zip", "7z", "pdf", "gzip"};
    const char* trees[] = {"\\\\FS\\data", "\\\\FS\\stage$", "\\\\FS\\C$", "\\\\FS\\IPC$", "\\\\FS\\Backups", ""};
    Stream s;
    Timestamp t = kT0;
    for (int i = 0; i < n; ++i) {
        t += static_cast<Timestamp>(rng() % (20 * kSecond));
        // Some events end earlier than the latest one seen.
        Timestamp et = pick(10) == 0 ? t - static_cast<Timestamp>(rng() % (200 * kSecond)) : t;
        std::string a = "10.0.0." + std::to_string(1 + pick(12));
        std::string b = "10.0.0." + std::to_string(1 + pick(12));
        ConnId id = conn(a.c_str(), 40000, b.c_str(), pick(2) ? 445 : 22, "Cx");
        const bool self = a == b;
        const std::uint64_t size = static_cast<std::uint64_t>(rng() % (3 * MB));
        switch (pick(6)) {
            case 0:
            case 1: {
                SmbFileEvent f = smb_write(et, id, trees[pick(6)], names[pick(8)], size, contents[pick(5)]);
                if (pick(4) == 0) f.bytes_read = size / 2, f.bytes_written = 0;
                if (pick(8) == 0) f.prev_name = "old.bin";
                if (!self) s.volume_bytes += f.bytes_written + f.bytes_read;
                s.events.push_back(f);
                break;
            }
            case 2: {
                SmbSessionEvent e = smb_encrypted_session(et, id, size, size / 3);
                if (!self) s.volume_bytes += size + size / 3;
                s.events.push_back(e);
                break;
            }
            case 3: {
                SshEvent e = ssh_transfer(et, id, pick(2) ? size : 0, pick(2) ? size : 0);
                if (!self) s.volume_bytes += e.orig_bytes + e.resp_bytes;
                s.events.push_back(e);
                break;
            }
            case 4: {
                ConnRecord c = tcp_conn(et - kSecond, kSecond, id, size, size / 7);
                if (!self) s.volume_bytes += size + size / 7;
                s.events.push_back(c);
                break;
            }
            default: {
                SmbMappingEvent m;
                m.ts = et;
                m.id = id;
                m.path = trees[pick(6)];
                s.events.push_back(m);
                break;
            }
        }
        s.ticks.push_back(pick(3) == 0 ? t + kSecond : -1);
    }
    return s;
}

AnalyticsConfig tight_config() {
    AnalyticsConfig c;
    c.window = 5 * kMinute;
    c.volume_interval = 30 * kSecond;
    c.min_bytes = 2 * MB;
    c.min_sources = 3;
    c.min_servers = 2;
    c.max_hosts = 6;
    c.max_peers = 2;
    c.suppress_for = 2 * kMinute;
    c.baseline_warmup = 2 * kMinute;
    c.baseline_min_bytes = MB;
    c.baseline_factor = 2;
    c.allow_sources.add(*Cidr::parse("10.0.0.3/32"));
    c.allow_shares = {"back*"};
    c.allow_times = {TimeOfDayWindow{79500, 79800, "22:05-22:10"}};
    return c;
}

std::vector<std::string> run(const Stream& s, const AnalyticsConfig& c, Recorder& rec) {
    StagingAnalytics a(c, rec);
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        a.on_event(s.events[i]);
        if (s.ticks[i] >= 0) a.advance(s.ticks[i]);
    }
    a.finish();
    std::vector<std::string> out;
    for (const auto& n : rec.notices)
        out.push_back(std::string(note_name(n.note)) + std::to_string(n.ts) + n.msg + n.sub);
    for (const auto& r : rec.staging)
        out.push_back(r.host.str() + std::to_string(r.ts) + std::to_string(r.score) + r.detection_type);
    for (const auto& v : rec.volume)
        out.push_back(v.host.str() + std::to_string(v.ts) + std::to_string(v.bytes_in) + std::to_string(v.bytes_out));
    return out;
}

TEST(AnalyticsRandom, ConservationDeterminismAndThresholds) {
    for (std::uint32_t seed : {1u, 2u, 3u, 4u, 5u}) {
        const Stream s = make_stream(seed, 3000);
        const AnalyticsConfig c = tight_config();
        Recorder rec;
        const auto first = run(s, c, rec);
        Recorder rec2;
        EXPECT_EQ(first, run(s, c, rec2)) << seed;

        std::uint64_t in = 0, out = 0;
        for (const auto& v : rec.volume) in += v.bytes_in, out += v.bytes_out;
        EXPECT_EQ(in, s.volume_bytes) << seed;
        EXPECT_EQ(out, s.volume_bytes) << seed;

        // Every kind of notice happens, so the checks below are not vacuous.
        for (NoteType t : {NoteType::fan_in, NoteType::pull_collector, NoteType::archive_write,
                           NoteType::archive_masquerade, NoteType::volume_anomaly})
            EXPECT_FALSE(rec.of(t).empty()) << seed << " " << note_name(t);
        for (const auto& n : rec.notices) {
            EXPECT_NE(n.severity, Severity::none);
            EXPECT_TRUE(std::is_sorted(n.sources.begin(), n.sources.end()));
            if (n.note == NoteType::fan_in) {
                EXPECT_GE(*n.n, c.min_sources) << n.msg;
                EXPECT_GE(n.bytes, c.min_bytes) << n.msg;
                EXPECT_FALSE(std::find(n.sources.begin(), n.sources.end(), ip("10.0.0.3")) != n.sources.end())
                    << "allow-listed source in " << n.msg;
            }
            if (n.note == NoteType::pull_collector) {
                EXPECT_GE(*n.n, c.min_servers) << n.msg;
                EXPECT_GE(n.bytes, c.min_bytes) << n.msg;
            }
        }
        for (const auto& r : rec.staging) {
            EXPECT_GT(r.score, 0u);
            EXPECT_LE(r.peers.size(), c.max_peers);
        }
    }
}

}  // namespace
}  // namespace sw
