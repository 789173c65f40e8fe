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
                   [&](const auto&) {},
               },
               e);
}

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

    const std::uint64_t bw = f.bytes_written, br = f.bytes_read;
    WriteFacts wf;
    wf.f = &f;
    wf.share_path = share_path;
    wf.archive_ext = classify_.archive_extension(f.name);
    wf.renamed = !f.prev_name.empty();
    const bool is_write = !f.is_directory && (bw > 0 || (wf.renamed && !wf.archive_ext.empty()));

    if (bw) out.count_volume(client, server, VolumeProto::smb, bw, true, false);
    if (br) out.count_volume(server, client, VolumeProto::smb, br, false, true);

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
        c.c.bytes = bw;
        c.c.smb_bytes = bw;
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
        c.c.bytes = br;
        c.c.smb_bytes = br;
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
    const std::uint64_t up = s.encrypted_bytes[idx(Dir::orig)], down = s.encrypted_bytes[idx(Dir::resp)];
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
    if (s.orig_bytes) out.count_volume(s.id.orig_h, s.id.resp_h, VolumeProto::ssh, s.orig_bytes, false, false);
    if (s.resp_bytes) out.count_volume(s.id.resp_h, s.id.orig_h, VolumeProto::ssh, s.resp_bytes, false, false);
    if (client == server) return;
    // Keystrokes and screen output of an interactive session are not data
    // being moved; every other inference (upload, download, tunnel) is.
    if (s.inferred == "interactive") return;
    if (s.upload_bytes) {
        Contribution c;
        c.ts = t;
        c.peer = client;
        c.c.bytes = s.upload_bytes;
        c.c.ssh_bytes = s.upload_bytes;
        c.allowed = allow_.bits(client, {}, t);
        write(client, server, c, s.id, {}, nullptr, out);
    }
    if (s.download_bytes) {
        Contribution c;
        c.ts = t;
        c.peer = server;
        c.c.bytes = s.download_bytes;
        c.c.ssh_bytes = s.download_bytes;
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

void EventAdapter::on_mapping(const SmbMappingEvent& m, ContributionSink& out) const {
    out.on_event_time(m.ts);
    if (m.path.empty() || m.id.orig_h == m.id.resp_h) return;
    out.map_share(m.id.resp_h, m.id.orig_h, m.path, m.ts);
}

}  // namespace sw
