#include "hostile_capture.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sw::test::hostile {
namespace {

void put16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
    put16(p, static_cast<std::uint16_t>(v >> 16));
    put16(p + 2, static_cast<std::uint16_t>(v));
}
void le32(std::uint8_t* p, std::uint32_t v) { std::memcpy(p, &v, 4); }  // pcap headers: host order (x86: LE)

std::uint16_t csum(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

// Ethernet + IPv4 header for `l4len` bytes of protocol `proto`; returns the L4 offset.
std::size_t eth_ip(std::vector<std::uint8_t>& out, Ep src, Ep dst, std::uint8_t proto, std::size_t l4len) {
    out.assign(14 + 20 + l4len, 0);
    std::uint8_t* e = out.data();
    const std::uint8_t dmac[6] = {0x02, 0, 0, 0, 0, 0x02}, smac[6] = {0x02, 0, 0, 0, 0, 0x01};
    std::memcpy(e, dmac, 6);
    std::memcpy(e + 6, smac, 6);
    put16(e + 12, 0x0800);
    std::uint8_t* ip = e + 14;
    ip[0] = 0x45;
    put16(ip + 2, static_cast<std::uint16_t>(20 + l4len));
    ip[6] = 0x40;  // DF
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src.ip);
    put32(ip + 16, dst.ip);
    put16(ip + 10, csum(ip, 20));
    return 34;
}

std::uint32_t pseudo_sum(Ep src, Ep dst, std::uint8_t proto, std::size_t len) {
    return (src.ip >> 16) + (src.ip & 0xffff) + (dst.ip >> 16) + (dst.ip & 0xffff) + proto +
           static_cast<std::uint32_t>(len);
}

}  // namespace

PcapOut::PcapOut(const std::filesystem::path& p) : f_(std::fopen(p.c_str(), "wb")) {
    if (!f_) throw std::runtime_error("cannot write " + p.string());
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
    std::uint8_t h[24] = {};
    le32(h, 0xa1b2c3d4);
    h[4] = 2, h[6] = 4;
    le32(h + 16, 262144);
    le32(h + 20, 1);
    std::fwrite(h, 1, sizeof h, f_);
}
PcapOut::~PcapOut() { std::fclose(f_); }

void PcapOut::write(std::int64_t ts_us, const std::uint8_t* data, std::size_t len) {
    std::uint8_t r[16];
    le32(r, static_cast<std::uint32_t>(ts_us / 1'000'000));
    le32(r + 4, static_cast<std::uint32_t>(ts_us % 1'000'000));
    le32(r + 8, static_cast<std::uint32_t>(len));
    le32(r + 12, static_cast<std::uint32_t>(len));
    std::fwrite(r, 1, 16, f_);
    std::fwrite(data, 1, len, f_);
}

PcapIn::PcapIn(const std::filesystem::path& p) : f_(std::fopen(p.c_str(), "rb")) {
    std::uint8_t h[24];
    if (!f_ || std::fread(h, 1, 24, f_) != 24) throw std::runtime_error("cannot read " + p.string());
    std::uint32_t magic;
    std::memcpy(&magic, h, 4);
    if (magic != 0xa1b2c3d4) throw std::runtime_error("not a microsecond pcap: " + p.string());
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
}
PcapIn::~PcapIn() {
    if (f_) std::fclose(f_);
}

bool PcapIn::next(std::int64_t& ts_us, std::vector<std::uint8_t>& data) {
    std::uint32_t r[4];
    if (std::fread(r, 1, 16, f_) != 16) return false;
    ts_us = std::int64_t{r[0]} * 1'000'000 + r[1];
    data.resize(r[2]);
    return std::fread(data.data(), 1, r[2], f_) == r[2];
}

std::size_t tcp_frame(std::vector<std::uint8_t>& out, Ep src, Ep dst, std::uint32_t seq, std::uint32_t ack,
                      std::uint8_t flags, const std::uint8_t* payload, std::size_t len) {
    const std::size_t o = eth_ip(out, src, dst, 6, 20 + len);
    std::uint8_t* t = out.data() + o;
    put16(t, src.port);
    put16(t + 2, dst.port);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 65535);
    if (len) std::memcpy(t + 20, payload, len);
    put16(t + 16, csum(t, 20 + len, pseudo_sum(src, dst, 6, 20 + len)));
    return out.size();
}

std::size_t udp_frame(std::vector<std::uint8_t>& out, Ep src, Ep dst, const std::uint8_t* payload, std::size_t len) {
    const std::size_t o = eth_ip(out, src, dst, 17, 8 + len);
    std::uint8_t* u = out.data() + o;
    put16(u, src.port);
    put16(u + 2, dst.port);
    put16(u + 4, static_cast<std::uint16_t>(8 + len));
    if (len) std::memcpy(u + 8, payload, len);
    put16(u + 6, csum(u, 8 + len, pseudo_sum(src, dst, 17, 8 + len)));
    return out.size();
}

void time_span(const std::filesystem::path& pcap, std::int64_t& first_us, std::int64_t& last_us) {
    PcapIn in(pcap);
    std::vector<std::uint8_t> d;
    std::int64_t ts = 0;
    first_us = last_us = -1;
    while (in.next(ts, d)) {
        if (first_us < 0) first_us = ts;
        last_us = ts;
    }
}

void merge(const std::filesystem::path& legit, const Attack& h, const std::filesystem::path& out) {
    PcapIn in(legit);
    PcapOut w(out);
    std::vector<std::uint8_t> a, b;
    std::int64_t ta = 0, tb = 0;
    bool have_a = in.next(ta, a);
    std::uint64_t i = 0;
    bool have_b = i < h.count;
    if (have_b) h.frame(i, tb, b);
    while (have_a || have_b) {
        if (have_a && (!have_b || ta <= tb)) {
            w.write(ta, a.data(), a.size());
            have_a = in.next(ta, a);
        } else {
            w.write(h.restamp ? h.restamp(i, tb) : tb, b.data(), b.size());
            have_b = ++i < h.count;
            if (have_b) h.frame(i, tb, b);
        }
    }
}

RunResult run_measured(const std::string& binary, const std::vector<std::string>& args,
                       const std::filesystem::path& output_file) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    RunResult r;
    const pid_t pid = ::fork();
    if (pid < 0) return r;
    if (pid == 0) {
        const int fd = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    int st = 0;
    struct rusage ru {};
    if (::wait4(pid, &st, 0, &ru) != pid) return r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.max_rss_kib = static_cast<std::uint64_t>(ru.ru_maxrss);
    r.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    std::ifstream f(output_file);
    std::stringstream ss;
    ss << f.rdbuf();
    r.output = ss.str();
    return r;
}

}  // namespace sw::test::hostile
