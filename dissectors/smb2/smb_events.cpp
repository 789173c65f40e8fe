// Event building in SmbConnection: the smb_mapping row of a tree connect,
// the smb_files row of a handle, the session and ntlm rows.
#include <algorithm>
#include <cstdio>

#include "dissectors/smb2/smb_state.h"
#include "dissectors/smb2/smb_state_internal.h"

namespace sw::smb {

using namespace internal;

// The events a connection emits are built in kept Event objects (one per
// kind and thread), made fresh with their strings' buffers kept: the sink gets them by
// reference and copies what it keeps, so at steady state a row allocates
// nothing here.
Event& SmbConnection::scratch_event(int kind) {
    thread_local Event events[kScratchEvents] = {SmbFileEvent{}, SmbMappingEvent{}, SmbSessionEvent{}, NtlmEvent{}};
    return events[kind];
}

template <>
SmbFileEvent& SmbConnection::scratch<SmbFileEvent>() {
    auto& ev = std::get<SmbFileEvent>(scratch_event(kFileEvent));
    return renew(ev, &SmbFileEvent::fuid, &SmbFileEvent::action, &SmbFileEvent::path, &SmbFileEvent::share,
                 &SmbFileEvent::name, &SmbFileEvent::prev_name, &SmbFileEvent::content_type,
                 &SmbFileEvent::read_content_type, &SmbFileEvent::username, &SmbFileEvent::dialect);
}
template <>
SmbMappingEvent& SmbConnection::scratch<SmbMappingEvent>() {
    auto& ev = std::get<SmbMappingEvent>(scratch_event(kMappingEvent));
    return renew(ev, &SmbMappingEvent::path, &SmbMappingEvent::service, &SmbMappingEvent::native_file_system,
                 &SmbMappingEvent::share_type, &SmbMappingEvent::dialect, &SmbMappingEvent::username);
}
template <>
SmbSessionEvent& SmbConnection::scratch<SmbSessionEvent>() {
    auto& ev = std::get<SmbSessionEvent>(scratch_event(kSessionEvent));
    return renew(ev, &SmbSessionEvent::username, &SmbSessionEvent::dialect);
}
template <>
NtlmEvent& SmbConnection::scratch<NtlmEvent>() {
    auto& ev = std::get<NtlmEvent>(scratch_event(kNtlmEvent));
    return renew(ev, &NtlmEvent::username, &NtlmEvent::hostname, &NtlmEvent::domainname,
                 &NtlmEvent::server_nb_computer_name, &NtlmEvent::server_dns_computer_name,
                 &NtlmEvent::server_tree_name);
}

void SmbConnection::tree_connected(std::uint64_t sid, std::uint32_t tid, const std::string& path, std::uint8_t type,
                                   bool encrypt, std::string_view service, std::string_view native_fs,
                                   Timestamp req_ts) {
    const TreeKey key{sid, tid};
    TreeState* t = trees_.find(key);
    if (t) {
        trees_.touch(key);  // connected again: the youngest now
    } else {
        trees_.make_room([&](const TreeKey& victim) {
            weird("smb_tree_limit", std::to_string(cfg_.max_trees), req_ts);
            tree_gone(victim.session_id, victim.tree_id, req_ts);
        });
        t = &trees_.insert(key);
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
    SmbMappingEvent& ev = scratch<SmbMappingEvent>();
    ev.ts = req_ts;
    ev.id = id_;
    ev.path = path;
    ev.service.assign(service);
    ev.native_file_system.assign(native_fs);
    ev.share_type.assign(share_type_name(type));
    ev.dialect = dialect_;
    if (s) ev.username = s->username;
    ev.encrypted = encrypt || (s && (s->encrypted || s->encrypt_data));
    sink_.on_event(scratch_event(kMappingEvent));
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
    if (auto* p = files_.find(f.key)) dir_->publish_file(server_key_, f.session_id, *p);
}

void SmbConnection::emit_file(FileState& f, Timestamp close_ts) {
    if (f.key.kind == FileKey::provisional && f.write_ops == 0 && f.read_ops == 0 && !f.renamed) {
        // A CREATE whose response never came and that saw no I/O: not a handle.
        return;
    }
    fill_context(f);
    if (f.is_pipe && !cfg_.log_pipes) return;
    ++stats_.files_emitted;
    SmbFileEvent& ev = scratch<SmbFileEvent>();
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
        ev.content_type.assign(sniff_content_type(head, iso));
        if (n) ev.entropy = shannon_entropy(head);
    }
    if (f.read_sniff) {
        const Bytes read_head(f.read_sniff->head, f.read_sniff->contiguous());
        ev.read_content_type.assign(sniff_content_type(read_head));
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
    ev.action.assign("SMB::");
    ev.action += kind;
    ev.action += '_';
    ev.action += what;
    sink_.on_event(scratch_event(kFileEvent));
}

void SmbConnection::emit_session(SessionState& s, Timestamp ts) {
    if (s.id == 0) return;
    SmbSessionEvent& ev = scratch<SmbSessionEvent>();
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
    sink_.on_event(scratch_event(kSessionEvent));
}

void SmbConnection::emit_ntlm(const Pending& pe, const SessionState* s, std::optional<bool> success) {
    NtlmEvent& ev = scratch<NtlmEvent>();
    ev.ts = pe.ts;
    ev.id = id_;
    const AuthArgs& a = pe.view<AuthArgs>();
    ev.username = a.user;
    ev.hostname = a.host;
    ev.domainname = a.domain;
    if (s) {
        ev.server_nb_computer_name = s->srv_nb;
        ev.server_dns_computer_name = s->srv_dns;
        ev.server_tree_name = s->srv_tree;
    }
    ev.success = success;
    sink_.on_event(scratch_event(kNtlmEvent));
}

}  // namespace sw::smb
