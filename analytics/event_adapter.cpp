#include "analytics/event_adapter.h"

#include <algorithm>

#include "capture/util.h"

namespace sw {

void EventAdapter::on_event(const Event& e, ContributionSink& out) const {
    std::visit(overloaded{
                   [&](const SmbFileEvent& f) { on_file(f, out); },
                   [&](const SmbSessionEvent& s) { on_session(s, out); },
                   [&](const SshEvent& s) { on_ssh(s, out); },
                   [&](const ConnRecord& c) { on_conn(c, out); },
                   [&](const SmbMappingEvent& m) { on_mapping(m, out); },
                   [&](const ProgressEvent& p) { on_progress(p, out); },
                   [&](const auto&) {},
               },
               e);
}

namespace {

// What a close event adds to what its progress events already counted.
std::uint64_t rest(std::uint64_t total, std::uint64_t counted) { return total > counted ? total - counted : 0; }

std::string transfer_key(const ConnId& id, std::string_view what) {
    std::string k(id.uid());
    k += '/';
    k += what;
    return k;
}

std::string file_place(const std::string& share_path, const std::string& name) {
    if (share_path.empty()) return name;
    return name.empty() ? share_path : share_path + "\\" + name;
}

}  // namespace

void EventAdapter::write(const IpAddr& source, const IpAddr& target, const Contribution& c, const ConnId& conn,
                         const std::string& share_path, const WriteFacts* file, ContributionSink& out) const {
    out.target_write(target, c, conn, share_path, file);
    Contribution push = c;
    push.peer = target;
    push.allowed = allow_.push_bits(c.allowed, target);
    out.collector_push(source, push, conn, file);
}

void EventAdapter::on_file(const SmbFileEvent& f, ContributionSink& out) const {
    if (f.is_pipe) return;
    const Timestamp t = f.close_ts ? f.close_ts : f.ts;
    out.on_event_time(t);
    // A handle of an encrypted session: its bytes are in the session's
    // transform byte counts (SmbSessionEvent); counting both would double them.
    if (f.encrypted) return;
    const IpAddr client = f.id.orig_h, server = f.id.resp_h;
    if (client == server) return;

    const std::string_view share = !f.share.empty() ? std::string_view(f.share) : FileClassifier::share_of(f.path);
    std::string share_path = f.path;
    if (share_path.empty() && !share.empty()) share_path = "\\\\" + server.str() + "\\" + std::string(share);

    // Bytes already counted by progress events while the handle was open
    // are not counted again; the file itself (and what it is) counts now.
    const std::uint64_t bw = f.bytes_written, br = f.bytes_read;
    const std::uint64_t bw_now = rest(bw, f.progress_written), br_now = rest(br, f.progress_read);
    if (f.progress_written) out.transfer_closed(Role::target, server, transfer_key(f.id, f.fuid));
    if (f.progress_read) out.transfer_closed(Role::collector, client, transfer_key(f.id, f.fuid));
    WriteFacts wf;
    wf.f = &f;
    wf.share_path = share_path;
    wf.archive_ext = classify_.archive_extension(f.name);
    wf.renamed = !f.prev_name.empty();
    const bool is_write = !f.is_directory && (bw > 0 || (wf.renamed && !wf.archive_ext.empty()));

    if (bw) out.count_volume(client, server, VolumeProto::smb, bw_now, true, false);
    if (br) out.count_volume(server, client, VolumeProto::smb, br_now, false, true);

    if (is_write) {
        wf.content = classify_.archive_content(f.content_type);
        const bool container = classify_.is_container_name(f.name);
        wf.name_hit = !wf.archive_ext.empty();
        wf.content_hit = !wf.content.empty() && !container;
        wf.masquerade = wf.content_hit && !wf.name_hit;
        wf.admin = classify_.is_admin_share(share);
        wf.hidden = classify_.is_hidden_share(share);
        wf.staging_path = classify_.is_staging_path(share, f.name);

        Contribution c;
        c.ts = t;
        c.peer = client;
        c.c.bytes = bw_now;
        c.c.smb_bytes = bw_now;
        c.c.files = bw > 0;
        c.c.archives = wf.archive();
        c.c.archive_names = wf.name_hit;
        c.c.archive_contents = wf.content_hit;
        c.c.masquerades = wf.masquerade;
        c.c.admin_writes = wf.admin;
        c.c.hidden_writes = wf.hidden;
        c.c.path_writes = wf.staging_path;
        c.allowed = allow_.bits(client, share, t, share_path);
        c.lane = classify_.write_lane(share_path, f.name, f.username, f.content_type, wf.archive());
        write(client, server, c, f.id, share_path, &wf, out);
    }
    if (br && !f.is_directory) {
        Contribution c;
        c.ts = t;
        c.peer = server;
        c.c.bytes = br_now;
        c.c.smb_bytes = br_now;
        c.c.files = 1;
        c.allowed = allow_.bits(server, share, t, share_path);
        c.lane = classify_.read_lane(share_path, f.name, f.username, f.read_content_type);
        out.collector_read(client, c, f.id, share_path);
        if (FileClassifier::is_executable_type(f.read_content_type) && classify_.is_admin_share(share))
            out.tool_read(client, c, f.id, f, share_path);
    }
}

void EventAdapter::on_session(const SmbSessionEvent& s, ContributionSink& out) const {
    const Timestamp t = s.end_ts ? s.end_ts : s.ts;
    out.on_event_time(t);
    const IpAddr client = s.id.orig_h, server = s.id.resp_h;
    if (client == server) return;
    const std::uint64_t up = rest(s.encrypted_bytes[idx(Dir::orig)], s.progress_encrypted_bytes[idx(Dir::orig)]);
    const std::uint64_t down = rest(s.encrypted_bytes[idx(Dir::resp)], s.progress_encrypted_bytes[idx(Dir::resp)]);
    const std::string key = transfer_key(s.id, "enc" + std::to_string(s.session_id));
    if (s.progress_encrypted_bytes[idx(Dir::orig)]) out.transfer_closed(Role::target, server, key);
    if (s.progress_encrypted_bytes[idx(Dir::resp)]) out.transfer_closed(Role::collector, client, key);
    if (!up && !down) return;
    if (up) out.count_volume(client, server, VolumeProto::smb, up, false, false);
    if (down) out.count_volume(server, client, VolumeProto::smb, down, false, false);

    // The share of an encrypted session: the client's latest tree connect
    // to this server, when it was seen in clear (per-share encryption).
    const std::string share_path = out.mapped_share(server, client, t);
    const std::string_view share = FileClassifier::share_of(share_path);

    if (up) {
        Contribution c;
        c.ts = t;
        c.peer = client;
        c.c.bytes = up;
        c.c.smb_bytes = up;
        c.c.enc_bytes = up;
        c.c.admin_writes = classify_.is_admin_share(share);
        c.c.hidden_writes = classify_.is_hidden_share(share);
        c.allowed = allow_.bits(client, share, t, share_path);
        write(client, server, c, s.id, share_path, nullptr, out);
    }
    if (down) {
        Contribution c;
        c.ts = t;
        c.peer = server;
        c.c.bytes = down;
        c.c.smb_bytes = down;
        c.c.enc_bytes = down;
        c.allowed = allow_.bits(server, share, t, share_path);
        out.collector_read(client, c, s.id, share_path);
    }
}

void EventAdapter::on_ssh(const SshEvent& s, ContributionSink& out) const {
    const Timestamp t = s.ts + std::max<Duration>(s.duration, 0);
    out.on_event_time(t);
    IpAddr client = s.client_h, server = s.server_h;
    if (client == IpAddr{} && server == IpAddr{}) {
        client = s.id.orig_h;
        server = s.id.resp_h;
    }
    if (s.id.orig_h == s.id.resp_h) return;
    if (s.progress_upload_bytes) out.transfer_closed(Role::target, server, transfer_key(s.id, "ssh"));
    if (s.progress_download_bytes) out.transfer_closed(Role::collector, client, transfer_key(s.id, "ssh"));
    const std::uint64_t orig = rest(s.orig_bytes, s.progress_orig_bytes), resp = rest(s.resp_bytes, s.progress_resp_bytes);
    if (orig) out.count_volume(s.id.orig_h, s.id.resp_h, VolumeProto::ssh, orig, false, false);
    if (resp) out.count_volume(s.id.resp_h, s.id.orig_h, VolumeProto::ssh, resp, false, false);
    if (client == server) return;
    // Keystrokes and screen output of an interactive session are not data
    // being moved; every other inference (upload, download, tunnel) is.
    if (s.inferred == "interactive") return;
    const std::uint64_t upload = rest(s.upload_bytes, s.progress_upload_bytes);
    const std::uint64_t download = rest(s.download_bytes, s.progress_download_bytes);
    if (upload) {
        Contribution c;
        c.ts = t;
        c.peer = client;
        c.c.bytes = upload;
        c.c.ssh_bytes = upload;
        c.allowed = allow_.bits(client, {}, t);
        write(client, server, c, s.id, {}, nullptr, out);
    }
    if (download) {
        Contribution c;
        c.ts = t;
        c.peer = server;
        c.c.bytes = download;
        c.c.ssh_bytes = download;
        c.allowed = allow_.bits(server, {}, t);
        out.collector_read(client, c, s.id, {});
    }
}

void EventAdapter::on_conn(const ConnRecord& c, ContributionSink& out) const {
    if (c.id.proto != Transport::tcp) return;
    // SMB and SSH volume comes from their dissectors' events.
    switch (c.protocol) {
        case AppProtocol::smb:
        case AppProtocol::ssh: return;
        case AppProtocol::none: break;
    }
    const Timestamp t = c.ts + std::max<Duration>(c.duration, 0);
    out.on_event_time(t);
    if (c.id.orig_h == c.id.resp_h) return;
    if (c.orig_bytes) out.count_volume(c.id.orig_h, c.id.resp_h, VolumeProto::other_tcp, c.orig_bytes, false, false);
    if (c.resp_bytes) out.count_volume(c.id.resp_h, c.id.orig_h, VolumeProto::other_tcp, c.resp_bytes, false, false);
}

void EventAdapter::on_progress(const ProgressEvent& p, ContributionSink& out) const {
    const Timestamp t = p.ts;
    out.on_event_time(t);
    switch (p.kind) {
        case ProgressEvent::Kind::smb_file: {
            const IpAddr client = p.id.orig_h, server = p.id.resp_h;
            if (client == server) return;
            const std::string_view share =
                !p.share.empty() ? std::string_view(p.share) : FileClassifier::share_of(p.path);
            std::string share_path = p.path;
            if (share_path.empty() && !share.empty()) share_path = "\\\\" + server.str() + "\\" + std::string(share);
            const std::string key = transfer_key(p.id, p.fuid);
            if (p.written) {
                out.count_volume(client, server, VolumeProto::smb, p.written, false, false);
                Contribution c;
                c.ts = t;
                c.peer = client;
                c.c.bytes = p.written;
                c.c.smb_bytes = p.written;
                c.allowed = allow_.bits(client, share, t, share_path);
                // The lane the close will give it, as far as known now.
                const bool archive = !classify_.archive_extension(p.name).empty() ||
                                     (!classify_.archive_content(p.content_type).empty() &&
                                      !classify_.is_container_name(p.name));
                c.lane = classify_.write_lane(share_path, p.name, p.username, p.content_type, archive);
                out.transfer_open(Role::target, server, client, key, file_place(share_path, p.name), p.written, t);
                // Where it lands counts first (per-user space: a user's
                // upload into a folder of their own is not a source of
                // fan-in), as a place, not yet as a file written.
                if (!c.allowed) out.place_in_progress(server, client, share_path, p.name, p.username, t);
                write(client, server, c, p.id, share_path, nullptr, out);
            }
            if (p.read) {
                out.count_volume(server, client, VolumeProto::smb, p.read, false, false);
                Contribution c;
                c.ts = t;
                c.peer = server;
                c.c.bytes = p.read;
                c.c.smb_bytes = p.read;
                c.allowed = allow_.bits(server, share, t, share_path);
                c.lane = classify_.read_lane(share_path, p.name, p.username, p.read_content_type);
                out.transfer_open(Role::collector, client, server, key, file_place(share_path, p.name), p.read, t);
                out.collector_read(client, c, p.id, share_path);
            }
            return;
        }
        case ProgressEvent::Kind::smb_session: {
            const IpAddr client = p.id.orig_h, server = p.id.resp_h;
            if (client == server) return;
            const std::uint64_t up = p.bytes[idx(Dir::orig)], down = p.bytes[idx(Dir::resp)];
            if (up) out.count_volume(client, server, VolumeProto::smb, up, false, false);
            if (down) out.count_volume(server, client, VolumeProto::smb, down, false, false);
            const std::string share_path = out.mapped_share(server, client, t);
            const std::string_view share = FileClassifier::share_of(share_path);
            const std::string key = transfer_key(p.id, "enc" + std::to_string(p.session_id));
            const std::string what = share_path.empty() ? std::string("encrypted SMB3") : "encrypted SMB3 on " + share_path;
            if (up) {
                Contribution c;
                c.ts = t;
                c.peer = client;
                c.c.bytes = up;
                c.c.smb_bytes = up;
                c.c.enc_bytes = up;
                c.allowed = allow_.bits(client, share, t, share_path);
                out.transfer_open(Role::target, server, client, key, what, up, t);
                write(client, server, c, p.id, share_path, nullptr, out);
            }
            if (down) {
                Contribution c;
                c.ts = t;
                c.peer = server;
                c.c.bytes = down;
                c.c.smb_bytes = down;
                c.c.enc_bytes = down;
                c.allowed = allow_.bits(server, share, t, share_path);
                out.transfer_open(Role::collector, client, server, key, what, down, t);
                out.collector_read(client, c, p.id, share_path);
            }
            return;
        }
        case ProgressEvent::Kind::ssh: {
            if (p.id.orig_h == p.id.resp_h) return;
            IpAddr client = p.client_h, server = p.server_h;
            if (client == IpAddr{} && server == IpAddr{}) {
                client = p.id.orig_h;
                server = p.id.resp_h;
            }
            if (p.bytes[0]) out.count_volume(p.id.orig_h, p.id.resp_h, VolumeProto::ssh, p.bytes[0], false, false);
            if (p.bytes[1]) out.count_volume(p.id.resp_h, p.id.orig_h, VolumeProto::ssh, p.bytes[1], false, false);
            if (client == server) return;
            const std::string key = transfer_key(p.id, "ssh");
            if (p.upload) {
                Contribution c;
                c.ts = t;
                c.peer = client;
                c.c.bytes = p.upload;
                c.c.ssh_bytes = p.upload;
                c.allowed = allow_.bits(client, {}, t);
                out.transfer_open(Role::target, server, client, key, "SSH upload", p.upload, t);
                write(client, server, c, p.id, {}, nullptr, out);
            }
            if (p.download) {
                Contribution c;
                c.ts = t;
                c.peer = server;
                c.c.bytes = p.download;
                c.c.ssh_bytes = p.download;
                c.allowed = allow_.bits(server, {}, t);
                out.transfer_open(Role::collector, client, server, key, "SSH download", p.download, t);
                out.collector_read(client, c, p.id, {});
            }
            return;
        }
    }
}

void EventAdapter::on_mapping(const SmbMappingEvent& m, ContributionSink& out) const {
    out.on_event_time(m.ts);
    if (m.path.empty() || m.id.orig_h == m.id.resp_h) return;
    out.map_share(m.id.resp_h, m.id.orig_h, m.path, m.ts);
}

}  // namespace sw
