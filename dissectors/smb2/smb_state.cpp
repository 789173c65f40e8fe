#include "dissectors/smb2/smb_state.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "capture/uid.h"
#include "dissectors/smb2/smb_strings.h"

namespace sw::smb {

namespace {

constexpr std::uint64_t kFree = ~std::uint64_t{0};

std::uint64_t smb1_key(std::uint8_t command, std::uint32_t pid, std::uint16_t mid) {
    return (std::uint64_t{1} << 63) | (std::uint64_t{command} << 48) | (std::uint64_t{pid} << 16) | mid;
}

bool smb1_is_andx(std::uint8_t c) {
    switch (c) {
        case smb1::session_setup_andx: case smb1::tree_connect_andx: case smb1::nt_create_andx:
        case smb1::read_andx: case smb1::write_andx: case smb1::logoff_andx:
        case 0x24: /* LOCKING_ANDX */ case smb1::open_andx:
            return true;
        default:
            return false;
    }
}

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

std::string last_component(const std::string& path) {
    auto p = path.find_last_of('\\');
    return p == std::string::npos ? path : path.substr(p + 1);
}

std::uint8_t smb1_share_type(std::string_view service) {
    if (service == "A:") return share_type::disk;
    if (service == "IPC") return share_type::pipe;
    if (service.substr(0, 3) == "LPT") return share_type::print;
    return 0;
}

void sub_sat(std::uint64_t& v, std::uint64_t n) { v = v > n ? v - n : 0; }

}  // namespace

// ---- small helpers --------------------------------------------------------

void RangeSet::add(std::uint64_t b, std::uint64_t e) {
    if (e <= b) return;
    // Fast path: extends (or lies inside) the last range touched.
    for (std::size_t i = n_; i-- > 0;) {
        if (b <= end_[i] && e >= begin_[i]) {
            begin_[i] = std::min(begin_[i], b);
            end_[i] = std::max(end_[i], e);
            // Merge neighbours the grown range now touches.
            for (std::size_t j = 0; j < n_;) {
                if (j != i && begin_[j] <= end_[i] && end_[j] >= begin_[i]) {
                    begin_[i] = std::min(begin_[i], begin_[j]);
                    end_[i] = std::max(end_[i], end_[j]);
                    begin_[j] = begin_[n_ - 1];
                    end_[j] = end_[n_ - 1];
                    if (i == n_ - 1) i = j;
                    --n_;
                    --count_;
                    continue;
                }
                ++j;
            }
            return;
        }
    }
    ++count_;
    if (n_ < kMax) {
        begin_[n_] = b;
        end_[n_] = e;
        ++n_;
    } else {
        // Too many to track: remember the newest in place of the oldest slot.
        std::memmove(begin_, begin_ + 1, (kMax - 1) * sizeof(begin_[0]));
        std::memmove(end_, end_ + 1, (kMax - 1) * sizeof(end_[0]));
        begin_[kMax - 1] = b;
        end_[kMax - 1] = e;
    }
}

std::size_t SniffSample::contiguous() const {
    std::size_t n = 0;
    while (n < kSniffBytes && have[n]) ++n;
    return n;
}

SmbStats& SmbStats::operator+=(const SmbStats& o) {
    requests += o.requests;
    responses += o.responses;
    unmatched_responses += o.unmatched_responses;
    transform_msgs += o.transform_msgs;
    compressed_msgs += o.compressed_msgs;
    smb1_msgs += o.smb1_msgs;
    files_emitted += o.files_emitted;
    return *this;
}

void SmbStats::for_each_counter(const CounterFn& fn) const {
    fn("requests", requests);
    fn("responses", responses);
    fn("unmatched_responses", unmatched_responses);
    fn("transform_msgs", transform_msgs);
    fn("compressed_msgs", compressed_msgs);
    fn("smb1_msgs", smb1_msgs);
    fn("files_emitted", files_emitted);
}

// ---- construction / StreamConsumer -----------------------------------------

SmbConnection::SmbConnection(const ConnId& id, EventSink& sink, const SmbConfig& cfg, SmbDirectory* dir,
                             SmbTotals* totals)
    : id_(id),
      sink_(sink),
      cfg_(cfg),
      dir_(dir),
      totals_(totals),
      framer_{SmbFramer(Dir::orig, cfg.max_pdu_buffer, *this), SmbFramer(Dir::resp, cfg.max_pdu_buffer, *this)},
      files_(0, FileKeyHash{cfg.hash}) {
    // The flow's orientation (conn.log's) is the truth: orig is the client.
    // Until a NEGOTIATE response names the server (its GUID), its address does.
    const auto& a = id.resp_h.bytes();
    std::copy(a.begin(), a.end(), server_key_.bytes.begin());
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : id.uid()) h = (h ^ static_cast<std::uint8_t>(c)) * 0x100000001b3ull;
    uid_hash_ = h;
}

SmbConnection::~SmbConnection() {
    if (!totals_) return;
    totals_->smb += stats_;
    totals_->framer += framer_[0].stats();
    totals_->framer += framer_[1].stats();
}

std::uint64_t SmbConnection::on_data(Dir d, Bytes data, Timestamp ts) {
    return framer_[idx(d)].on_data(data, ts);
}

void SmbConnection::on_gap(Dir d, std::uint64_t len, bool framing_intact, Timestamp ts) {
    framer_[idx(d)].on_gap(len, framing_intact, ts);
}

void SmbConnection::on_flow_end(Timestamp ts) {
    framer_[0].finish(ts);
    framer_[1].finish(ts);
    // Authentications whose verdict never came.
    for (std::size_t i = 0; i < pending_.size(); ++i) {
        if (pending_keys_[i] == kFree || !pending_[i].ntlm_auth) continue;
        emit_ntlm(pending_[i], find_session(pending_[i].session_id), std::nullopt);
        pending_[i].ntlm_auth = false;
    }
    // Handles still open, in the order they were opened.
    std::vector<std::pair<std::uint64_t, FileKey>> open;
    open.reserve(files_.size());
    for (auto& [k, f] : files_) open.push_back({f->seq, k});
    std::sort(open.begin(), open.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [seq, k] : open) release_file(k, ts, false);
    files_.clear();
    std::sort(sessions_.begin(), sessions_.end(),
              [](const SessionState& a, const SessionState& b) { return a.seq < b.seq; });
    for (auto& s : sessions_) emit_session(s, ts);
    sessions_.clear();
    trees_.clear();
}

// ---- framer callbacks ---------------------------------------------------------

void SmbConnection::on_pdu(Dir d, const PduInfo& p, Timestamp ts) {
    switch (p.magic) {
        case Magic::smb2: smb2_pdu(d, p, ts); break;
        case Magic::transform: transform_pdu(d, p, ts); break;
        case Magic::compressed: compressed_pdu(d, p, ts); break;
        case Magic::smb1: smb1_pdu(d, p, ts); break;
        default: break;
    }
}

void SmbConnection::on_framing_weird(Dir d, const char* name, std::uint64_t value, Timestamp ts) {
    char addl[64];
    std::snprintf(addl, sizeof(addl), "%s %llu", d == Dir::orig ? "orig" : "resp",
                  static_cast<unsigned long long>(value));
    weird(name, addl, ts);
}

void SmbConnection::on_resync(Dir d, Timestamp ts) {
    if (d == Dir::orig) chain_ = {};  // the requests' direction
    weird("smb_lost_framing", d == Dir::orig ? "orig" : "resp", ts);
}

