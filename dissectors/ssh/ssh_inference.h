// What the encrypted part of an SSH connection gives away: its sizes.
//
// Three pure pieces, each testable alone:
// - CipherFraming: the wire size of an SSH packet under the negotiated
//   cipher and MAC (RFC 4253 6, OpenSSH's padding rule), so the framing
//   overhead can be derived instead of guessed.
// - AuthInference: Zeek's authentication heuristic (src/analyzer/protocol/
//   ssh/SSH.cc), applied in SSH roles rather than TCP roles.
// - classify_transfer(): upload / download / interactive / tunnel / other
//   from per-direction size statistics.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sw::ssh {

// ---------------------------------------------------------------------------
// Framing

struct CipherFraming {
    std::uint32_t block = 8;    // cipher block size (padding alignment), >= 8
    std::uint32_t mac_len = 0;  // MAC or AEAD tag bytes after the packet
    // The 4-byte length is left out of the padding alignment: EtM MACs,
    // AES-GCM (length is associated data) and chacha20-poly1305 (OpenSSH
    // encrypts it separately).
    bool length_outside = false;
    bool known = true;          // false: unknown names, defaults were used
};

// Framing for one direction from the negotiated cipher and MAC names.
// Unknown names give block 16 and a 16-byte tag and known = false.
CipherFraming framing_for(std::string_view cipher, std::string_view mac);

// Bytes on the wire for one SSH packet carrying `payload_len` payload bytes
// (message code included) with the minimum padding (at least 4 bytes, to the
// block size), as OpenSSH and most implementations pad.
std::uint64_t wire_size(const CipherFraming& f, std::uint64_t payload_len);

// SSH_MSG_CHANNEL_DATA header: byte code, uint32 recipient channel, uint32
// data length (RFC 4254 5.2).
constexpr std::uint64_t kChannelDataHeader = 9;

// Bytes of one CHANNEL_DATA packet beyond its `data_len` data bytes.
inline std::uint64_t channel_overhead(const CipherFraming& f, std::uint64_t data_len) {
    return wire_size(f, kChannelDataHeader + data_len) - data_len;
}

// Application bytes in `wire_bytes` of a bulk stream carried in CHANNEL_DATA
// packets of `channel_packet` data bytes each (the last one partial): the
// wire bytes minus the framing of ceil(wire / full packet) packets.
std::uint64_t estimate_channel_payload(const CipherFraming& f, std::uint64_t wire_bytes,
                                       std::uint64_t channel_packet);

// ---------------------------------------------------------------------------
// Authentication

// Zeek's packet-size heuristic for SSH2 user authentication, fed with the
// sizes of encrypted TCP payload chunks in SSH roles:
// - server data is ignored until the client has sent encrypted data;
// - the first server chunk is SSH_MSG_SERVICE_ACCEPT: its size S;
// - a server chunk of S - 16 is SSH_MSG_USERAUTH_SUCCESS (payload 1 byte
//   against 17 for the accept: one 16-byte step less of padded data);
// - before any failure, one chunk more than 256 bytes larger than S is a
//   pre-auth banner and is skipped once;
// - otherwise the first other size is USERAUTH_FAILURE's size F; every later
//   chunk of size F is a failed attempt.
class AuthInference {
public:
    void on_client_chunk() { saw_client_ = true; }
    void on_server_chunk(std::uint64_t len);

    // The heuristic's only decision is success; failures are counted.
    bool succeeded() const { return decided_; }
    // T after a success, F after counted failures without success, unset if
    // neither was seen (nothing could be inferred).
    std::optional<bool> result() const {
        if (decided_) return true;
        if (failures_) return false;
        return std::nullopt;
    }
    std::uint32_t failures() const { return failures_; }
    std::uint32_t attempts() const { return failures_ + (decided_ ? 1u : 0u); }
    // Server chunks looked at after the client spoke (for "unusual sizes").
    std::uint32_t server_chunks() const { return server_chunks_; }
    bool saw_client() const { return saw_client_; }

private:
    bool saw_client_ = false;
    bool decided_ = false;
    bool skipped_banner_ = false;
    std::uint64_t accept_size_ = 0;
    std::uint64_t failure_size_ = 0;
    std::uint32_t failures_ = 0;
    std::uint32_t server_chunks_ = 0;
};

// ---------------------------------------------------------------------------
// Transfer inference

// Size statistics of one direction's encrypted chunks (TCP payload pieces as
// the reassembler delivers them). Fixed size, no allocation.
struct ChunkStats {
    // Bins: [2^k, 2^(k+1)) for k < 10, and >= 1024 in the last bin.
    static constexpr int kBins = 11;
    std::uint64_t bytes = 0;
    std::uint64_t chunks = 0;
    std::uint64_t max_chunk = 0;
    std::uint64_t small_chunks = 0;  // <= keystroke_max (set by the owner)
    std::array<std::uint64_t, kBins> bin_chunks{};
    std::array<std::uint64_t, kBins> bin_bytes{};
    std::array<std::uint64_t, kBins> bin_first_at{};  // `bytes` before the first chunk of the bin

    void add(std::uint64_t len, std::uint64_t keystroke_max);
    // Gap bytes count as volume but not as chunks.
    void add_gap(std::uint64_t len) { bytes += len; }
    static int bin_of(std::uint64_t len);
    // Lowest bin that counts as MSS-sized: chunks >= 1024 bytes, or the top
    // occupied bin when the path's segments are all smaller than that.
    int large_bin() const;
    std::uint64_t large_bytes() const;
    // Bytes of this direction from the first MSS-sized chunk on (the start of
    // a bulk transfer); 0 if there is none.
    std::uint64_t bytes_from_first_large() const;
};

struct TransferConfig {
    std::uint64_t min_transfer_bytes = 16 * 1024;
    double ratio = 4.0;
    std::uint64_t min_keystrokes = 8;
    std::uint64_t channel_packet = 32768;
};

enum class Transfer { none, upload, download, interactive, tunnel, other };
std::string_view transfer_name(Transfer t);  // "" for none; tunnel and other are both "tunnel/other"

struct TransferVerdict {
    Transfer kind = Transfer::none;
    std::uint64_t transfer_bytes = 0;   // application bytes of the bulk direction
    std::uint64_t upload_bytes = 0;     // estimated application bytes client -> server
    std::uint64_t download_bytes = 0;   // server -> client
};

// Classifies a session from its client->server and server->client chunk
// statistics (SSH roles) and the framing of each direction:
// 1. upload/download: one direction carries at least min_transfer_bytes,
//    at least `ratio` times the other, and mostly in MSS-sized chunks;
// 2. tunnel: both directions carry at least min_transfer_bytes in MSS-sized
//    chunks;
// 3. interactive: at least min_keystrokes client chunks of keystroke size
//    and they are at least half of the client's chunks;
// 4. other: anything else with data.
// transfer_bytes is the bulk direction's bytes from its first MSS-sized
// chunk on, minus CHANNEL_DATA framing (estimate_channel_payload).
TransferVerdict classify_transfer(const ChunkStats& c2s, const ChunkStats& s2c, const CipherFraming& f_c2s,
                                  const CipherFraming& f_s2c, const TransferConfig& cfg);

}  // namespace sw::ssh
