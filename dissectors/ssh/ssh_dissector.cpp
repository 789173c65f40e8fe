#include "dissectors/ssh/ssh_dissector.h"

#include <algorithm>

#include "dissectors/ssh/ssh_hash.h"

namespace sw {

namespace {

using namespace ssh;

constexpr std::uint16_t kPorts[] = {22};

// Probe: how one direction's first bytes look.
enum class Look { ssh, maybe_prelines, maybe, no };

bool is_digit(std::uint8_t c) { return c >= '0' && c <= '9'; }

// "SSH-" digits "." digits "-" at the start of `b`: ssh if complete, maybe if
// `b` is a prefix of such a line, no otherwise.
Look look_ident(Bytes b) {
    static constexpr std::string_view kTag = "SSH-";
    std::size_t i = 0;
    for (; i < kTag.size(); ++i) {
        if (i >= b.size()) return Look::maybe;
        if (b[i] != kTag[i]) return Look::no;
    }
    // protoversion: digits '.' digits, then '-'
    int part = 0;
    std::size_t digits = 0;
    for (; i < b.size() && i < 32; ++i) {
        const std::uint8_t c = b[i];
        if (is_digit(c)) {
            ++digits;
        } else if (c == '.' && part == 0 && digits) {
            part = 1;
            digits = 0;
        } else if (c == '-' && part == 1 && digits) {
            return Look::ssh;
        } else {
            return Look::no;
        }
    }
    return i >= 32 ? Look::no : Look::maybe;
}

bool text_byte(std::uint8_t c) { return c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\r' || c == 0x1b); }

Look look_direction(Bytes b) {
    if (b.empty()) return Look::maybe;
    std::size_t pos = 0;
    bool prelines = false;
    while (pos < b.size()) {
        const Bytes rest = b.subspan(pos);
        const Look id = look_ident(rest);
        if (id == Look::ssh) return Look::ssh;
        if (id == Look::maybe) return prelines ? Look::maybe_prelines : Look::maybe;
        // Another line (RFC 4253 4.2: the server may send lines before its
        // identification). It must be text.
        std::size_t n = 0;
        while (n < rest.size() && rest[n] != '\n') {
            if (!text_byte(rest[n])) return Look::no;
            ++n;
        }
        prelines = true;
        if (n == rest.size()) return Look::maybe_prelines;  // line not finished
        pos += n + 1;
    }
    return Look::maybe_prelines;
}

// Weird kinds, one bit each, reported once per direction.
enum WeirdKind : unsigned {
    kWLineTooLong = 0,
    kWIdentOver255,
    kWPreBannerTooLong,
    kWPacketLength,
    kWPadding,
    kWKexinit,
    kWKexReply,
    kWBuffer,
};

std::string_view dir_name(Dir d) { return d == Dir::orig ? "orig" : "resp"; }

bool printable_name(std::string_view s) {
    if (s.empty() || s.size() > 128) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f && c != ','; });
}

// Zeek's find_alg / find_bidirectional_alg text.
std::string zeek_alg(std::string_view c2s, std::string_view s2c) {
    static constexpr std::string_view kFail = "Algorithm negotiation failed";
    std::string a(c2s.empty() ? kFail : c2s);
    std::string b(s2c.empty() ? kFail : s2c);
    if (a == b) return a;
    return "To server: " + a + ", to client: " + b;
}

}  // namespace

std::span<const std::uint16_t> SshFactory::ports() const { return kPorts; }

ProbeResult ssh_probe(const ProbeInput& in) {
    if (in.gap) return ProbeResult::reject;  // the identification lines are gone
    const Look o = look_direction(in.orig);
    const Look r = look_direction(in.resp);
    if (o == Look::ssh || r == Look::ssh) return ProbeResult::accept;
    if (o == Look::no || r == Look::no) {
        // The other side could still be an SSH server with pre-banner lines
        // whose peer did not start with SSH-: not possible, the client
        // starts with its identification. A non-text side ends it.
        return ProbeResult::reject;
    }
    // Only the server may send other lines first.
    if (o == Look::maybe_prelines && r == Look::maybe_prelines) return ProbeResult::reject;
    return in.final ? ProbeResult::reject : ProbeResult::need_more;
}