StreamWants SmbConnection::on_stream_begin(Dir d, const PduInfo& p, DataRegion data, Timestamp ts) {
    stream_[idx(d)] = {};
    if (p.magic == Magic::smb2) {
        Smb2Header h;
        if (!parse_smb2_header(p.bytes, h)) return {};
        confirmed_ = true;
        if (!h.response()) {  // WRITE request
            ++stats_.requests;
            std::uint64_t sid = h.session_id;
            std::uint32_t tid = h.tree_id;
            bool related = h.related() && !p.first_in_message;
            if (related) {
                if (sid == kAllOnes64 || sid == 0) sid = chain_.session_id;
                if (tid == kAllOnes32 || tid == 0) tid = chain_.tree_id;
            }
            WriteRequest w;
            parse_write_request(p.bytes, w);
            bool has_file = true;
            FileKey fk{w.file_id.persistent, w.file_id.volatile_, FileKey::smb2};
            if (w.file_id.all_ones()) {
                has_file = related && chain_.has_file;
                fk = chain_.file;
            }
            chain_ = {sid, tid, has_file, fk};
            if (sid != 0 && sid != kAllOnes64) session(sid, ts);
            Pending& pe = add_pending(h.message_id, cmd::write, ts);
            pe.session_id = sid;
            pe.tree_id = tid;
            pe.has_file = has_file;
            pe.file = fk;
            pe.offset = w.offset;
            pe.length = data.length;
            if (!has_file) return {};
            FileState* f = file_for_io(fk, sid, tid, ts);
            if (!f) return {};
            account_write(*f, w.offset, data.length, {}, ts);
            stream_[idx(d)] = {true, true, true, fk, w.offset, data.length};
            return sniff_wants(*f, w.offset, data.length);
        }
        // READ response
        ++stats_.responses;
        Pending* pe = find_pending(h.message_id);
        if (!pe || pe->command != cmd::read) {
            ++stats_.unmatched_responses;
            return {};
        }
        if (FileState* f = pe->has_file ? find_file(pe->file) : nullptr) {
            f->bytes_read += data.length;
            if (SessionState* s = find_session(f->session_id)) s->bytes_read += data.length;
            stream_[idx(d)] = {true, false, true, pe->file, pe->offset, data.length};
        }
        drop_pending(*pe);
        return {};
    }
    if (p.magic == Magic::smb1) {
        Smb1Header h;
        Smb1Block b;
        if (!parse_smb1_header(p.bytes, h) || !parse_smb1_block(p.bytes, kSmb1HeaderSize, true, b)) return {};
        confirmed_ = true;
        ++stats_.smb1_msgs;
        if (dialect_.empty()) dialect_ = "SMB1";
        if (!h.reply()) {
            ++stats_.requests;
            Smb1WriteRequest w;
            parse_smb1_write_andx_request(p.bytes, b, w);
            FileKey fk{w.fid, 0, FileKey::smb1};
            Pending& pe = add_pending(smb1_key(smb1::write_andx, h.pid_full, h.mid), smb1::write_andx, ts);
            pe.smb1 = true;
            pe.session_id = h.uid;
            pe.tree_id = h.tid;
            pe.has_file = true;
            pe.file = fk;
            pe.length = data.length;
            FileState* f = file_for_io(fk, h.uid, h.tid, ts);
            if (!f) return {};
            account_write(*f, w.offset, data.length, {}, ts);
            stream_[idx(d)] = {true, true, true, fk, w.offset, data.length};
            return sniff_wants(*f, w.offset, data.length);
        }
        ++stats_.responses;
        Pending* pe = find_pending(smb1_key(smb1::read_andx, h.pid_full, h.mid));
        if (!pe) {
            ++stats_.unmatched_responses;
            return {};
        }
        if (FileState* f = pe->has_file ? find_file(pe->file) : nullptr) {
            f->bytes_read += data.length;
            if (SessionState* s = find_session(f->session_id)) s->bytes_read += data.length;
            stream_[idx(d)] = {true, false, true, pe->file, pe->offset, data.length};
        }
        drop_pending(*pe);
    }
    return {};
}

void SmbConnection::on_stream_data(Dir d, std::uint64_t pos, Bytes b) {
    const Stream& st = stream_[idx(d)];
    if (!st.active || !st.write || !st.has_file) return;
    FileState* f = find_file(st.file);
    if (!f || !f->sniff) return;
    fill_sniff(*f->sniff, st.file_offset + pos, b);
}

void SmbConnection::on_stream_missed(Dir d, std::uint64_t n) {
    const Stream& st = stream_[idx(d)];
    if (!st.active || !st.has_file) return;
    if (FileState* f = find_file(st.file)) f->missed += n;
}

void SmbConnection::on_stream_end(Dir d, Timestamp) { stream_[idx(d)].active = false; }

// ---- SMB2 ------------------------------------------------------------------

void SmbConnection::smb2_pdu(Dir d, const PduInfo& p, Timestamp ts) {
    Smb2Header h;
    if (auto st = parse_smb2_header(p.bytes, h); !st) {
        weird(st.error, {}, ts);
        return;
    }
    confirmed_ = true;
    if (h.response()) smb2_response(h, p, ts);
    else smb2_request(h, p, ts);
}

void SmbConnection::smb2_request(const Smb2Header& h, const PduInfo& p, Timestamp ts) {
    ++stats_.requests;
    // Compound chains: a related request inherits what it leaves unset.
    std::uint64_t sid = h.session_id;
    std::uint32_t tid = h.tree_id;
    const bool related = h.related() && !p.first_in_message;
    if (related) {
        if (sid == kAllOnes64 || sid == 0) sid = chain_.session_id;
        if (tid == kAllOnes32 || tid == 0) tid = chain_.tree_id;
    }
    bool has_file = false;
    FileKey fk;
    if (auto fid = request_file_id(h.command, p.bytes)) {
        if (fid->all_ones()) {
            if (related && chain_.has_file) {
                fk = chain_.file;
                has_file = true;
            }
        } else {
            fk = {fid->persistent, fid->volatile_, FileKey::smb2};
            has_file = true;
        }
    }
    chain_ = {sid, tid, has_file, fk};
    if (sid != 0 && sid != kAllOnes64) session(sid, ts);  // known from here on (mid-session captures too)
    const Bytes pdu = p.bytes;

    switch (h.command) {
        case cmd::negotiate: {
            NegotiateRequest r;
            if (auto st = parse_negotiate_request(pdu, r); !st) weird_status(st, "NEGOTIATE request", ts);
            add_pending(h.message_id, h.command, ts);
            break;
        }
        case cmd::session_setup: {
            Pending& pe = add_pending(h.message_id, h.command, ts);
            pe.session_id = sid;
            session_setup_request(h, pdu, pe, ts);
            break;
        }
        case cmd::logoff: {
            Pending& pe = add_pending(h.message_id, h.command, ts);
            pe.session_id = sid;
            break;
        }
        case cmd::tree_connect: {
            TreeConnectRequest r;
            if (auto st = parse_tree_connect_request(pdu, r); !st) {
                weird_status(st, "TREE_CONNECT request", ts);
                break;
            }
            std::string path = name_from(r.path, true, ts);
            Pending& pe = add_pending(h.message_id, h.command, ts);
            pe.session_id = sid;
            pe.name = std::move(path);
            break;
        }
        case cmd::tree_disconnect: {
            Pending& pe = add_pending(h.message_id, h.command, ts);
            pe.session_id = sid;
            pe.tree_id = tid;
            break;
        }
        case cmd::create: {
            CreateRequest r;
            if (auto st = parse_create_request(pdu, r); !st) {
                weird_status(st, "CREATE request", ts);
                break;
            }
            std::string name = name_from(r.name, true, ts);
            FileState* f = open_provisional(h.message_id, sid, tid, std::move(name), r.options, ts);
            Pending& pe = add_pending(h.message_id, h.command, ts);
            pe.session_id = sid;
            pe.tree_id = tid;
            pe.has_file = f != nullptr;
            pe.file = {h.message_id, 0, FileKey::provisional};
            chain_.has_file = pe.has_file;
            chain_.file = pe.file;
            break;
        }
        case cmd::close: {
            if (!has_file) break;
            Pending& pe = add_pending(h.message_id, h.command, ts);
            pe.session_id = sid;
            pe.tree_id = tid;
            pe.has_file = true;
            pe.file = fk;
            break;
        }
        case cmd::read: {
            ReadRequest r;
            if (auto st = parse_read_request(pdu, r); !st) {
                weird_status(st, "READ request", ts);
                break;
            }
            if (!has_file) break;
            Pending& pe = add_pending(h.message_id, h.command, ts);
            pe.session_id = sid;
            pe.tree_id = tid;
            pe.has_file = true;
            pe.file = fk;
            pe.offset = r.offset;
            pe.length = r.length;
            if (FileState* f = file_for_io(fk, sid, tid, ts)) ++f->read_ops;
            break;
        }
        case cmd::write: {
            // Streamed writes never come here; this one's head was malformed.
            WriteRequest r;
            if (auto st = parse_write_request(pdu, r); !st) weird_status(st, "WRITE request", ts);
            break;
        }
        case cmd::set_info: {
            if (!has_file) break;
            Pending& pe = add_pending(h.message_id, h.command, ts);
            pe.session_id = sid;
            pe.tree_id = tid;
            pe.has_file = true;
            pe.file = fk;
            set_info_request(h, pdu, pe, ts);
            break;
        }
        default:
            break;
    }
}

