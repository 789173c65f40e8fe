// EventAdapter: what each event becomes, in order (clock tick, volume counts,
// target write, the push built from it, collector read), with exact
// contributions; connection records by their typed protocol.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analytics/event_adapter.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using namespace sw::test;

// Records every call as one line.
struct Calls : ContributionSink {
    void on_event_time(Timestamp t) override { log.push_back("time " + std::to_string((t - kT0) / kSecond)); }
    void count_volume(const IpAddr& from, const IpAddr& to, VolumeProto p, std::uint64_t bytes, bool fw,
                      bool fr) override {
        log.push_back("volume " + from.str() + ">" + to.str() + " " + std::string(volume_proto_name(p)) + " " +
                      std::to_string(bytes) + (fw ? " w" : "") + (fr ? " r" : ""));
    }
    void target_write(const IpAddr& target, const Contribution& c, const ConnId& conn, const std::string& share,
                      const WriteFacts* file) override {
        log.push_back("write " + target.str() + " " + contrib(c) + " " + std::string(conn.uid()) + " " + share +
                      (file ? " file:" + file->f->name : ""));
        contribs.push_back(c);
        if (file) facts.push_back(*file);
    }
    void collector_push(const IpAddr& collector, const Contribution& c, const ConnId&, const WriteFacts* file) override {
        log.push_back("push " + collector.str() + " " + contrib(c) + (file ? " file:" + file->f->name : ""));
        contribs.push_back(c);
    }
    void collector_read(const IpAddr& collector, const Contribution& c, const ConnId&,
                        const std::string& share) override {
        log.push_back("read " + collector.str() + " " + contrib(c) + " " + share);
        contribs.push_back(c);
    }
    void map_share(const IpAddr& server, const IpAddr& client, const std::string& path, Timestamp) override {
        log.push_back("map " + server.str() + " " + client.str() + " " + path);
    }
    void place_in_progress(const IpAddr& target, const IpAddr& peer, const std::string& share, const std::string& name,
                           const std::string& user, Timestamp) override {
        log.push_back("place " + target.str() + " " + peer.str() + " " + share + " " + name + " " + user);
    }
    void transfer_open(Role r, const IpAddr& host, const IpAddr& peer, const std::string& key, const std::string& what,
                       std::uint64_t bytes, Timestamp) override {
        log.push_back(std::string(r == Role::target ? "open-target " : "open-collector ") + host.str() + " " +
                      peer.str() + " " + key + " " + what + " " + std::to_string(bytes));
    }
    void transfer_closed(Role r, const IpAddr& host, const std::string& key) override {
        log.push_back(std::string(r == Role::target ? "closed-target " : "closed-collector ") + host.str() + " " + key);
    }
    std::string mapped_share(const IpAddr& server, const IpAddr& client, Timestamp) const override {
        asked.push_back(server.str() + " " + client.str());
        return mapped;
    }
    static std::string contrib(const Contribution& c) {
        return "peer=" + c.peer.str() + " bytes=" + std::to_string(c.c.bytes) + " allowed=" + std::to_string(c.allowed);
    }
    std::vector<std::string> log;
    std::vector<Contribution> contribs;
    std::vector<WriteFacts> facts;
    std::string mapped;
    mutable std::vector<std::string> asked;
};

struct Fixture {
    explicit Fixture(AnalyticsConfig c = {}) : cfg(std::move(c)), classify(cfg), allow(cfg), adapter(classify, allow) {}
    AnalyticsConfig cfg;
    FileClassifier classify;
    AllowList allow;
    EventAdapter adapter;
    Calls out;
};

const ConnId kSmb = conn("10.0.0.1", 49001, "10.0.0.9", 445, "C1");