std::optional<std::uint32_t> ssh_zeek_version(std::string_view c, std::string_view s) {
    if (c.size() <= 4 || s.size() <= 4) return std::nullopt;
    const auto is199 = [](std::string_view v) { return v.size() > 7 && v[6] == '9' && v[7] == '9'; };
    if (c[4] == '1' && s[4] == '2') return is199(c) ? 2u : 0u;
    if (c[4] == '2' && s[4] == '1') return is199(s) ? 2u : 0u;
    if (c[4] == '1' && s[4] == '1') return is199(s) ? (is199(c) ? 2u : 1u) : 1u;
    if (c[4] == '2' && s[4] == '2') return 2u;
    return std::nullopt;
}

SshDissector::SshDissector(const ConnId& id, EventSink& sink, const SshConfig& cfg, const CidrSet& local_nets)
    : id_(id), sink_(sink), cfg_(cfg), local_nets_(local_nets) {}

std::uint64_t SshDissector::on_data(Dir d, Bytes data, Timestamp ts) {
    if (data.empty()) return 0;
    Side& s = side_[idx(d)];
    last_ts_ = ts;
    switch (s.phase) {
        case Phase::encrypted:
            on_encrypted(d, data.size());
            return 0;
        case Phase::stopped:
            return kSkipAll;
        case Phase::ident:
        case Phase::packets:
            break;
    }
    // Handshake: keep the unframed part. Bounded: a line or packet longer
    // than its cap stops this direction before the buffer grows past it.
    const std::size_t cap = s.buf.capacity();
    s.buf.insert(s.buf.end(), data.begin(), data.end());
    if (s.buf.capacity() != cap) recharge();  // grown: a counter add, not per packet
    if (s.phase == Phase::ident) feed_ident(d, ts);
    if (s.phase == Phase::packets) feed_packets(d, ts);
    return s.phase == Phase::stopped ? kSkipAll : 0;
}

void SshDissector::feed_ident(Dir d, Timestamp ts) {
    Side& s = side_[idx(d)];
    std::size_t pos = 0;
    while (s.phase == Phase::ident) {
        const Bytes rest = Bytes(s.buf).subspan(pos);
        const LineScan l = scan_line(rest, cfg_.max_line);
        if (l.status == LineScan::Status::need_more) break;
        if (l.status == LineScan::Status::too_long) {
            weird(d, kWLineTooLong, "SSH_identification_line_too_long", std::to_string(cfg_.max_line), ts);
            stop(d);
            return;
        }
        const std::string_view line = as_chars(rest.first(l.content_len));
        pos += l.total_len;
        if (is_ident_line(line)) {
            if (l.total_len > 255)
                weird(d, kWIdentOver255, "SSH_identification_over_255_bytes", std::to_string(l.total_len), ts);
            on_ident(d, line, ts);
            break;
        }
        s.pre_banner += l.total_len;
        if (s.pre_banner > cfg_.max_pre_banner) {
            weird(d, kWPreBannerTooLong, "SSH_pre_banner_lines_too_long", std::to_string(s.pre_banner), ts);
            stop(d);
            return;
        }
    }
    if (s.phase == Phase::stopped) return;
    s.buf.erase(s.buf.begin(), s.buf.begin() + static_cast<std::ptrdiff_t>(pos));
}

void SshDissector::on_ident(Dir d, std::string_view line, Timestamp ts) {
    Side& s = side_[idx(d)];
    Side& peer = side_[idx(other(d))];
    if (!confirmed_) first_ts_ = ts;
    confirmed_ = true;
    s.have_ident = true;
    s.ident.assign(line);
    const auto parsed = parse_ident(line);
    s.proto = parsed ? ident_protocol(parsed->proto_version) : 0;
    // SSH-1 speaks another packet format (not parsed); 1.99 speaks 2 unless
    // the peer announced 1.x only.
    const bool v2 = s.proto == 2 || (s.proto == 199 && !(peer.have_ident && peer.proto == 1));
    if (v2) s.phase = Phase::packets;
    else stop(d);
    if (s.proto == 1 && peer.proto == 199 && peer.phase == Phase::packets) stop(other(d));
}

