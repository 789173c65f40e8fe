// SSH dissector settings (options ssh.*; see config/options_ssh.cpp).
#pragma once

#include <cstdint>

namespace sw {

struct SshConfig {
    // Largest cleartext binary packet accepted before NEWKEYS (RFC 4253 6.1
    // asks for at least 35000); a longer length is "absurd": weird, and that
    // direction is no longer parsed.
    std::uint32_t max_packet = 35000;
    // Longest identification or pre-banner line (RFC 4253 4.2 allows 255
    // bytes for the identification; longer ones get a weird but are read up
    // to this cap).
    std::uint32_t max_line = 1024;
    // Bytes of other lines a server may send before its identification.
    std::uint32_t max_pre_banner = 16384;
    // Transfer inference (see dissectors/ssh/ssh_inference.h).
    std::uint64_t min_transfer_bytes = 16 * 1024;
    double transfer_ratio = 4.0;
    std::uint64_t min_keystrokes = 8;
    std::uint64_t channel_packet = 32768;
};

}  // namespace sw
