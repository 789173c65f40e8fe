// Authentication in SmbConnection: SESSION_SETUP (SMB2 and SMB1), its
// GSS-API/SPNEGO token, NTLMSSP AUTHENTICATE (user, domain, host) and
// CHALLENGE (server names), Kerberos, guest and failed logons.
#include <algorithm>

#include "dissectors/smb2/smb_state.h"
#include "dissectors/smb2/smb_state_internal.h"

namespace sw::smb {

using namespace internal;

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
    AuthArgs& a = pe.as<AuthArgs>();
    a.mech = t.mech;
    if (t.mech != Mech::ntlmssp || t.ntlmssp.empty()) return;
    NtlmMessage m;
    if (auto st = parse_ntlmssp(t.ntlmssp, m); !st) {
        weird(st.error, {}, ts);
        return;
    }
    if (m.type != ntlm::authenticate) return;
    a.ntlm_auth = true;
    name_into(a.user, m.user, m.unicode, ts);
    name_into(a.domain, m.domain, m.unicode, ts);
    name_into(a.host, m.workstation, m.unicode, ts);
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
    SessionState* s = find_session(sid);
    if (!s || s->encrypted || s->bytes_written || s->bytes_read) return;
    bool has_tree = false;
    trees_.for_each([&](const TreeKey&, const TreeState& t) { has_tree |= t.session_id == sid; });
    if (!has_tree) sessions_.erase(sid);
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
            name_into(s.srv_nb, m.nb_computer, true, ts);
            name_into(s.srv_dns, m.dns_computer, true, ts);
            name_into(s.srv_tree, m.dns_tree, true, ts);
        }
    }
    AuthArgs* a = pe ? pe->get<AuthArgs>() : nullptr;
    if (t.mech == Mech::kerberos || (a && a->mech == Mech::kerberos)) s.kerberos = true;
    if (st == status::more_processing) return;
    if (st == status::success) {
        s.guest = guest;
        if (a && !a->user.empty()) {  // DOMAIN\user, built in place
            s.username.assign(a->domain);
            if (!a->domain.empty()) s.username += '\\';
            s.username += a->user;
        }
        if (dir_ && !s.username.empty()) dir_->set_username(server_key_, s.id, s.username);
        if (dir_ && s.username.empty()) s.username = dir_->username(server_key_, s.id);
    }
    if (a && a->ntlm_auth) {
        emit_ntlm(*pe, &s, st == status::success);
        a->ntlm_auth = false;
    }
}

}  // namespace sw::smb
