// Unit tests of the pure SSH record parsers, with commented hex fixtures.
// Expected values come from RFC 4253 (field layout), RFC 1321 (MD5 test
// vector) and ssh-keygen (the host key fingerprint).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "dissectors/ssh/ssh_hash.h"
#include "dissectors/ssh/ssh_records.h"
#include "support.h"

namespace sw::ssh {
namespace {

using sw::test::hex;

Bytes B(const std::vector<std::uint8_t>& v) { return Bytes(v); }

// ---------------------------------------------------------------- lines

TEST(SshIdent, CrlfLine) {
    const auto in = hex(R"(
        53 53 48 2d 32 2e 30 2d              # "SSH-2.0-"
        4f 70 65 6e 53 53 48 5f 37 2e 34 70 31  # "OpenSSH_7.4p1"
        20                                   # " "
        44 65 62 69 61 6e 2d 31 30           # "Debian-10"
        0d 0a                                # CR LF
        00 00 01 bc                          # start of the first binary packet
    )");
    const LineScan l = scan_line(B(in), 255);
    ASSERT_EQ(l.status, LineScan::Status::complete);
    EXPECT_TRUE(l.crlf);
    EXPECT_EQ(l.content_len, 31u);  // 8 + 13 + 1 + 9
    EXPECT_EQ(l.total_len, 33u);
    const auto id = parse_ident(as_chars(B(in).first(l.content_len)));
    ASSERT_TRUE(id);
    EXPECT_EQ(id->line, "SSH-2.0-OpenSSH_7.4p1 Debian-10");
    EXPECT_EQ(id->proto_version, "2.0");
    EXPECT_EQ(id->software, "OpenSSH_7.4p1");
    EXPECT_EQ(id->comments, "Debian-10");
    EXPECT_EQ(ident_protocol(id->proto_version), 2);
}

TEST(SshIdent, LfOnlyLine) {
    const auto in = hex(R"(
        53 53 48 2d 31 2e 39 39 2d 43 69 73 63 6f 2d 31 2e 32 35   # "SSH-1.99-Cisco-1.25"
        0a                                                         # LF only
    )");
    const LineScan l = scan_line(B(in), 255);
    ASSERT_EQ(l.status, LineScan::Status::complete);
    EXPECT_FALSE(l.crlf);
    EXPECT_EQ(l.content_len, 19u);
    EXPECT_EQ(l.total_len, 20u);
    const auto id = parse_ident(as_chars(B(in).first(l.content_len)));
    ASSERT_TRUE(id);
    EXPECT_EQ(id->proto_version, "1.99");
    EXPECT_EQ(id->software, "Cisco-1.25");  // the software part may contain '-'
    EXPECT_EQ(id->comments, "");
    EXPECT_EQ(ident_protocol(id->proto_version), 199);
    EXPECT_EQ(ident_protocol("1.5"), 1);
}

TEST(SshIdent, IncompleteAndOverlong) {
    const auto partial = hex("53 53 48 2d 32 2e 30   # \"SSH-2.0\", no terminator yet");
    EXPECT_EQ(scan_line(B(partial), 255).status, LineScan::Status::need_more);
    // 300 'A's and no newline: past a 255-byte cap the line is too long.
    std::vector<std::uint8_t> longline(300, 'A');
    EXPECT_EQ(scan_line(B(longline), 255).status, LineScan::Status::too_long);
    // The same bytes terminated inside a 1024-byte cap are a complete line
    // (RFC 4253 allows 255; the dissector reports longer ones as a weird).
    longline.push_back('\n');
    const LineScan l = scan_line(B(longline), 1024);
    ASSERT_EQ(l.status, LineScan::Status::complete);
    EXPECT_EQ(l.total_len, 301u);
}

TEST(SshIdent, PreBannerLinesAreNotIdentification) {
    const auto in = hex(R"(
        48 65 6c 6c 6f 0d 0a                 # "Hello" CR LF   (pre-banner line)
        53 53 48 20 69 73 20 68 65 72 65 0a  # "SSH is here" LF (no "SSH-": still pre-banner)
        53 53 48 2d 32 2e 30 2d 78 0d 0a     # "SSH-2.0-x" CR LF
    )");
    Bytes rest = B(in);
    std::vector<std::string> lines;
    std::vector<bool> ident;
    while (!rest.empty()) {
        const LineScan l = scan_line(rest, 255);
        ASSERT_EQ(l.status, LineScan::Status::complete);
        const std::string_view text = as_chars(rest.first(l.content_len));
        lines.emplace_back(text);
        ident.push_back(is_ident_line(text));
        rest = rest.subspan(l.total_len);
    }
    EXPECT_EQ(lines, (std::vector<std::string>{"Hello", "SSH is here", "SSH-2.0-x"}));
    EXPECT_EQ(ident, (std::vector<bool>{false, false, true}));
    EXPECT_FALSE(parse_ident("Hello"));
}

// ---------------------------------------------------------------- packets

// A KEXINIT in a binary packet: every name-list different so a mix-up shows.
const char* kKexinitPacket = R"(
    00 00 00 bc                # packet_length 188
    07                         # padding_length 7  (4 + 1 + 180 + 7 = 192, a multiple of 8)
    14                         # SSH_MSG_KEXINIT (20)
    00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff   # cookie
    00 00 00 2f  63 75 72 76 65 32 35 35 31 39 2d 73 68 61 32 35 36 2c 64 69 66 66 69 65 2d 68 65 6c 6c 6d 61 6e 2d 67 72 6f 75 70 31 34 2d 73 68 61 32 35 36  # kex_algorithms (47) "curve25519-sha256,diffie-hellman-group14-sha256"
    00 00 00 0b  73 73 68 2d 65 64 32 35 35 31 39  # server_host_key_algorithms (11) "ssh-ed25519"
    00 00 00 0a  61 65 73 31 32 38 2d 63 74 72  # encryption_algorithms_client_to_server (10) "aes128-ctr"
    00 00 00 0a  61 65 73 32 35 36 2d 63 74 72  # encryption_algorithms_server_to_client (10) "aes256-ctr"
    00 00 00 0d  68 6d 61 63 2d 73 68 61 32 2d 32 35 36  # mac_algorithms_client_to_server (13) "hmac-sha2-256"
    00 00 00 09  68 6d 61 63 2d 73 68 61 31  # mac_algorithms_server_to_client (9) "hmac-sha1"
    00 00 00 04  6e 6f 6e 65  # compression_algorithms_client_to_server (4) "none"
    00 00 00 09  7a 6c 69 62 2c 6e 6f 6e 65  # compression_algorithms_server_to_client (9) "zlib,none"
    00 00 00 00                # languages_client_to_server (0) ""
    00 00 00 05  65 6e 2d 55 53  # languages_server_to_client (5) "en-US"
    01                         # first_kex_packet_follows TRUE
    00 00 00 00                # reserved
    00 00 00 00 00 00 00       # padding (7)
)";

TEST(SshPacket, KexinitAllListsAndFlag) {
    const auto in = hex(kKexinitPacket);
    ASSERT_EQ(in.size(), 192u);
    ByteReader r{B(in)};
    const auto pkt = parse_binary_packet(r, 35000);
    ASSERT_TRUE(pkt);
    EXPECT_TRUE(r.empty());
    EXPECT_EQ(pkt->packet_length, 188u);
    EXPECT_EQ(pkt->padding_length, 7u);
    EXPECT_EQ(pkt->payload.size(), 180u);
    EXPECT_EQ(pkt->padding.size(), 7u);

    const auto k = parse_kexinit(pkt->payload);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->cookie.size(), 16u);
    EXPECT_EQ(k->cookie[15], 0xff);
    EXPECT_EQ(k->lists[kKexAlgorithms], "curve25519-sha256,diffie-hellman-group14-sha256");
    EXPECT_EQ(k->lists[kServerHostKeyAlgorithms], "ssh-ed25519");
    EXPECT_EQ(k->lists[kEncryptionC2S], "aes128-ctr");
    EXPECT_EQ(k->lists[kEncryptionS2C], "aes256-ctr");
    EXPECT_EQ(k->lists[kMacC2S], "hmac-sha2-256");
    EXPECT_EQ(k->lists[kMacS2C], "hmac-sha1");
    EXPECT_EQ(k->lists[kCompressionC2S], "none");
    EXPECT_EQ(k->lists[kCompressionS2C], "zlib,none");
    EXPECT_EQ(k->lists[kLanguagesC2S], "");
    EXPECT_EQ(k->lists[kLanguagesS2C], "en-US");
    EXPECT_TRUE(k->first_kex_packet_follows);
    EXPECT_EQ(k->reserved, 0u);

