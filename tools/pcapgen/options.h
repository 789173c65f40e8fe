// pcapgen's command line: what corpus to generate. Parsed with
// Boost.Program_options; every value is range-checked with the option's name
// in the error message.
#pragma once

#include <cstdint>
#include <string>

namespace pcapgen {

struct SizeRange {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
};

struct Options {
    std::uint32_t clients = 8;
    std::uint32_t servers = 2;
    std::uint64_t size = std::uint64_t{100} << 20;  // bytes on the wire (sum of frame lengths)
    std::uint64_t seed = 1;
    std::string out;
    std::string truth;
    double smb_fraction = 0.75;  // share of the bytes in SMB2 sessions
    double ssh_fraction = 0.20;  // share in SSH sessions; the rest is background TCP
    double reorder_rate = 0.002;     // per data segment: swapped with the next one
    double retransmit_rate = 0.002;  // per data segment: sent twice with the same seq
    std::uint32_t mtu = 1500;
    std::uint64_t link_rate = 1000000000;  // bit/s of the monitored link
    SizeRange file_size{std::uint64_t{64} << 10, std::uint64_t{64} << 20};
    SizeRange write_size{std::uint64_t{1} << 20, std::uint64_t{8} << 20};
    SizeRange files_per_session{1, 8};
    double read_fraction = 0.1;    // share of SMB file opens that read instead of write
    double smb21_fraction = 0.25;  // share of SMB sessions negotiating 2.1 instead of 3.1.1
    std::uint64_t start_time = 1709629200;  // Unix seconds of the first packet
    std::string name_prefix;  // put in front of every SMB file name (hostile-name tests); empty: names unchanged
    bool quiet = false;
    // "mixed" (the benchmark corpus above) or "enterprise-day" (a working day
    // of a company with injected staging and a truth of it; see
    // docs/pcapgen.md). The enterprise day ignores the size and mix options.
    std::string workload = "mixed";
    std::uint32_t days = 1;            // enterprise-day: consecutive UTC days
    std::uint32_t staging_cases = 6;   // enterprise-day: injected staging cases
    // "short-conns": --connections short TCP connections (handshake, a few
    // bytes each way, FIN teardown) spread over the clients and servers; the
    // size and mix options are ignored.
    std::uint64_t connections = 500000;
    bool enterprise() const { return workload == "enterprise-day"; }
    bool short_conns() const { return workload == "short-conns"; }
};

// Parses argv into `o`. Returns 0 to run, 1 on a usage error (message in
// `err`), 2 when help was printed.
int parse_options(int argc, char** argv, Options& o, std::string& err);

// "64K", "1M", "10G", "1.5G", "123": binary multiples (K = 1024).
bool parse_size(const std::string& s, std::uint64_t& out);
// "1G", "100M", "10000000": decimal multiples (bits per second).
bool parse_rate(const std::string& s, std::uint64_t& out);
// "1M..8M" or a single size "4M".
bool parse_size_range(const std::string& s, SizeRange& out, bool binary = true);

}  // namespace pcapgen
