// Unit tests of the size-based SSH inference: packet framing, Zeek's auth
// heuristic and the transfer classifier. Expected packet sizes are the ones
// seen on the wire in real captures (named per test), so the framing model
// is checked against OpenSSH, dropbear and AsyncSSH themselves.
#include <gtest/gtest.h>

#include "dissectors/ssh/ssh_inference.h"

namespace sw::ssh {
namespace {

// Payload sizes of the messages the heuristic relies on.
constexpr std::uint64_t kServiceAccept = 1 + 4 + 12;  // code + string "ssh-userauth"
constexpr std::uint64_t kUserauthSuccess = 1;         // code only

TEST(SshFraming, ChachaPoly) {
    // pcaps/ssh-ops.pcap (OpenSSH 9.2, chacha20-poly1305): SERVICE_ACCEPT is
    // a 44-byte segment, USERAUTH_SUCCESS 28, a one-key CHANNEL_DATA 36.
    const CipherFraming f = framing_for("chacha20-poly1305@openssh.com", "umac-64-etm@openssh.com");
    EXPECT_TRUE(f.known);
    EXPECT_EQ(f.block, 8u);
    EXPECT_EQ(f.mac_len, 16u);  // the Poly1305 tag; the negotiated MAC is unused
    EXPECT_TRUE(f.length_outside);
    EXPECT_EQ(wire_size(f, kServiceAccept), 44u);
    EXPECT_EQ(wire_size(f, kUserauthSuccess), 28u);
    EXPECT_EQ(wire_size(f, kChannelDataHeader + 1), 36u);
}

TEST(SshFraming, CtrWithHmac) {
    // zeek-zeek/reverse-ssh.pcap (aes256-ctr, hmac-sha2-256): the server's
    // SERVICE_ACCEPT segment is 64 bytes and USERAUTH_SUCCESS 48.
    const CipherFraming f = framing_for("aes256-ctr", "hmac-sha2-256");
    EXPECT_TRUE(f.known);
    EXPECT_EQ(f.block, 16u);
    EXPECT_EQ(f.mac_len, 32u);
    EXPECT_FALSE(f.length_outside);
    EXPECT_EQ(wire_size(f, kServiceAccept), 64u);
    EXPECT_EQ(wire_size(f, kUserauthSuccess), 48u);
}

TEST(SshFraming, EtmAndGcmAndUnknown) {
    // EtM: the length is outside the alignment (hmac-sha2-256-etm: 32-byte MAC).
    const CipherFraming etm = framing_for("aes128-ctr", "hmac-sha2-256-etm@openssh.com");
    EXPECT_TRUE(etm.length_outside);
    EXPECT_EQ(etm.mac_len, 32u);
    // 1 + 17 = 18 -> padded to 32 (pad 14) -> 4 + 32 + 32.
    EXPECT_EQ(wire_size(etm, kServiceAccept), 68u);
    const CipherFraming gcm = framing_for("aes128-gcm@openssh.com", "hmac-sha1");
    EXPECT_EQ(gcm.block, 16u);
    EXPECT_EQ(gcm.mac_len, 16u);
    EXPECT_TRUE(gcm.length_outside);
    EXPECT_EQ(framing_for("aes128-cbc", "hmac-sha1").mac_len, 20u);
    EXPECT_EQ(framing_for("aes128-cbc", "hmac-sha1-96").mac_len, 12u);
    EXPECT_EQ(framing_for("3des-cbc", "hmac-md5").block, 8u);
    const CipherFraming unknown = framing_for("kuznyechik-ctr", "mystery-mac");
    EXPECT_FALSE(unknown.known);
    EXPECT_EQ(unknown.block, 16u);
    EXPECT_EQ(unknown.mac_len, 16u);
}

TEST(SshFraming, ChannelPayloadEstimate) {
    const CipherFraming f = framing_for("chacha20-poly1305@openssh.com", "");
    // One full 32768-byte CHANNEL_DATA: 9 header + 32768 data -> padded body
    // 1 + 32777 + 6 = 32784, wire 4 + 32784 + 16 = 32804: 36 bytes overhead.
    EXPECT_EQ(channel_overhead(f, 32768), 36u);
    EXPECT_EQ(estimate_channel_payload(f, 32804, 32768), 32768u);
    // Ten full packets and a partial one of 1000 data bytes (+36 framing).
    EXPECT_EQ(estimate_channel_payload(f, 10 * 32804 + 1036, 32768), 10u * 32768 + 1000);
    EXPECT_EQ(estimate_channel_payload(f, 0, 32768), 0u);
    EXPECT_EQ(estimate_channel_payload(f, 20, 32768), 0u);  // less than one packet's framing
}

TEST(SshAuth, PublicKeySuccess) {
    // pcaps/ssh-ops.pcap, scp upload: server segments after the client's
    // first encrypted data: 44 accept, 52 failure ("none"), 100 PK_OK, 28 success.
    AuthInference a;
    a.on_server_chunk(116);  // before the client spoke (EXT_INFO): ignored
    a.on_client_chunk();
    for (std::uint64_t n : {44, 52, 100, 28}) a.on_server_chunk(n);
    EXPECT_TRUE(a.succeeded());
    EXPECT_EQ(a.result(), std::optional<bool>(true));
    EXPECT_EQ(a.attempts(), 1u);
    EXPECT_EQ(a.failures(), 0u);
}

TEST(SshAuth, WrongPassword) {
    // pcaps/ssh-ops.pcap, wrong password: 44 accept, 52 failure ("none"), 52 failure (password).
    AuthInference a;
    a.on_client_chunk();
    for (std::uint64_t n : {44, 52, 52}) a.on_server_chunk(n);
    EXPECT_FALSE(a.succeeded());
    EXPECT_EQ(a.result(), std::optional<bool>(false));
    EXPECT_EQ(a.attempts(), 1u);
}

TEST(SshAuth, BannerSkippedOnceThenFailuresThenSuccess) {
    AuthInference a;
    a.on_client_chunk();
    a.on_server_chunk(64);        // SERVICE_ACCEPT
    a.on_server_chunk(64 + 300);  // a pre-auth banner (> 256 larger): skipped
    a.on_server_chunk(80);        // USERAUTH_FAILURE size
    a.on_server_chunk(80);        // failed attempt 1
    a.on_server_chunk(80);        // failed attempt 2
    EXPECT_EQ(a.result(), std::optional<bool>(false));
    a.on_server_chunk(48);        // 64 - 16: success
    EXPECT_EQ(a.result(), std::optional<bool>(true));
    EXPECT_EQ(a.attempts(), 3u);
    a.on_server_chunk(80);        // decided: nothing changes any more
    EXPECT_EQ(a.attempts(), 3u);
}

TEST(SshAuth, NoVerdict) {
    AuthInference quiet;
    quiet.on_server_chunk(44);  // the client never sent encrypted data
    EXPECT_EQ(quiet.result(), std::nullopt);
    EXPECT_EQ(quiet.server_chunks(), 0u);
    AuthInference odd;
    odd.on_client_chunk();
    for (std::uint64_t n : {64, 336, 96}) odd.on_server_chunk(n);  // accept, banner, failure size, no repeat
    EXPECT_EQ(odd.result(), std::nullopt);
    EXPECT_EQ(odd.server_chunks(), 3u);
}

ChunkStats stats(std::initializer_list<std::pair<std::uint64_t, int>> runs, std::uint64_t keystroke = 44) {
    ChunkStats s;
    for (auto [len, n] : runs)
        for (int i = 0; i < n; ++i) s.add(len, keystroke);
    return s;
}

TEST(SshTransfer, ChunkStatsBins) {
    const ChunkStats s = stats({{52, 3}, {1448, 10}, {700, 1}, {36, 2}});
    EXPECT_EQ(s.chunks, 16u);
    EXPECT_EQ(s.bytes, 3u * 52 + 10u * 1448 + 700 + 72);
    EXPECT_EQ(s.max_chunk, 1448u);
    EXPECT_EQ(s.small_chunks, 2u);  // <= 44
    EXPECT_EQ(s.large_bin(), ChunkStats::kBins - 1);
    EXPECT_EQ(s.large_bytes(), 10u * 1448);
    // From the first 1448 on: everything but the three leading 52s.
    EXPECT_EQ(s.bytes_from_first_large(), s.bytes - 3 * 52);
    // A small-MSS path (536): its top bin [512, 1024) counts as MSS-sized.
    const ChunkStats narrow = stats({{100, 2}, {536, 5}});
    EXPECT_EQ(narrow.large_bin(), ChunkStats::kBins - 2);
    EXPECT_EQ(narrow.large_bytes(), 5u * 536);
    EXPECT_EQ(stats({{36, 5}}).large_bin(), -1);
}

TEST(SshTransfer, Classify) {
    const CipherFraming f = framing_for("chacha20-poly1305@openssh.com", "");
    const TransferConfig cfg;
    // Upload: 1 MiB of 1448-byte segments client->server, small acks back.
    const ChunkStats up = stats({{52, 3}, {1448, 724}});
    const ChunkStats acks = stats({{60, 40}});
    TransferVerdict v = classify_transfer(up, acks, f, f, cfg);
    EXPECT_EQ(v.kind, Transfer::upload);
    EXPECT_EQ(v.transfer_bytes, estimate_channel_payload(f, 724u * 1448, cfg.channel_packet));
    EXPECT_EQ(v.upload_bytes, estimate_channel_payload(f, up.bytes, cfg.channel_packet));
    // The same, mirrored, is a download.
    EXPECT_EQ(classify_transfer(acks, up, f, f, cfg).kind, Transfer::download);
    // Keystrokes and echoes: interactive.
    const ChunkStats keys = stats({{36, 60}, {52, 4}});
    const ChunkStats echo = stats({{36, 60}, {300, 5}});
    v = classify_transfer(keys, echo, f, f, cfg);
    EXPECT_EQ(v.kind, Transfer::interactive);
    EXPECT_EQ(v.transfer_bytes, 0u);
    // Bulk both ways: tunnel (reported as "tunnel/other").
    const ChunkStats both = stats({{1448, 100}});
    v = classify_transfer(both, both, f, f, cfg);
    EXPECT_EQ(v.kind, Transfer::tunnel);
    EXPECT_EQ(transfer_name(v.kind), "tunnel/other");
    // A few small packets: other.
    EXPECT_EQ(classify_transfer(stats({{100, 3}}), stats({{200, 3}}), f, f, cfg).kind, Transfer::other);
    // Nothing: no verdict.
    EXPECT_EQ(classify_transfer(ChunkStats{}, ChunkStats{}, f, f, cfg).kind, Transfer::none);
    EXPECT_EQ(transfer_name(Transfer::none), "");
    // Asymmetric but below min_transfer_bytes: not a transfer.
    EXPECT_EQ(classify_transfer(stats({{1448, 5}}), stats({{60, 2}}), f, f, cfg).kind, Transfer::other);
}

}  // namespace
}  // namespace sw::ssh
