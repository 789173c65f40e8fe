// Builders for the analytics tests: event sequences constructed by hand (the
// event contract of dissectors/event.h), and a FindingSink that records.
#pragma once

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "analytics/findings.h"
#include "analytics/staging_analytics.h"
#include "dissectors/event.h"

namespace sw::test {

// 2023-11-14 22:00:00 UTC: a multiple of an hour, so intervals (60 s) and
// windows (10 min, 1 h) start exactly here.
constexpr Timestamp kT0 = 1'699'999'200LL * kSecond;

inline Timestamp at(double seconds_after_t0) {
    return kT0 + static_cast<Timestamp>(std::llround(seconds_after_t0 * 1e6));
}

inline IpAddr ip(const char* s) { return *IpAddr::parse(s); }

inline ConnId conn(const char* orig, std::uint16_t orig_p, const char* resp, std::uint16_t resp_p,
                   const char* uid) {
    ConnId id;
    id.orig_h = ip(orig);
    id.resp_h = ip(resp);
    id.orig_p = orig_p;
    id.resp_p = resp_p;
    id.proto = Transport::tcp;
    id.ip_proto = 6;
    id.uid_len = static_cast<std::uint8_t>(std::strlen(uid));
    std::memcpy(id.uid_buf.data(), uid, id.uid_len);
    return id;
}

// An SMB file handle closed at `t` that wrote `bytes` to \\server\share\name.
inline SmbFileEvent smb_write(Timestamp t, const ConnId& id, const std::string& tree, const std::string& name,
                              std::uint64_t bytes, const std::string& content_type = "",
                              const std::string& fuid = "Ftest") {
    SmbFileEvent f;
    f.ts = t - kSecond;
    f.close_ts = t;
    f.id = id;
    f.fuid = fuid;
    f.action = "SMB::FILE_WRITE";
    f.path = tree;
    f.share = std::string(tree.substr(tree.find_last_of('\\') + 1));
    f.name = name;
    f.size = bytes;
    f.bytes_written = bytes;
    f.content_type = content_type;
    f.dialect = "3.1.1";
    f.username = "LAB\\alice";
    return f;
}

inline SmbFileEvent smb_read(Timestamp t, const ConnId& id, const std::string& tree, const std::string& name,
                             std::uint64_t bytes) {
    SmbFileEvent f = smb_write(t, id, tree, name, 0);
    f.action = "SMB::FILE_READ";
    f.bytes_written = 0;
    f.bytes_read = bytes;
    return f;
}

// An SSH connection that ended at `t` and carried an inferred upload or
// download of `bytes` (client = orig).
inline SshEvent ssh_transfer(Timestamp t, const ConnId& id, std::uint64_t upload, std::uint64_t download) {
    SshEvent s;
    s.ts = t - 10 * kSecond;
    s.duration = 10 * kSecond;
    s.id = id;
    s.client_h = id.orig_h;
    s.server_h = id.resp_h;
    s.version = 2;
    s.upload_bytes = upload;
    s.download_bytes = download;
    s.orig_bytes = upload + 4000;
    s.resp_bytes = download + 3000;
    s.inferred = upload ? "upload" : "download";
    s.transfer_bytes = upload + download;
    return s;
}

inline SmbSessionEvent smb_encrypted_session(Timestamp t, const ConnId& id, std::uint64_t to_server,
                                             std::uint64_t to_client) {
    SmbSessionEvent s;
    s.ts = t - 30 * kSecond;
    s.end_ts = t;
    s.id = id;
    s.session_id = 0x1234;
    s.dialect = "3.1.1";
    s.encrypted = true;
    s.encrypted_bytes[0] = to_server;
    s.encrypted_bytes[1] = to_client;
    s.encrypted_msgs[0] = 10;
    s.encrypted_msgs[1] = 10;
    return s;
}

inline ConnRecord tcp_conn(Timestamp start, Duration dur, const ConnId& id, std::uint64_t orig_bytes,
                           std::uint64_t resp_bytes, AppProtocol protocol = AppProtocol::none) {
    ConnRecord c;
    c.id = id;
    c.ts = start;
    c.duration = dur;
    c.sized = true;
    c.protocol = protocol;
    c.orig_bytes = orig_bytes;
    c.resp_bytes = resp_bytes;
    c.conn_state = "SF";
    return c;
}

class Recorder : public FindingSink {
public:
    void on_notice(const Notice& n) override { notices.push_back(n); }
    void on_staging(const StagingRow& r) override { staging.push_back(r); }
    void on_volume(const VolumeRow& r) override { volume.push_back(r); }
    std::vector<const Notice*> of(NoteType t) const {
        std::vector<const Notice*> out;
        for (const auto& n : notices)
            if (n.note == t) out.push_back(&n);
        return out;
    }
    std::vector<Notice> notices;
    std::vector<StagingRow> staging;
    std::vector<VolumeRow> volume;
};

// Small thresholds and a 10-minute window, as the unit tests use them.
inline AnalyticsConfig test_config() {
    AnalyticsConfig c;
    c.window = 10 * kMinute;
    c.min_bytes = 30'000'000;
    c.min_sources = 3;
    c.min_servers = 3;
    // These tests pin the rules of one window with every file finding as a
    // notice; the long horizons, the file notice policy and the daily budget
    // have tests of their own (StagingPolicy*, with the defaults).
    c.long_windows = {};
    c.file_notice_min = Severity::low;
    c.daily_budget = 0;
    return c;
}

inline std::vector<IpAddr> ips(std::initializer_list<const char*> l) {
    std::vector<IpAddr> out;
    for (const char* s : l) out.push_back(ip(s));
    return out;
}

constexpr std::uint64_t MB = 1'000'000;

}  // namespace sw::test