TEST(AnalyticsEventAdapter, SmbWriteIsAWriteAndThePushBuiltFromIt) {
    Fixture fx;
    fx.adapter.on_event(smb_write(at(60), kSmb, "\\\\FS01\\stage$", "loot\\a.7z", 5 * MB, "7z"), fx.out);
    EXPECT_EQ(fx.out.log, (std::vector<std::string>{
                              "time 60",
                              "volume 10.0.0.1>10.0.0.9 smb 5000000 w",
                              "write 10.0.0.9 peer=10.0.0.1 bytes=5000000 allowed=0 C1 \\\\FS01\\stage$ file:loot\\a.7z",
                              "push 10.0.0.1 peer=10.0.0.9 bytes=5000000 allowed=0 file:loot\\a.7z",
                          }));
    const Contribution& w = fx.out.contribs[0];
    EXPECT_EQ(w.ts, at(60));
    EXPECT_EQ(w.c.smb_bytes, 5 * MB);
    EXPECT_EQ(w.c.files, 1u);
    EXPECT_EQ(w.c.archives, 1u);
    EXPECT_EQ(w.c.archive_names, 1u);
    EXPECT_EQ(w.c.archive_contents, 1u);
    EXPECT_EQ(w.c.masquerades, 0u);
    EXPECT_EQ(w.c.admin_writes, 0u);  // stage$ is hidden, not administrative
    EXPECT_EQ(w.c.hidden_writes, 1u);
    EXPECT_EQ(w.c.path_writes, 0u);
    // The push is the same write, seen from the writer.
    const Contribution& p = fx.out.contribs[1];
    EXPECT_EQ(p.ts, w.ts);
    EXPECT_EQ(p.c.bytes, w.c.bytes);
    EXPECT_EQ(p.c.archives, w.c.archives);
    EXPECT_EQ(p.c.hidden_writes, w.c.hidden_writes);
    const WriteFacts& f = fx.out.facts[0];
    EXPECT_EQ(f.share_path, "\\\\FS01\\stage$");
    EXPECT_EQ(f.archive_ext, "7z");
    EXPECT_EQ(f.content, "7z");
    EXPECT_TRUE(f.name_hit && f.content_hit && f.hidden);
    EXPECT_FALSE(f.masquerade || f.staging_path || f.renamed || f.admin);
}

TEST(AnalyticsEventAdapter, AllowBitsOfTheWriteAndOfThePush) {
    AnalyticsConfig c;
    c.allow_sources.add(*Cidr::parse("10.0.0.1"));
    c.allow_targets.add(*Cidr::parse("10.0.0.9"));
    Fixture fx(c);
    fx.adapter.on_event(smb_write(at(60), kSmb, "\\\\FS01\\data", "x.bin", MB), fx.out);
    ASSERT_EQ(fx.out.contribs.size(), 2u);
    EXPECT_EQ(fx.out.contribs[0].allowed, kAllowPeer);  // its source is allowed
    EXPECT_EQ(fx.out.contribs[1].allowed, kAllowPeer);  // the host it went to is allowed
    fx.out.contribs.clear();
    fx.adapter.on_event(smb_write(at(70), conn("10.0.0.2", 1, "10.0.0.9", 445, "C2"), "\\\\FS01\\data", "x", MB),
                        fx.out);
    EXPECT_EQ(fx.out.contribs[0].allowed, 0u);
    EXPECT_EQ(fx.out.contribs[1].allowed, kAllowPeer);
}

TEST(AnalyticsEventAdapter, SmbReadIsACollectorRead) {
    Fixture fx;
    SmbFileEvent r = smb_read(at(30), kSmb, "", "db.bak", 3 * MB);
    r.path.clear();
    r.share = "data";  // no tree path: \\<server>\<share> is made up from the address
    fx.adapter.on_event(r, fx.out);
    EXPECT_EQ(fx.out.log, (std::vector<std::string>{
                              "time 30",
                              "volume 10.0.0.9>10.0.0.1 smb 3000000 r",
                              "read 10.0.0.1 peer=10.0.0.9 bytes=3000000 allowed=0 \\\\10.0.0.9\\data",
                          }));
    EXPECT_EQ(fx.out.contribs[0].c.files, 1u);
    EXPECT_EQ(fx.out.contribs[0].c.smb_bytes, 3 * MB);
}

TEST(AnalyticsEventAdapter, WhatIsNotAContribution) {
    Fixture fx;
    SmbFileEvent pipe = smb_write(at(10), kSmb, "\\\\FS01\\IPC$", "srvsvc", 100);
    pipe.is_pipe = true;
    fx.adapter.on_event(pipe, fx.out);  // not even a clock tick
    SmbFileEvent enc = smb_write(at(11), kSmb, "\\\\FS01\\data", "a.zip", MB);
    enc.encrypted = true;  // counted by its session
    fx.adapter.on_event(enc, fx.out);
    SmbFileEvent dir = smb_write(at(12), kSmb, "\\\\FS01\\data", "d.zip", 0);
    dir.is_directory = true;
    fx.adapter.on_event(dir, fx.out);
    fx.adapter.on_event(smb_write(at(13), conn("10.0.0.1", 1, "10.0.0.1", 445, "L"), "\\\\x\\y", "a.zip", MB),
                        fx.out);
    fx.adapter.on_event(NtlmEvent{}, fx.out);
    EXPECT_EQ(fx.out.log, (std::vector<std::string>{"time 11", "time 12", "time 13"}));
}

