// Classic pcap output (microsecond timestamps, LINKTYPE_ETHERNET), written
// through one large buffer: frames are built in place inside the buffer and
// the buffer goes to the file in multi-megabyte write(2) calls. Nothing is
// allocated per packet and the corpus is never held in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace pcapgen {

class PcapWriter {
public:
    static constexpr std::uint32_t kSnapLen = 262144;
    static constexpr std::size_t kRecordHeader = 16;

    explicit PcapWriter(std::size_t buffer_bytes = std::size_t{8} << 20);
    ~PcapWriter();
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    // "-" writes to standard output. Throws std::runtime_error on failure.
    void open(const std::string& path);
    // Appends a record header for a frame of `len` bytes captured at `ts_ns`
    // (nanoseconds since the epoch; the file keeps microseconds) and returns
    // where the frame's bytes go. Valid until the next call.
    std::uint8_t* frame(std::uint64_t ts_ns, std::uint32_t len);
    // Flushes and closes; throws on a write error.
    void close();

    std::uint64_t packets() const { return packets_; }
    std::uint64_t frame_bytes() const { return frame_bytes_; }
    std::uint64_t file_bytes() const { return file_bytes_ + used_; }

private:
    void flush();

    std::unique_ptr<std::uint8_t[]> buf_;
    std::size_t cap_;
    std::size_t used_ = 0;
    int fd_ = -1;
    bool own_fd_ = false;
    std::string path_;
    std::uint64_t packets_ = 0;
    std::uint64_t frame_bytes_ = 0;
    std::uint64_t file_bytes_ = 0;
};

}  // namespace pcapgen
