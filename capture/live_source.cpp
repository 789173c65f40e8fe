#include "capture/live_source.h"

#include <poll.h>

#include <cerrno>
#include <ctime>
#include <stdexcept>

namespace sw {

Timestamp wall_clock_now() {
    timespec t{};
    ::clock_gettime(CLOCK_REALTIME, &t);
    return static_cast<Timestamp>(t.tv_sec) * kSecond + t.tv_nsec / 1000;
}

namespace {

// libpcap's activation order (as Zeek's pcap source): create, snaplen,
// promisc, timeout, buffer size, activate; then filter and non-blocking mode.
pcap_t* open_interface(const std::string& name, const LiveConfig& cfg) {
    char err[PCAP_ERRBUF_SIZE] = {0};
    pcap_t* p = pcap_create(name.c_str(), err);
    if (!p) throw std::runtime_error(name + ": cannot open interface: " + err);
    auto fail = [&](const std::string& what) {
        std::string msg = name + ": " + what;
        pcap_close(p);
        throw std::runtime_error(msg);
    };
    if (pcap_set_snaplen(p, static_cast<int>(cfg.snaplen)) != 0) fail("cannot set the snap length");
    if (pcap_set_promisc(p, cfg.promisc ? 1 : 0) != 0) fail("cannot set promiscuous mode");
    if (pcap_set_timeout(p, cfg.timeout_ms) != 0) fail("cannot set the read timeout");
    if (pcap_set_buffer_size(p, static_cast<int>(std::min<std::uint64_t>(cfg.buffer_size, 0x7fffffff))) != 0)
        fail("cannot set the buffer size");
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(p);
    if (rc < 0) {
        std::string why = pcap_statustostr(rc);
        if (rc == PCAP_ERROR || rc == PCAP_ERROR_NO_SUCH_DEVICE || rc == PCAP_ERROR_PERM_DENIED)
            why = pcap_geterr(p);
        fail("cannot capture: " + why);
    }
    if (!cfg.filter.empty()) {
        bpf_program prog{};
        if (pcap_compile(p, &prog, cfg.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
            fail("bad capture filter '" + cfg.filter + "': " + pcap_geterr(p));
        int set = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (set != 0) fail(std::string("cannot install the capture filter: ") + pcap_geterr(p));
    }
    if (pcap_setnonblock(p, 1, err) != 0) fail(std::string("cannot set non-blocking mode: ") + err);
    return p;
}

}  // namespace

LiveSource::LiveSource(LiveConfig cfg) : cfg_(std::move(cfg)) {
    try {
        for (const auto& name : cfg_.interfaces) {
            Handle h;
            h.name = name;
            h.pcap = open_interface(name, cfg_);
            h.linktype = pcap_datalink(h.pcap);
            h.fd = pcap_get_selectable_fd(h.pcap);
            handles_.push_back(std::move(h));
        }
    } catch (...) {
        close_all();
        throw;
    }
    if (handles_.empty()) throw std::runtime_error("no interface to capture on");
}

LiveSource::~LiveSource() { close_all(); }

void LiveSource::close_all() {
    for (auto& h : handles_) {
        if (h.pcap) pcap_close(h.pcap);
        h.pcap = nullptr;
    }
}

// Waits up to the timeout for any interface to have data. False on timeout
// or on a signal (the caller then reports idle and checks its stop flag).
bool LiveSource::wait_for_packets() {
    pollfd fds[16];
    nfds_t n = 0;
    for (const auto& h : handles_)
        if (h.pcap && h.fd >= 0 && n < 16) fds[n++] = {h.fd, POLLIN, 0};
    if (n == 0) {
        timespec ts{0, static_cast<long>(cfg_.timeout_ms) * 1'000'000};
        ::nanosleep(&ts, nullptr);
        return false;
    }
    return ::poll(fds, n, cfg_.timeout_ms) > 0;
}

ReadResult LiveSource::next(RawPacket& out) {
    for (int round = 0; round < 2; ++round) {
        std::size_t live = 0;
        for (std::size_t k = 0; k < handles_.size(); ++k) {
            Handle& h = handles_[(turn_ + k) % handles_.size()];
            if (!h.pcap) continue;
            ++live;
            pcap_pkthdr* hdr = nullptr;
            const u_char* data = nullptr;
            int rc = pcap_next_ex(h.pcap, &hdr, &data);
            if (rc == 1) {
                turn_ = (turn_ + k + 1) % handles_.size();
                out.ts = static_cast<Timestamp>(hdr->ts.tv_sec) * kSecond + hdr->ts.tv_usec;
                out.data = Bytes(data, hdr->caplen);
                out.wirelen = hdr->len;
                out.linktype = h.linktype;
                return ReadResult::packet;
            }
            if (rc == PCAP_ERROR) {
                // The interface went away (or down for good): note it and go
                // on with the others.
                problems_.push_back({h.name, pcap_geterr(h.pcap), 0});
                pcap_close(h.pcap);
                h.pcap = nullptr;
                --live;
            }
        }
        if (live == 0) return ReadResult::end;
        if (round == 0 && !wait_for_packets()) break;
    }
    out.ts = wall_clock_now();
    return ReadResult::idle;
}

void LiveSource::break_loop() {
    for (auto& h : handles_)
        if (h.pcap) pcap_breakloop(h.pcap);
}

std::vector<InterfaceStats> LiveSource::stats() const {
    std::vector<InterfaceStats> out;
    for (const auto& h : handles_) {
        InterfaceStats s;
        s.name = h.name;
        pcap_stat ps{};
        if (h.pcap && pcap_stats(h.pcap, &ps) == 0) {
            s.received = ps.ps_recv;
            s.dropped = ps.ps_drop;
            s.if_dropped = ps.ps_ifdrop;
        }
        out.push_back(std::move(s));
    }
    return out;
}

bool LiveSource::kernel_counters(KernelCounters& out) const {
    out = {};
    for (const auto& st : stats()) {
        out.received += st.received;
        out.dropped += st.dropped;
        out.if_dropped += st.if_dropped;
    }
    return true;
}

std::string LiveSource::describe() const {
    std::string s;
    for (const auto& h : handles_) {
        if (!s.empty()) s += ',';
        s += h.name;
    }
    return s;
}

}  // namespace sw
