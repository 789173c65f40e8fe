#include "tools/pcapgen/ssh.h"

namespace pcapgen {
namespace {

constexpr std::string_view kKexClient =
    "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
    "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,ext-info-c";
constexpr std::string_view kKexServer =
    "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
    "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
constexpr std::string_view kHostKeyClient =
    "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
    "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,"
    "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256";
constexpr std::string_view kHostKeyServer = "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519";
constexpr std::string_view kCiphers =
    "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
    "aes256-gcm@openssh.com";
constexpr std::string_view kMacs =
    "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
    "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
    "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1";
constexpr std::string_view kCompression = "none,zlib@openssh.com";

void random_bytes(Buf& b, Rng& rng, std::size_t n) {
    std::uint8_t* p = b.grow(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(rng.next() >> 56);
}

// Wraps the payload written by `fill` in a cleartext binary packet.
template <typename Fill>
void packet(Buf& b, Rng& rng, Fill fill) {
    const std::size_t start = b.size();
    b.be32(0);
    b.u8(0);
    fill();
    const std::size_t unpadded = b.size() - start;  // 4 + 1 + payload
    std::size_t pad = 8 - unpadded % 8;
    if (pad < 4) pad += 8;
    random_bytes(b, rng, pad);
    store_be32(b.at(start), static_cast<std::uint32_t>(b.size() - start - 4));
    *b.at(start + 4) = static_cast<std::uint8_t>(pad);
}

}  // namespace

void ssh_banner(Buf& b, std::string_view version) {
    b.str(version);
    b.str("\r\n");
}

void ssh_kexinit(Buf& b, Rng& rng, bool server) {
    packet(b, rng, [&] {
        b.u8(20);  // SSH_MSG_KEXINIT
        random_bytes(b, rng, 16);
        b.ssh_string(server ? kKexServer : kKexClient);
        b.ssh_string(server ? kHostKeyServer : kHostKeyClient);
        b.ssh_string(kCiphers);
        b.ssh_string(kCiphers);
        b.ssh_string(kMacs);
        b.ssh_string(kMacs);
        b.ssh_string(kCompression);
        b.ssh_string(kCompression);
        b.ssh_string("");
        b.ssh_string("");
        b.u8(0);    // first_kex_packet_follows
        b.be32(0);  // reserved
    });
}

void ssh_ecdh_init(Buf& b, Rng& rng) {
    packet(b, rng, [&] {
        b.u8(30);  // SSH_MSG_KEX_ECDH_INIT
        b.be32(32);
        random_bytes(b, rng, 32);
    });
}

void ssh_ecdh_reply_newkeys(Buf& b, Rng& rng) {
    packet(b, rng, [&] {
        b.u8(31);  // SSH_MSG_KEX_ECDH_REPLY
        b.be32(4 + 11 + 4 + 32);
        b.ssh_string("ssh-ed25519");
        b.be32(32);
        random_bytes(b, rng, 32);
        b.be32(32);
        random_bytes(b, rng, 32);
        b.be32(4 + 11 + 4 + 64);
        b.ssh_string("ssh-ed25519");
        b.be32(64);
        random_bytes(b, rng, 64);
    });
    ssh_newkeys(b, rng);
}

void ssh_newkeys(Buf& b, Rng& rng) {
    packet(b, rng, [&] { b.u8(21); });
}

}  // namespace pcapgen