    // salesforce/hassh strings: client side uses the c2s lists, server side s2c.
    EXPECT_EQ(hassh_algorithms(*k, true), "curve25519-sha256,diffie-hellman-group14-sha256;aes128-ctr;hmac-sha2-256;none");
    EXPECT_EQ(hassh_algorithms(*k, false), "curve25519-sha256,diffie-hellman-group14-sha256;aes256-ctr;hmac-sha1;zlib,none");
}

TEST(SshPacket, IncompletePacketConsumesNothing) {
    auto in = hex(kKexinitPacket);
    in.resize(100);  // cut inside the payload
    ByteReader r{B(in)};
    EXPECT_FALSE(parse_binary_packet(r, 35000));
    EXPECT_EQ(r.remaining(), 100u);
    EXPECT_EQ(check_packet_header(B(in), 35000).status, PacketHeaderCheck::Status::ok);
    EXPECT_EQ(check_packet_header(B(in).first(3), 35000).status, PacketHeaderCheck::Status::need_more);
}

TEST(SshPacket, MalformedListLengthPastPacket) {
    const auto payload = hex(R"(
        14                                   # SSH_MSG_KEXINIT
        00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff   # cookie
        00 00 00 04  6e 6f 6e 65             # kex_algorithms (4) "none"
        00 00 10 00  73 73 68                # server_host_key_algorithms claims 4096 bytes, 3 present
    )");
    EXPECT_FALSE(parse_kexinit(B(payload)));
    // Cut after all ten lists: the trailing boolean and reserved word are missing.
    auto full = hex(kKexinitPacket);
    const Bytes kex_payload = B(full).subspan(5, 180);
    EXPECT_TRUE(parse_kexinit(kex_payload));
    EXPECT_FALSE(parse_kexinit(kex_payload.first(180 - 5)));
    // Not a KEXINIT at all.
    EXPECT_FALSE(parse_kexinit(B(hex("15   # SSH_MSG_NEWKEYS"))));
}