void SmbConnection::smb2_response(const Smb2Header& h, const PduInfo& p, Timestamp ts) {
    ++stats_.responses;
    if (h.message_id == kAllOnes64) return;  // unsolicited oplock/lease break
    const Bytes pdu = p.bytes;
    Pending* pe = find_pending(h.message_id);
    if (h.status == status::pending) {  // interim response: the final one follows
        if (pe) pe->interim = true;
        return;
    }
    if (h.command == cmd::negotiate) {
        // Also the answer to an SMB1 NEGOTIATE offering SMB2 (no SMB2 request).
        negotiate_response(h, pdu, ts);
        if (pe && pe->command == cmd::negotiate) drop_pending(*pe);
        return;
    }
    if (!pe) {
        ++stats_.unmatched_responses;
        // Mid-session captures still learn from what the response says.
        if (h.command == cmd::session_setup) session_setup_response(h, pdu, nullptr, ts);
        return;
    }
    if (pe->command != h.command || pe->smb1) {
        weird("smb2_response_command_mismatch", std::string(smb2_command_name(h.command)), ts);
        drop_pending(*pe);
        return;
    }
    switch (h.command) {
        case cmd::session_setup:
            session_setup_response(h, pdu, pe, ts);
            break;
        case cmd::logoff:
            if (!status::is_error(h.status)) session_gone(pe->session_id ? pe->session_id : h.session_id, ts);
            break;
        case cmd::tree_connect:
            if (h.status == status::success) {
                TreeConnectResponse r;
                if (auto st = parse_tree_connect_response(pdu, r); !st) {
                    weird_status(st, "TREE_CONNECT response", ts);
                    break;
                }
                tree_connected(h.session_id ? h.session_id : pe->session_id, h.tree_id, pe->name, r.share_type,
                               r.share_flags & kShareFlagEncryptData, "", "", pe->ts);
            }
            break;
        case cmd::tree_disconnect:
            if (!status::is_error(h.status)) tree_gone(pe->session_id, pe->tree_id, ts);
            break;
        case cmd::create:
            create_response(h, pdu, *pe, ts);
            break;
        case cmd::close: {
            FileState* f = pe->has_file ? find_file(pe->file) : nullptr;
            if (!f) break;
            if (h.status == status::success) {
                CloseResponse r;
                if (auto st = parse_close_response(pdu, r); !st) {
                    weird_status(st, "CLOSE response", ts);
                } else if (r.has_attributes()) {
                    f->close_attrs = true;
                    f->size = r.end_of_file;
                    f->times = r.times;
                    if (r.file_attributes & kAttrDirectory) f->is_directory = true;
                }
            }
            // Closed either way: a failed CLOSE means the handle was not valid.
            close_file(f->key, ts);
            break;
        }
        case cmd::write:
            if (status::is_error(h.status)) {
                // Refused: the bytes did not reach the file.
                if (FileState* f = pe->has_file ? find_file(pe->file) : nullptr) {
                    sub_sat(f->bytes_written, pe->length);
                    if (SessionState* s = find_session(f->session_id)) sub_sat(s->bytes_written, pe->length);
                }
            }
            break;
        case cmd::set_info:
            if (h.status == status::success) set_info_response(h, *pe, ts);
            break;
        default:
            break;
    }
    drop_pending(*pe);
}

void SmbConnection::negotiate_response(const Smb2Header& h, Bytes pdu, Timestamp ts) {
    if (status::is_error(h.status)) return;
    NegotiateResponse r;
    if (auto st = parse_negotiate_response(pdu, r); !st) {
        weird_status(st, "NEGOTIATE response", ts);
        return;
    }
    server_key_.bytes = r.server_guid;
    std::string_view name = dialect_name(r.dialect);
    if (!name.empty()) {
        dialect_ = name;
    } else {
        char buf[16];
        std::snprintf(buf, sizeof(buf), "0x%04x", r.dialect);
        dialect_ = buf;
        weird("smb2_unknown_dialect", buf, ts);
    }
}

void SmbConnection::session_setup_request(const Smb2Header&, Bytes pdu, Pending& pe, Timestamp ts) {
    SessionSetupRequest r;
    if (auto st = parse_session_setup_request(pdu, r); !st) {
        weird_status(st, "SESSION_SETUP request", ts);
        return;
    }
    handle_auth_token(r.security_blob, pe, ts);
}

void SmbConnection::handle_auth_token(Bytes blob, Pending& pe, Timestamp ts) {
    if (blob.empty()) return;
    GssToken t;
    if (auto st = parse_gss_token(blob, t); !st) {
        weird(st.error, {}, ts);
        return;
    }
    pe.mech = t.mech;
    if (t.mech != Mech::ntlmssp || t.ntlmssp.empty()) return;
    NtlmMessage m;
    if (auto st = parse_ntlmssp(t.ntlmssp, m); !st) {
        weird(st.error, {}, ts);
        return;
    }
    if (m.type != ntlm::authenticate) return;
    pe.ntlm_auth = true;
    pe.user = name_from(m.user, m.unicode, ts);
    pe.domain = name_from(m.domain, m.unicode, ts);
    pe.host = name_from(m.workstation, m.unicode, ts);
}

void SmbConnection::session_setup_response(const Smb2Header& h, Bytes pdu, Pending* pe, Timestamp ts) {
    SessionState& s = session(h.session_id, pe ? pe->ts : ts);
    SessionSetupResponse r;
    bool ok = static_cast<bool>(parse_session_setup_response(pdu, r));
    if (ok && (r.session_flags & session_flags::encrypt_data)) s.encrypt_data = true;
    bool guest = ok && (r.session_flags & session_flags::is_guest);
    handle_auth_reply(s, ok ? r.security_blob : Bytes{}, h.status, pe, guest, ts);
    if (status::is_error(h.status) && h.status != status::more_processing) drop_failed_session(h.session_id);
}

void SmbConnection::drop_failed_session(std::uint64_t sid) {
    // A refused logon leaves no session behind on the server; unless it was
    // already in use (a re-authentication), forget it without a row.
    auto it = std::find_if(sessions_.begin(), sessions_.end(), [&](const SessionState& s) { return s.id == sid; });
    if (it == sessions_.end() || it->encrypted || it->bytes_written || it->bytes_read) return;
    for (const auto& t : trees_)
        if (t.session_id == sid) return;
    sessions_.erase(it);
}

