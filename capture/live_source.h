// Live capture from one or more network interfaces through libpcap
// (TPACKET_V3 on Linux: the kernel fills a ring of blocks, each block is
// handed over when full or when the timeout passes, so an idle link still
// returns). One pcap handle per interface; packets of several interfaces are
// served as they come, and when none has a packet the source says `idle`
// with the wall-clock time.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <string>
#include <vector>

#include "capture/packet_source.h"

namespace sw {

struct LiveConfig {
    std::vector<std::string> interfaces;
    std::string filter;                         // BPF, empty = everything
    std::uint32_t snaplen = 65535;
    std::uint64_t buffer_size = 256ull << 20;   // kernel ring per interface
    bool promisc = true;
    int timeout_ms = 100;                       // block timeout; also the idle tick
};

// Kernel counters of one interface, from pcap_stats (read on demand, never
// on the packet path).
struct InterfaceStats {
    std::string name;
    std::uint64_t received = 0;   // packets the filter accepted (ps_recv)
    std::uint64_t dropped = 0;    // dropped by the kernel: ring full (ps_drop)
    std::uint64_t if_dropped = 0; // dropped by the interface or driver (ps_ifdrop)
};

class LiveSource : public PacketSource {
public:
    // Opens and activates every interface and installs the filter. Throws
    // std::runtime_error naming the interface and libpcap's reason.
    explicit LiveSource(LiveConfig cfg);
    ~LiveSource() override;
    LiveSource(const LiveSource&) = delete;
    LiveSource& operator=(const LiveSource&) = delete;

    ReadResult next(RawPacket& out) override;
    const std::vector<SourceProblem>& problems() const override { return problems_; }
    std::uint64_t bytes_done() const override { return 0; }
    std::uint64_t bytes_total() const override { return 0; }
    std::string describe() const override;
    bool kernel_counters(KernelCounters& out) const override;

    // Makes a blocked next() return soon (safe from another thread).
    void break_loop();
    // Current kernel counters, one entry per interface.
    std::vector<InterfaceStats> stats() const;
    std::size_t interface_count() const { return handles_.size(); }
    // The pcap_get_selectable_fd of interface i (its packet socket on Linux;
    // tools/bench/fanout_bench sets PACKET_FANOUT on it), -1 if closed.
    int selectable_fd(std::size_t i) const { return handles_[i].pcap ? handles_[i].fd : -1; }

private:
    struct Handle {
        std::string name;
        pcap_t* pcap = nullptr;
        int linktype = 0;
        int fd = -1;
    };
    bool wait_for_packets();
    void close_all();

    LiveConfig cfg_;
    std::vector<Handle> handles_;
    std::size_t turn_ = 0;  // interface to try first next time (fairness)
    std::vector<SourceProblem> problems_;
};

// The wall clock as a packet timestamp.
Timestamp wall_clock_now();

}  // namespace sw