TEST(AnalyticsEventAdapter, RenameToAnArchiveNameIsAWriteWithoutBytes) {
    Fixture fx;
    SmbFileEvent f = smb_write(at(20), kSmb, "\\\\FS01\\data", "b.rar", 0);
    f.prev_name = "b.txt";
    fx.adapter.on_event(f, fx.out);
    EXPECT_EQ(fx.out.log, (std::vector<std::string>{
                              "time 20",
                              "write 10.0.0.9 peer=10.0.0.1 bytes=0 allowed=0 C1 \\\\FS01\\data file:b.rar",
                              "push 10.0.0.1 peer=10.0.0.9 bytes=0 allowed=0 file:b.rar",
                          }));
    EXPECT_EQ(fx.out.contribs[0].c.files, 0u);
    EXPECT_TRUE(fx.out.facts[0].renamed);
}

TEST(AnalyticsEventAdapter, EncryptedSessionUsesItsMappedShare) {
    Fixture fx;
    fx.out.mapped = "\\\\FS01\\C$";
    fx.adapter.on_event(smb_encrypted_session(at(100), kSmb, 40 * MB, 2 * MB), fx.out);
    EXPECT_EQ(fx.out.log, (std::vector<std::string>{
                              "time 100",
                              "volume 10.0.0.1>10.0.0.9 smb 40000000",
                              "volume 10.0.0.9>10.0.0.1 smb 2000000",
                              "write 10.0.0.9 peer=10.0.0.1 bytes=40000000 allowed=0 C1 \\\\FS01\\C$",
                              "push 10.0.0.1 peer=10.0.0.9 bytes=40000000 allowed=0",
                              "read 10.0.0.1 peer=10.0.0.9 bytes=2000000 allowed=0 \\\\FS01\\C$",
                          }));
    EXPECT_EQ(fx.out.asked, std::vector<std::string>{"10.0.0.9 10.0.0.1"});
    EXPECT_EQ(fx.out.contribs[0].c.enc_bytes, 40 * MB);
    EXPECT_EQ(fx.out.contribs[0].c.admin_writes, 1u);  // C$ is an admin share
    EXPECT_EQ(fx.out.contribs[2].c.enc_bytes, 2 * MB);
    EXPECT_EQ(fx.out.contribs[2].c.admin_writes, 0u);
}

TEST(AnalyticsEventAdapter, SshUploadDownloadAndInteractive) {
    Fixture fx;
    const ConnId s = conn("10.0.0.1", 50000, "10.0.0.8", 22, "S1");
    fx.adapter.on_event(ssh_transfer(at(40), s, 7 * MB, 0), fx.out);
    fx.adapter.on_event(ssh_transfer(at(50), s, 0, 2 * MB), fx.out);
    SshEvent i = ssh_transfer(at(60), s, 0, 0);
    i.inferred = "interactive";
    fx.adapter.on_event(i, fx.out);
    EXPECT_EQ(fx.out.log, (std::vector<std::string>{
                              "time 40",
                              "volume 10.0.0.1>10.0.0.8 ssh 7004000",
                              "volume 10.0.0.8>10.0.0.1 ssh 3000",
                              "write 10.0.0.8 peer=10.0.0.1 bytes=7000000 allowed=0 S1 ",
                              "push 10.0.0.1 peer=10.0.0.8 bytes=7000000 allowed=0",
                              "time 50",
                              "volume 10.0.0.1>10.0.0.8 ssh 4000",
                              "volume 10.0.0.8>10.0.0.1 ssh 2003000",
                              "read 10.0.0.1 peer=10.0.0.8 bytes=2000000 allowed=0 ",
                              "time 60",
                              "volume 10.0.0.1>10.0.0.8 ssh 4000",
                              "volume 10.0.0.8>10.0.0.1 ssh 3000",
                          }));
    EXPECT_EQ(fx.out.contribs[0].c.ssh_bytes, 7 * MB);
}

TEST(AnalyticsEventAdapter, ReverseSshSwapsTheRoles) {
    Fixture fx;
    SshEvent r = ssh_transfer(at(40), conn("10.0.0.8", 22, "10.0.0.1", 50000, "R"), 7 * MB, 0);
    r.client_h = ip("10.0.0.1");  // the TCP responder is the SSH client
    r.server_h = ip("10.0.0.8");
    fx.adapter.on_event(r, fx.out);
    ASSERT_GE(fx.out.log.size(), 4u);
    EXPECT_EQ(fx.out.log[1], "volume 10.0.0.8>10.0.0.1 ssh 7004000");  // TCP directions for volume
    EXPECT_EQ(fx.out.log[3], "write 10.0.0.8 peer=10.0.0.1 bytes=7000000 allowed=0 R ");
}

