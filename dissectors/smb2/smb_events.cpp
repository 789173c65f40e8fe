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
    ev.progress_written = f.progress_written;
    ev.progress_read = f.progress_read;
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
        ev.progress_encrypted_bytes[i] = s.progress_enc[i];
    }
    ev.bytes_written = s.bytes_written;
    ev.bytes_read = s.bytes_read;
    sink_.on_event(scratch_event(kSessionEvent));
}

void SmbConnection::on_tick(Timestamp t, const TickState& st) {
    // A WRITE request's or READ response's data is counted when its header
    // is read, and its body is then skipped: the part of the last one per
    // direction that the reassembler has not passed yet (its pending skip)
    // has not moved, and is held back until a later tick or the close.
    std::uint64_t held[2] = {0, 0};
    for (int d = 0; d < 2; ++d)
        if (stream_[d].has_file) held[d] = std::min(st.skip_left[d], stream_[d].length);
    auto held_for = [&](const FileState& f, bool write) -> std::uint64_t {
        for (int d = 0; d < 2; ++d)
            if (held[d] && stream_[d].write == write && stream_[d].file == f.key) return held[d];
        return 0;
    };
    // Oldest handle first, then sessions in the order they began.
    files_.for_each([&](const FileKey&, std::shared_ptr<FileState>& f) {
        progress_file(*f, t, held_for(*f, true), held_for(*f, false));
    });
    sessions_.for_each([&](std::uint64_t, SessionState& s) {
        std::uint64_t h[2] = {0, 0};
        for (int d = 0; d < 2; ++d)
            if (transform_[d].session_id == s.id) h[d] = std::min(st.skip_left[d], transform_[d].payload);
        progress_session(s, t, h);
    });
}

void SmbConnection::progress_file(FileState& f, Timestamp t, std::uint64_t held_w, std::uint64_t held_r) {
    // A multichannel handle sits in the table of every channel that used it:
    // whichever ticks first reports its bytes, the others find nothing new.
    // Written bytes a failed WRITE response takes back (sub_sat) after they
    // were reported stay reported.
    const std::uint64_t moved_w = f.bytes_written - std::min(held_w, f.bytes_written);
    const std::uint64_t moved_r = f.bytes_read - std::min(held_r, f.bytes_read);
    const std::uint64_t w = moved_w > f.progress_written ? moved_w - f.progress_written : 0;
    const std::uint64_t r = moved_r > f.progress_read ? moved_r - f.progress_read : 0;
    if (!w && !r) return;
    // Where the handle is, without settling it into f (its row at close
    // must name what it would have named without ticks).
    const TreeState* tree = f.path.empty() ? find_tree(f.session_id, f.tree_id) : nullptr;
    if (f.emitted || f.is_pipe || (tree && tree->share_type == share_type::pipe)) return;
    f.progress_written += w;
    f.progress_read += r;
    ProgressEvent ev;
    ev.ts = t;
    ev.id = f.conn;
    ev.kind = ProgressEvent::Kind::smb_file;
    ev.fuid = f.fuid;
    ev.path = tree ? tree->path : f.path;
    ev.share = tree ? tree->share : f.share;
    ev.name = f.name;
    if (!f.username.empty()) ev.username = f.username;
    else if (const SessionState* s = find_session(f.session_id)) ev.username = s->username;
    ev.written = w;
    ev.read = r;
    // What the file is so far (analytics tells data from software by it).
    if (f.sniff) {
        const std::size_t n = f.sniff->contiguous();
        const Bytes iso = f.sniff->iso_have == kIsoMagicLen ? Bytes(f.sniff->iso, kIsoMagicLen) : Bytes{};
        ev.content_type = std::string(sniff_content_type(Bytes(f.sniff->head, n), iso));
    }
    if (f.read_sniff)
        ev.read_content_type = std::string(sniff_content_type(Bytes(f.read_sniff->head, f.read_sniff->contiguous())));
    sink_.on_event(Event{std::move(ev)});
}

void SmbConnection::progress_session(SessionState& s, Timestamp t, const std::uint64_t held[2]) {
    if (s.id == 0) return;
    std::uint64_t delta[2] = {0, 0};
    for (int d = 0; d < 2; ++d) {
        const std::uint64_t moved = s.enc_bytes[d] - std::min(held[d], s.enc_bytes[d]);
        if (moved > s.progress_enc[d]) delta[d] = moved - s.progress_enc[d];
        s.progress_enc[d] += delta[d];
    }
    const std::uint64_t up = delta[0], down = delta[1];
    if (!up && !down) return;
    ProgressEvent ev;
    ev.ts = t;
    ev.id = id_;
    ev.kind = ProgressEvent::Kind::smb_session;
    ev.session_id = s.id;
    ev.username = s.username;
    ev.bytes[0] = up;
    ev.bytes[1] = down;
    sink_.on_event(Event{std::move(ev)});
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
