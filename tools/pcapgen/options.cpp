#include "tools/pcapgen/options.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <iostream>

namespace pcapgen {
namespace po = boost::program_options;

namespace {

bool parse_scaled(const std::string& s, std::uint64_t& out, double unit) {
    if (s.empty()) return false;
    std::size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == 0) return false;
    const std::string num = s.substr(0, i);
    std::string suf = s.substr(i);
    for (auto& c : suf) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    double mult = 1;
    if (suf == "" || suf == "B") mult = 1;
    else if (suf == "K" || suf == "KB" || suf == "KIB") mult = unit;
    else if (suf == "M" || suf == "MB" || suf == "MIB") mult = unit * unit;
    else if (suf == "G" || suf == "GB" || suf == "GIB") mult = unit * unit * unit;
    else if (suf == "T" || suf == "TB" || suf == "TIB") mult = unit * unit * unit * unit;
    else return false;
    char* end = nullptr;
    const double v = std::strtod(num.c_str(), &end);
    if (!end || *end != '\0' || !(v >= 0)) return false;
    const double r = std::floor(v * mult + 0.5);
    if (r > 1.8e19) return false;
    out = static_cast<std::uint64_t>(r);
    return true;
}

struct Ranges {
    std::string file_size = "64K..64M";
    std::string write_size = "1M..8M";
    std::string files_per_session = "1..8";
    std::string size = "100M";
    std::string link_rate = "1G";
};

}  // namespace

bool parse_size(const std::string& s, std::uint64_t& out) { return parse_scaled(s, out, 1024.0); }
bool parse_rate(const std::string& s, std::uint64_t& out) { return parse_scaled(s, out, 1000.0); }

bool parse_size_range(const std::string& s, SizeRange& out, bool binary) {
    const auto dots = s.find("..");
    std::uint64_t lo = 0, hi = 0;
    auto one = [&](const std::string& t, std::uint64_t& v) {
        return binary ? parse_size(t, v) : parse_rate(t, v);
    };
    if (dots == std::string::npos) {
        if (!one(s, lo)) return false;
        hi = lo;
    } else if (!one(s.substr(0, dots), lo) || !one(s.substr(dots + 2), hi)) {
        return false;
    }
    if (lo > hi) return false;
    out = {lo, hi};
    return true;
}