void SmbConnection::handle_auth_reply(SessionState& s, Bytes blob, std::uint32_t st, Pending* pe, bool guest,
                                      Timestamp ts) {
    GssToken t;
    if (!blob.empty()) {
        if (auto ps = parse_gss_token(blob, t); !ps) weird(ps.error, {}, ts);
    }
    if (t.mech == Mech::ntlmssp && !t.ntlmssp.empty()) {
        NtlmMessage m;
        if (auto ps = parse_ntlmssp(t.ntlmssp, m); !ps) {
            weird(ps.error, {}, ts);
        } else if (m.type == ntlm::challenge) {
            s.srv_nb = name_from(m.nb_computer, true, ts);
            s.srv_dns = name_from(m.dns_computer, true, ts);
            s.srv_tree = name_from(m.dns_tree, true, ts);
        }
    }
    if (t.mech == Mech::kerberos || (pe && pe->mech == Mech::kerberos)) s.kerberos = true;
    if (st == status::more_processing) return;
    if (st == status::success) {
        s.guest = guest;
        if (pe && !pe->user.empty())
            s.username = pe->domain.empty() ? pe->user : pe->domain + "\\" + pe->user;
        if (dir_ && !s.username.empty()) dir_->set_username(server_key_, s.id, s.username);
        if (dir_ && s.username.empty()) s.username = dir_->username(server_key_, s.id);
    }
    if (pe && pe->ntlm_auth) {
        emit_ntlm(*pe, &s, st == status::success);
        pe->ntlm_auth = false;
    }
}

void SmbConnection::create_response(const Smb2Header& h, Bytes pdu, Pending& pe, Timestamp ts) {
    FileState* f = pe.has_file ? find_file(pe.file) : nullptr;
    if (h.status != status::success) {
        if (f) files_.erase(FileKey(pe.file));  // never opened (and its related writes failed too)
        return;
    }
    CreateResponse r;
    if (auto st = parse_create_response(pdu, r); !st) {
        weird_status(st, "CREATE response", ts);
        if (f) files_.erase(FileKey(pe.file));
        return;
    }
    FileKey real{r.file_id.persistent, r.file_id.volatile_, FileKey::smb2};
    if (!f) {
        if (FileState* old = find_file(real)) close_file(old->key, ts);
        f = &insert_file(real, ts);
        f->session_id = h.session_id ? h.session_id : pe.session_id;
        f->tree_id = h.tree_id ? h.tree_id : pe.tree_id;
        if (TreeState* t = find_tree(f->session_id, f->tree_id)) f->is_pipe = t->share_type == share_type::pipe;
    } else {
        file_opened(*f, real, ts);
    }
    f->opened = true;
    f->ts = ts;
    f->times = r.times;
    f->size = std::max(r.end_of_file, f->max_end);
    if (r.file_attributes & kAttrDirectory) f->is_directory = true;
    fill_context(*f);
    publish(*f);
}

void SmbConnection::set_info_request(const Smb2Header&, Bytes pdu, Pending& pe, Timestamp ts) {
    SetInfoRequest r;
    if (auto st = parse_set_info_request(pdu, r); !st) {
        weird_status(st, "SET_INFO request", ts);
        pe.info_class = 0;
        return;
    }
    pe.info_class = 0;
    if (r.info_type != info_type::file) return;
    switch (r.info_class) {
        case file_info::rename:
        case file_info::rename_ex: {
            RenameInfo ri;
            if (auto st = parse_rename_info(r.buffer, r.info_class == file_info::rename_ex, ri); !st) {
                weird_status(st, "SET_INFO rename", ts);
                return;
            }
            pe.info_class = file_info::rename;
            pe.name = name_from(ri.name, true, ts);
            break;
        }
        case file_info::disposition:
        case file_info::disposition_ex: {
            bool del = false;
            if (auto st = parse_disposition_info(r.buffer, r.info_class == file_info::disposition_ex, del); !st) {
                weird_status(st, "SET_INFO disposition", ts);
                return;
            }
            pe.info_class = file_info::disposition;
            pe.flag = del;
            break;
        }
        case file_info::end_of_file: {
            std::uint64_t eof = 0;
            if (auto st = parse_end_of_file_info(r.buffer, eof); !st) {
                weird_status(st, "SET_INFO end of file", ts);
                return;
            }
            pe.info_class = file_info::end_of_file;
            pe.eof = eof;
            break;
        }
        default:
            break;
    }
}

void SmbConnection::set_info_response(const Smb2Header&, Pending& pe, Timestamp) {
    FileState* f = pe.has_file ? find_file(pe.file) : nullptr;
    if (!f) return;
    switch (pe.info_class) {
        case file_info::rename:
            if (!f->renamed) f->prev_name = f->name;
            f->name = pe.name;
            f->renamed = true;
            break;
        case file_info::disposition:
            f->delete_pending = pe.flag;
            break;
        case file_info::end_of_file:
            f->size = pe.eof;
            break;
        default:
            break;
    }
}

void SmbConnection::transform_pdu(Dir d, const PduInfo& p, Timestamp ts) {
    TransformHeader th;
    if (auto st = parse_transform_header(p.bytes, th); !st) {
        weird(st.error, {}, ts);
        return;
    }
    confirmed_ = true;
    ++stats_.transform_msgs;
    const std::uint64_t payload = p.wire_len - kTransformHeaderSize;
    if (th.original_size != payload) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "original %u, on the wire %llu", th.original_size,
                      static_cast<unsigned long long>(payload));
        weird("smb3_transform_size_mismatch", buf, ts);
    }
    SessionState& s = session(th.session_id, ts);
    const int r = d == Dir::orig ? 0 : 1;
    ++s.enc_msgs[r];
    s.enc_bytes[r] += payload;
    if (!s.encrypted) {
        s.encrypted = true;
        bool visible = false;
        for (const auto& t : trees_) visible |= t.session_id == s.id && t.encrypt;
        if (!visible && !s.enc_mapping_done) {
            // The trees of this session are hidden: still say a share is in use.
            SmbMappingEvent ev;
            ev.ts = ts;
            ev.id = id_;
            ev.dialect = dialect_;
            ev.username = s.username;
            ev.encrypted = true;
            sink_.on_event(Event{std::move(ev)});
        }
        s.enc_mapping_done = true;
    }
}

void SmbConnection::compressed_pdu(Dir d, const PduInfo& p, Timestamp ts) {
    CompressionHeader ch;
    if (auto st = parse_compression_header(p.bytes, ch); !st) {
        weird(st.error, {}, ts);
        return;
    }
    confirmed_ = true;
    ++stats_.compressed_msgs;
    // What can be read without an LZ decompressor: the uncompressed part in
    // front (unchained: Offset bytes; chained: NONE payloads) and Pattern_V1
    // runs. Windows leaves the SMB2 header and the WRITE/READ fixed part
    // uncompressed, so the command and its length are known either way.
    std::vector<std::uint8_t>& out = decomp_;
    out.clear();
    bool complete = true;
    if (!ch.chained()) {
        std::size_t n = std::min<std::size_t>(ch.offset_or_length, p.bytes.size() - kCompressionHeaderSize);
        auto pre = p.bytes.subspan(kCompressionHeaderSize, n);
        out.assign(pre.begin(), pre.end());
        complete = ch.algorithm == compression::none && !p.truncated();
    } else {
        auto st = for_each_compression_payload(p.bytes, [&](const CompressionPayload& pl) {
            if (pl.algorithm == compression::none) {
                out.insert(out.end(), pl.data.begin(), pl.data.end());
            } else if (pl.algorithm == compression::pattern_v1) {
                std::uint8_t b = 0;
                std::uint32_t n = 0;
                if (!parse_pattern_v1(pl.data, b, n) || out.size() + n > cfg_.max_pdu_buffer) {
                    complete = false;
                    return false;
                }
                out.insert(out.end(), n, b);
            } else {
                complete = false;  // LZNT1 / LZ77 / LZ77+Huffman / LZ4: not decoded
                return false;
            }
            return true;
        });
        if (!st || p.truncated()) complete = false;
    }
    if (out.size() < kSmb2HeaderSize || magic_of(Bytes(out)) != Magic::smb2) {
        weird("smb3_compressed_not_decoded", compression_name(ch.algorithm).data(), ts);
        return;
    }
    Smb2Header h;
    if (!parse_smb2_header(Bytes(out), h)) return;
    const bool write = !h.response() && h.command == cmd::write;
    const bool read = h.response() && h.command == cmd::read;
    PduInfo inner{Magic::smb2, Bytes(out), static_cast<std::uint32_t>(std::max<std::size_t>(ch.original_size, out.size())), true};
    if (write || read) {
        // The data length comes from the uncompressed header; the data itself
        // is only seen (for sniffing) when the whole message could be rebuilt.
        DataRegion r;
        bool ok;
        if (write) {
            WriteRequest w;
            ok = static_cast<bool>(parse_write_request(Bytes(out), w));
            r = w.data();
        } else {
            ReadResponse rr;
            ok = static_cast<bool>(parse_read_response(Bytes(out), rr));
            r = rr.data();
        }
        if (ok) {
            StreamWants wants = on_stream_begin(d, inner, r, ts);
            if (complete && r.offset < out.size()) {
                Bytes data = Bytes(out).subspan(r.offset, std::min<std::size_t>(r.length, out.size() - r.offset));
                for (int k = 0; k < wants.count; ++k) {
                    std::uint64_t b = std::min<std::uint64_t>(wants.begin[k], data.size());
                    std::uint64_t e = std::min<std::uint64_t>(wants.end[k], data.size());
                    if (b < e) on_stream_data(d, b, data.subspan(b, e - b));
                }
            }
            on_stream_end(d, ts);
            return;
        }
    }
    if (!complete) weird("smb3_compressed_not_decoded", compression_name(ch.algorithm).data(), ts);
    smb2_pdu(d, inner, ts);
}

