// SMB2 commands of SmbConnection: requests recorded as pending by MessageId,
// responses matched to them; the WRITE request / READ response heads that
// open a streamed data region; one compound-chain walk for both.
#include <algorithm>
#include <cstdio>

#include "dissectors/smb2/smb_state.h"
#include "dissectors/smb2/smb_state_internal.h"

namespace sw::smb {

using namespace internal;

SmbConnection::Chain SmbConnection::chain_request(const Smb2Header& h, bool first_in_message,
                                                  const std::optional<FileId>& fid, Timestamp ts) {
    // Compound chains (MS-SMB2 3.2.4.1.4): a related request inherits what it
    // leaves unset from the request before it.
    Chain c{h.session_id, h.tree_id, false, {}};
    const bool related = h.related() && !first_in_message;
    if (related) {
        if (c.session_id == kAllOnes64 || c.session_id == 0) c.session_id = chain_.session_id;
        if (c.tree_id == kAllOnes32 || c.tree_id == 0) c.tree_id = chain_.tree_id;
    }
    if (fid) {
        if (fid->all_ones()) {
            if (related && chain_.has_file) {
                c.file = chain_.file;
                c.has_file = true;
            }
        } else {
            c.file = {fid->persistent, fid->volatile_, FileKey::smb2};
            c.has_file = true;
        }
    }
    chain_ = c;
    // Known from here on (mid-session captures too).
    if (c.session_id != 0 && c.session_id != kAllOnes64) session(c.session_id, ts);
    return c;
}

StreamWants SmbConnection::smb2_stream_begin(Dir d, const PduInfo& p, DataRegion data, Timestamp ts) {
    Smb2Header parsed;
    if (!p.smb2 && !parse_smb2_header(p.bytes, parsed)) return {};
    const Smb2Header& h = p.smb2 ? *p.smb2 : parsed;
    confirmed_ = true;
    if (!h.response()) {  // WRITE request
        ++stats_.requests;
        WriteRequest w;
        parse_write_request(p.bytes, w);
        const Chain c = chain_request(h, p.first_in_message, w.file_id, ts);
        Pending& pe = add_pending(h.message_id, cmd::write, ts);
        pe.session_id = c.session_id;
        pe.tree_id = c.tree_id;
        pe.has_file = c.has_file;
        pe.file = c.file;
        pe.as<IoArgs>() = {w.offset, data.length};
        if (!c.has_file) return {};
        FileState* f = file_for_io(c.file, c.session_id, c.tree_id, ts);
        if (!f) return {};
        account_write(*f, w.offset, data.length, {}, ts);
        stream_[idx(d)] = {true, true, true, c.file, w.offset, data.length};
        return sniff_wants(*f, w.offset, data.length);
    }
    // READ response
    ++stats_.responses;
    Pending* pe = find_pending(h.message_id);
    if (!pe || pe->command != cmd::read) {
        ++stats_.unmatched_responses;
        return {};
    }
    return read_data(d, *pe, data.length);
}

void SmbConnection::smb2_pdu(const PduInfo& p, Timestamp ts) {
    // The framer parsed the header already; only a PDU built here (from a
    // compression transform) may come without one.
    Smb2Header parsed;
    if (!p.smb2) {
        if (auto st = parse_smb2_header(p.bytes, parsed); !st) {
            weird(st.error, {}, ts);
            return;
        }
    }
    const Smb2Header& h = p.smb2 ? *p.smb2 : parsed;
    confirmed_ = true;
    if (h.response()) smb2_response(h, p, ts);
    else smb2_request(h, p, ts);
}

void SmbConnection::smb2_request(const Smb2Header& h, const PduInfo& p, Timestamp ts) {
    ++stats_.requests;
    const Chain c = chain_request(h, p.first_in_message, request_file_id(h.command, p.bytes), ts);
    const std::uint64_t sid = c.session_id;
    const std::uint32_t tid = c.tree_id;
    const bool has_file = c.has_file;
    const FileKey fk = c.file;
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
            name_into(name_buf_, r.path, true, ts);
            Pending& pe = add_pending(h.message_id, h.command, ts);
            pe.session_id = sid;
            pe.as<TreeConnectArgs>().path = name_buf_;  // a copy into a kept buffer
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
            name_into(name_buf_, r.name, true, ts);
            FileState* f = open_provisional(h.message_id, sid, tid, name_buf_, r.options, ts);
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
            pe.as<IoArgs>() = {r.offset, r.length};
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
                tree_connected(h.session_id ? h.session_id : pe->session_id, h.tree_id, pe->view<TreeConnectArgs>().path, r.share_type,
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
                    const std::uint64_t refused = pe->view<IoArgs>().length;
                    sub_sat(f->bytes_written, refused);
                    if (SessionState* s = find_session(f->session_id)) sub_sat(s->bytes_written, refused);
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

void SmbConnection::create_response(const Smb2Header& h, Bytes pdu, Pending& pe, Timestamp ts) {
    FileState* f = pe.has_file ? find_file(pe.file) : nullptr;
    if (h.status != status::success) {
        if (f) files_.erase(pe.file);  // never opened (and its related writes failed too)
        return;
    }
    CreateResponse r;
    if (auto st = parse_create_response(pdu, r); !st) {
        weird_status(st, "CREATE response", ts);
        if (f) files_.erase(pe.file);
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
    SetInfoArgs& a = pe.as<SetInfoArgs>();
    SetInfoRequest r;
    if (auto st = parse_set_info_request(pdu, r); !st) {
        weird_status(st, "SET_INFO request", ts);
        a.info_class = 0;
        return;
    }
    a.info_class = 0;
    if (r.info_type != info_type::file) return;
    switch (r.info_class) {
        case file_info::rename:
        case file_info::rename_ex: {
            RenameInfo ri;
            if (auto st = parse_rename_info(r.buffer, r.info_class == file_info::rename_ex, ri); !st) {
                weird_status(st, "SET_INFO rename", ts);
                return;
            }
            a.info_class = file_info::rename;
            name_into(a.new_name, ri.name, true, ts);
            break;
        }
        case file_info::disposition:
        case file_info::disposition_ex: {
            bool del = false;
            if (auto st = parse_disposition_info(r.buffer, r.info_class == file_info::disposition_ex, del); !st) {
                weird_status(st, "SET_INFO disposition", ts);
                return;
            }
            a.info_class = file_info::disposition;
            a.delete_pending = del;
            break;
        }
        case file_info::end_of_file: {
            std::uint64_t eof = 0;
            if (auto st = parse_end_of_file_info(r.buffer, eof); !st) {
                weird_status(st, "SET_INFO end of file", ts);
                return;
            }
            a.info_class = file_info::end_of_file;
            a.eof = eof;
            break;
        }
        default:
            break;
    }
}

void SmbConnection::set_info_response(const Smb2Header&, Pending& pe, Timestamp) {
    FileState* f = pe.has_file ? find_file(pe.file) : nullptr;
    if (!f) return;
    const SetInfoArgs& a = pe.view<SetInfoArgs>();
    switch (a.info_class) {
        case file_info::rename:
            if (!f->renamed) f->prev_name = f->name;
            f->name = a.new_name;
            f->renamed = true;
            break;
        case file_info::disposition:
            f->delete_pending = a.delete_pending;
            break;
        case file_info::end_of_file:
            f->size = a.eof;
            break;
        default:
            break;
    }
}

}  // namespace sw::smb