int parse_options(int argc, char** argv, Options& o, std::string& err) {
    Ranges r;
    po::options_description d(
        "pcapgen: deterministic synthetic SPAN-port corpus (SMB2, SSH, background TCP) written "
        "straight to a pcap file.\n\nUsage: pcapgen --out FILE [options]\n\nOptions");
    // clang-format off
    d.add_options()
        ("help,h", "show this help")
        ("out,o", po::value(&o.out), "output pcap file (classic pcap, Ethernet, microseconds); '-' for stdout")
        ("truth", po::value(&o.truth), "write the JSON truth sidecar (per SMB file, per SSH session, totals) here")
        ("clients", po::value(&o.clients)->default_value(o.clients), "number of client hosts (10.20.0.0/16), 1..20000")
        ("servers", po::value(&o.servers)->default_value(o.servers), "number of server hosts (10.10.0.0/16), 1..20000")
        ("size", po::value(&r.size)->default_value(r.size), "total bytes on the wire (sum of frame lengths), K/M/G = 2^10/2^20/2^30; meant for 100M..10G, at least 64K")
        ("seed", po::value(&o.seed)->default_value(o.seed), "random seed; same seed and options give a byte-identical file")
        ("smb-fraction", po::value(&o.smb_fraction)->default_value(o.smb_fraction), "share of the bytes carried by SMB2 sessions (0..1)")
        ("ssh-fraction", po::value(&o.ssh_fraction)->default_value(o.ssh_fraction), "share of the bytes carried by SSH/scp sessions (0..1); the rest is background TCP (HTTP, DNS over TCP, other ports)")
        ("reorder-rate", po::value(&o.reorder_rate)->default_value(o.reorder_rate), "probability that a data segment is captured after the segment following it (0..0.5)")
        ("retransmit-rate", po::value(&o.retransmit_rate)->default_value(o.retransmit_rate), "probability that a data segment is captured twice with the same sequence number (0..0.5)")
        ("mtu", po::value(&o.mtu)->default_value(o.mtu), "IP MTU; TCP payload per segment is MTU-40 (MTU-52 with TCP timestamps), 576..9000")
        ("link-rate", po::value(&r.link_rate)->default_value(r.link_rate), "bit rate of the monitored link (decimal K/M/G), sets how fast timestamps advance")
        ("file-size", po::value(&r.file_size)->default_value(r.file_size), "size range of files written/read over SMB and copied over scp, MIN..MAX (octave-uniform)")
        ("write-size", po::value(&r.write_size)->default_value(r.write_size), "SMB2 WRITE/READ length range per session, MIN..MAX, at most 8M (the negotiated MaxWriteSize)")
        ("files-per-session", po::value(&r.files_per_session)->default_value(r.files_per_session), "number of files per SMB session, MIN..MAX")
        ("read-fraction", po::value(&o.read_fraction)->default_value(o.read_fraction), "share of SMB file opens that read a file back instead of writing one (0..1)")
        ("smb21-fraction", po::value(&o.smb21_fraction)->default_value(o.smb21_fraction), "share of SMB sessions that negotiate dialect 2.1 instead of 3.1.1 (0..1)")
        ("start-time", po::value(&o.start_time)->default_value(o.start_time), "Unix time (seconds) of the first packet")
        ("name-prefix", po::value(&o.name_prefix), "text put in front of every SMB file name, e.g. markup to test that readers escape names (ASCII, at most 64 characters)")
        ("workload", po::value(&o.workload)->default_value(o.workload), "mixed: SMB/SSH/background sized by --size; enterprise-day: a company's working day (home folders on hidden shares, roaming profiles, deployment, backup, builds, admin copies) with injected staging and its truth; --clients workstations, --servers file servers; short-conns: --connections short TCP connections (handshake, 1..64 bytes each way, FIN), the per-connection cost benchmark")
        ("days", po::value(&o.days)->default_value(o.days), "enterprise-day: number of consecutive UTC days, 1..30")
        ("connections", po::value(&o.connections)->default_value(o.connections), "short-conns: number of TCP connections, 1..100000000 (keep it under about 15000 per client so that ephemeral ports are not reused)")
        ("staging-cases", po::value(&o.staging_cases)->default_value(o.staging_cases), "enterprise-day: injected staging cases (kinds cycle smb fast/slow, scp fast/slow, encrypted smb fast/slow), 0..100")
        ("quiet,q", po::bool_switch(&o.quiet), "do not print the summary to stderr");
    // clang-format on
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, d), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        err = e.what();
        return 1;
    }
    if (vm.count("help")) {
        std::cout << d << "\n";
        return 2;
    }
    if (o.out.empty()) {
        err = "--out is required (see --help)";
        return 1;
    }
    if (!parse_size(r.size, o.size) || o.size < (std::uint64_t{64} << 10)) {
        err = "--size: expected a size of at least 64K, got '" + r.size + "'";
        return 1;
    }
    if (!parse_rate(r.link_rate, o.link_rate) || o.link_rate < 1000000) {
        err = "--link-rate: expected a rate of at least 1M (bit/s), got '" + r.link_rate + "'";
        return 1;
    }
    if (!parse_size_range(r.file_size, o.file_size) || o.file_size.lo < 1024 ||
        o.file_size.hi > (std::uint64_t{1} << 40)) {
        err = "--file-size: expected MIN..MAX within 1K..1T, got '" + r.file_size + "'";
        return 1;
    }
    if (!parse_size_range(r.write_size, o.write_size) || o.write_size.lo < 512 ||
        o.write_size.hi > (std::uint64_t{8} << 20)) {
        err = "--write-size: expected MIN..MAX within 512..8M, got '" + r.write_size + "'";
        return 1;
    }
    if (!parse_size_range(r.files_per_session, o.files_per_session, false) ||
        o.files_per_session.lo < 1 || o.files_per_session.hi > 100000) {
        err = "--files-per-session: expected MIN..MAX within 1..100000, got '" + r.files_per_session + "'";
        return 1;
    }
    if (o.clients < 1 || o.clients > 20000) {
        err = "--clients: expected 1..20000";
        return 1;
    }
    if (o.servers < 1 || o.servers > 20000) {
        err = "--servers: expected 1..20000";
        return 1;
    }
    if (o.mtu < 576 || o.mtu > 9000) {
        err = "--mtu: expected 576..9000";
        return 1;
    }
    auto frac = [&](double v, const char* name, double max) {
        if (!(v >= 0 && v <= max)) {
            err = std::string(name) + ": expected a number in 0.." + (max == 1 ? "1" : "0.5");
            return false;
        }
        return true;
    };
    if (!frac(o.smb_fraction, "--smb-fraction", 1) || !frac(o.ssh_fraction, "--ssh-fraction", 1) ||
        !frac(o.reorder_rate, "--reorder-rate", 0.5) ||
        !frac(o.retransmit_rate, "--retransmit-rate", 0.5) ||
        !frac(o.read_fraction, "--read-fraction", 1) || !frac(o.smb21_fraction, "--smb21-fraction", 1))
        return 1;
    if (o.smb_fraction + o.ssh_fraction > 1.0 + 1e-9) {
        err = "--smb-fraction plus --ssh-fraction must not exceed 1";
        return 1;
    }
    if (o.name_prefix.size() > 64 ||
        std::any_of(o.name_prefix.begin(), o.name_prefix.end(), [](char c) { return c < 0x20 || c > 0x7e; })) {
        err = "--name-prefix: expected at most 64 printable ASCII characters";
        return 1;
    }
    if (o.workload != "mixed" && o.workload != "enterprise-day" && o.workload != "short-conns") {
        err = "--workload: expected mixed, enterprise-day or short-conns, got '" + o.workload + "'";
        return 1;
    }
    if (o.connections < 1 || o.connections > 100000000) {
        err = "--connections: expected 1..100000000";
        return 1;
    }
    if (o.days < 1 || o.days > 30) {
        err = "--days: expected 1..30";
        return 1;
    }
    if (o.staging_cases > 100) {
        err = "--staging-cases: expected 0..100";
        return 1;
    }
    if (o.start_time > 4000000000ULL) {
        err = "--start-time: expected Unix seconds before 2096";
        return 1;
    }
    return 0;
}

}  // namespace pcapgen
