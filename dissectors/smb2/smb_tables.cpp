// The tables of SmbConnection (sessions, trees, open files, pending
// requests): lookups, insertion at the cap (the oldest evicted, a weird
// counted), and the state changes that remove entries.
#include <algorithm>

#include "dissectors/smb2/smb_state.h"
#include "dissectors/smb2/smb_state_internal.h"

namespace sw::smb {

using namespace internal;

SessionState* SmbConnection::find_session(std::uint64_t sid) { return sessions_.find(sid); }

SessionState& SmbConnection::session(std::uint64_t sid, Timestamp ts) {
    if (SessionState* s = find_session(sid)) return *s;
    sessions_.make_room([&](std::uint64_t victim) {
        weird("smb_session_limit", std::to_string(cfg_.max_sessions), ts);
        session_gone(victim, ts);
    });
    SessionState& s = sessions_.insert(sid);
    s.id = sid;
    s.seq = ++seq_;
    s.ts = ts;
    return s;
}

void SmbConnection::session_gone(std::uint64_t sid, Timestamp ts) {
    files_.for_each_key_if([&](const auto& f) { return f->session_id == sid; },
                           [&](const FileKey& k) { close_file(k, ts); });
    if (dir_) dir_->remove_session(server_key_, sid);
    trees_.for_each_key_if([&](const TreeState& t) { return t.session_id == sid; },
                           [&](const TreeKey& k) { trees_.erase(k); });
    SessionState* s = find_session(sid);
    if (!s) return;
    emit_session(*s, ts);
    sessions_.erase(sid);
}

TreeState* SmbConnection::find_tree(std::uint64_t sid, std::uint32_t tid) {
    if (TreeState* t = trees_.find(TreeKey{sid, tid})) return t;
    // A tree id seen under another session (mid-stream): the youngest such.
    TreeState* by_tid = nullptr;
    trees_.for_each([&](const TreeKey&, TreeState& t) {
        if (t.tree_id == tid) by_tid = &t;
    });
    if (by_tid) return by_tid;
    // Connected on another channel of the session: import it (no mapping row).
    if (dir_ && tid != 0) {
        if (const SmbDirectory::Tree* d = dir_->find_tree(server_key_, sid, tid)) {
            if (trees_.size() >= trees_.cap()) return nullptr;
            TreeState t;
            t.session_id = sid;
            t.tree_id = tid;
            t.seq = ++seq_;
            t.path = d->path;
            t.share = last_component(d->path);
            t.share_type = d->share_type;
            t.encrypt = d->encrypt;
            return &trees_.insert(TreeKey{sid, tid}, std::move(t));
        }
    }
    return nullptr;
}

void SmbConnection::tree_gone(std::uint64_t sid, std::uint32_t tid, Timestamp ts) {
    files_.for_each_key_if([&](const auto& f) { return f->session_id == sid && f->tree_id == tid; },
                           [&](const FileKey& k) { close_file(k, ts); });
    if (dir_) dir_->remove_tree(server_key_, sid, tid);
    trees_.erase(TreeKey{sid, tid});
}

FileState* SmbConnection::find_file(const FileKey& k) {
    auto* f = files_.find(k);
    return f ? f->get() : nullptr;
}

void SmbConnection::make_room(Timestamp ts) {
    files_.make_room([&](const FileKey& victim) {
        weird("smb_open_file_limit", std::to_string(cfg_.max_open_files), ts);
        release_file(victim, ts, false);
    });
}

FileState& SmbConnection::insert_file(const FileKey& k, Timestamp ts) {
    make_room(ts);
    std::shared_ptr<FileState>& slot = files_.insert(k);
    slot = take_file_state();
    FileState& f = *slot;
    f.key = k;
    f.seq = ++seq_;
    f.ts = ts;
    next_fuid(f.fuid);
    f.conn = id_;
    return f;
}

FileState* SmbConnection::open_provisional(std::uint64_t msg_id, std::uint64_t sid, std::uint32_t tid,
                                           std::string_view name, std::uint32_t options, Timestamp ts) {
    // A CREATE with the reserved MessageId can never be answered (see add_pending).
    if (msg_id == decltype(pending_)::kReservedKey) return nullptr;
    FileKey k{msg_id, 0, FileKey::provisional};
    if (find_file(k)) files_.erase(k);  // a reused MessageId: the old CREATE never got an answer
    FileState& f = insert_file(k, ts);
    f.session_id = sid;
    f.tree_id = tid;
    f.name.assign(name.empty() ? std::string_view("<share_root>") : name);
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
    files_.rekey(old, real);  // keeps its age
    f.key = real;
    publish(f);
    // Related requests of the compound still name the provisional key.
    pending_.for_each([&](Pending& p) {
        if (p.has_file && p.file == old) p.file = real;
    });
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
            files_.insert(k, std::move(shared));
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
        if (!f.sniff) f.sniff = f.new_sample();
        w.add(0, std::min<std::uint64_t>(len, kSniffBytes - offset));
    }
    if (offset <= kIsoMagicOffset && offset + len >= kIsoMagicOffset + kIsoMagicLen &&
        (!f.sniff || f.sniff->iso_have < kIsoMagicLen)) {
        if (!f.sniff) f.sniff = f.new_sample();
        w.add(kIsoMagicOffset - offset, kIsoMagicOffset + kIsoMagicLen - offset);
    }
    return w;
}