TEST(SshPacket, MalformedPaddingPastLength) {
    const auto in = hex(R"(
        00 00 00 0c          # packet_length 12
        0c                   # padding_length 12: padding + its length byte exceed the packet
        15 00 00 00 00 00 00 00 00 00 00 00
    )");
    EXPECT_EQ(check_packet_header(B(in), 35000).status, PacketHeaderCheck::Status::bad_padding);
    ByteReader r{B(in)};
    EXPECT_FALSE(parse_binary_packet(r, 35000));
    EXPECT_EQ(r.remaining(), in.size());
    // padding_length 11 leaves exactly no room for the message code: also bad.
    auto edge = in;
    edge[4] = 0x0b;
    EXPECT_EQ(check_packet_header(B(edge), 35000).status, PacketHeaderCheck::Status::bad_padding);
    // padding_length 10 leaves the one-byte payload (NEWKEYS).
    edge[4] = 0x0a;
    ByteReader ok{B(edge)};
    const auto pkt = parse_binary_packet(ok, 35000);
    ASSERT_TRUE(pkt);
    EXPECT_EQ(pkt->payload.size(), 1u);
    EXPECT_EQ(pkt->payload[0], kMsgNewkeys);
}

TEST(SshPacket, AbsurdPacketLength) {
    const auto huge = hex("7f ff ff ff  04  14   # packet_length 2147483647");
    const auto c = check_packet_header(B(huge), 35000);
    EXPECT_EQ(c.status, PacketHeaderCheck::Status::bad_length);
    EXPECT_EQ(c.packet_length, 0x7fffffffu);
    EXPECT_EQ(check_packet_header(B(hex("00 00 88 b9  04   # 35001")), 35000).status,
              PacketHeaderCheck::Status::bad_length);
    EXPECT_EQ(check_packet_header(B(hex("00 00 88 b8  04   # 35000")), 35000).status,
              PacketHeaderCheck::Status::ok);
    // Below the minimum (padding_length byte + 4 bytes of padding).
    EXPECT_EQ(check_packet_header(B(hex("00 00 00 04  00")), 35000).status, PacketHeaderCheck::Status::bad_length);
    // Text where a packet should be ("HTTP"): 0x48545450 is absurd too.
    EXPECT_EQ(check_packet_header(B(hex("48 54 54 50 2f   # \"HTTP/\"")), 35000).status,
              PacketHeaderCheck::Status::bad_length);
}

// ---------------------------------------------------------------- KEX reply

// The ed25519 public key of a throwaway key made with `ssh-keygen -t ed25519`;
// `ssh-keygen -l -E sha256` printed SHA256:0soD27apflsu8TgMnbLEWsRSwE6PfWwtiYDwJVLH//U.
const char* kEd25519Blob = R"(
    00 00 00 0b  73 73 68 2d 65 64 32 35 35 31 39    # string "ssh-ed25519"
    00 00 00 20                                      # string (32): the public key
    73 12 4e 76 96 d1 de fb 06 20 59 bb ce f5 71 96
    84 83 a7 f9 a6 42 af 93 a7 00 5d b6 84 0c cf fa
)";