void SshDissector::feed_packets(Dir d, Timestamp ts) {
    Side& s = side_[idx(d)];
    ByteReader r{Bytes(s.buf)};
    while (s.phase == Phase::packets) {
        const PacketHeaderCheck c = check_packet_header(r.rest(), cfg_.max_packet);
        if (c.status == PacketHeaderCheck::Status::bad_length) {
            weird(d, kWPacketLength, "SSH_packet_length_invalid", std::to_string(c.packet_length), ts);
            stop(d);
            return;
        }
        if (c.status == PacketHeaderCheck::Status::bad_padding) {
            weird(d, kWPadding, "SSH_padding_length_invalid", std::to_string(c.packet_length), ts);
            stop(d);
            return;
        }
        if (c.status == PacketHeaderCheck::Status::need_more || r.remaining() < c.total) break;
        auto pkt = parse_binary_packet(r, cfg_.max_packet);
        if (!pkt) break;  // cannot happen after the checks above
        const std::uint8_t code = pkt->payload[0];
        on_packet(d, pkt->payload, ts);
        if (code == kMsgNewkeys) {
            // Everything after NEWKEYS is encrypted, including the rest of
            // the segment that carried it.
            s.phase = Phase::encrypted;
            const std::size_t left = r.remaining();
            s.buf.clear();
            s.buf.shrink_to_fit();
            recharge();
            if (left) on_encrypted(d, left);
            return;
        }
    }
    s.buf.erase(s.buf.begin(), s.buf.end() - static_cast<std::ptrdiff_t>(r.remaining()));
}

void SshDissector::on_packet(Dir d, Bytes payload, Timestamp ts) {
    Side& s = side_[idx(d)];
    const std::uint8_t code = payload[0];
    const bool gss = negotiated(kKexAlgorithms).starts_with("gss-");
    switch (code) {
        case kMsgKexinit: {
            if (s.have_kexinit) break;  // re-keying is encrypted; keep the first
            const auto k = parse_kexinit(payload);
            if (!k) {
                weird(d, kWKexinit, "SSH_kexinit_malformed", std::to_string(payload.size()), ts);
                break;
            }
            s.have_kexinit = true;
            for (int i = 0; i < kKexListCount; ++i) s.lists[static_cast<std::size_t>(i)].assign(k->lists[static_cast<std::size_t>(i)]);
            recharge();
            break;
        }
        case kMsgKex30:
            set_server(other(d));  // KEXDH_INIT / ECDH_INIT / GEX_REQUEST_OLD / KEXGSS_INIT
            break;
        case kMsgKex32:
        case kMsgKex34:
            if (!gss) set_server(other(d));  // GEX_INIT / GEX_REQUEST
            break;
        case kMsgKex31:
        case kMsgKex33: {
            if (gss) break;  // GSS-API kex: 31 and 33 mean other things
            set_server(d);
            if (!host_key_fp_.empty()) break;
            // With group exchange, 31 is the group (p, g), 33 the reply.
            const std::string_view kex = negotiated(kKexAlgorithms);
            const bool gex = kex.starts_with("diffie-hellman-group-exchange");
            if (code == kMsgKex31 && gex) break;
            if (code == kMsgKex33 && !gex && !kex.empty()) break;
            const auto rep = parse_kex_reply_host_key(payload);
            if (!rep || !printable_name(rep->key_type)) {
                weird(d, kWKexReply, "SSH_kex_reply_malformed", std::to_string(payload.size()), ts);
                break;
            }
            host_key_type_.assign(rep->key_type);
            host_key_fp_ = sha256_fingerprint(rep->host_key);
            break;
        }
        default:
            break;
    }
}

void SshDissector::ensure_framing() {
    if (framing_ready_) return;
    const Side& c = side_[idx(client_dir())];
    const Side& sv = side_[idx(other(client_dir()))];
    if (!c.have_kexinit || !sv.have_kexinit) return;
    framing_ready_ = true;
    framing_[0] = framing_for(negotiated(kEncryptionC2S), negotiated(kMacC2S));
    framing_[1] = framing_for(negotiated(kEncryptionS2C), negotiated(kMacS2C));
    // A keystroke: CHANNEL_DATA with up to 8 data bytes (a key, or an
    // escape sequence such as an arrow key).
    for (int i = 0; i < 2; ++i) keystroke_max_[static_cast<std::size_t>(i)] = wire_size(framing_[static_cast<std::size_t>(i)], kChannelDataHeader + 8);
    // Zeek's rule: no auth verdict from sizes when compression is on from
    // the start. zlib@openssh.com starts only after USERAUTH_SUCCESS, so the
    // authentication packets keep their sizes.
    if (negotiated(kCompressionC2S) == "zlib" || negotiated(kCompressionS2C) == "zlib") auth_off_ = true;
}

void SshDissector::on_encrypted(Dir d, std::uint64_t len) {
    Side& s = side_[idx(d)];
    s.enc_bytes += len;
    ++s.enc_chunks;
    ensure_framing();
    const bool from_client = d == client_dir();
    const std::size_t role = from_client ? 0 : 1;
    all_[role].add(len, keystroke_max_[role]);
    if (auth_.succeeded()) {
        post_[role].add(len, keystroke_max_[role]);
        return;
    }
    if (auth_off_ || auth_gap_) return;
    if (from_client) auth_.on_client_chunk();
    else auth_.on_server_chunk(len);
}