// ---- SMB1 ------------------------------------------------------------------

void SmbConnection::smb1_pdu(Dir d, const PduInfo& p, Timestamp ts) {
    Smb1Header h;
    if (auto st = parse_smb1_header(p.bytes, h); !st) {
        weird(st.error, {}, ts);
        return;
    }
    confirmed_ = true;
    ++stats_.smb1_msgs;
    if (dialect_.empty() && h.command != smb1::negotiate) dialect_ = "SMB1";
    if (h.reply()) ++stats_.responses;
    else ++stats_.requests;
    if (h.uid != 0 && h.command != smb1::negotiate) session(h.uid, ts);
    std::size_t at = kSmb1HeaderSize;
    std::uint8_t command = h.command;
    for (int guard = 0; guard < 16; ++guard) {
        const bool andx = smb1_is_andx(command);
        Smb1Block b;
        if (auto st = parse_smb1_block(p.bytes, at, andx, b); !st) {
            if (!p.truncated()) weird(st.error, std::string(smb1_command_name(command)), ts);
            break;
        }
        if (h.reply()) smb1_response(h, p.bytes, b, command, ts);
        else smb1_request(h, p.bytes, b, command, ts);
        // An error reply ends the chain; so does the last AndX.
        if (!andx || b.andx_command == smb1::no_andx || (h.reply() && h.error())) break;
        if (b.andx_offset <= at || b.andx_offset >= p.bytes.size()) {
            weird("smb1_andx_offset_invalid", std::to_string(b.andx_offset), ts);
            break;
        }
        command = b.andx_command;
        at = b.andx_offset;
    }
}

