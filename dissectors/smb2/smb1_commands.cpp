// SMB1 commands of SmbConnection: AndX chains walked, requests recorded as
// pending by (command, PID, MID), responses matched to them; WRITE_ANDX
// request / READ_ANDX response heads that open a streamed data region.
#include <algorithm>

#include "dissectors/smb2/smb_state.h"
#include "dissectors/smb2/smb_state_internal.h"

namespace sw::smb {

using namespace internal;

StreamWants SmbConnection::smb1_stream_begin(Dir d, const PduInfo& p, DataRegion data, Timestamp ts) {
    Smb1Header h;
    Smb1Block b;
    if (!parse_smb1_header(p.bytes, h) || !parse_smb1_block(p.bytes, kSmb1HeaderSize, true, b)) return {};
    confirmed_ = true;
    ++stats_.smb1_msgs;
    if (dialect_.empty()) dialect_ = "SMB1";
    if (!h.reply()) {  // WRITE_ANDX request
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
        pe.as<IoArgs>().length = data.length;
        FileState* f = file_for_io(fk, h.uid, h.tid, ts);
        if (!f) return {};
        account_write(*f, w.offset, data.length, {}, ts);
        stream_[idx(d)] = {true, true, true, fk, w.offset, data.length};
        return sniff_wants(*f, w.offset, data.length);
    }
    // READ_ANDX response
    ++stats_.responses;
    Pending* pe = find_pending(smb1_key(smb1::read_andx, h.pid_full, h.mid));
    if (!pe) {
        ++stats_.unmatched_responses;
        return {};
    }
    return read_data(d, *pe, data.length);
}

void SmbConnection::smb1_pdu(const PduInfo& p, Timestamp ts) {
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
                AuthArgs& a = pe.as<AuthArgs>();
                a.user = name_from(r.account, r.unicode, ts);
                a.domain = name_from(r.domain, r.unicode, ts);
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
            pe.as<TreeConnectArgs>().path = name_from(r.path, r.unicode, ts);
            break;
        }
        case smb1::nt_create_andx: {
            Smb1NtCreateRequest r;
            if (auto st = parse_smb1_nt_create_request(msg, h, b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            Pending& pe = add(command);
            OpenArgs& a = pe.as<OpenArgs>();
            a.name = name_from(r.name, r.unicode, ts);
            if (!a.name.empty() && a.name.front() == '\\') a.name.erase(0, 1);
            a.options = r.options;
            break;
        }
        case smb1::open_andx: {
            Smb1OpenRequest r;
            if (auto st = parse_smb1_open_andx_request(msg, h, b, r); !st) {
                weird(st.error, {}, ts);
                break;
            }
            Pending& pe = add(command);
            OpenArgs& a = pe.as<OpenArgs>();
            a.name = name_from(r.name, r.unicode, ts);
            if (!a.name.empty() && a.name.front() == '\\') a.name.erase(0, 1);
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
            pe.as<IoArgs>().offset = r.offset;
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
            // DataOffset counts from the SMB header: past the end of the
            // message it is malformed, whatever DataLength says.
            if (w.data.offset > msg.size()) {
                weird("smb1_write_bad_data_offset", std::to_string(w.data.offset), ts);
                break;
            }
            const Bytes body = msg.subspan(w.data.offset);
            const std::uint64_t len = std::min<std::uint64_t>(w.data.length, body.size());
            Pending& pe = add(command);
            pe.has_file = true;
            pe.file = {w.fid, 0, FileKey::smb1};
            pe.as<IoArgs>().length = len;
            if (FileState* f = file_for_io(pe.file, h.uid, h.tid, ts))
                account_write(*f, w.offset, len, body.first(static_cast<std::size_t>(len)), ts);
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
            // The service is OEM text of any length on the wire: capped like a name.
            std::string service = name_from(Bytes(reinterpret_cast<const std::uint8_t*>(r.service.data()), r.service.size()), false, ts);
            tree_connected(h.uid, h.tid, pe->view<TreeConnectArgs>().path, smb1_share_type(r.service), false, service, fs, pe->ts);
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
            f.delete_on_close = pe->view<OpenArgs>().options & create_options::delete_on_close;
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
                    const std::uint64_t refused = pe->view<IoArgs>().length;
                    sub_sat(f->bytes_written, refused);
                    if (SessionState* s = find_session(f->session_id)) sub_sat(s->bytes_written, refused);
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

FileState& SmbConnection::open_smb1_file(std::uint16_t fid, const Pending& pe, Timestamp ts) {
    FileKey k{fid, 0, FileKey::smb1};
    if (find_file(k)) close_file(k, ts);
    FileState& f = insert_file(k, ts);
    f.smb1 = true;
    f.session_id = pe.session_id;
    f.tree_id = pe.tree_id;
    f.name = pe.view<OpenArgs>().name.empty() ? "<share_root>" : pe.view<OpenArgs>().name;
    f.opened = true;
    return f;
}

}  // namespace sw::smb