void SshDissector::on_gap(Dir d, std::uint64_t len, bool, Timestamp) {
    Side& s = side_[idx(d)];
    if (s.phase == Phase::encrypted) {
        // The bytes were sent: they count as volume, but their sizes are
        // unknown, so the auth heuristic stops if it has not decided.
        s.enc_bytes += len;
        const std::size_t role = d == client_dir() ? 0 : 1;
        all_[role].add_gap(len);
        if (auth_.succeeded()) post_[role].add_gap(len);
        else auth_gap_ = true;
        return;
    }
    // Lost framing in the handshake: nothing more can be parsed here.
    if (s.phase != Phase::stopped) stop(d);
    if (!auth_.succeeded()) auth_gap_ = true;
}

void SshDissector::stop(Dir d) {
    Side& s = side_[idx(d)];
    s.phase = Phase::stopped;
    s.buf.clear();
    s.buf.shrink_to_fit();
    recharge();
}

void SshDissector::weird(Dir d, unsigned kind, std::string_view name, std::string addl, Timestamp ts) {
    Side& s = side_[idx(d)];
    if (s.weirds & (1u << kind)) return;
    s.weirds |= 1u << kind;
    WeirdEvent w;
    w.ts = ts;
    w.id = id_;
    w.name.assign(name);
    w.addl = std::string(dir_name(d)) + ": " + addl;
    w.source = "SSH";
    sink_.on_event(Event{std::move(w)});
}

std::string_view SshDissector::negotiated(int list) const {
    const Side& c = side_[idx(client_dir())];
    const Side& s = side_[idx(other(client_dir()))];
    if (!c.have_kexinit || !s.have_kexinit) return {};
    const int client = idx(client_dir());
    if (negotiated_client_ != client) {
        for (std::size_t i = 0; i < negotiated_.size(); ++i) negotiated_[i] = negotiate(c.lists[i], s.lists[i]);
        negotiated_client_ = client;
        ++negotiations_;
    }
    return negotiated_[static_cast<std::size_t>(list)];
}

void SshDissector::on_flow_end(Timestamp ts) {
    if (emitted_ || !confirmed_) return;
    emitted_ = true;
    if (last_ts_ == 0) last_ts_ = ts;
    sink_.on_event(Event{build_event()});
}

SshEvent SshDissector::build_event() const {
    SshEvent e;
    const Dir cd = client_dir();
    const Side& c = side_[idx(cd)];
    const Side& s = side_[idx(other(cd))];
    e.ts = first_ts_;
    e.id = id_;
    e.duration = last_ts_ > first_ts_ ? last_ts_ - first_ts_ : 0;
    e.client_h = cd == Dir::orig ? id_.orig_h : id_.resp_h;
    e.server_h = cd == Dir::orig ? id_.resp_h : id_.orig_h;
    if (c.have_ident) e.client = c.ident;
    if (s.have_ident) e.server = s.ident;
    if (c.have_ident && s.have_ident) e.version = ssh_zeek_version(e.client, e.server);
    if (!local_nets_.empty()) {
        const bool cl = local_nets_.contains(e.client_h), sl = local_nets_.contains(e.server_h);
        if (cl != sl) e.direction = cl ? "OUTBOUND" : "INBOUND";
    }
    if (c.have_kexinit) {
        ssh::Kexinit k;
        for (int i = 0; i < kKexListCount; ++i) k.lists[static_cast<std::size_t>(i)] = c.lists[static_cast<std::size_t>(i)];
        e.hassh_algorithms = hassh_algorithms(k, true);
        e.hassh = md5_hex(e.hassh_algorithms);
    }
    if (s.have_kexinit) {
        ssh::Kexinit k;
        for (int i = 0; i < kKexListCount; ++i) k.lists[static_cast<std::size_t>(i)] = s.lists[static_cast<std::size_t>(i)];
        e.hassh_server_algorithms = hassh_algorithms(k, false);
        e.hassh_server = md5_hex(e.hassh_server_algorithms);
    }
    if (c.have_kexinit && s.have_kexinit) {
        e.cipher_alg = zeek_alg(negotiated(kEncryptionC2S), negotiated(kEncryptionS2C));
        e.mac_alg = zeek_alg(negotiated(kMacC2S), negotiated(kMacS2C));
        e.compression_alg = zeek_alg(negotiated(kCompressionC2S), negotiated(kCompressionS2C));
        e.kex_alg = zeek_alg(negotiated(kKexAlgorithms), negotiated(kKexAlgorithms));
        e.host_key_alg = zeek_alg(negotiated(kServerHostKeyAlgorithms), negotiated(kServerHostKeyAlgorithms));
    }
    e.host_key_fingerprint = host_key_fp_;
    e.orig_bytes = side_[0].enc_bytes;
    e.resp_bytes = side_[1].enc_bytes;
    e.orig_pkts = side_[0].enc_chunks;
    e.resp_pkts = side_[1].enc_chunks;

    // Authentication.
    const bool encrypted_both = side_[0].phase == Phase::encrypted && side_[1].phase == Phase::encrypted;
    e.auth_success = auth_.result();
    e.auth_attempts = auth_.attempts();
    if (!e.auth_success) {
        if (e.version && *e.version != 2) e.auth_note = "not SSH2";
        else if (!c.have_ident || !s.have_ident) e.auth_note = "one side not seen";
        else if (auth_off_) e.auth_note = "compression";
        else if (auth_gap_) e.auth_note = "capture gap";
        else if (!encrypted_both) e.auth_note = "no encrypted session";
        else if (auth_.server_chunks() >= 3) e.auth_note = "unusual sizes";
        else e.auth_note = "incomplete";
    }

    if (encrypted_both && e.auth_success != std::optional<bool>(false)) {
        const TransferVerdict v = transfer_verdict();
        e.inferred.assign(transfer_name(v.kind));
        e.transfer_bytes = v.transfer_bytes;
        e.upload_bytes = v.upload_bytes;
        e.download_bytes = v.download_bytes;
    }
    e.progress_orig_bytes = progress_bytes_[0];
    e.progress_resp_bytes = progress_bytes_[1];
    e.progress_upload_bytes = progress_upload_;
    e.progress_download_bytes = progress_download_;
    return e;
}

