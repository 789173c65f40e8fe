// Bytes counted while long transfers are still moving (ProgressEvent).
//
// A pcapgen corpus on a 1 Mbit/s link: three clients each upload SMB files of
// 2-4 MiB to one server, mostly in one WRITE each (as smbclient writes to
// Samba, up to 8 MiB), so every upload lasts tens of seconds, spans several
// 10-second volume intervals, and its bytes are counted from its WRITE
// header long before they have crossed the wire. What must hold:
// - every handle's progress events add up to what its close event says was
//   already reported, and the close event's totals are pcapgen's truth (the
//   file sizes), so the incremental contributions plus the close remainder
//   equal the smb_files.log totals;
// - volume.log spreads the bytes over the intervals the uploads span: no
//   interval holds more than its share plus one interval's worth of the link
//   (--volume.progress=false puts far more into some interval: the same
//   check fails there);
// - the fan-in notice is raised before the last upload has closed, and says
//   which transfers were still in progress.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "support.h"

namespace sw::test {
namespace {

constexpr std::int64_t kIntervalSec = 10;
constexpr double kLinkBytesPerSec = 1e6 / 8;  // --link-rate 1M

struct Corpus {
    TempDir tmp;
    std::filesystem::path pcap, truth;
    Corpus() {
        pcap = tmp.path() / "slow.pcap";
        truth = tmp.path() / "slow.json";
        std::string out;
        const int rc = run_command(std::string(SW_PCAPGEN_BINARY) +
                                       " --clients 3 --servers 1 --size 24M --seed 5 --link-rate 1M"
                                       " --smb-fraction 1 --ssh-fraction 0 --read-fraction 0"
                                       " --file-size 2M..4M --files-per-session 1..2 --write-size 1M..8M"
                                       " --out " + pcap.string() + " --truth " + truth.string(),
                                   &out);
        EXPECT_EQ(rc, 0) << out;
    }
};

const Corpus& corpus() {
    static const Corpus c;
    return c;
}

// Column `name` of a Zeek TSV log's rows (header from its #fields line).
struct Log {
    std::vector<std::string> fields;
    std::vector<std::vector<std::string>> rows;
    std::size_t col(const std::string& n) const {
        auto it = std::find(fields.begin(), fields.end(), n);
        EXPECT_NE(it, fields.end()) << n;
        return static_cast<std::size_t>(it - fields.begin());
    }
};
Log read_log(const std::filesystem::path& p) {
    Log l;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string x;
        while (std::getline(ss, x, '\t')) f.push_back(x);
        if (line.rfind("#fields", 0) == 0) l.fields.assign(f.begin() + 1, f.end());
        else if (!line.empty() && line[0] != '#') l.rows.push_back(f);
    }
    return l;
}

double seconds(const std::string& ts) { return std::stod(ts); }

struct Logs {
    Log volume, files, notices;
};
Logs run_stagewatch(const std::string& dir, const std::string& extra) {
    std::string out;
    const int rc = run_command(binary() + " -r " + corpus().pcap.string() + " -o " + dir +
                                   " --volume.interval=10s --staging.min-bytes=1MB --stats.interval=0 " + extra,
                               &out);
    EXPECT_EQ(rc, 0) << out;
    return {read_log(dir + "/volume.log"), read_log(dir + "/smb_files.log"), read_log(dir + "/notice.log")};
}

TEST(Progress, EveryHandlesProgressAddsUpToItsCloseTotals) {
    Config cfg;
    cfg.analytics.volume_interval = kIntervalSec * kSecond;
    const Collector c = run_pipeline({corpus().pcap.string()}, cfg);
    std::map<std::string, std::uint64_t> progress;  // fuid -> bytes written in progress events
    std::size_t events = 0;
    for (const ProgressEvent& p : c.all<ProgressEvent>()) {
        ASSERT_EQ(p.kind, ProgressEvent::Kind::smb_file);
        // Stamped with the last instant of an interval.
        EXPECT_EQ((p.ts + 1) % (kIntervalSec * kSecond), 0) << p.ts;
        progress[p.fuid] += p.written;
        EXPECT_EQ(p.read, 0u);
        ++events;
    }
    const auto files = c.all<SmbFileEvent>();
    std::uint64_t total = 0, in_progress = 0;
    std::size_t spanning = 0;
    for (const SmbFileEvent& f : files) {
        EXPECT_EQ(f.progress_written, progress[f.fuid]) << f.name;
        EXPECT_LE(f.progress_written, f.bytes_written) << f.name;
        total += f.bytes_written;
        in_progress += f.progress_written;
        if (f.progress_written) ++spanning;
    }
    // pcapgen's truth: the bytes written per file.
    std::string out;
    ASSERT_EQ(run_command("python3 -c \"import json,sys; d=json.load(open(sys.argv[1])); "
                          "print(sum(f['bytes_written'] for f in d['smb_files']))\" " +
                              corpus().truth.string(),
                          &out),
              0)
        << out;
    EXPECT_EQ(total, std::stoull(out));
    // The uploads last tens of seconds: most of their bytes went out while open.
    EXPECT_GE(spanning, 3u);
    EXPECT_GT(events, 6u);
    EXPECT_GT(in_progress, total / 2);
}

// Per interval, the server's SMB bytes in; checks the spread.
void check_spread(const Logs& r, bool expect_spread) {
    const Log& v = r.volume;
    const std::size_t ts = v.col("ts"), host = v.col("host"), proto = v.col("proto"), in = v.col("bytes_in");
    const std::string server = r.files.rows.at(0).at(r.files.col("id.resp_h"));
    std::map<double, std::uint64_t> per;
    for (const auto& row : v.rows)
        if (row[host] == server && row[proto] == "smb") per[seconds(row[ts])] += std::stoull(row[in]);
    std::uint64_t written = 0;
    double first_open = 1e18, last_close = 0;
    for (const auto& row : r.files.rows) {
        written += std::stoull(row[r.files.col("bytes_written")]);
        first_open = std::min(first_open, seconds(row[r.files.col("ts")]));
        last_close = std::max(last_close, seconds(row[r.files.col("close_ts")]));
    }
    std::uint64_t sum = 0, most = 0;
    for (const auto& [t, b] : per) {
        sum += b;
        most = std::max(most, b);
    }
    // volume.log counts exactly the WRITE bytes of smb_files.log.
    EXPECT_EQ(sum, written);
    const double spanned = std::floor(last_close / kIntervalSec) - std::floor(first_open / kIntervalSec) + 1;
    ASSERT_GE(spanned, 4);
    const double bound = static_cast<double>(written) / spanned + kLinkBytesPerSec * kIntervalSec;
    if (expect_spread) {
        EXPECT_LE(static_cast<double>(most), bound) << "intervals " << per.size() << " spanned " << spanned;
        EXPECT_GE(per.size(), static_cast<std::size_t>(spanned) - 1);
        // Independently: tshark's TCP payload to the server per 10 s (its
        // intervals start at the first packet, a few ms into the first
        // aligned one). Each interval's WRITE bytes are that payload less the
        // SMB and NetBIOS headers: a few KB.
        std::string out;
        ASSERT_EQ(run_command("tshark -r " + corpus().pcap.string() +
                                  " -q -z 'io,stat,10,SUM(tcp.len)tcp.len&&ip.dst==" + server +
                                  "&&tcp.dstport==445' 2>/dev/null",
                              &out),
                  0)
            << out;
        std::map<std::int64_t, std::uint64_t> wire;  // interval index -> payload bytes
        std::stringstream ss(out);
        std::string line;
        while (std::getline(ss, line)) {
            long long from = 0;
            char to[16] = {};
            unsigned long long sum = 0;
            if (std::sscanf(line.c_str(), "| %lld <> %15s | %llu |", &from, to, &sum) == 3)
                wire[from / kIntervalSec] = sum;
        }
        ASSERT_GE(wire.size(), per.size());
        const double first = std::floor(per.begin()->first / kIntervalSec);
        for (const auto& [t, b] : per) {
            const auto k = static_cast<std::int64_t>(std::floor(t / kIntervalSec) - first);
            ASSERT_TRUE(wire.count(k)) << k;
            EXPECT_LE(b, wire[k]) << "interval " << k;
            EXPECT_LE(wire[k] - std::min(b, wire[k]), 32u * 1024) << "interval " << k;
        }
    } else {
        EXPECT_GT(static_cast<double>(most), bound) << "counting at close only should be lumpy";
    }
}

TEST(Progress, VolumeLogSpreadsTheBytesOverTheIntervalsTheySpan) {
    TempDir tmp;
    check_spread(run_stagewatch((tmp.path() / "on").string(), ""), true);
    // The same check fails when bytes are counted at close only.
    check_spread(run_stagewatch((tmp.path() / "off").string(), "--volume.progress=false"), false);
}

TEST(Progress, FanInIsRaisedBeforeTheUploadsEndAndListsThemInProgress) {
    TempDir tmp;
    const Logs r = run_stagewatch((tmp.path() / "on").string(), "");
    double last_close = 0;
    for (const auto& row : r.files.rows) last_close = std::max(last_close, seconds(row[r.files.col("close_ts")]));
    const Log& n = r.notices;
    const std::size_t note = n.col("note"), ts = n.col("ts"), msg = n.col("msg"), sub = n.col("sub");
    const std::vector<std::string>* first = nullptr;
    for (const auto& row : n.rows)
        if (row[note] == "Staging::Fan_In") {
            first = &row;
            break;
        }
    ASSERT_NE(first, nullptr);
    EXPECT_LT(seconds((*first)[ts]), last_close);
    EXPECT_NE((*first)[msg].find("still in progress"), std::string::npos) << (*first)[msg];
    EXPECT_NE((*first)[sub].find("in progress: "), std::string::npos) << (*first)[sub];
    EXPECT_NE((*first)[sub].find(" so far"), std::string::npos) << (*first)[sub];

    // Counting at close only, the same notice comes at a close.
    const Logs off = run_stagewatch((tmp.path() / "off").string(), "--volume.progress=false");
    for (const auto& row : off.notices.rows)
        if (row[note] == "Staging::Fan_In") {
            EXPECT_GT(seconds(row[ts]), seconds((*first)[ts]));
            EXPECT_EQ(row[msg].find("in progress"), std::string::npos);
            break;
        }
}

}  // namespace
}  // namespace sw::test