TEST(AnalyticsEventAdapter, ConnectionsByTypedProtocol) {
    Fixture fx;
    const ConnId t = conn("10.0.0.3", 40000, "10.0.0.9", 8080, "T1");
    fx.adapter.on_event(tcp_conn(at(35), 5 * kSecond, t, 1000, 2000), fx.out);
    // SMB and SSH connections are counted from their dissectors' events.
    fx.adapter.on_event(tcp_conn(at(1), 40 * kSecond, t, 9 * MB, 1, AppProtocol::smb), fx.out);
    fx.adapter.on_event(tcp_conn(at(1), 40 * kSecond, t, 9 * MB, 1, AppProtocol::ssh), fx.out);
    ConnRecord udp = tcp_conn(at(50), kSecond, t, 10, 10);
    udp.id.proto = Transport::udp;
    fx.adapter.on_event(udp, fx.out);
    EXPECT_EQ(fx.out.log, (std::vector<std::string>{
                              "time 40",
                              "volume 10.0.0.3>10.0.0.9 other_tcp 1000",
                              "volume 10.0.0.9>10.0.0.3 other_tcp 2000",
                          }));
}

TEST(AnalyticsEventAdapter, MappingsAreRemembered) {
    Fixture fx;
    SmbMappingEvent m;
    m.ts = at(5);
    m.id = kSmb;
    m.path = "\\\\FS01\\C$";
    fx.adapter.on_event(m, fx.out);
    m.path.clear();  // unknown (encrypted tree connect)
    fx.adapter.on_event(m, fx.out);
    EXPECT_EQ(fx.out.log, (std::vector<std::string>{"time 5", "map 10.0.0.9 10.0.0.1 \\\\FS01\\C$", "time 5"}));
}

}  // namespace
}  // namespace sw

