// Packet sources. Everything that produces packets (pcap/pcapng files, live
// interfaces: capture/live_source.h) sits behind PacketSource, so the pipeline
// does not care where packets come from.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/byte_reader.h"
#include "capture/types.h"

namespace sw {

struct RawPacket {
    Timestamp ts = 0;
    Bytes data;               // captured bytes (caplen)
    std::uint32_t wirelen = 0;
    int linktype = 0;
};

// `idle`: a live source had no packet within its timeout; `out.ts` then holds
// the wall-clock time so the pipeline can move time on (flows time out, windows
// close). A file source never returns idle.
enum class ReadResult { packet, end, idle };

struct SourceProblem {
    std::string name;   // file
    std::string what;   // libpcap's message
    std::uint64_t packets_before = 0;  // packets read from this file before the problem
};

class PacketSource {
public:
    virtual ~PacketSource() = default;
    // Next packet, or end. Damaged input is reported through problems() and
    // reading carries on with the next file.
    virtual ReadResult next(RawPacket& out) = 0;
    virtual const std::vector<SourceProblem>& problems() const = 0;
    // For progress display.
    virtual std::uint64_t bytes_done() const = 0;
    virtual std::uint64_t bytes_total() const = 0;
    virtual std::string describe() const = 0;
    // Kernel counters summed over the source's interfaces (pcap_stats), for
    // stats.log; false for files. Read on a timer, never per packet.
    struct KernelCounters {
        std::uint64_t received = 0, dropped = 0, if_dropped = 0;
    };
    virtual bool kernel_counters(KernelCounters&) const { return false; }
};

// One or more capture files (pcap or pcapng, any link type libpcap knows),
// read in the given order as one timeline.
class PcapFileSource : public PacketSource {
public:
    explicit PcapFileSource(std::vector<std::string> files);
    ~PcapFileSource() override;
    PcapFileSource(const PcapFileSource&) = delete;
    PcapFileSource& operator=(const PcapFileSource&) = delete;

    // Checks that every file exists and is a capture libpcap can open, before
    // anything is processed. Returns an error message, or "" if all are fine.
    static std::string validate(const std::vector<std::string>& files);

    ReadResult next(RawPacket& out) override;
    const std::vector<SourceProblem>& problems() const override { return problems_; }
    std::uint64_t bytes_done() const override;
    std::uint64_t bytes_total() const override { return total_bytes_; }
    std::string describe() const override;

    std::size_t file_index() const { return index_; }
    std::size_t file_count() const { return files_.size(); }

private:
    bool open_next();
    void close_current();

    std::vector<std::string> files_;
    std::vector<std::uint64_t> sizes_;
    std::uint64_t total_bytes_ = 0;
    std::uint64_t done_before_ = 0;  // bytes of files already finished
    std::size_t index_ = 0;          // file being read (or next to open)
    static constexpr std::size_t kReadBuffer = std::size_t{1} << 20;
    std::unique_ptr<char[]> read_buf_;  // the open file's stdio buffer
    pcap_t* pcap_ = nullptr;
    int linktype_ = 0;
    std::uint64_t packets_in_file_ = 0;
    std::vector<SourceProblem> problems_;
};

}  // namespace sw
