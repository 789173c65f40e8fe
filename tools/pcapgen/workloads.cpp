// The workloads: an SMB2 file-copy session, an scp session over SSH, and a
// short background request/response flow. Each is a coroutine that queues
// frames on its actor and awaits their transmission, so the code reads in
// protocol order while the scheduler interleaves many of them.
#include <algorithm>
#include <cstdio>
#include <string>

#include "tools/pcapgen/sim.h"
#include "tools/pcapgen/smb2.h"
#include "tools/pcapgen/ssh.h"

namespace pcapgen {
namespace {

std::uint32_t crc32(const std::uint8_t* p, std::size_t n) {
    std::uint32_t c = 0xffffffffu;
    for (std::size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

constexpr const char* kShares[] = {"Public", "Finance", "Projects", "HR", "Users", "Transfer", "Scans"};
constexpr const char* kHiddenShares[] = {"backup$", "staging$", "Archive$", "IT$", "C$", "D$", "Exports$"};
constexpr const char* kDirs[] = {"", "Temp\\", "staging\\", "Reports\\2024\\", "backup\\", "export\\",
                                 "Documents\\", "Projects\\Q3\\"};
constexpr const char* kBases[] = {"q3_financials", "customer_list", "payroll", "backup", "export",
                                  "project_plan", "scan", "invoice", "db_dump", "hr_records",
                                  "meeting_notes", "budget", "contracts", "source_code"};
constexpr const char* kArchiveExt[] = {".zip", ".7z", ".rar"};
constexpr const char* kOfficeExt[] = {".docx", ".xlsx", ".pptx", ".pdf"};
constexpr const char* kOtherExt[] = {".tmp", ".dat", ".bak", ".csv", ".log", ".txt"};
constexpr std::uint16_t kOtherPorts[] = {4000, 4444, 7777, 12345, 15000, 25000, 40000};
constexpr const char* kHttpPaths[] = {"static/app.js", "api/v1/status", "images/logo.png",
                                      "updates/manifest.json", "download/pkg.bin", "index.html"};
constexpr const char* kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36",
    "Microsoft-Delivery-Optimization/10.0", "curl/7.88.1", "Wget/1.21.3"};

std::uint64_t us(std::uint64_t v) { return v * 1000; }

// Budget estimates (bytes on the wire) for the parts of an SMB session that
// do not depend on file sizes: handshake, negotiate, two session setups, tree
// connect, tree disconnect, logoff, teardown; and per file CREATE + CLOSE.
constexpr std::uint64_t kSmbSessionPayload = 2400;
constexpr std::uint64_t kSmbSessionFrames = 20;
constexpr std::uint64_t kSmbFileOverhead = 900;
constexpr std::uint64_t kSmbIoOverhead = 200 + 2 * 66;  // WRITE/READ header, response, its frame
constexpr std::uint64_t kSmbMinFile = 8192;
std::uint64_t ms(std::uint64_t v) { return v * 1000000; }

// A zip local file header (APPNOTE 4.3.7) for `inner`, deflated.
std::uint32_t zip_header(std::uint8_t* m, const std::string& inner, std::uint64_t size, Rng& rng) {
    Buf b(m, 128);
    b.le32(0x04034b50);
    b.le16(20);
    b.le16(0);
    b.le16(8);
    b.le16(static_cast<std::uint32_t>(rng.next() & 0xbfff));  // time
    b.le16(0x5865);                                           // 2024-03-05
    b.le32(rng.u32());                                        // crc-32
    const std::uint32_t csize = static_cast<std::uint32_t>(std::min<std::uint64_t>(size / 2, 0xfffffffe));
    b.le32(csize);
    b.le32(csize * 3);
    const std::string name = inner.substr(0, 80);
    b.le16(static_cast<std::uint32_t>(name.size()));
    b.le16(0);
    b.str(name);
    return static_cast<std::uint32_t>(b.size());
}

}  // namespace

void Sim::file_magic(Actor& a, const std::string& ext, const std::string& base, std::uint64_t size,
                     std::string& kind) {
    a.magic_len = 0;
    kind.clear();
    if (ext == ".zip") {
        a.magic_len = zip_header(a.magic, base + ".xlsx", size, a.rng);
        kind = "zip";
    } else if (ext == ".docx" || ext == ".xlsx" || ext == ".pptx") {
        a.magic_len = zip_header(a.magic, "[Content_Types].xml", size, a.rng);
        kind = "ooxml";
    } else if (ext == ".7z") {
        // Signature header: magic, version 0.4, StartHeaderCRC over the
        // next-header offset/size/CRC that follow.
        Buf b(a.magic, sizeof a.magic);
        b.bytes("7z\xbc\xaf\x27\x1c\x00\x04", 8);
        const std::uint64_t nh_size = a.rng.range(64, 512);
        const std::uint64_t nh_off = size > 32 + nh_size ? size - 32 - nh_size : 0;
        std::uint8_t sh[20];
        store_le64(sh, nh_off);
        store_le64(sh + 8, nh_size);
        store_le32(sh + 16, a.rng.u32());
        b.le32(crc32(sh, 20));
        b.bytes(sh, 20);
        a.magic_len = static_cast<std::uint32_t>(b.size());
        kind = "7z";
    } else if (ext == ".rar") {
        // RAR 5 signature and main archive header (CRC32, size 3, type 1).
        Buf b(a.magic, sizeof a.magic);
        b.bytes("Rar!\x1a\x07\x01\x00", 8);
        const std::uint8_t hdr[] = {0x03, 0x01, 0x00, 0x00};
        b.le32(crc32(hdr, 4));
        b.bytes(hdr, 4);
        a.magic_len = static_cast<std::uint32_t>(b.size());
        kind = "rar";
    } else if (ext == ".pdf") {
        Buf b(a.magic, sizeof a.magic);
        b.bytes("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 15);
        a.magic_len = static_cast<std::uint32_t>(b.size());
        kind = "pdf";
    }
}

// With many clients and a small --size, the first sessions would reserve the
// whole budget with a few large files. Capping a file at four times a
// client's fair share of the SMB/SSH budget lets every client take part.
std::uint64_t Sim::fair_file_cap() const {
    const std::uint64_t fg = opt_.size - background_budget_;
    return std::max<std::uint64_t>(kSmbMinFile, fg / clients_.size() * 4);
}

Sim::Start Sim::start_workload(Actor& a) {
    if (opt_.enterprise()) return start_job(a);
    if (opt_.short_conns()) {
        if (conns_started_ >= opt_.connections) return Start::kDone;
        ++conns_started_;
        a.task = short_conn(a, static_cast<std::uint32_t>(a.rng.below(servers_.size())));
        return Start::kStarted;
    }
    const std::uint64_t left = budget_left(a.background ? kBackground : kSmb);
    const double fs = opt_.smb_fraction, fh = opt_.ssh_fraction;
    const double bg_fraction = std::max(0.0, 1.0 - fs - fh);
    const std::uint32_t server = static_cast<std::uint32_t>(a.rng.below(servers_.size()));
    // Shares are steered by what is already on the wire: a kind that is ahead
    // of its share waits a little (only while the other kind still runs, so
    // nobody waits forever).
    const auto& by_kind = truth_.totals.bytes_by_kind;
    const double emitted = static_cast<double>(out_.frame_bytes());
    const double slack = std::max(131072.0, static_cast<double>(opt_.size) / 200.0);
    if (a.background) {
        if (bg_fraction <= 1e-9 || left < 4096) return Start::kDone;
        if (active_foreground_ > 0 && static_cast<double>(by_kind[kBackground]) > bg_fraction * emitted + slack) {
            a.ready_ns += us(a.rng.range(500, 5000));
            return Start::kIdle;
        }
        a.task = background_flow(a, server);
        return Start::kStarted;
    }
    if (fs + fh <= 1e-9 || left < 32768) return Start::kDone;
    // (32 KiB covers an SMB session's fixed part and its first file.)
    if (active_background_ > 0 && bg_fraction > 1e-9 &&
        static_cast<double>(by_kind[kSmb] + by_kind[kSsh]) > (fs + fh) * emitted + slack) {
        a.ready_ns += us(a.rng.range(500, 5000));
        return Start::kIdle;
    }
    bool smb;
    if (fh <= 1e-9) {
        smb = true;
    } else if (fs <= 1e-9) {
        smb = false;
    } else {
        // Random by share, steered back when one kind runs ahead.
        const double p = static_cast<double>(planned_);
        const double kind_slack = static_cast<double>(opt_.size) / 20.0;
        if (static_cast<double>(planned_by_[kSmb]) > fs * p + kind_slack) smb = false;
        else if (static_cast<double>(planned_by_[kSsh]) > fh * p + kind_slack) smb = true;
        else smb = a.rng.chance53(chance_threshold(fs / (fs + fh)));
    }
    a.task = smb ? smb_session(a, server) : ssh_session(a, server);
    return Start::kStarted;
}

Task Sim::smb_session(Actor& a, std::uint32_t server) {
    Host& cl = clients_[a.client];
    Host& sv = servers_[server];
    new_conn(a, cl, sv, 445, kSmb);
    const bool v311 = !a.rng.chance53(chance_threshold(opt_.smb21_fraction));
    const SmbIdentity id{cl.user, domain_, dns_domain_, cl.name, sv.name};
    Smb2Conversation smb(v311 ? kDialect311 : kDialect210, id, a.rng);
    const std::string share = a.rng.below(10) < 4 ? a.rng.pick(kHiddenShares) : a.rng.pick(kShares);
    const std::string tree = "\\\\" + sv.name + "\\" + share;
    const std::uint32_t si = static_cast<std::uint32_t>(truth_.smb_sessions.size());
    {
        SmbSessionTruth t;
        t.client = cl.ip_str;
        t.client_port = a.conn.side[kC2S].port;
        t.server = sv.ip_str;
        t.server_name = sv.name;
        t.dialect = v311 ? "3.1.1" : "2.1";
        t.user = id.user;
        t.domain = id.domain;
        t.workstation = id.workstation;
        t.tree = tree;
        t.start_ns = std::max(a.ready_ns, clock_ns_);
        truth_.smb_sessions.push_back(std::move(t));
    }
    plan(kSmb, wire_estimate(a.conn, kSmbSessionPayload) + kSmbSessionFrames * 66);

    // One request and its response; the response goes out after the
    // server's processing time.
    auto exchange = [&](auto&& build_req, auto&& build_resp, std::uint64_t client_gap,
                        std::uint64_t srv_lo_us, std::uint64_t srv_hi_us) {
        Buf rq(a.head[0], Actor::kHead);
        build_req(rq);
        queue(a, kC2S, head_msg(a, 0, rq.size()), client_gap);
        Buf rs(a.head[1], Actor::kHead);
        build_resp(rs);
        queue(a, kS2C, head_msg(a, 1, rs.size()), server_delay(a, srv_lo_us, srv_hi_us));
    };
    auto now = [&] { return std::max(a.ready_ns, clock_ns_); };

    // The client's I/O size for this session, a multiple of 64 KiB when the
    // range allows (Windows and smbclient use 1, 4 or 8 MiB).
    std::uint64_t io = a.rng.range(opt_.write_size.lo, opt_.write_size.hi);
    if (io >= 65536 && (io & ~std::uint64_t{65535}) >= opt_.write_size.lo) io &= ~std::uint64_t{65535};
    // Reserves the budget for the next file and returns its size (0: none
    // left). The first file is reserved with the session so that every
    // session that starts copies at least one file.
    auto reserve_file = [&]() -> std::uint64_t {
        const std::uint64_t left = budget_left(kSmb);
        if (left < kSmbFileOverhead + kSmbMinFile) return 0;
        const std::uint64_t size_cap = std::max(fair_file_cap(), opt_.file_size.lo);
        std::uint64_t size = std::min(a.rng.log_uniform(opt_.file_size.lo, opt_.file_size.hi), size_cap);
        const std::uint64_t fits = payload_for(a.conn, left - kSmbFileOverhead);
        size = std::max<std::uint64_t>(std::min(size, fits * 97 / 100), 1024);
        const std::uint64_t ios = (size + io - 1) / io;
        plan(kSmb, wire_estimate(a.conn, size) + ios * kSmbIoOverhead + kSmbFileOverhead);
        return size;
    };
    const std::uint64_t first_size = reserve_file();

    queue_connect(a);
    exchange([&](Buf& b) { smb.negotiate_request(b); },
             [&](Buf& b) { smb.negotiate_response(b, now(), now() - ms(86400000) - ms(a.rng.below(86400000))); },
             a.conn.rtt_ns / 2 + us(a.rng.range(20, 300)), 50, 400);
    co_await drain(a);
    exchange([&](Buf& b) { smb.session_setup_negotiate(b); },
             [&](Buf& b) { smb.session_setup_challenge(b, now()); }, us(a.rng.range(100, 2000)), 100, 800);
    co_await drain(a);
    truth_.smb_sessions[si].session_id = smb.session_id();
    exchange([&](Buf& b) { smb.session_setup_authenticate(b, now()); },
             [&](Buf& b) { smb.session_setup_done(b); }, us(a.rng.range(200, 3000)), 500, 5000);
    co_await drain(a);
    exchange([&](Buf& b) { smb.tree_connect_request(b, tree); }, [&](Buf& b) { smb.tree_connect_response(b); },
             us(a.rng.range(100, 2000)), 50, 500);
    co_await drain(a);

    const std::uint64_t nfiles = a.rng.range(opt_.files_per_session.lo, opt_.files_per_session.hi);
    const std::uint64_t read_threshold = chance_threshold(opt_.read_fraction);

    for (std::uint64_t n = 0; n < nfiles; ++n) {
        const std::uint64_t size = n == 0 ? first_size : reserve_file();
        if (size == 0) break;
        const bool write = !a.rng.chance53(read_threshold);

        // Name: directory, base, a corpus-unique number, an extension that is
        // an archive, an office document or something else.
        const std::uint32_t cat = static_cast<std::uint32_t>(a.rng.below(10));
        const std::string ext = cat < 3 ? a.rng.pick(kArchiveExt) : cat < 7 ? a.rng.pick(kOfficeExt)
                                                                          : a.rng.pick(kOtherExt);
        const std::string base = a.rng.pick(kBases);
        char num[24];
        std::snprintf(num, sizeof num, "_%05llu", static_cast<unsigned long long>(++file_counter_));
        const std::string name = opt_.name_prefix + a.rng.pick(kDirs) + base + num + ext;

        const std::uint32_t fi = static_cast<std::uint32_t>(truth_.smb_files.size());
        {
            SmbFileTruth f;
            f.session = si;
            f.name = name;
            f.write = write;
            f.size = size;
            if (write) file_magic(a, ext, base, size, f.magic);
            else a.magic_len = 0;
            truth_.smb_files.push_back(std::move(f));
        }

        exchange([&](Buf& b) { smb.create_request(b, name, write); },
                 [&](Buf& b) { smb.create_response(b, write, write ? 0 : size, now()); },
                 us(a.rng.range(200, 5000)), 100, 1500);
        co_await drain(a);
        truth_.smb_files[fi].fid_persistent = smb.file_persistent();
        truth_.smb_files[fi].fid_volatile = smb.file_volatile();

        for (std::uint64_t off = 0; off < size;) {
            const std::uint32_t len = static_cast<std::uint32_t>(std::min(io, size - off));
            if (write) {
                Buf rq(a.head[0], Actor::kHead);
                smb.write_request(rq, len, off);
                Msg m = head_msg(a, 0, rq.size());
                if (off == 0 && a.magic_len) {
                    m.magic = a.magic;
                    m.magic_len = std::min(a.magic_len, len);
                }
                m.pool_off = a.rng.below(kPoolSize);
                m.data_len = len - m.magic_len;
                queue(a, kC2S, m, us(a.rng.range(20, 400)));
                Buf rs(a.head[1], Actor::kHead);
                smb.write_response(rs, len);
                queue(a, kS2C, head_msg(a, 1, rs.size()), server_delay(a, 100, 3000));
            } else {
                Buf rq(a.head[0], Actor::kHead);
                smb.read_request(rq, len, off);
                queue(a, kC2S, head_msg(a, 0, rq.size()), us(a.rng.range(20, 400)));
                Buf rs(a.head[1], Actor::kHead);
                smb.read_response(rs, len);
                Msg m = head_msg(a, 1, rs.size());
                m.pool_off = a.rng.below(kPoolSize);
                m.data_len = len;
                queue(a, kS2C, m, server_delay(a, 100, 3000));
            }
            co_await drain(a);
            SmbFileTruth& f = truth_.smb_files[fi];
            if (write) {
                ++f.writes;
                f.bytes_written += len;
                truth_.smb_sessions[si].bytes_written += len;
            } else {
                ++f.reads;
                f.bytes_read += len;
                truth_.smb_sessions[si].bytes_read += len;
            }
            off += len;
        }
        exchange([&](Buf& b) { smb.close_request(b); }, [&](Buf& b) { smb.close_response(b, size, now()); },
                 us(a.rng.range(50, 1000)), 50, 800);
        co_await drain(a);
        ++truth_.smb_sessions[si].files;
        co_await sleep(a, ms(a.rng.range(1, 30)));
    }

    exchange([&](Buf& b) { smb.tree_disconnect_request(b); }, [&](Buf& b) { smb.tree_disconnect_response(b); },
             ms(a.rng.range(1, 50)), 50, 300);
    co_await drain(a);
    exchange([&](Buf& b) { smb.logoff_request(b); }, [&](Buf& b) { smb.logoff_response(b); },
             us(a.rng.range(100, 1000)), 50, 300);
    queue_close(a, kC2S, us(a.rng.range(100, 5000)));
    co_await drain(a);
}

Task Sim::ssh_session(Actor& a, std::uint32_t server, const Job* job) {
    Host& cl = job ? *job->client : clients_[a.client];
    Host& sv = job ? *job->server : servers_[server];
    new_conn(a, cl, sv, 22, kSsh);
    const bool upload = job || a.rng.below(5) != 0;
    const int up = upload ? kC2S : kS2C;
    const int down = up ^ 1;
    constexpr std::uint32_t kChunk = 32768;
    constexpr std::uint32_t kOverhead = 9000;  // banners, key exchange, auth, teardown
    std::uint64_t size = job ? job->files.at(0).size : 0;
    if (!job) {
        size = std::min(a.rng.log_uniform(opt_.file_size.lo, opt_.file_size.hi),
                        std::max(fair_file_cap(), opt_.file_size.lo));
        const std::uint64_t left = budget_left(kSsh);
        const std::uint64_t fits = left > kOverhead ? payload_for(a.conn, left - kOverhead) : 0;
        size = std::max<std::uint64_t>(
            std::min(size, fits * 97 / 100 / ssh_encrypted_size(ssh_channel_data(kChunk)) * kChunk), 1024);
    }
    const std::uint64_t chunks = (size + kChunk - 1) / kChunk;
    plan(kSsh, wire_estimate(a.conn, chunks * ssh_encrypted_size(ssh_channel_data(kChunk)) + 4000) + 40 * 66);

    const std::uint32_t ti = static_cast<std::uint32_t>(truth_.ssh_sessions.size());
    {
        SshTruth t;
        t.client = cl.ip_str;
        t.client_port = a.conn.side[kC2S].port;
        t.server = sv.ip_str;
        t.client_banner = cl.ssh_banner;
        t.server_banner = sv.ssh_banner;
        t.upload = upload;
        t.file_bytes = size;
        truth_.ssh_sessions.push_back(std::move(t));
    }
    auto enc = [&](int dir, std::uint32_t payload, std::uint64_t delay) {
        queue(a, dir, pool_msg(a, ssh_encrypted_size(payload)), delay);
    };

    queue_connect(a);
    {
        Buf s(a.head[1], Actor::kHead);
        ssh_banner(s, sv.ssh_banner);
        queue(a, kS2C, head_msg(a, 1, s.size()), server_delay(a, 200, 3000));
        Buf c(a.head[0], Actor::kHead);
        ssh_banner(c, cl.ssh_banner);
        queue(a, kC2S, head_msg(a, 0, c.size()), us(a.rng.range(50, 500)));
    }
    co_await drain(a);
    {
        Buf c(a.head[0], Actor::kHead);
        ssh_kexinit(c, a.rng, false);
        queue(a, kC2S, head_msg(a, 0, c.size()), us(a.rng.range(20, 300)));
        Buf s(a.head[1], Actor::kHead);
        ssh_kexinit(s, a.rng, true);
        queue(a, kS2C, head_msg(a, 1, s.size()), server_delay(a, 50, 500));
    }
    co_await drain(a);
    {
        Buf c(a.head[0], Actor::kHead);
        ssh_ecdh_init(c, a.rng);
        queue(a, kC2S, head_msg(a, 0, c.size()), us(a.rng.range(100, 1000)));
        Buf s(a.head[1], Actor::kHead);
        ssh_ecdh_reply_newkeys(s, a.rng);
        queue(a, kS2C, head_msg(a, 1, s.size()), server_delay(a, 1000, 5000));
    }
    co_await drain(a);
    {
        Buf c(a.head[0], Actor::kHead);
        ssh_newkeys(c, a.rng);
        queue(a, kC2S, head_msg(a, 0, c.size()), us(a.rng.range(200, 2000)));
    }
    // Encrypted from here on (chacha20-poly1305): service request, ext-info,
    // public-key authentication, session channel, exec "scp -t/-f".
    if (job) {
        // As OpenSSH does it: EXT_INFO right after the server's NEWKEYS,
        // before the client's first encrypted packet, so the first server
        // packet after it is SERVICE_ACCEPT and the login is recognisable
        // by its sizes (docs/ssh.md). The mixed workload keeps its order.
        enc(kS2C, 17 + a.rng.range(150, 260), server_delay(a, 50, 300));  // EXT_INFO
        enc(kC2S, 17, us(a.rng.range(20, 200)));                          // SERVICE_REQUEST
    } else {
        enc(kC2S, 17, us(a.rng.range(20, 200)));                          // SERVICE_REQUEST
        enc(kS2C, 17 + a.rng.range(150, 260), server_delay(a, 50, 300));  // EXT_INFO
    }
    enc(kS2C, 17, us(a.rng.range(5, 50)));                      // SERVICE_ACCEPT
    enc(kC2S, 60 + a.rng.range(0, 40), us(a.rng.range(100, 1000)));  // USERAUTH_REQUEST (query)
    enc(kS2C, 56, server_delay(a, 100, 800));                   // USERAUTH_PK_OK
    enc(kC2S, 170 + a.rng.range(0, 260), ms(a.rng.range(1, 10)));  // USERAUTH_REQUEST (signed)
    enc(kS2C, 1, server_delay(a, 500, 5000));                    // USERAUTH_SUCCESS
    enc(kC2S, 24, us(a.rng.range(100, 1000)));                   // CHANNEL_OPEN session
    enc(kS2C, 17, server_delay(a, 200, 3000));                   // CHANNEL_OPEN_CONFIRMATION
    enc(kS2C, 400 + a.rng.range(0, 600), us(a.rng.range(5, 100)));  // hostkeys-00@openssh.com
    enc(kC2S, 40 + a.rng.range(0, 60), us(a.rng.range(100, 800)));  // CHANNEL_REQUEST exec
    enc(kS2C, 9, server_delay(a, 1000, 8000));                   // WINDOW_ADJUST
    enc(kS2C, 5, us(a.rng.range(5, 50)));                        // CHANNEL_SUCCESS
    co_await drain(a);
    // scp protocol: the sink says ready ("\0"), the source sends "C0644 size
    // name\n", the sink acknowledges, then the file.
    enc(up ^ 1, ssh_channel_data(1), us(a.rng.range(200, 3000)));
    enc(up, ssh_channel_data(30), us(a.rng.range(50, 500)));
    enc(down, ssh_channel_data(1), server_delay(a, 100, 800));
    co_await drain(a);
    std::uint64_t remaining = size;
    while (remaining > 0) {
        std::uint64_t wire = 0;
        for (int k = 0; k < 32 && remaining > 0; ++k) {
            const std::uint32_t n = static_cast<std::uint32_t>(std::min<std::uint64_t>(kChunk, remaining));
            wire += ssh_encrypted_size(ssh_channel_data(n));
            remaining -= n;
        }
        queue(a, up, pool_msg(a, wire), us(a.rng.range(5, 100)));
        if (remaining > 0) enc(down, 9, server_delay(a, 20, 300));  // WINDOW_ADJUST
        co_await drain(a);
    }
    enc(up, ssh_channel_data(1), us(a.rng.range(5, 100)));      // end of file "\0"
    enc(down, ssh_channel_data(1), server_delay(a, 200, 5000));  // ack
    co_await drain(a);
    queue(a, kC2S, pool_msg(a, ssh_encrypted_size(1 + 4) * 2), us(a.rng.range(50, 500)));  // EOF, CLOSE
    queue(a, kS2C, pool_msg(a, ssh_encrypted_size(25) + ssh_encrypted_size(5) * 2),
          server_delay(a, 100, 1000));  // exit-status, EOF, CLOSE
    queue_close(a, kC2S, us(a.rng.range(100, 2000)));
    co_await drain(a);
    truth_.ssh_sessions[ti].orig_bytes = a.conn.side[kC2S].payload;
    truth_.ssh_sessions[ti].resp_bytes = a.conn.side[kS2C].payload;
}

Task Sim::background_flow(Actor& a, std::uint32_t server) {
    Host& cl = clients_[a.client];
    Host& sv = servers_[server];
    const std::uint32_t type = static_cast<std::uint32_t>(a.rng.below(10));
    const bool http = type < 5, dns = type >= 5 && type < 7;
    const std::uint16_t port = http ? (a.rng.below(3) ? 80 : 8080) : dns ? 53 : a.rng.pick(kOtherPorts);
    new_conn(a, cl, sv, port, kBackground);
    plan(kBackground, 8 * 66);
    queue_connect(a);
    const std::uint64_t nreq = http ? a.rng.range(1, 3) : dns ? a.rng.range(1, 2) : a.rng.range(1, 4);
    for (std::uint64_t i = 0; i < nreq; ++i) {
        if (i > 0 && budget_left(kBackground) < 4096) break;
        Buf rq(a.head[0], Actor::kHead);
        Buf rs(a.head[1], Actor::kHead);
        Msg req, resp;
        const std::uint64_t gap = i == 0 ? a.conn.rtt_ns / 2 + us(a.rng.range(10, 200)) : us(a.rng.range(100, 20000));
        // Response sizes stay within what is left of the background budget.
        const std::uint64_t room = std::max<std::uint64_t>(payload_for(a.conn, budget_left(kBackground)), 600);
        if (http) {
            const std::uint64_t body = std::min(a.rng.log_uniform(200, 512 << 10), room - 400);
            char line[256];
            std::snprintf(line, sizeof line, "GET /%s?v=%llu HTTP/1.1\r\nHost: %s.%s\r\n", a.rng.pick(kHttpPaths),
                          static_cast<unsigned long long>(a.rng.below(100000)), sv.name.c_str(),
                          dns_domain_.c_str());
            rq.str(line);
            rq.str("User-Agent: ");
            rq.str(a.rng.pick(kUserAgents));
            rq.str("\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n");
            std::snprintf(line, sizeof line,
                          "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: application/octet-stream\r\n"
                          "Content-Length: %llu\r\nConnection: keep-alive\r\n\r\n",
                          static_cast<unsigned long long>(body));
            rs.str(line);
            req = head_msg(a, 0, rq.size());
            resp = head_msg(a, 1, rs.size());
            resp.pool_off = a.rng.below(kPoolSize);
            resp.data_len = body;
        } else if (dns) {
            // DNS over TCP (RFC 1035 4.2.2): length-prefixed query and answer.
            char host[64];
            std::snprintf(host, sizeof host, "host%llu", static_cast<unsigned long long>(a.rng.below(500)));
            const std::uint16_t txid = static_cast<std::uint16_t>(a.rng.next());
            auto qname = [&](Buf& b) {
                b.u8(static_cast<std::uint32_t>(std::string_view(host).size()));
                b.str(host);
                b.u8(4);
                b.str("corp");
                b.u8(7);
                b.str("example");
                b.u8(0);
                b.be16(1);  // A
                b.be16(1);  // IN
            };
            rq.be16(0);
            rq.be16(txid);
            rq.be16(0x0100);
            rq.be16(1);
            rq.be16(0);
            rq.be16(0);
            rq.be16(0);
            qname(rq);
            store_be16(rq.at(0), static_cast<std::uint32_t>(rq.size() - 2));
            rs.be16(0);
            rs.be16(txid);
            rs.be16(0x8580);
            rs.be16(1);
            rs.be16(1);
            rs.be16(0);
            rs.be16(0);
            qname(rs);
            rs.be16(0xc00c);
            rs.be16(1);
            rs.be16(1);
            rs.be32(3600);
            rs.be16(4);
            rs.be32(0x0a1e0000u | static_cast<std::uint32_t>(a.rng.below(65536)));
            store_be16(rs.at(0), static_cast<std::uint32_t>(rs.size() - 2));
            req = head_msg(a, 0, rq.size());
            resp = head_msg(a, 1, rs.size());
        } else {
            req = pool_msg(a, a.rng.log_uniform(40, 1500));
            resp = pool_msg(a, std::min(a.rng.log_uniform(60, 64 << 10), room));
        }
        plan(kBackground, wire_estimate(a.conn, req.size()) + wire_estimate(a.conn, resp.size()));
        queue(a, kC2S, req, gap);
        queue(a, kS2C, resp, server_delay(a, 50, 5000));
        co_await drain(a);
    }
    queue_close(a, a.rng.below(2) ? kC2S : kS2C, us(a.rng.range(100, 10000)));
    co_await drain(a);
    BackgroundTruth& b = truth_.background;
    ++b.flows;
    if (http) ++b.http;
    else if (dns) ++b.dns;
    else ++b.other;
    b.orig_bytes += a.conn.side[kC2S].payload;
    b.resp_bytes += a.conn.side[kS2C].payload;
}

// A client connects, sends 1..64 bytes, gets 1..64 bytes back, and one side
// closes; then the client thinks for 1..50 ms. Counted as background flows
// of the "other" kind in the truth.
Task Sim::short_conn(Actor& a, std::uint32_t server) {
    Host& cl = clients_[a.client];
    Host& sv = servers_[server];
    new_conn(a, cl, sv, a.rng.pick(kOtherPorts), kBackground);
    queue_connect(a);
    queue(a, kC2S, pool_msg(a, a.rng.range(1, 64)), a.conn.rtt_ns / 2 + us(a.rng.range(10, 200)));
    queue(a, kS2C, pool_msg(a, a.rng.range(1, 64)), server_delay(a, 50, 2000));
    queue_close(a, a.rng.below(2) ? kC2S : kS2C, us(a.rng.range(100, 5000)));
    co_await drain(a);
    BackgroundTruth& b = truth_.background;
    ++b.flows;
    ++b.other;
    b.orig_bytes += a.conn.side[kC2S].payload;
    b.resp_bytes += a.conn.side[kS2C].payload;
    co_await sleep(a, ms(a.rng.range(1, 50)));
}

}  // namespace pcapgen