namespace sw::test {
namespace {

// Real OpenSSH scp and sftp transfers (pcaps/ssh-ops.pcap, recorded in the
// lab) with a 2 ms volume interval, so that each transfer spans many: an
// SSH connection's progress events carry its encrypted bytes per direction
// as they are delivered, and the transfer bytes once the inference sees an
// upload or download; its close event keeps the totals and says how much
// went out in progress.
TEST(Progress, SshConnectionsReportTheirBytesAsTheyMove) {
    const std::string pcap = (project_pcaps() / "ssh-ops.pcap").string();
    Config cfg;
    cfg.analytics.volume_interval = 2 * kSecond / 1000;
    const Collector c = run_pipeline({pcap}, cfg);
    struct Sum {
        std::uint64_t bytes[2] = {0, 0}, upload = 0, download = 0;
        std::size_t events = 0;
    };
    std::map<std::string, Sum> sums;  // by uid
    for (const ProgressEvent& p : c.all<ProgressEvent>()) {
        ASSERT_EQ(p.kind, ProgressEvent::Kind::ssh);
        Sum& s = sums[std::string(p.id.uid())];
        s.bytes[0] += p.bytes[0];
        s.bytes[1] += p.bytes[1];
        s.upload += p.upload;
        s.download += p.download;
        ++s.events;
    }
    std::size_t transfers = 0, spanning = 0;
    for (const SshEvent& e : c.all<SshEvent>()) {
        const Sum& s = sums[std::string(e.id.uid())];
        EXPECT_EQ(e.progress_orig_bytes, s.bytes[0]);
        EXPECT_EQ(e.progress_resp_bytes, s.bytes[1]);
        EXPECT_EQ(e.progress_upload_bytes, s.upload);
        EXPECT_EQ(e.progress_download_bytes, s.download);
        EXPECT_LE(e.progress_orig_bytes, e.orig_bytes);
        EXPECT_LE(e.progress_resp_bytes, e.resp_bytes);
        if (e.inferred == "upload" || e.inferred == "download") {
            ++transfers;
            // The inference's final estimate is at least what it said on the way.
            EXPECT_LE(e.progress_upload_bytes, e.upload_bytes);
            EXPECT_LE(e.progress_download_bytes, e.download_bytes);
            if (s.events >= 3 && e.progress_upload_bytes + e.progress_download_bytes > 0) ++spanning;
        }
    }
    EXPECT_GE(transfers, 2u);
    EXPECT_GE(spanning, 1u);
}

}  // namespace
}  // namespace sw::test
