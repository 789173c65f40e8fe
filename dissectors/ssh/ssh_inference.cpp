#include "dissectors/ssh/ssh_inference.h"

#include <algorithm>
#include <utility>

namespace sw::ssh {

namespace {

struct NamedSize {
    std::string_view name;
    std::uint32_t size;
};

// Cipher block sizes (RFC 4253 6.3, RFC 4344, RFC 5647, OpenSSH cipher.c).
constexpr NamedSize kBlock16Prefixes[] = {
    {"aes", 16}, {"rijndael", 16}, {"twofish", 16}, {"serpent", 16}, {"camellia", 16}, {"AEAD_AES", 16},
};
constexpr NamedSize kBlock8Prefixes[] = {
    {"3des", 8}, {"blowfish", 8}, {"cast128", 8}, {"idea", 8}, {"des", 8}, {"arcfour", 8},
    {"chacha20", 8}, {"none", 8},
};

// MAC output sizes (RFC 4253 6.4, RFC 6668, OpenSSH mac.c). Longest names
// first where one is a prefix of another.
constexpr NamedSize kMacs[] = {
    {"hmac-sha2-256-96", 12}, {"hmac-sha2-512-96", 12}, {"hmac-sha1-96", 12}, {"hmac-md5-96", 12},
    {"hmac-sha2-256", 32},    {"hmac-sha2-512", 64},    {"hmac-sha256", 32},  {"hmac-sha512", 64},
    {"hmac-sha1", 20},        {"hmac-md5", 16},         {"hmac-ripemd160", 20}, {"umac-64", 8},
    {"umac-128", 16},         {"none", 0},
};

bool is_aead(std::string_view cipher) {
    return cipher == "chacha20-poly1305@openssh.com" || cipher.starts_with("aes128-gcm") ||
           cipher.starts_with("aes256-gcm") || cipher.starts_with("AEAD_AES");
}

}  // namespace

CipherFraming framing_for(std::string_view cipher, std::string_view mac) {
    CipherFraming f;
    bool cipher_known = false;
    for (const auto& b : kBlock16Prefixes)
        if (cipher.starts_with(b.name)) {
            f.block = b.size;
            cipher_known = true;
        }
    for (const auto& b : kBlock8Prefixes)
        if (cipher.starts_with(b.name)) {
            f.block = b.size;
            cipher_known = true;
        }
    if (!cipher_known) f.block = 16;
    if (is_aead(cipher)) {
        f.mac_len = 16;
        f.length_outside = true;
        f.known = cipher_known;
        return f;
    }
    bool mac_known = false;
    for (const auto& m : kMacs)
        if (mac.starts_with(m.name)) {
            f.mac_len = m.size;
            mac_known = true;
            break;
        }
    if (!mac_known) f.mac_len = 16;
    f.length_outside = mac.ends_with("-etm@openssh.com");
    f.known = cipher_known && mac_known;
    return f;
}

std::uint64_t wire_size(const CipherFraming& f, std::uint64_t payload_len) {
    const std::uint64_t block = std::max<std::uint32_t>(f.block, 8);
    const std::uint64_t aligned = (f.length_outside ? 0 : 4) + 1 + payload_len;
    std::uint64_t pad = block - aligned % block;
    if (pad < 4) pad += block;
    return 4 + 1 + payload_len + pad + f.mac_len;
}

std::uint64_t estimate_channel_payload(const CipherFraming& f, std::uint64_t wire_bytes,
                                       std::uint64_t channel_packet) {
    if (wire_bytes == 0 || channel_packet == 0) return 0;
    const std::uint64_t overhead = channel_overhead(f, channel_packet);
    const std::uint64_t full = channel_packet + overhead;
    const std::uint64_t packets = (wire_bytes + full - 1) / full;
    const std::uint64_t framing = packets * overhead;
    return wire_bytes > framing ? wire_bytes - framing : 0;
}

void AuthInference::on_server_chunk(std::uint64_t len) {
    if (decided_ || !saw_client_) return;
    ++server_chunks_;
    if (!accept_size_) {
        accept_size_ = len;
        return;
    }
    if (len + 16 == accept_size_) {  // USERAUTH_SUCCESS
        decided_ = true;
        return;
    }
    if (!failure_size_) {
        if (!skipped_banner_ && len > accept_size_ + 256) {
            skipped_banner_ = true;
            return;
        }
        failure_size_ = len;
        return;
    }
    if (len == failure_size_) ++failures_;
}

int ChunkStats::bin_of(std::uint64_t len) {
    int k = 0;
    while (k < kBins - 1 && (std::uint64_t{2} << k) <= len) ++k;
    return k;
}

void ChunkStats::add(std::uint64_t len, std::uint64_t keystroke_max) {
    if (len == 0) return;
    const int k = bin_of(len);
    if (bin_chunks[k] == 0) bin_first_at[k] = bytes;
    ++bin_chunks[k];
    bin_bytes[k] += len;
    bytes += len;
    ++chunks;
    max_chunk = std::max(max_chunk, len);
    if (len <= keystroke_max) ++small_chunks;
}

int ChunkStats::large_bin() const {
    if (bin_chunks[kBins - 1]) return kBins - 1;  // >= 1024
    if (bin_chunks[kBins - 2]) return kBins - 2;  // [512, 1024): small-MSS paths
    return -1;
}

std::uint64_t ChunkStats::large_bytes() const {
    const int lb = large_bin();
    std::uint64_t n = 0;
    if (lb < 0) return 0;
    for (int k = lb; k < kBins; ++k) n += bin_bytes[k];
    return n;
}

std::uint64_t ChunkStats::bytes_from_first_large() const {
    const int lb = large_bin();
    if (lb < 0) return 0;
    std::uint64_t start = bytes;
    for (int k = lb; k < kBins; ++k)
        if (bin_chunks[k]) start = std::min(start, bin_first_at[k]);
    return bytes - start;
}

std::string_view transfer_name(Transfer t) {
    switch (t) {
        case Transfer::upload: return "upload";
        case Transfer::download: return "download";
        case Transfer::interactive: return "interactive";
        // The event contract has one value for both (dissectors/event.h).
        case Transfer::tunnel:
        case Transfer::other: return "tunnel/other";
        case Transfer::none: break;
    }
    return {};
}

TransferVerdict classify_transfer(const ChunkStats& c2s, const ChunkStats& s2c, const CipherFraming& f_c2s,
                                  const CipherFraming& f_s2c, const TransferConfig& cfg) {
    TransferVerdict v;
    if (c2s.bytes == 0 && s2c.bytes == 0) return v;
    v.upload_bytes = estimate_channel_payload(f_c2s, c2s.bytes, cfg.channel_packet);
    v.download_bytes = estimate_channel_payload(f_s2c, s2c.bytes, cfg.channel_packet);

    const bool up = c2s.bytes >= s2c.bytes;
    const ChunkStats& bulk = up ? c2s : s2c;
    const ChunkStats& back = up ? s2c : c2s;
    const CipherFraming& f_bulk = up ? f_c2s : f_s2c;
    const auto mostly_large = [](const ChunkStats& s) { return 2 * s.large_bytes() >= s.bytes; };
    const auto bulk_estimate = [&](const ChunkStats& s, const CipherFraming& f) {
        return estimate_channel_payload(f, s.bytes_from_first_large(), cfg.channel_packet);
    };

    if (bulk.bytes >= cfg.min_transfer_bytes && mostly_large(bulk) &&
        static_cast<double>(bulk.bytes) >= cfg.ratio * static_cast<double>(back.bytes)) {
        v.kind = up ? Transfer::upload : Transfer::download;
        v.transfer_bytes = bulk_estimate(bulk, f_bulk);
        return v;
    }
    if (c2s.large_bytes() >= cfg.min_transfer_bytes && s2c.large_bytes() >= cfg.min_transfer_bytes) {
        v.kind = Transfer::tunnel;
        v.transfer_bytes = bulk_estimate(bulk, f_bulk);
        return v;
    }
    if (c2s.small_chunks >= cfg.min_keystrokes && 2 * c2s.small_chunks >= c2s.chunks) {
        v.kind = Transfer::interactive;
        return v;
    }
    v.kind = Transfer::other;
    return v;
}

}  // namespace sw::ssh
