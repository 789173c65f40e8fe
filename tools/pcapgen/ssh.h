// SSH transport messages as they appear in cleartext before NEWKEYS (RFC 4253
// section 4.2 banner, 6 binary packet, 7.1 KEXINIT; RFC 8731 curve25519 ECDH),
// and the wire size of the encrypted packets that follow them.
#pragma once

#include <cstdint>
#include <string_view>

#include "tools/pcapgen/buf.h"
#include "tools/pcapgen/rng.h"

namespace pcapgen {

// "SSH-2.0-...\r\n".
void ssh_banner(Buf& b, std::string_view version);
// SSH_MSG_KEXINIT with OpenSSH's algorithm lists (curve25519-sha256 and
// chacha20-poly1305@openssh.com preferred, so both sides agree on them).
void ssh_kexinit(Buf& b, Rng& rng, bool server);
// SSH_MSG_KEX_ECDH_INIT (client ephemeral key).
void ssh_ecdh_init(Buf& b, Rng& rng);
// SSH_MSG_KEX_ECDH_REPLY (ed25519 host key, server key, signature) followed by
// the server's SSH_MSG_NEWKEYS, as OpenSSH sends them back to back.
void ssh_ecdh_reply_newkeys(Buf& b, Rng& rng);
// SSH_MSG_NEWKEYS.
void ssh_newkeys(Buf& b, Rng& rng);

// On-the-wire size of a chacha20-poly1305@openssh.com packet carrying a
// payload of `payload` bytes: 4-byte encrypted length, padding_length byte,
// payload, 4..11 bytes of padding to a multiple of 8, 16-byte tag.
constexpr std::uint32_t ssh_encrypted_size(std::uint32_t payload) {
    std::uint32_t body = 1 + payload + 4;
    body = (body + 7) / 8 * 8;
    return 4 + body + 16;
}
// Payload of SSH_MSG_CHANNEL_DATA carrying n bytes: type, channel, string.
constexpr std::uint32_t ssh_channel_data(std::uint32_t n) { return 1 + 4 + 4 + n; }

}  // namespace pcapgen