TEST(SshKexReply, HostKeyAndFingerprint) {
    std::vector<std::uint8_t> payload = hex("1f   # SSH_MSG_KEX_ECDH_REPLY (31)");
    payload.insert(payload.end(), {0x00, 0x00, 0x00, 0x33});  // K_S length 51
    const auto blob = hex(kEd25519Blob);
    ASSERT_EQ(blob.size(), 51u);
    payload.insert(payload.end(), blob.begin(), blob.end());
    const auto q_s = hex("00 00 00 20  " + std::string(64, 'a') + "   # Q_S (32 bytes)");
    payload.insert(payload.end(), q_s.begin(), q_s.end());

    const auto rep = parse_kex_reply_host_key(B(payload));
    ASSERT_TRUE(rep);
    EXPECT_EQ(rep->key_type, "ssh-ed25519");
    EXPECT_EQ(rep->host_key.size(), 51u);
    EXPECT_EQ(sha256_fingerprint(rep->host_key), "SHA256:0soD27apflsu8TgMnbLEWsRSwE6PfWwtiYDwJVLH//U");

    // The same reply as KEX_DH_GEX_REPLY (33) carries K_S the same way.
    payload[0] = kMsgKex33;
    EXPECT_TRUE(parse_kex_reply_host_key(B(payload)));
}

TEST(SshKexReply, Malformed) {
    // K_S length past the payload.
    EXPECT_FALSE(parse_kex_reply_host_key(B(hex("1f  00 00 01 00  00 00 00 07 73 73 68   # K_S claims 256"))));
    // K_S whose type string runs past K_S.
    EXPECT_FALSE(parse_kex_reply_host_key(B(hex("1f  00 00 00 06  00 00 00 09 73 73   # type claims 9"))));
    // Empty K_S.
    EXPECT_FALSE(parse_kex_reply_host_key(B(hex("1f  00 00 00 00"))));
    // Not a reply.
    EXPECT_FALSE(parse_kex_reply_host_key(B(hex("1e  00 00 00 00"))));
}

// ---------------------------------------------------------------- hashes and lists

TEST(SshHash, Md5TestVectors) {
    // RFC 1321 A.5.
    EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(SshNegotiate, FirstClientAlgorithmTheServerLists) {
    // RFC 4253 7.1: the client's order decides.
    EXPECT_EQ(negotiate("aes256-ctr,aes128-ctr", "aes128-ctr,aes256-ctr"), "aes256-ctr");
    EXPECT_EQ(negotiate("chacha20-poly1305@openssh.com,aes128-ctr", "aes128-ctr"), "aes128-ctr");
    EXPECT_EQ(negotiate("zlib", "none"), "");
    EXPECT_EQ(negotiate("", "none"), "");
    // Whole names only: "aes128-ctr" does not match inside "aes128-ctr-foo".
    EXPECT_EQ(negotiate("aes128-ctr", "aes128-ctr-foo,x"), "");
    // Pseudo-algorithms like ext-info-c are only on one side and never win.
    EXPECT_EQ(negotiate("curve25519-sha256,ext-info-c", "ext-info-s,curve25519-sha256"), "curve25519-sha256");
    EXPECT_TRUE(name_list_contains("a,b,c", "c"));
    EXPECT_FALSE(name_list_contains("a,b,c", "d"));
    EXPECT_FALSE(name_list_contains("", ""));
}

}  // namespace
}  // namespace sw::ssh

namespace sw::ssh {
namespace {

// Random and mutated inputs to every pure parser: they must fail cleanly or
// return views inside their input (run under the sanitizers too).
TEST(SshRecordsFuzz, RandomInputsStayInBounds) {
    std::mt19937 rng(4253);
    const auto base = sw::test::hex(kKexinitPacket);
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> in;
        if (i % 2) {
            in = base;
            const int flips = 1 + static_cast<int>(rng() % 6);
            for (int k = 0; k < flips; ++k) in[rng() % in.size()] = static_cast<std::uint8_t>(rng());
            in.resize(rng() % (in.size() + 1));
        } else {
            in.resize(rng() % 300);
            for (auto& b : in) b = static_cast<std::uint8_t>(rng());
        }
        const Bytes b(in);
        const auto inside = [&](Bytes v) {
            return v.empty() || (v.data() >= b.data() && v.data() + v.size() <= b.data() + b.size());
        };
        ByteReader r(b);
        if (auto p = parse_binary_packet(r, 35000)) {
            EXPECT_TRUE(inside(p->payload));
            EXPECT_TRUE(inside(p->padding));
        }
        const Bytes payload = b.size() > 5 ? b.subspan(5) : b;
        if (auto k = parse_kexinit(payload)) {
            for (auto l : k->lists) {
                EXPECT_TRUE(l.empty() || inside(Bytes(reinterpret_cast<const std::uint8_t*>(l.data()), l.size())));
            }
        }
        if (auto rep = parse_kex_reply_host_key(payload)) {
            EXPECT_TRUE(inside(rep->host_key));
        }
        const LineScan l = scan_line(b, 255);
        if (l.status == LineScan::Status::complete) {
            EXPECT_LE(l.total_len, b.size());
        }
        if (auto id = parse_ident(as_chars(b))) {
            EXPECT_LE(id->software.size(), b.size());
        }
    }
}

}  // namespace
}  // namespace sw::ssh
