// The SSH dissector on synthetic streams: claiming by content, roles,
// resumable framing, malformed input (weird + stop, never a crash) and the
// registry's behaviour on non-SSH traffic to port 22.
#include <gtest/gtest.h>

#include <cstring>

#include <random>
#include <string>

#include "dissectors/all.h"
#include "dissectors/ssh/ssh_dissector.h"
#include "dissectors/ssh/ssh_hash.h"
#include "support.h"

namespace sw {
namespace {

using test::Collector;
using test::hex;
using Vec = std::vector<std::uint8_t>;

Vec text(std::string_view s) { return Vec(s.begin(), s.end()); }
Vec cat(std::initializer_list<Vec> parts) {
    Vec out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
Vec u32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
            static_cast<std::uint8_t>(v)};
}
Vec str(std::string_view s) { return cat({u32(static_cast<std::uint32_t>(s.size())), text(s)}); }

// RFC 4253 6: cleartext binary packet with the minimum padding (block 8).
Vec packet(const Vec& payload) {
    std::size_t pad = 8 - (4 + 1 + payload.size()) % 8;
    if (pad < 4) pad += 8;
    const auto len = static_cast<std::uint32_t>(1 + payload.size() + pad);
    return cat({u32(len), {static_cast<std::uint8_t>(pad)}, payload, Vec(pad, 0)});
}

Vec kexinit(std::string_view kex, std::string_view hostkey, std::string_view enc, std::string_view mac,
            std::string_view comp) {
    return cat({{20}, Vec(16, 0x42), str(kex), str(hostkey), str(enc), str(enc), str(mac), str(mac), str(comp),
                str(comp), str(""), str(""), {0}, u32(0)});
}

// The ed25519 key blob of ssh_records_test.cpp (fingerprint from ssh-keygen).
const Vec kBlob = hex(R"(
    00 00 00 0b  73 73 68 2d 65 64 32 35 35 31 39    # string "ssh-ed25519"
    00 00 00 20  73 12 4e 76 96 d1 de fb 06 20 59 bb ce f5 71 96
                 84 83 a7 f9 a6 42 af 93 a7 00 5d b6 84 0c cf fa   # string (32) key
)");
constexpr std::string_view kFingerprint = "SHA256:0soD27apflsu8TgMnbLEWsRSwE6PfWwtiYDwJVLH//U";

struct Conversation {
    Vec client;  // SSH client's bytes
    Vec server;  // SSH server's bytes
};

// A whole handshake: pre-banner line, identifications, KEXINITs, ECDH
// init/reply, NEWKEYS, then encrypted bytes shaped like ssh-ops.pcap's
// OpenSSH 9.2 login (chacha20-poly1305 sizes).
Conversation handshake() {
    Conversation c;
    c.client = cat({text("SSH-2.0-TestClient_1.0\r\n"),
                    packet(kexinit("curve25519-sha256,ext-info-c", "ssh-ed25519", "chacha20-poly1305@openssh.com",
                                   "hmac-sha2-256", "none,zlib@openssh.com")),
                    packet(cat({{30}, str(std::string(32, 'q'))})), packet({21})});
    c.server = cat({text("Welcome, be nice\r\n"), text("SSH-2.0-TestServer_2.0 extra words\r\n"),
                    packet(kexinit("curve25519-sha256", "ssh-ed25519,rsa-sha2-256", "aes128-ctr,chacha20-poly1305@openssh.com",
                                   "hmac-sha2-256", "none")),
                    packet(cat({{31}, u32(static_cast<std::uint32_t>(kBlob.size())), kBlob, str(std::string(32, 's')),
                                str(std::string(83, 'g'))})),
                    packet({21})});
    return c;
}

struct Harness {
    ConnId id;
    Collector sink;
    SshConfig cfg;
    CidrSet nets;
    std::unique_ptr<SshDissector> d;
    Harness() {
        id.orig_h = *IpAddr::parse("10.0.0.1");
        id.resp_h = *IpAddr::parse("10.0.0.2");
        id.orig_p = 40000;
        id.resp_p = 22;
        id.proto = Transport::tcp;
        d = std::make_unique<SshDissector>(id, sink, cfg, nets);
    }
    void feed(Dir dir, const Vec& v, std::size_t step = 0) {
        if (!step) step = v.size();
        for (std::size_t i = 0; i < v.size(); i += step) {
            const std::size_t n = std::min(step, v.size() - i);
            d->on_data(dir, Bytes(v).subspan(i, n), 1'000'000 + static_cast<Timestamp>(i));
        }
    }
    SshEvent end() {
        d->on_flow_end(9'000'000);
        auto ev = sink.all<SshEvent>();
        EXPECT_EQ(ev.size(), 1u);
        return ev.empty() ? SshEvent{} : ev[0];
    }
    std::vector<std::string> weirds() const {
        std::vector<std::string> out;
        for (const auto& w : sink.all<WeirdEvent>()) out.push_back(w.name);
        return out;
    }
};

TEST(SshDissector, NegotiationRunsOncePerRolesNotPerPacket) {
    // Hostile handshake: KEXINIT lists of thousands of one-character names
    // (35 KB packets) and then thousands of small packets before NEWKEYS.
    // Negotiating on every packet cost O(|client list| x |server list|) each
    // time; it now runs once the roles are known, with the same answer.
    std::string many;
    for (int i = 0; i < 8000; ++i) {
        if (i) many += ',';
        many += static_cast<char>('a' + i % 26);
    }
    const std::string client_kex = many + ",curve25519-sha256";
    const std::string server_kex = "curve25519-sha256," + many;
    Harness h;
    h.feed(Dir::orig, cat({text("SSH-2.0-C\r\n"), packet(kexinit(client_kex, "ssh-ed25519", "aes128-ctr", "hmac-sha2-256", "none"))}));
    h.feed(Dir::resp, cat({text("SSH-2.0-S\r\n"), packet(kexinit(server_kex, "ssh-ed25519", "aes128-ctr", "hmac-sha2-256", "none"))}));
    Vec ignores;
    for (int i = 0; i < 3000; ++i) {
        const Vec p = packet({2, 0, 0, 0, 0});  // SSH_MSG_IGNORE, empty string
        ignores.insert(ignores.end(), p.begin(), p.end());
    }
    h.feed(Dir::orig, ignores, 16);
    h.feed(Dir::orig, packet(cat({{30}, str(std::string(32, 'q'))})));
    h.feed(Dir::resp, packet(cat({{31}, u32(static_cast<std::uint32_t>(kBlob.size())), kBlob, str(std::string(32, 's')),
                                  str(std::string(83, 'g'))})));
    h.feed(Dir::orig, packet({21}));
    h.feed(Dir::resp, packet({21}));
    EXPECT_LE(h.d->negotiations(), 2u);  // at most: before and after the roles were fixed
    const SshEvent e = h.end();
    // The first client name the server also lists: "a" (RFC 4253 7.1).
    EXPECT_EQ(e.kex_alg, "a");
    EXPECT_EQ(e.cipher_alg, "aes128-ctr");
}

// ---------------------------------------------------------------- probe

ProbeResult probe(std::string_view orig, std::string_view resp, bool final = false, bool gap = false) {
    static const ConnId id{};
    return ssh_probe(ProbeInput{id, Bytes(reinterpret_cast<const std::uint8_t*>(orig.data()), orig.size()),
                                Bytes(reinterpret_cast<const std::uint8_t*>(resp.data()), resp.size()), gap, final});
}

TEST(SshProbe, ClaimsByContentInEitherDirection) {
    EXPECT_EQ(probe("SSH-2.0-OpenSSH_9.2\r\n", ""), ProbeResult::accept);
    EXPECT_EQ(probe("", "SSH-2.0-dropbear\r\n"), ProbeResult::accept);      // server speaks first
    EXPECT_EQ(probe("SSH-1.99-Cisco-1.25\n", ""), ProbeResult::accept);
    EXPECT_EQ(probe("", "Hi stranger\r\n \\_o<\r\nSSH-2.0-x\r\n"), ProbeResult::accept);  // pre-banner lines
    EXPECT_EQ(probe("SS", ""), ProbeResult::need_more);                       // could still become SSH-
    EXPECT_EQ(probe("SSH-2.", ""), ProbeResult::need_more);
    EXPECT_EQ(probe("", "Hello\r\n"), ProbeResult::need_more);               // a server's pre-banner line
    EXPECT_EQ(probe("", "Hello\r\n", true), ProbeResult::reject);            // ... but input ended
}

TEST(SshProbe, RejectsOtherProtocols) {
    EXPECT_EQ(probe("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK\r\n"), ProbeResult::reject);
    EXPECT_EQ(probe(std::string_view("\x16\x03\x01\x02\x00\x01\x00\x01", 8), ""), ProbeResult::reject);  // TLS
    EXPECT_EQ(probe(std::string_view("\x00\x00\x00\x85\xffSMB", 8), ""), ProbeResult::reject);           // NBSS
    EXPECT_EQ(probe("SSH-two-x\r\n", "x"), ProbeResult::reject);             // no version digits
    EXPECT_EQ(probe("SSH-2.0-x\r\n", "", false, true), ProbeResult::reject); // starts after a gap
}

TEST(SshProbe, ZeekVersionRule) {
    EXPECT_EQ(ssh_zeek_version("SSH-2.0-a", "SSH-2.0-b"), 2u);
    EXPECT_EQ(ssh_zeek_version("SSH-1.99-a", "SSH-2.0-b"), 2u);
    EXPECT_EQ(ssh_zeek_version("SSH-2.0-a", "SSH-1.99-b"), 2u);
    EXPECT_EQ(ssh_zeek_version("SSH-1.5-a", "SSH-1.99-b"), 1u);
    EXPECT_EQ(ssh_zeek_version("SSH-1.5-a", "SSH-2.0-b"), 0u);
    EXPECT_EQ(ssh_zeek_version("SSH-1.5-a", "SSH-1.5-b"), 1u);
    EXPECT_EQ(ssh_zeek_version("SSH-1.5-a", ""), std::nullopt);
}

// ---------------------------------------------------------------- dissector

TEST(SshDissector, FullHandshake) {
    Harness h;
    const Conversation c = handshake();
    h.feed(Dir::orig, c.client);
    h.feed(Dir::resp, c.server);
    // Encrypted: service request/accept, none/failure, request/success (chacha sizes).
    for (auto [dir, n] : std::initializer_list<std::pair<Dir, std::size_t>>{
             {Dir::orig, 44}, {Dir::resp, 44}, {Dir::orig, 60}, {Dir::resp, 52}, {Dir::orig, 308}, {Dir::resp, 28}})
        h.feed(dir, Vec(n, 0xee));
    const SshEvent e = h.end();
    EXPECT_EQ(e.client, "SSH-2.0-TestClient_1.0");
    EXPECT_EQ(e.server, "SSH-2.0-TestServer_2.0 extra words");
    EXPECT_EQ(e.version, 2u);
    EXPECT_EQ(e.client_h, h.id.orig_h);
    EXPECT_EQ(e.kex_alg, "curve25519-sha256");
    EXPECT_EQ(e.host_key_alg, "ssh-ed25519");
    EXPECT_EQ(e.cipher_alg, "chacha20-poly1305@openssh.com");
    EXPECT_EQ(e.mac_alg, "hmac-sha2-256");
    EXPECT_EQ(e.compression_alg, "none");
    EXPECT_EQ(e.host_key_fingerprint, kFingerprint);
    const std::string client_algs =
        "curve25519-sha256,ext-info-c;chacha20-poly1305@openssh.com;hmac-sha2-256;none,zlib@openssh.com";
    EXPECT_EQ(e.hassh_algorithms, client_algs);
    EXPECT_EQ(e.hassh, ssh::md5_hex(client_algs));
    EXPECT_EQ(e.hassh_server_algorithms,
              "curve25519-sha256;aes128-ctr,chacha20-poly1305@openssh.com;hmac-sha2-256;none");
    EXPECT_EQ(e.auth_success, std::optional<bool>(true));
    EXPECT_EQ(e.auth_attempts, 1u);
    EXPECT_EQ(e.auth_note, "");
    EXPECT_EQ(e.orig_bytes, 44u + 60 + 308);
    EXPECT_EQ(e.resp_bytes, 44u + 52 + 28);
    EXPECT_EQ(e.orig_pkts, 3u);
    EXPECT_EQ(e.resp_pkts, 3u);
    EXPECT_EQ(e.ts, 1'000'000);
    EXPECT_TRUE(h.weirds().empty());
    EXPECT_EQ(h.d->protocol(), AppProtocol::ssh);
}

TEST(SshDissector, ByteByByteGivesTheSameEvent) {
    Harness whole, bytes;
    const Conversation c = handshake();
    whole.feed(Dir::orig, c.client);
    whole.feed(Dir::resp, c.server);
    bytes.feed(Dir::orig, c.client, 1);
    bytes.feed(Dir::resp, c.server, 1);
    const SshEvent a = whole.end(), b = bytes.end();
    EXPECT_EQ(a.client, b.client);
    EXPECT_EQ(a.server, b.server);
    EXPECT_EQ(a.hassh, b.hassh);
    EXPECT_EQ(a.hassh_server, b.hassh_server);
    EXPECT_EQ(a.host_key_fingerprint, b.host_key_fingerprint);
    EXPECT_EQ(b.host_key_fingerprint, kFingerprint);
    EXPECT_EQ(a.kex_alg, b.kex_alg);
}

TEST(SshDissector, ReverseRolesFromKexMessages) {
    // The TCP originator is the SSH server: it sends the ECDH reply (31).
    Harness h;
    const Conversation c = handshake();
    h.feed(Dir::resp, c.client);
    h.feed(Dir::orig, c.server);
    const SshEvent e = h.end();
    EXPECT_EQ(e.client, "SSH-2.0-TestClient_1.0");
    EXPECT_EQ(e.server, "SSH-2.0-TestServer_2.0 extra words");
    EXPECT_EQ(e.client_h, h.id.resp_h);
    EXPECT_EQ(e.server_h, h.id.orig_h);
    EXPECT_EQ(e.hassh_algorithms,
              "curve25519-sha256,ext-info-c;chacha20-poly1305@openssh.com;hmac-sha2-256;none,zlib@openssh.com");
    EXPECT_EQ(e.host_key_fingerprint, kFingerprint);
}

TEST(SshDissector, NewkeysSegmentCarriesEncryptedBytes) {
    // PuTTY sends its first encrypted packet in the segment with NEWKEYS.
    Harness h;
    Conversation c = handshake();
    c.client.insert(c.client.end(), 52, 0xee);
    h.feed(Dir::orig, c.client);
    h.feed(Dir::resp, c.server);
    const SshEvent e = h.end();
    EXPECT_EQ(e.orig_bytes, 52u);
    EXPECT_EQ(e.orig_pkts, 1u);
}

TEST(SshDissector, AbsurdPacketLengthStopsThatDirection) {
    Harness h;
    const Conversation c = handshake();
    h.feed(Dir::orig, cat({text("SSH-2.0-x\r\n"), hex("7f ff ff ff 04 14 00 00   # packet_length 2^31-1")}));
    h.feed(Dir::resp, c.server);
    // Whatever comes next on the stopped direction is skipped.
    EXPECT_EQ(h.d->on_data(Dir::orig, Bytes(c.client), 2), kSkipAll);
    const SshEvent e = h.end();
    EXPECT_EQ(e.client, "SSH-2.0-x");
    EXPECT_EQ(e.hassh, "");  // the client's KEXINIT was never parsed
    EXPECT_EQ(h.weirds(), std::vector<std::string>{"SSH_packet_length_invalid"});
}

TEST(SshDissector, PaddingPastLengthAndBadKexinit) {
    Harness h;
    h.feed(Dir::orig, cat({text("SSH-2.0-x\r\n"),
                           packet(hex("14  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  00 00 10 00   # list claims 4096")),
                           hex("00 00 00 0c  0c  15 00 00 00 00 00 00 00 00 00 00 00   # padding_length 12 of 12")}));
    const SshEvent e = h.end();
    EXPECT_EQ(h.weirds(), (std::vector<std::string>{"SSH_kexinit_malformed", "SSH_padding_length_invalid"}));
    EXPECT_EQ(e.hassh, "");
}

TEST(SshDissector, OverlongAndEndlessLines) {
    Harness h;
    const std::string longid = "SSH-2.0-" + std::string(300, 'v');
    h.feed(Dir::orig, text(longid + "\r\n"));
    h.feed(Dir::resp, Vec(2000, 'x'));  // no newline within max_line (1024)
    const SshEvent e = h.end();
    EXPECT_EQ(e.client, longid);
    EXPECT_EQ(e.server, "");
    EXPECT_EQ(h.weirds(), (std::vector<std::string>{"SSH_identification_over_255_bytes",
                                                    "SSH_identification_line_too_long"}));
}

TEST(SshDissector, Ssh1IsNotParsedAsPackets) {
    Harness h;
    h.feed(Dir::orig, text("SSH-1.5-OpenSSH_6.6\n"));
    h.feed(Dir::resp, cat({text("SSH-1.5-OpenSSH_6.6\n"), Vec(200, 0x00)}));
    const SshEvent e = h.end();
    EXPECT_EQ(e.version, 1u);
    EXPECT_EQ(e.auth_note, "not SSH2");
    EXPECT_TRUE(h.weirds().empty());
}

TEST(SshDissector, GarbageAfterBannersNeverCrashes) {
    std::mt19937 rng(12345);
    for (int round = 0; round < 300; ++round) {
        Harness h;
        Conversation c = handshake();
        // Corrupt up to 8 bytes anywhere after the identification lines,
        // then deliver in random chunk sizes.
        for (Vec* v : {&c.client, &c.server}) {
            const int flips = static_cast<int>(rng() % 9);
            for (int i = 0; i < flips; ++i) (*v)[40 + rng() % (v->size() - 40)] = static_cast<std::uint8_t>(rng());
            if (rng() % 3 == 0) v->resize(40 + rng() % (v->size() - 40));
        }
        std::size_t pos[2] = {0, 0};
        const Vec* src[2] = {&c.client, &c.server};
        while (pos[0] < src[0]->size() || pos[1] < src[1]->size()) {
            const int s = static_cast<int>(rng() % 2);
            if (pos[s] >= src[s]->size()) continue;
            const std::size_t n = std::min<std::size_t>(1 + rng() % 64, src[s]->size() - pos[s]);
            h.d->on_data(s == 0 ? Dir::orig : Dir::resp, Bytes(*src[s]).subspan(pos[s], n), 1);
            pos[s] += n;
        }
        if (rng() % 2) h.d->on_gap(Dir::orig, 100, false, 2);
        h.d->on_flow_end(3);
        EXPECT_EQ(h.sink.all<SshEvent>().size(), 1u);
    }
}

TEST(SshProbe, RandomInputsNeverCrash) {
    std::mt19937 rng(22);
    const ConnId id{};
    const Vec ident = text("Pre\r\nSSH-2.0-x\r\n");
    for (int i = 0; i < 20000; ++i) {
        Vec a(rng() % 64), b(rng() % 64);
        for (auto& x : a) x = static_cast<std::uint8_t>(rng() % 4 ? rng() : 'S');
        if (i % 3 == 0) a.insert(a.begin(), ident.begin(), ident.begin() + static_cast<std::ptrdiff_t>(rng() % ident.size()));
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        const bool final = (i & 1) != 0;
        const ProbeResult r = ssh_probe(ProbeInput{id, Bytes(a), Bytes(b), false, final});
        if (final) {
            EXPECT_NE(r, ProbeResult::need_more);  // final: decide
        }
        // A side that opens with an identification string is SSH, whatever
        // the other side holds.
        const auto opens_ssh = [](const Vec& v) { return v.size() >= 4 && std::memcmp(v.data(), "SSH-", 4) == 0; };
        if (opens_ssh(a) || opens_ssh(b)) {
            EXPECT_EQ(r, ProbeResult::accept) << i;
        }
        // A hole before the identification lines always rejects.
        EXPECT_EQ(ssh_probe(ProbeInput{id, Bytes(a), Bytes(b), true, final}), ProbeResult::reject);
        // Decisions are stable: more bytes on either side never change a
        // decision already made (the registry stops probing once decided).
        if (r != ProbeResult::need_more) {
            Vec a2 = a, b2 = b;
            for (int k = 0, n = static_cast<int>(rng() % 16); k < n; ++k) a2.push_back(static_cast<std::uint8_t>(rng()));
            for (int k = 0, n = static_cast<int>(rng() % 16); k < n; ++k) b2.push_back(static_cast<std::uint8_t>(rng()));
            EXPECT_EQ(ssh_probe(ProbeInput{id, Bytes(a2), Bytes(b2), false, final}), r) << i;
        }
    }
}

// ---------------------------------------------------------------- registry

TEST(SshRegistry, NonSshOnPort22MakesNoSshEvent) {
    Collector sink;
    DissectorRegistry reg(sink);
    DissectorsConfig cfg;
    register_dissectors(reg, cfg);
    ConnId id;
    id.orig_p = 51000;
    id.resp_p = 22;
    const Vec http = text("GET / HTTP/1.1\r\nHost: example\r\n\r\n");
    const Vec resp = text("HTTP/1.1 400 Bad Request\r\n\r\n");
    const Vec binary = hex("00 00 00 85 ff 53 4d 42 72 00 00 00 00 18 53 c8   # SMB1 over NBSS");
    for (const auto& [o, r] : std::initializer_list<std::pair<Vec, Vec>>{{http, resp}, {binary, Vec{}}}) {
        auto flow = reg.create(id);
        flow->on_data(Dir::orig, Bytes(o), 1);
        if (!r.empty()) flow->on_data(Dir::resp, Bytes(r), 2);
        flow->on_flow_end(3);
        EXPECT_EQ(flow->protocol(), AppProtocol::none);
    }
    EXPECT_TRUE(sink.all<SshEvent>().empty());

    // The same registry claims real SSH on any port.
    id.resp_p = 8080;
    auto ssh = reg.create(id);
    const Conversation c = handshake();
    ssh->on_data(Dir::resp, Bytes(c.server), 1);
    ssh->on_data(Dir::orig, Bytes(c.client), 2);
    ssh->on_flow_end(3);
    EXPECT_EQ(ssh->protocol(), AppProtocol::ssh);
    const auto events = sink.all<SshEvent>();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].host_key_fingerprint, kFingerprint);
}

}  // namespace
}  // namespace sw
