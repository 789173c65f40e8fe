#include "tools/pcapgen/pcap_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tools/pcapgen/buf.h"

namespace pcapgen {

PcapWriter::PcapWriter(std::size_t buffer_bytes)
    : buf_(new std::uint8_t[buffer_bytes]), cap_(buffer_bytes) {}

PcapWriter::~PcapWriter() {
    if (own_fd_ && fd_ >= 0) ::close(fd_);
}

void PcapWriter::open(const std::string& path) {
    path_ = path;
    if (path == "-") {
        fd_ = STDOUT_FILENO;
        own_fd_ = false;
    } else {
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
        own_fd_ = true;
    }
    // Global header, little-endian: magic, version 2.4, thiszone, sigfigs,
    // snaplen, linktype 1 (Ethernet).
    std::uint8_t* h = buf_.get();
    store_le32(h, 0xa1b2c3d4);
    store_le16(h + 4, 2);
    store_le16(h + 6, 4);
    store_le32(h + 8, 0);
    store_le32(h + 12, 0);
    store_le32(h + 16, kSnapLen);
    store_le32(h + 20, 1);
    used_ = 24;
}

std::uint8_t* PcapWriter::frame(std::uint64_t ts_ns, std::uint32_t len) {
    if (cap_ - used_ < kRecordHeader + len) flush();
    std::uint8_t* r = buf_.get() + used_;
    const std::uint64_t us = ts_ns / 1000;
    store_le32(r, static_cast<std::uint32_t>(us / 1000000));
    store_le32(r + 4, static_cast<std::uint32_t>(us % 1000000));
    store_le32(r + 8, len);
    store_le32(r + 12, len);
    used_ += kRecordHeader + len;
    ++packets_;
    frame_bytes_ += len;
    return r + kRecordHeader;
}

void PcapWriter::flush() {
    const std::uint8_t* p = buf_.get();
    std::size_t left = used_;
    while (left > 0) {
        const ssize_t w = ::write(fd_, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("write to " + path_ + " failed: " + std::strerror(errno));
        }
        p += w;
        left -= static_cast<std::size_t>(w);
    }
    file_bytes_ += used_;
    used_ = 0;
}

void PcapWriter::close() {
    if (fd_ < 0) return;
    flush();
    if (own_fd_) {
        const int rc = ::close(fd_);
        fd_ = -1;
        if (rc != 0) throw std::runtime_error("closing " + path_ + " failed: " + std::strerror(errno));
    }
    fd_ = -1;
}

}  // namespace pcapgen