StreamWants SmbConnection::read_data(Dir d, Pending& pe, std::uint64_t len) {
    FileState* f = pe.has_file ? find_file(pe.file) : nullptr;
    if (!f) {
        drop_pending(pe);
        return {};
    }
    f->bytes_read += len;
    if (SessionState* s = find_session(f->session_id)) s->bytes_read += len;
    const std::uint64_t offset = pe.view<IoArgs>().offset;
    stream_[idx(d)] = {true, false, true, pe.file, offset, len};
    drop_pending(pe);
    return read_sniff_wants(*f, offset, len);
}

StreamWants SmbConnection::read_sniff_wants(FileState& f, std::uint64_t offset, std::uint64_t len) {
    StreamWants w;
    if (len == 0 || f.is_pipe || offset >= kSniffBytes) return w;
    if (f.read_sniff && f.read_sniff->contiguous() >= kSniffBytes) return w;
    if (!f.read_sniff) f.read_sniff = f.new_sample();
    w.add(0, std::min<std::uint64_t>(len, kSniffBytes - offset));
    return w;
}

void SmbConnection::close_file(const FileKey& k, Timestamp ts) { release_file(k, ts, true); }

void SmbConnection::release_file(const FileKey& k, Timestamp ts, bool force_emit) {
    auto* slot = files_.find(k);
    if (!slot) return;
    std::shared_ptr<FileState> f = std::move(*slot);
    files_.erase(k);
    for (auto& s : stream_)
        if (s.has_file && s.file == k) s.has_file = false;
    if (f->emitted) return recycle(std::move(f));
    // Held by another channel (use_count counts its table and our local copy):
    // that channel logs it when it is closed there or its connection ends.
    if (!force_emit && f.use_count() > 1) return;
    emit_file(*f, ts);
    f->emitted = true;
    if (dir_ && f->key.kind == FileKey::smb2) dir_->remove_file(server_key_, f->session_id, f->key);
    recycle(std::move(f));
}

std::shared_ptr<FileState> SmbConnection::take_file_state() {
    if (spare_files_.empty()) return std::make_shared<FileState>();
    std::shared_ptr<FileState> f = std::move(spare_files_.back());
    spare_files_.pop_back();
    return f;
}

void SmbConnection::recycle(std::shared_ptr<FileState>&& f) {
    // Only a handle nobody else holds: its row is out (emitted), so the
    // directory no longer names it, and no other channel has it.
    constexpr std::size_t kSpares = 1;  // a live connection keeps little
    if (f.use_count() != 1 || !f->emitted || spare_files_.size() >= kSpares) return;
    f->recycle();
    spare_files_.push_back(std::move(f));
}

Pending* SmbConnection::find_pending(std::uint64_t key) { return pending_.find(key); }

Pending& SmbConnection::add_pending(std::uint64_t key, std::uint16_t command, Timestamp ts) {
    // (SMB1 keys never have all bits set: see smb1_key.)
    if (key == decltype(pending_)::kReservedKey) weird("smb2_reserved_message_id", {}, ts);
    Pending& p = pending_.add(key, [&](Pending& old) {
        weird("smb_pending_limit", std::to_string(cfg_.max_pending), ts);
        if (const AuthArgs* a = old.get<AuthArgs>(); a && a->ntlm_auth)
            emit_ntlm(old, find_session(old.session_id), std::nullopt);
    });
    // Reset: the common fields, then the arguments, which each command sets
    // (READ/WRITE ones hold no string: nothing allocated on that path).
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
    p.clear_args();  // each command sets its own
    return p;
}

void SmbConnection::drop_pending(Pending& p) { pending_.drop(p); }

}  // namespace sw::smb
