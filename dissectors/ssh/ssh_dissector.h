// The SSH dissector: claims a TCP flow by its identification line (either
// direction, any port), parses the cleartext handshake, then watches the
// sizes of the encrypted part. One SshEvent per connection at its end.
//
// Per direction: identification (and pre-banner lines) -> cleartext binary
// packets (KEXINIT, KEX messages, NEWKEYS) -> encrypted chunks (counted).
// SSH roles (who is client) come from the KEX messages, so reverse SSH (the
// TCP originator is the SSH server) is reported the right way round.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/memory_budget.h"
#include "dissectors/dissectors_config.h"
#include "dissectors/registry.h"
#include "dissectors/ssh/ssh_config.h"
#include "dissectors/ssh/ssh_inference.h"
#include "dissectors/ssh/ssh_records.h"

namespace sw {

// The claim decision, pure (exposed for tests). Accepts as soon as either
// direction shows an identification line ("SSH-<digits>.<digits>-") at a
// line start; only an SSH server may send other lines first, so two
// directions that both start with something else are rejected.
ProbeResult ssh_probe(const ProbeInput& in);

// Zeek's ssh.log `version` from the two identification lines (scripts/base/
// protocols/ssh/main.zeek set_version): 2, 1, or 0 for "undefined"; unset
// unless both lines are known.
std::optional<std::uint32_t> ssh_zeek_version(std::string_view client, std::string_view server);

class SshDissector : public StreamConsumer {
public:
    SshDissector(const ConnId& id, EventSink& sink, const SshConfig& cfg, const CidrSet& local_nets);

    std::uint64_t on_data(Dir d, Bytes data, Timestamp ts) override;
    void on_gap(Dir d, std::uint64_t len, bool framing_intact, Timestamp ts) override;
    void on_flow_end(Timestamp ts) override;
    // Encrypted bytes since the last tick, and the transfer bytes the
    // inference sees so far (ProgressEvent).
    void on_tick(Timestamp t, const TickState& s) override;
    AppProtocol protocol() const override { return confirmed_ ? AppProtocol::ssh : AppProtocol::none; }
    // How often algorithm negotiation ran (once per roles; tests).
    std::uint32_t negotiations() const { return negotiations_; }
    // Memory budget: itself, the handshake buffers and the KEXINIT lists.
    void attach(SkipHandoff& h) override {
        charge_.bind(h.budget(), MemoryArea::dissectors);
        recharge();
    }
    std::uint64_t memory() const override { return static_cast<std::uint64_t>(charge_.charged()); }

private:
    enum class Phase : std::uint8_t { ident, packets, encrypted, stopped };

    struct Side {
        Phase phase = Phase::ident;
        std::vector<std::uint8_t> buf;  // cleartext not yet framed (handshake only)
        std::uint64_t pre_banner = 0;
        bool have_ident = false;
        std::string ident;
        int proto = 0;                  // ssh::ident_protocol
        bool have_kexinit = false;
        std::array<std::string, ssh::kKexListCount> lists;
        std::uint64_t enc_bytes = 0;    // after NEWKEYS (gaps included)
        std::uint64_t enc_chunks = 0;
        std::uint32_t weirds = 0;       // bit per weird kind already reported
    };

    void feed_ident(Dir d, Timestamp ts);
    void feed_packets(Dir d, Timestamp ts);
    void on_ident(Dir d, std::string_view line, Timestamp ts);
    void on_packet(Dir d, Bytes payload, Timestamp ts);
    void on_encrypted(Dir d, std::uint64_t len);
    void stop(Dir d);
    void weird(Dir d, unsigned kind, std::string_view name, std::string addl, Timestamp ts);

    Dir client_dir() const { return server_dir_ ? other(*server_dir_) : Dir::orig; }
    void set_server(Dir d) {
        if (!server_dir_) server_dir_ = d;
    }
    // Negotiated algorithm names (RFC 4253 7.1) for the current roles; empty
    // if a KEXINIT is missing or nothing matched. Computed once per roles
    // (the lists are fixed once both KEXINITs are in), not per packet.
    std::string_view negotiated(int list) const;
    // Framing and keystroke sizes once both KEXINITs are known.
    void ensure_framing();
    SshEvent build_event() const;
    // The transfer inference over what was seen so far (none if there is no
    // session to classify: not encrypted both ways, or a failed login).
    ssh::TransferVerdict transfer_verdict() const;
    void recharge();

    const ConnId& id_;
    EventSink& sink_;
    SshConfig cfg_;
    const CidrSet& local_nets_;
    std::array<Side, 2> side_;
    std::optional<Dir> server_dir_;
    bool confirmed_ = false;
    bool emitted_ = false;
    Timestamp first_ts_ = 0, last_ts_ = 0;
    std::string host_key_fp_;
    std::string host_key_type_;
    // negotiated() cache: valid while both KEXINITs are in and the client
    // direction is the one it was computed for.
    mutable std::array<std::string_view, ssh::kKexListCount> negotiated_{};
    mutable int negotiated_client_ = -1;
    mutable std::uint32_t negotiations_ = 0;

    // Encrypted phase, indexed by SSH role: 0 = client->server, 1 = server->client.
    bool framing_ready_ = false;
    std::array<ssh::CipherFraming, 2> framing_{};
    std::array<std::uint64_t, 2> keystroke_max_{};
    ssh::AuthInference auth_;
    bool auth_gap_ = false;
    bool auth_off_ = false;  // compression / version: not inferable
    std::array<ssh::ChunkStats, 2> all_{};   // everything after NEWKEYS
    std::array<ssh::ChunkStats, 2> post_{};  // after the inferred USERAUTH_SUCCESS
    // Already in ProgressEvents: enc_bytes per Dir, upload and download.
    std::array<std::uint64_t, 2> progress_bytes_{};
    std::uint64_t progress_upload_ = 0, progress_download_ = 0;
    MemoryCharge charge_;
};

class SshFactory : public DissectorFactory {
public:
    explicit SshFactory(const DissectorsConfig& cfg) : cfg_(cfg.ssh), local_nets_(cfg.local_nets) {}
    std::string_view name() const override { return "ssh"; }
    std::span<const std::uint16_t> ports() const override;
    ProbeResult probe(const ProbeInput& in) const override { return ssh_probe(in); }
    std::unique_ptr<StreamConsumer> create(const ConnId& id, EventSink& sink) override {
        return std::make_unique<SshDissector>(id, sink, cfg_, local_nets_);
    }

private:
    SshConfig cfg_;
    CidrSet local_nets_;
};

}  // namespace sw