namespace sw {
namespace {

using namespace sw::test;

ProgressEvent file_progress(Timestamp t, const ConnId& id, const std::string& fuid, std::uint64_t written,
                            std::uint64_t read) {
    ProgressEvent p;
    p.ts = t;
    p.id = id;
    p.kind = ProgressEvent::Kind::smb_file;
    p.fuid = fuid;
    p.path = "\\\\FS01\\stage$";
    p.share = "stage$";
    p.name = "loot\\a.7z";
    p.username = "CORP\\bob";
    p.written = written;
    p.read = read;
    return p;
}

TEST(AnalyticsEventAdapter, ProgressOfAHandleCountsItsBytesAndTheCloseOnlyTheRest) {
    Fixture fx;
    fx.adapter.on_event(file_progress(at(59), kSmb, "F1", 3 * MB, 0), fx.out);
    SmbFileEvent f = smb_write(at(70), kSmb, "\\\\FS01\\stage$", "loot\\a.7z", 5 * MB, "7z");
    f.fuid = "F1";
    f.progress_written = 3 * MB;
    fx.adapter.on_event(f, fx.out);
    EXPECT_EQ(fx.out.log, (std::vector<std::string>{
                              "time 59",
                              "volume 10.0.0.1>10.0.0.9 smb 3000000",
                              "open-target 10.0.0.9 10.0.0.1 C1/F1 \\\\FS01\\stage$\\loot\\a.7z 3000000",
                              "place 10.0.0.9 10.0.0.1 \\\\FS01\\stage$ loot\\a.7z CORP\\bob",
                              "write 10.0.0.9 peer=10.0.0.1 bytes=3000000 allowed=0 C1 \\\\FS01\\stage$",
                              "push 10.0.0.1 peer=10.0.0.9 bytes=3000000 allowed=0",
                              "time 70",
                              "closed-target 10.0.0.9 C1/F1",
                              "volume 10.0.0.1>10.0.0.9 smb 2000000 w",
                              "write 10.0.0.9 peer=10.0.0.1 bytes=2000000 allowed=0 C1 \\\\FS01\\stage$ file:loot\\a.7z",
                              "push 10.0.0.1 peer=10.0.0.9 bytes=2000000 allowed=0 file:loot\\a.7z",
                          }));
    // The progress write is bytes only; the file (an archive) counts at close.
    EXPECT_EQ(fx.out.contribs[0].c.files, 0u);
    EXPECT_EQ(fx.out.contribs[0].c.archives, 0u);
    EXPECT_EQ(fx.out.contribs[2].c.files, 1u);
    EXPECT_EQ(fx.out.contribs[2].c.archives, 1u);
    EXPECT_EQ(fx.out.contribs[0].c.bytes + fx.out.contribs[2].c.bytes, 5 * MB);
}

TEST(AnalyticsEventAdapter, AHandleWhoseBytesAllWentOutInProgressStillCountsAsAFile) {
    Fixture fx;
    SmbFileEvent f = smb_write(at(70), kSmb, "\\\\FS01\\stage$", "loot\\a.7z", 5 * MB, "7z");
    f.fuid = "F1";
    f.progress_written = 5 * MB;
    fx.adapter.on_event(f, fx.out);
    ASSERT_EQ(fx.out.contribs.size(), 2u);
    EXPECT_EQ(fx.out.contribs[0].c.bytes, 0u);
    EXPECT_EQ(fx.out.contribs[0].c.files, 1u);
    EXPECT_EQ(fx.out.log[2], "volume 10.0.0.1>10.0.0.9 smb 0 w");
}

TEST(AnalyticsEventAdapter, ProgressOfReadsEncryptedSessionsAndSsh) {
    Fixture fx;
    fx.adapter.on_event(file_progress(at(59), kSmb, "F2", 0, 4 * MB), fx.out);
    ProgressEvent e;
    e.ts = at(119);
    e.id = kSmb;
    e.kind = ProgressEvent::Kind::smb_session;
    e.session_id = 7;
    e.bytes[0] = 6 * MB;
    fx.out.mapped = "\\\\FS01\\data";
    fx.adapter.on_event(e, fx.out);
    const ConnId s = conn("10.0.0.1", 50000, "10.0.0.8", 22, "S1");
    ProgressEvent x;
    x.ts = at(179);
    x.id = s;
    x.kind = ProgressEvent::Kind::ssh;
    x.client_h = s.orig_h;
    x.server_h = s.resp_h;
    x.bytes[0] = 2 * MB + 4000;
    x.bytes[1] = 3000;
    x.upload = 2 * MB;
    fx.adapter.on_event(x, fx.out);
    // Its close: the rest only.
    SshEvent close = ssh_transfer(at(200), s, 7 * MB, 0);
    close.progress_orig_bytes = 2 * MB + 4000;
    close.progress_resp_bytes = 3000;
    close.progress_upload_bytes = 2 * MB;
    fx.adapter.on_event(close, fx.out);
    EXPECT_EQ(fx.out.log, (std::vector<std::string>{
                              "time 59",
                              "volume 10.0.0.9>10.0.0.1 smb 4000000",
                              "open-collector 10.0.0.1 10.0.0.9 C1/F2 \\\\FS01\\stage$\\loot\\a.7z 4000000",
                              "read 10.0.0.1 peer=10.0.0.9 bytes=4000000 allowed=0 \\\\FS01\\stage$",
                              "time 119",
                              "volume 10.0.0.1>10.0.0.9 smb 6000000",
                              "open-target 10.0.0.9 10.0.0.1 C1/enc7 encrypted SMB3 on \\\\FS01\\data 6000000",
                              "write 10.0.0.9 peer=10.0.0.1 bytes=6000000 allowed=0 C1 \\\\FS01\\data",
                              "push 10.0.0.1 peer=10.0.0.9 bytes=6000000 allowed=0",
                              "time 179",
                              "volume 10.0.0.1>10.0.0.8 ssh 2004000",
                              "volume 10.0.0.8>10.0.0.1 ssh 3000",
                              "open-target 10.0.0.8 10.0.0.1 S1/ssh SSH upload 2000000",
                              "write 10.0.0.8 peer=10.0.0.1 bytes=2000000 allowed=0 S1 ",
                              "push 10.0.0.1 peer=10.0.0.8 bytes=2000000 allowed=0",
                              "time 200",
                              "closed-target 10.0.0.8 S1/ssh",
                              "volume 10.0.0.1>10.0.0.8 ssh 5000000",
                              "write 10.0.0.8 peer=10.0.0.1 bytes=5000000 allowed=0 S1 ",
                              "push 10.0.0.1 peer=10.0.0.8 bytes=5000000 allowed=0",
                          }));
    EXPECT_EQ(fx.out.contribs[1].c.enc_bytes, 6 * MB);
}

}  // namespace
}  // namespace sw
