// Hostile captures for tests/hostile: frames built by hand (Ethernet, IPv4
// with its checksum, TCP/UDP) merged in time order into a legitimate pcapgen
// capture, and stagewatch run as a child process with its peak RSS and CPU
// time read from wait4().
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace sw::test::hostile {

// Classic pcap, Ethernet, microseconds (what pcapgen writes).
class PcapOut {
public:
    explicit PcapOut(const std::filesystem::path& p);
    ~PcapOut();
    void write(std::int64_t ts_us, const std::uint8_t* data, std::size_t len);

private:
    std::FILE* f_;
};

class PcapIn {
public:
    explicit PcapIn(const std::filesystem::path& p);
    ~PcapIn();
    // The next record, false at the end.
    bool next(std::int64_t& ts_us, std::vector<std::uint8_t>& data);

private:
    std::FILE* f_;
};

struct Ep {
    std::uint32_t ip = 0;  // host order
    std::uint16_t port = 0;
};
constexpr std::uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) { return a << 24 | b << 16 | c << 8 | d; }

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

// Builds one frame into `out` (resized), returns its length.
std::size_t tcp_frame(std::vector<std::uint8_t>& out, Ep src, Ep dst, std::uint32_t seq, std::uint32_t ack,
                      std::uint8_t flags, const std::uint8_t* payload = nullptr, std::size_t len = 0);
std::size_t udp_frame(std::vector<std::uint8_t>& out, Ep src, Ep dst, const std::uint8_t* payload, std::size_t len);

// A hostile stream: frame(i, ts_us, out) builds frame i and sets its time;
// it is called once for each i = 0, 1, ... count - 1 in that order (so it may
// keep state), and times never decrease with i. `restamp`, when set, gives
// the time written for a frame placed by its time (a warp).
struct Attack {
    std::uint64_t count = 0;
    std::function<void(std::uint64_t i, std::int64_t& ts_us, std::vector<std::uint8_t>& out)> frame;
    std::function<std::int64_t(std::uint64_t i, std::int64_t ts_us)> restamp;
};

// First and last timestamps of a capture.
void time_span(const std::filesystem::path& pcap, std::int64_t& first_us, std::int64_t& last_us);

// Writes `out`: the legitimate capture's frames and the hostile ones in time
// order (a legitimate frame first on equal times).
void merge(const std::filesystem::path& legit, const Attack& h, const std::filesystem::path& out);

struct RunResult {
    int status = -1;           // exit status, or 128 + signal
    std::uint64_t max_rss_kib = 0;
    double cpu_seconds = 0;    // user + system
    std::string output;        // stdout + stderr
};
// Runs `binary args...` with stdout and stderr to a file; waits with wait4().
RunResult run_measured(const std::string& binary, const std::vector<std::string>& args,
                       const std::filesystem::path& output_file);

}  // namespace sw::test::hostile
