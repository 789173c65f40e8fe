#include "capture/packet_source.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sw {

namespace {
std::uint64_t file_size(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return static_cast<std::uint64_t>(st.st_size);
}
}  // namespace

PcapFileSource::PcapFileSource(std::vector<std::string> files) : files_(std::move(files)) {
    for (const auto& f : files_) {
        sizes_.push_back(file_size(f));
        total_bytes_ += sizes_.back();
    }
}

PcapFileSource::~PcapFileSource() { close_current(); }

std::string PcapFileSource::validate(const std::vector<std::string>& files) {
    for (const auto& f : files) {
        struct stat st {};
        if (::stat(f.c_str(), &st) != 0)
            return f + ": cannot read: " + std::strerror(errno);
        if (S_ISDIR(st.st_mode)) return f + ": is a directory, not a capture file";
        char err[PCAP_ERRBUF_SIZE] = {0};
        pcap_t* p = pcap_open_offline_with_tstamp_precision(f.c_str(), PCAP_TSTAMP_PRECISION_MICRO, err);
        if (!p) {
            std::string why = err;
            if (st.st_size == 0) why = "empty file (no pcap or pcapng header)";
            return f + ": not a readable pcap/pcapng capture: " + why;
        }
        pcap_close(p);
    }
    return {};
}

bool PcapFileSource::open_next() {
    while (index_ < files_.size()) {
        char err[PCAP_ERRBUF_SIZE] = {0};
        // Our own FILE with a large buffer, so that libpcap's per-packet
        // freads are served from memory and the file is read in 1 MiB
        // batches (stdio's default would be one read(2) per 4 KiB).
        if (!read_buf_) read_buf_ = std::make_unique<char[]>(kReadBuffer);
        FILE* fp = std::fopen(files_[index_].c_str(), "rb");
        if (fp) {
            std::setvbuf(fp, read_buf_.get(), _IOFBF, kReadBuffer);
            pcap_ = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, err);
            if (!pcap_) std::fclose(fp);  // libpcap leaves it to us when it fails
        } else {
            std::snprintf(err, sizeof err, "%s: %s", files_[index_].c_str(), std::strerror(errno));
        }
        if (pcap_) {
            linktype_ = pcap_datalink(pcap_);
            packets_in_file_ = 0;
            return true;
        }
        problems_.push_back({files_[index_], err, 0});
        done_before_ += sizes_[index_];
        ++index_;
    }
    return false;
}

void PcapFileSource::close_current() {
    if (pcap_) {
        pcap_close(pcap_);
        pcap_ = nullptr;
    }
}

ReadResult PcapFileSource::next(RawPacket& out) {
    for (;;) {
        if (!pcap_ && !open_next()) return ReadResult::end;
        struct pcap_pkthdr* hdr = nullptr;
        const u_char* data = nullptr;
        int rc = pcap_next_ex(pcap_, &hdr, &data);
        if (rc == 1) {
            ++packets_in_file_;
            out.ts = static_cast<Timestamp>(hdr->ts.tv_sec) * kSecond + hdr->ts.tv_usec;
            out.data = Bytes(data, hdr->caplen);
            out.wirelen = hdr->len;
            out.linktype = linktype_;
            return ReadResult::packet;
        }
        if (rc == PCAP_ERROR) {
            // Typically "truncated dump file": keep what we have, note it.
            problems_.push_back({files_[index_], pcap_geterr(pcap_), packets_in_file_});
        }
        // End of this file (or damaged): go on with the next.
        close_current();
        done_before_ += sizes_[index_];
        ++index_;
    }
}

std::uint64_t PcapFileSource::bytes_done() const {
    std::uint64_t in_file = 0;
    if (pcap_) {
        if (FILE* fp = pcap_file(pcap_)) {
            long pos = std::ftell(fp);
            if (pos > 0) in_file = static_cast<std::uint64_t>(pos);
        }
    }
    return done_before_ + in_file;
}

std::string PcapFileSource::describe() const {
    if (files_.size() == 1) return files_[0];
    return std::to_string(files_.size()) + " files";
}

}  // namespace sw