ssh::TransferVerdict SshDissector::transfer_verdict() const {
    // Transfer inference: the session after a successful login, or the
    // whole encrypted part when success could not be inferred. A failed
    // login has no session to classify.
    const bool encrypted_both = side_[0].phase == Phase::encrypted && side_[1].phase == Phase::encrypted;
    if (!encrypted_both || auth_.result() == std::optional<bool>(false)) return {};
    TransferConfig tc{cfg_.min_transfer_bytes, cfg_.transfer_ratio, cfg_.min_keystrokes, cfg_.channel_packet};
    const auto& st = auth_.succeeded() ? post_ : all_;
    return classify_transfer(st[0], st[1], framing_[0], framing_[1], tc);
}

void SshDissector::on_tick(Timestamp t, const TickState&) {
    // Every encrypted byte is counted as it is delivered: nothing is skipped.
    if (!confirmed_ || emitted_) return;
    const std::uint64_t o = side_[0].enc_bytes - progress_bytes_[0], r = side_[1].enc_bytes - progress_bytes_[1];
    if (!o && !r) return;
    ProgressEvent ev;
    ev.ts = t;
    ev.id = id_;
    ev.kind = ProgressEvent::Kind::ssh;
    const Dir cd = client_dir();
    ev.client_h = cd == Dir::orig ? id_.orig_h : id_.resp_h;
    ev.server_h = cd == Dir::orig ? id_.resp_h : id_.orig_h;
    ev.bytes[0] = o;
    ev.bytes[1] = r;
    progress_bytes_[0] = side_[0].enc_bytes;
    progress_bytes_[1] = side_[1].enc_bytes;
    // So far it looks like a transfer: its bytes move data now. While it
    // looks interactive (or cannot be classified yet) only volume counts;
    // the close event settles the rest with the final inference.
    const TransferVerdict v = transfer_verdict();
    if (v.kind != Transfer::none && v.kind != Transfer::interactive) {
        if (v.upload_bytes > progress_upload_) ev.upload = v.upload_bytes - progress_upload_;
        if (v.download_bytes > progress_download_) ev.download = v.download_bytes - progress_download_;
        progress_upload_ += ev.upload;
        progress_download_ += ev.download;
    }
    sink_.on_event(Event{std::move(ev)});
}

void SshDissector::recharge() {
    std::size_t n = sizeof(*this);
    for (const Side& s : side_) {
        n += s.buf.capacity() + s.ident.capacity();
        for (const std::string& l : s.lists) n += l.capacity();
    }
    charge_.set(static_cast<std::int64_t>(n));
}

}  // namespace sw