void SmbConnection::smb1_request(const Smb1Header& h, Bytes msg, const Smb1Block& b, std::uint8_t command,
                                 Timestamp ts) {
    const std::uint64_t key = smb1_key(command, h.pid_full, h.mid);
    auto add = [&](std::uint8_t c) -> Pending& {
        Pending& pe = add_pending(key, c, ts);
        pe.smb1 = true;
        pe.session_id = h.uid;
        pe.tree_id = h.tid;
        return pe;
    };
    switch (command) {
        case smb1::negotiate: {
            Smb1NegotiateRequest r;
            if (auto st = parse_smb1_negotiate_request(b, r); !st) weird(st.error, {}, ts);
            break;
        }
        case smb1::session_setup_andx: {
            Smb1SessionSetupRequest r;
            if (auto st = parse_smb1_session_setup_request(msg, h, b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            Pending& pe = add(command);
            if (r.extended) {
                handle_auth_token(r.security_blob, pe, ts);
            } else {  // plain NT LM 0.12 / LANMAN logon: names in clear
                pe.user = name_from(r.account, r.unicode, ts);
                pe.domain = name_from(r.domain, r.unicode, ts);
            }
            break;
        }
        case smb1::tree_connect_andx: {
            Smb1TreeConnectRequest r;
            if (auto st = parse_smb1_tree_connect_request(msg, h, b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            Pending& pe = add(command);
            pe.name = name_from(r.path, r.unicode, ts);
            pe.service = std::string(r.service);
            break;
        }
        case smb1::nt_create_andx: {
            Smb1NtCreateRequest r;
            if (auto st = parse_smb1_nt_create_request(msg, h, b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            Pending& pe = add(command);
            pe.name = name_from(r.name, r.unicode, ts);
            if (!pe.name.empty() && pe.name.front() == '\\') pe.name.erase(0, 1);
            pe.length = r.options;
            break;
        }
        case smb1::open_andx: {
            Smb1OpenRequest r;
            if (auto st = parse_smb1_open_andx_request(msg, h, b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            Pending& pe = add(command);
            pe.name = name_from(r.name, r.unicode, ts);
            if (!pe.name.empty() && pe.name.front() == '\\') pe.name.erase(0, 1);
            break;
        }
        case smb1::close: {
            Smb1CloseRequest r;
            if (auto st = parse_smb1_close_request(b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            Pending& pe = add(command);
            pe.has_file = true;
            pe.file = {r.fid, 0, FileKey::smb1};
            break;
        }
        case smb1::read_andx: {
            Smb1ReadRequest r;
            if (auto st = parse_smb1_read_andx_request(b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            Pending& pe = add(command);
            pe.has_file = true;
            pe.file = {r.fid, 0, FileKey::smb1};
            pe.offset = r.offset;
            if (FileState* f = file_for_io(pe.file, h.uid, h.tid, ts)) ++f->read_ops;
            break;
        }
        case smb1::write_andx: {
            // Reached only for a WRITE_ANDX chained behind another command.
            Smb1WriteRequest w;
            if (auto st = parse_smb1_write_andx_request(msg, b, w); !st) {
                weird(st.error, {}, ts);
                break;
            }
            std::uint64_t avail = w.data.offset < msg.size() ? msg.size() - w.data.offset : 0;
            std::uint64_t len = std::min<std::uint64_t>(w.data.length, avail);
            Pending& pe = add(command);
            pe.has_file = true;
            pe.file = {w.fid, 0, FileKey::smb1};
            pe.length = len;
            if (FileState* f = file_for_io(pe.file, h.uid, h.tid, ts))
                account_write(*f, w.offset, len, msg.subspan(w.data.offset, static_cast<std::size_t>(len)), ts);
            break;
        }
        case smb1::tree_disconnect:
            add(command);
            break;
        case smb1::logoff_andx:
            add(command);
            break;
        default:
            break;
    }
}

void SmbConnection::smb1_response(const Smb1Header& h, Bytes msg, const Smb1Block& b, std::uint8_t command,
                                  Timestamp ts) {
    Pending* pe = find_pending(smb1_key(command, h.pid_full, h.mid));
    const bool err = h.error();
    switch (command) {
        case smb1::negotiate: {
            if (err) break;
            Smb1NegotiateResponse r;
            if (auto st = parse_smb1_negotiate_response(b, r); !st) weird(st.error, {}, ts);
            else dialect_ = "SMB1";
            break;
        }
        case smb1::session_setup_andx: {
            SessionState& s = session(h.uid, pe ? pe->ts : ts);
            Smb1SessionSetupResponse r;
            bool ok = !err || h.status == status::more_processing;
            if (ok) ok = static_cast<bool>(parse_smb1_session_setup_response(b, r));
            std::uint32_t st = h.status;
            if (!(h.flags2 & smb1::flags2_nt_status) && st != 0) st = status::logon_failure;  // DOS error
            handle_auth_reply(s, ok ? r.security_blob : Bytes{}, st, pe, ok && (r.action & 1), ts);
            if (status::is_error(st) && st != status::more_processing) drop_failed_session(h.uid);
            break;
        }
        case smb1::tree_connect_andx: {
            if (err || !pe) break;
            Smb1TreeConnectResponse r;
            if (auto st = parse_smb1_tree_connect_response(msg, h, b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            std::string fs = name_from(r.native_fs, r.unicode, ts);
            tree_connected(h.uid, h.tid, pe->name, smb1_share_type(r.service), false, r.service, fs, pe->ts);
            break;
        }
        case smb1::nt_create_andx: {
            if (err || !pe) break;
            Smb1NtCreateResponse r;
            if (auto st = parse_smb1_nt_create_response(b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            FileState& f = open_smb1_file(r.fid, *pe, ts);
            f.times = r.times;
            f.size = r.end_of_file;
            f.is_directory = r.directory;
            f.delete_on_close = pe->length & create_options::delete_on_close;
            fill_context(f);
            break;
        }
        case smb1::open_andx: {
            if (err || !pe) break;
            Smb1OpenResponse r;
            if (auto st = parse_smb1_open_andx_response(b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            FileState& f = open_smb1_file(r.fid, *pe, ts);
            f.size = r.size;
            if (r.last_write) f.times.written = (std::uint64_t{r.last_write} + 11644473600ull) * 10000000ull;
            fill_context(f);
            break;
        }
        case smb1::close:
            if (pe && pe->has_file) close_file(pe->file, ts);
            break;
        case smb1::write_andx:
            if (err && pe && pe->has_file) {
                if (FileState* f = find_file(pe->file)) {
                    sub_sat(f->bytes_written, pe->length);
                    if (SessionState* s = find_session(f->session_id)) sub_sat(s->bytes_written, pe->length);
                }
            }
            break;
        case smb1::tree_disconnect:
            if (!err) tree_gone(h.uid, h.tid, ts);
            break;
        case smb1::logoff_andx:
            if (!err) session_gone(h.uid, ts);
            break;
        default:
            break;
    }
    if (pe) drop_pending(*pe);
}

// ---- shared state changes ----------------------------------------------------

void SmbConnection::tree_connected(std::uint64_t sid, std::uint32_t tid, const std::string& path, std::uint8_t type,
                                   bool encrypt, std::string_view service, std::string_view native_fs,
                                   Timestamp req_ts) {
    TreeState* t = nullptr;
    for (auto& x : trees_)
        if (x.session_id == sid && x.tree_id == tid) t = &x;
    if (!t) {
        if (trees_.size() >= cfg_.max_trees) {
            auto oldest = std::min_element(trees_.begin(), trees_.end(),
                                           [](const TreeState& a, const TreeState& b) { return a.seq < b.seq; });
            weird("smb_tree_limit", std::to_string(cfg_.max_trees), req_ts);
            tree_gone(oldest->session_id, oldest->tree_id, req_ts);
        }
        trees_.emplace_back();
        t = &trees_.back();
    }
    t->session_id = sid;
    t->tree_id = tid;
    t->seq = ++seq_;
    t->ts = req_ts;
    t->path = path;
    t->share = last_component(path);
    t->share_type = type;
    t->encrypt = encrypt;
    if (dir_) dir_->publish_tree(server_key_, sid, {tid, path, type, encrypt});
    SessionState* s = find_session(sid);
    SmbMappingEvent ev;
    ev.ts = req_ts;
    ev.id = id_;
    ev.path = path;
    ev.service = std::string(service);
    ev.native_file_system = std::string(native_fs);
    ev.share_type = std::string(share_type_name(type));
    ev.dialect = dialect_;
    ev.username = s ? s->username : std::string();
    ev.encrypted = encrypt || (s && (s->encrypted || s->encrypt_data));
    sink_.on_event(Event{std::move(ev)});
}

void SmbConnection::tree_gone(std::uint64_t sid, std::uint32_t tid, Timestamp ts) {
    std::vector<std::pair<std::uint64_t, FileKey>> gone;
    for (auto& [k, f] : files_)
        if (f->session_id == sid && f->tree_id == tid) gone.push_back({f->seq, k});
    std::sort(gone.begin(), gone.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [seq, k] : gone) close_file(k, ts);
    if (dir_) dir_->remove_tree(server_key_, sid, tid);
    trees_.erase(std::remove_if(trees_.begin(), trees_.end(),
                                [&](const TreeState& t) { return t.session_id == sid && t.tree_id == tid; }),
                 trees_.end());
}

void SmbConnection::session_gone(std::uint64_t sid, Timestamp ts) {
    std::vector<std::pair<std::uint64_t, FileKey>> gone;
    for (auto& [k, f] : files_)
        if (f->session_id == sid) gone.push_back({f->seq, k});
    std::sort(gone.begin(), gone.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [seq, k] : gone) close_file(k, ts);
    if (dir_) dir_->remove_session(server_key_, sid);
    trees_.erase(std::remove_if(trees_.begin(), trees_.end(), [&](const TreeState& t) { return t.session_id == sid; }),
                 trees_.end());
    auto it = std::find_if(sessions_.begin(), sessions_.end(), [&](const SessionState& s) { return s.id == sid; });
    if (it == sessions_.end()) return;
    emit_session(*it, ts);
    sessions_.erase(it);
}

FileState* SmbConnection::open_provisional(std::uint64_t msg_id, std::uint64_t sid, std::uint32_t tid,
                                           std::string name, std::uint32_t options, Timestamp ts) {
    FileKey k{msg_id, 0, FileKey::provisional};
    if (find_file(k)) files_.erase(k);  // a reused MessageId: the old CREATE never got an answer
    FileState& f = insert_file(k, ts);
    f.session_id = sid;
    f.tree_id = tid;
    f.name = name.empty() ? "<share_root>" : std::move(name);
    f.delete_on_close = options & create_options::delete_on_close;
    f.is_directory = options & create_options::directory_file;
    if (TreeState* t = find_tree(sid, tid)) f.is_pipe = t->share_type == share_type::pipe;
    return &f;
}

void SmbConnection::file_opened(FileState& f, const FileKey& real, Timestamp ts) {
    const FileKey old = f.key;
    if (old == real) return;
    if (find_file(real)) {
        weird("smb2_file_id_reused", {}, ts);
        close_file(real, ts);
    }
    auto nh = files_.extract(old);
    nh.key() = real;
    nh.mapped()->key = real;
    files_.insert(std::move(nh));
    publish(f);
    // Related requests of the compound still name the provisional key.
    for (std::size_t i = 0; i < pending_.size(); ++i)
        if (pending_keys_[i] != kFree && pending_[i].has_file && pending_[i].file == old) pending_[i].file = real;
    if (chain_.has_file && chain_.file == old) chain_.file = real;
    for (auto& s : stream_)
        if (s.has_file && s.file == old) s.file = real;
}

FileState* SmbConnection::file_for_io(const FileKey& k, std::uint64_t sid, std::uint32_t tid, Timestamp ts) {
    if (FileState* f = find_file(k)) return f;
    if (k.kind == FileKey::provisional) return nullptr;  // its CREATE failed or was evicted
    // Opened on another channel of the same session: share its state.
    if (dir_ && k.kind == FileKey::smb2) {
        if (auto shared = dir_->find_file(server_key_, sid, k)) {
            make_room(ts);
            FileState* p = shared.get();
            files_[k] = std::move(shared);
            return p;
        }
    }
    // A handle opened before the capture started.
    FileState& f = insert_file(k, ts);
    f.session_id = sid;
    f.tree_id = tid;
    f.smb1 = k.kind == FileKey::smb1;
    if (TreeState* t = find_tree(sid, tid)) f.is_pipe = t->share_type == share_type::pipe;
    return &f;
}

void SmbConnection::account_write(FileState& f, std::uint64_t offset, std::uint64_t len, Bytes visible, Timestamp) {
    ++f.write_ops;
    f.bytes_written += len;
    if (SessionState* s = find_session(f.session_id)) s->bytes_written += len;
    if (len == 0 || f.is_pipe) return;  // a pipe message has no file offset, size or content type
    const std::uint64_t end = offset + len;
    f.ranges.add(offset, end);
    f.max_end = std::max(f.max_end, end);
    if (f.size) f.size = std::max(*f.size, end);
    if (!visible.empty()) {
        sniff_wants(f, offset, len);  // allocates the sample if the write touches it
        if (f.sniff) fill_sniff(*f.sniff, offset, visible);
    }
}

void SmbConnection::fill_sniff(SniffSample& s, std::uint64_t file_offset, Bytes b) {
    for (std::size_t i = 0; i < b.size(); ++i) {
        const std::uint64_t o = file_offset + i;
        if (o < kSniffBytes) {
            if (!s.have[o]) {
                s.head[o] = b[i];
                s.have[o] = true;
            }
        } else if (o >= kIsoMagicOffset && o < kIsoMagicOffset + kIsoMagicLen) {
            s.iso[o - kIsoMagicOffset] = b[i];
            if (o - kIsoMagicOffset == s.iso_have) ++s.iso_have;
        } else if (o > kIsoMagicOffset) {
            break;
        }
    }
}

StreamWants SmbConnection::sniff_wants(FileState& f, std::uint64_t offset, std::uint64_t len) {
    StreamWants w;
    if (len == 0 || f.is_pipe) return w;
    if (offset < kSniffBytes && (!f.sniff || f.sniff->contiguous() < kSniffBytes)) {
        if (!f.sniff) f.sniff = std::make_unique<SniffSample>();
        w.add(0, std::min<std::uint64_t>(len, kSniffBytes - offset));
    }
    if (offset <= kIsoMagicOffset && offset + len >= kIsoMagicOffset + kIsoMagicLen &&
        (!f.sniff || f.sniff->iso_have < kIsoMagicLen)) {
        if (!f.sniff) f.sniff = std::make_unique<SniffSample>();
        w.add(kIsoMagicOffset - offset, kIsoMagicOffset + kIsoMagicLen - offset);
    }
    return w;
}

// A handle an SMB1 NT_CREATE_ANDX or OPEN_ANDX response opened: replaces any
// stale handle with the same FID and takes session, tree and name from the request.
FileState& SmbConnection::open_smb1_file(std::uint16_t fid, const Pending& pe, Timestamp ts) {
    FileKey k{fid, 0, FileKey::smb1};
    if (find_file(k)) close_file(k, ts);
    FileState& f = insert_file(k, ts);
    f.smb1 = true;
    f.session_id = pe.session_id;
    f.tree_id = pe.tree_id;
    f.name = pe.name.empty() ? "<share_root>" : pe.name;
    f.opened = true;
    return f;
}

void SmbConnection::close_file(const FileKey& k, Timestamp ts) { release_file(k, ts, true); }

void SmbConnection::release_file(const FileKey& k, Timestamp ts, bool force_emit) {
    auto it = files_.find(k);
    if (it == files_.end()) return;
    std::shared_ptr<FileState> f = std::move(it->second);
    files_.erase(it);
    for (auto& s : stream_)
        if (s.has_file && s.file == k) s.has_file = false;
    if (f->emitted) return;
    // Held by another channel (use_count counts its table and our local copy):
    // that channel logs it when it is closed there or its connection ends.
    if (!force_emit && f.use_count() > 1) return;
    emit_file(*f, ts);
    f->emitted = true;
    if (dir_ && f->key.kind == FileKey::smb2) dir_->remove_file(server_key_, f->session_id, f->key);
}

void SmbConnection::fill_context(FileState& f) {
    if (f.path.empty()) {
        if (const TreeState* t = find_tree(f.session_id, f.tree_id)) {
            f.path = t->path;
            f.share = t->share;
            f.is_pipe = t->share_type == share_type::pipe;
            f.print = t->share_type == share_type::print;
        }
    }
    if (f.username.empty())
        if (const SessionState* s = find_session(f.session_id)) f.username = s->username;
    if (f.dialect.empty()) f.dialect = dialect_;
}

void SmbConnection::publish(const FileState& f) {
    if (!dir_ || f.key.kind != FileKey::smb2) return;
    auto it = files_.find(f.key);
    if (it != files_.end()) dir_->publish_file(server_key_, f.session_id, it->second);
}

// ---- events -------------------------------------------------------------------

void SmbConnection::emit_file(FileState& f, Timestamp close_ts) {
    if (f.key.kind == FileKey::provisional && f.write_ops == 0 && f.read_ops == 0 && !f.renamed) {
        // A CREATE whose response never came and that saw no I/O: not a handle.
        return;
    }
    fill_context(f);
    if (f.is_pipe && !cfg_.log_pipes) return;
    ++stats_.files_emitted;
    SmbFileEvent ev;
    ev.ts = f.ts;
    ev.close_ts = close_ts;
    ev.id = f.conn;
    ev.fuid = f.fuid;
    ev.path = f.path;
    ev.share = f.share;
    ev.name = f.name;
    ev.prev_name = f.prev_name;
    if (f.size) ev.size = f.close_attrs ? *f.size : std::max(*f.size, f.max_end);
    else if (f.write_ops) ev.size = f.max_end;
    ev.t_modified = filetime_to_us(f.times.written);
    ev.t_accessed = filetime_to_us(f.times.accessed);
    ev.t_created = filetime_to_us(f.times.created);
    ev.t_changed = filetime_to_us(f.times.changed);
    ev.bytes_written = f.bytes_written;
    ev.bytes_read = f.bytes_read;
    ev.write_ranges = f.ranges.count();
    ev.missed_bytes = f.missed;
    if (f.sniff) {
        std::size_t n = f.sniff->contiguous();
        Bytes head(f.sniff->head, n);
        Bytes iso = f.sniff->iso_have == kIsoMagicLen ? Bytes(f.sniff->iso, kIsoMagicLen) : Bytes{};
        ev.content_type = std::string(sniff_content_type(head, iso));
        if (n) ev.entropy = shannon_entropy(head);
    }
    ev.username = f.username;
    ev.dialect = f.dialect;
    ev.is_directory = f.is_directory;
    ev.is_pipe = f.is_pipe;
    ev.deleted = f.delete_on_close || f.delete_pending;
    ev.archive_name = is_archive_name(f.name) || is_archive_name(f.prev_name);
    const char* kind = f.is_pipe ? "PIPE" : f.print ? "PRINT" : "FILE";
    const char* what = ev.deleted && !f.is_pipe ? "DELETE"
                       : f.renamed              ? "RENAME"
                       : f.write_ops            ? "WRITE"
                       : f.read_ops             ? "READ"
                                                : "OPEN";
    if (std::strcmp(what, "DELETE") == 0 || std::strcmp(what, "RENAME") == 0) kind = "FILE";
    ev.action = std::string("SMB::") + kind + "_" + what;
    sink_.on_event(Event{std::move(ev)});
}

void SmbConnection::emit_session(SessionState& s, Timestamp ts) {
    if (s.id == 0) return;
    SmbSessionEvent ev;
    ev.ts = s.ts;
    ev.end_ts = ts;
    ev.id = id_;
    ev.session_id = s.id;
    ev.username = s.username;
    ev.dialect = dialect_;
    ev.kerberos = s.kerberos;
    ev.encrypted = s.encrypted;
    for (int i = 0; i < 2; ++i) {
        ev.encrypted_msgs[i] = s.enc_msgs[i];
        ev.encrypted_bytes[i] = s.enc_bytes[i];
    }
    ev.bytes_written = s.bytes_written;
    ev.bytes_read = s.bytes_read;
    sink_.on_event(Event{std::move(ev)});
}

void SmbConnection::emit_ntlm(const Pending& pe, const SessionState* s, std::optional<bool> success) {
    NtlmEvent ev;
    ev.ts = pe.ts;
    ev.id = id_;
    ev.username = pe.user;
    ev.hostname = pe.host;
    ev.domainname = pe.domain;
    if (s) {
        ev.server_nb_computer_name = s->srv_nb;
        ev.server_dns_computer_name = s->srv_dns;
        ev.server_tree_name = s->srv_tree;
    }
    ev.success = success;
    sink_.on_event(Event{std::move(ev)});
}

// ---- tables ----------------------------------------------------------------------

SessionState* SmbConnection::find_session(std::uint64_t sid) {
    for (auto& s : sessions_)
        if (s.id == sid) return &s;
    return nullptr;
}

SessionState& SmbConnection::session(std::uint64_t sid, Timestamp ts) {
    if (SessionState* s = find_session(sid)) return *s;
    if (sessions_.size() >= cfg_.max_sessions) {
        auto oldest = std::min_element(sessions_.begin(), sessions_.end(),
                                       [](const SessionState& a, const SessionState& b) { return a.seq < b.seq; });
        weird("smb_session_limit", std::to_string(cfg_.max_sessions), ts);
        session_gone(oldest->id, ts);
    }
    sessions_.emplace_back();
    SessionState& s = sessions_.back();
    s.id = sid;
    s.seq = ++seq_;
    s.ts = ts;
    return s;
}

TreeState* SmbConnection::find_tree(std::uint64_t sid, std::uint32_t tid) {
    TreeState* by_tid = nullptr;
    for (auto& t : trees_) {
        if (t.tree_id != tid) continue;
        if (t.session_id == sid) return &t;
        by_tid = &t;
    }
    if (by_tid) return by_tid;  // a tree id seen under another session (mid-stream)
    // Connected on another channel of the session: import it (no mapping row).
    if (dir_ && tid != 0) {
        if (const SmbDirectory::Tree* d = dir_->find_tree(server_key_, sid, tid)) {
            if (trees_.size() >= cfg_.max_trees) return nullptr;
            TreeState t;
            t.session_id = sid;
            t.tree_id = tid;
            t.seq = ++seq_;
            t.path = d->path;
            t.share = last_component(d->path);
            t.share_type = d->share_type;
            t.encrypt = d->encrypt;
            trees_.push_back(std::move(t));
            return &trees_.back();
        }
    }
    return nullptr;
}

FileState* SmbConnection::find_file(const FileKey& k) {
    auto it = files_.find(k);
    return it == files_.end() ? nullptr : it->second.get();
}

void SmbConnection::make_room(Timestamp ts) {
    if (files_.size() < cfg_.max_open_files) return;
    auto oldest = std::min_element(files_.begin(), files_.end(),
                                   [](const auto& a, const auto& b) { return a.second->seq < b.second->seq; });
    weird("smb_open_file_limit", std::to_string(cfg_.max_open_files), ts);
    FileKey victim = oldest->first;
    release_file(victim, ts, false);
}

FileState& SmbConnection::insert_file(const FileKey& k, Timestamp ts) {
    make_room(ts);
    auto& slot = files_[k];
    slot = std::make_shared<FileState>();
    FileState& f = *slot;
    f.key = k;
    f.seq = ++seq_;
    f.ts = ts;
    f.fuid = next_fuid();
    f.conn = id_;
    return f;
}

Pending* SmbConnection::find_pending(std::uint64_t key) {
    for (std::size_t i = 0; i < pending_keys_.size(); ++i)
        if (pending_keys_[i] == key) return &pending_[i];
    return nullptr;
}

Pending& SmbConnection::add_pending(std::uint64_t key, std::uint16_t command, Timestamp ts) {
    std::size_t slot = pending_keys_.size();
    for (std::size_t i = 0; i < pending_keys_.size(); ++i) {
        if (pending_keys_[i] == key) {  // the same MessageId again (retransmission, reuse)
            slot = i;
            --pending_live_;
            break;
        }
        if (pending_keys_[i] == kFree && slot == pending_keys_.size()) slot = i;
    }
    if (slot == pending_keys_.size()) {
        if (pending_live_ >= cfg_.max_pending) {
            std::size_t oldest = 0;
            for (std::size_t i = 1; i < pending_.size(); ++i)
                if (pending_[i].seq < pending_[oldest].seq) oldest = i;
            weird("smb_pending_limit", std::to_string(cfg_.max_pending), ts);
            if (pending_[oldest].ntlm_auth)
                emit_ntlm(pending_[oldest], find_session(pending_[oldest].session_id), std::nullopt);
            slot = oldest;
            --pending_live_;
        } else {
            pending_.emplace_back();
            pending_keys_.push_back(kFree);
        }
    }
    Pending& p = pending_[slot];
    pending_keys_[slot] = key;
    ++pending_live_;
    // Reset, keeping string capacity (no allocation at steady state).
    p.key = key;
    p.seq = ++seq_;
    p.command = command;
    p.smb1 = false;
    p.interim = false;
    p.ts = ts;
    p.session_id = 0;
    p.tree_id = 0;
    p.has_file = false;
    p.file = {};
    p.name.clear();
    p.offset = p.length = p.eof = 0;
    p.info_class = 0;
    p.flag = false;
    p.mech = Mech::none;
    p.ntlm_auth = false;
    p.user.clear();
    p.domain.clear();
    p.host.clear();
    p.service.clear();
    return p;
}

void SmbConnection::drop_pending(Pending& p) {
    std::size_t i = static_cast<std::size_t>(&p - pending_.data());
    if (i >= pending_keys_.size() || pending_keys_[i] == kFree) return;
    pending_keys_[i] = kFree;
    --pending_live_;
}

// ---- misc ------------------------------------------------------------------------

void SmbConnection::weird(const char* name, std::string addl, Timestamp ts) {
    WeirdCount* wc = nullptr;
    for (auto& w : weirds_)
        if (std::strcmp(w.name, name) == 0) wc = &w;
    if (!wc) {
        weirds_.push_back({name, 0});
        wc = &weirds_.back();
    }
    const std::uint64_t n = ++wc->n;
    // Sampled: the 1st, 10th, 100th, ... occurrence per connection.
    std::uint64_t p = 1;
    while (p < n) p *= 10;
    if (p != n) return;
    WeirdEvent w;
    w.ts = ts;
    w.id = id_;
    w.name = name;
    w.addl = std::move(addl);
    if (n > 1) w.addl += (w.addl.empty() ? "" : "; ") + std::to_string(n) + " times";
    w.source = "SMB";
    sink_.on_event(Event{std::move(w)});
}

void SmbConnection::weird_status(const ParseStatus& st, std::string_view what, Timestamp ts) {
    weird(st.error, std::string(what), ts);
}

std::string SmbConnection::name_from(Bytes b, bool unicode, Timestamp ts) {
    std::string out;
    if (!append_name(b, unicode, out, cfg_.max_name_length))
        weird("smb_name_truncated", std::to_string(cfg_.max_name_length), ts);
    return out;
}

std::string SmbConnection::next_fuid() {
    std::uint64_t x = splitmix(uid_hash_ ^ splitmix(++fuid_counter_));
    std::uint64_t y = splitmix(x);
    char buf[40];
    buf[0] = 'F';
    std::size_t n = 1 + base62(x, buf + 1);
    n += base62(y >> 32, buf + n);
    return std::string(buf, n);
}

}  // namespace sw::smb
