#include "fleet/event_codec.h"
#include "capture/util.h"

#include <algorithm>
#include <charconv>

#include "output/logs.h"
#include "output/zeek_writer.h"

namespace sw::fleet {

namespace {


using F = FieldType;

// The fleet's keys after a log's own: `_path`, `_sensor`, then the fields
// analytics needs that the log does not show. Each kind has a small table of
// them over this record; its JSON object is spliced after the log's.
template <class E>
struct Tail {
    std::string_view path, sensor;
    const E* e;
};
template <class E>
std::vector<Column<Tail<E>>> tail_cols(std::vector<Column<Tail<E>>> extra) {
    std::vector<Column<Tail<E>>> c{
        col<F::string>("_path", [](const Tail<E>& t) { return t.path; }),
        col<F::string>("_sensor", [](const Tail<E>& t) { return t.sensor; }),
    };
    c.insert(c.end(), extra.begin(), extra.end());
    return c;
}

const LogTable<Tail<ConnRecord>>& conn_tail() {
    static const LogTable<Tail<ConnRecord>> t{"conn", tail_cols<ConnRecord>({})};
    return t;
}
const LogTable<Tail<SmbMappingEvent>>& mapping_tail() {
    static const LogTable<Tail<SmbMappingEvent>> t{"smb_mapping", tail_cols<SmbMappingEvent>({})};
    return t;
}
using FT = Tail<SmbFileEvent>;
const LogTable<FT>& files_tail() {
    static const LogTable<FT> t{"smb_files",
                                tail_cols<SmbFileEvent>({
                                    col<F::bool_>("_is_directory", [](const FT& x) { return x.e->is_directory; }),
                                    col<F::bool_>("_is_pipe", [](const FT& x) { return x.e->is_pipe; }),
                                    col<F::bool_>("_deleted", [](const FT& x) { return x.e->deleted; }),
                                    col<F::bool_>("_encrypted", [](const FT& x) { return x.e->encrypted; }),
                                    col<F::bool_>("_archive_name", [](const FT& x) { return x.e->archive_name; }),
                                    col<F::count>("_progress_written", [](const FT& x) { return x.e->progress_written; }),
                                    col<F::count>("_progress_read", [](const FT& x) { return x.e->progress_read; }),
                                })};
    return t;
}
using ST = Tail<SshEvent>;
const LogTable<ST>& ssh_tail() {
    static const LogTable<ST> t{"ssh", tail_cols<SshEvent>({
                                           col<F::addr>("_client_h", [](const ST& x) { return x.e->client_h; }),
                                           col<F::addr>("_server_h", [](const ST& x) { return x.e->server_h; }),
                                           col<F::count>("_upload_bytes", [](const ST& x) { return x.e->upload_bytes; }),
                                           col<F::count>("_download_bytes",
                                                         [](const ST& x) { return x.e->download_bytes; }),
                                           col<F::count>("_progress_orig_bytes",
                                                         [](const ST& x) { return x.e->progress_orig_bytes; }),
                                           col<F::count>("_progress_resp_bytes",
                                                         [](const ST& x) { return x.e->progress_resp_bytes; }),
                                           col<F::count>("_progress_upload_bytes",
                                                         [](const ST& x) { return x.e->progress_upload_bytes; }),
                                           col<F::count>("_progress_download_bytes",
                                                         [](const ST& x) { return x.e->progress_download_bytes; }),
                                       })};
    return t;
}
// SMB session ends have no log of their own: their wire table is all here.
using SE = SmbSessionEvent;
const LogTable<SE>& session_wire() {
    static const LogTable<SE> t{
        "smb_session",
        with_conn_id([](const SE& s) { return s.ts; }, [](const SE& s) -> const ConnId* { return &s.id; },
                     {
                         col<F::time>("end_ts", [](const SE& s) { return s.end_ts; }),
                         col<F::count>("session_id", [](const SE& s) { return s.session_id; }),
                         col<F::string>("username", [](const SE& s) { return nonempty(s.username); }),
                         col<F::string>("dialect", [](const SE& s) { return nonempty(s.dialect); }),
                         col<F::bool_>("kerberos", [](const SE& s) { return s.kerberos; }),
                         col<F::bool_>("encrypted", [](const SE& s) { return s.encrypted; }),
                         col<F::count>("encrypted_msgs_orig", [](const SE& s) { return s.encrypted_msgs[0]; }),
                         col<F::count>("encrypted_msgs_resp", [](const SE& s) { return s.encrypted_msgs[1]; }),
                         col<F::count>("encrypted_bytes_orig", [](const SE& s) { return s.encrypted_bytes[0]; }),
                         col<F::count>("encrypted_bytes_resp", [](const SE& s) { return s.encrypted_bytes[1]; }),
                         col<F::count>("bytes_written", [](const SE& s) { return s.bytes_written; }),
                         col<F::count>("bytes_read", [](const SE& s) { return s.bytes_read; }),
                         col<F::count>("progress_encrypted_bytes_orig",
                                       [](const SE& s) { return s.progress_encrypted_bytes[0]; }),
                         col<F::count>("progress_encrypted_bytes_resp",
                                       [](const SE& s) { return s.progress_encrypted_bytes[1]; }),
                     })};
    return t;
}
// Progress events have no log of their own either.
using PE = ProgressEvent;
std::string_view progress_kind_name(PE::Kind k) {
    switch (k) {
        case PE::Kind::smb_file: return "smb_file";
        case PE::Kind::smb_session: return "smb_session";
        case PE::Kind::ssh: return "ssh";
    }
    return "";
}
const LogTable<PE>& progress_wire() {
    static const LogTable<PE> t{
        "progress",
        with_conn_id([](const PE& p) { return p.ts; }, [](const PE& p) -> const ConnId* { return &p.id; },
                     {
                         col<F::string>("kind", [](const PE& p) { return progress_kind_name(p.kind); }),
                         col<F::string>("fuid", [](const PE& p) { return nonempty(p.fuid); }),
                         col<F::string>("path", [](const PE& p) { return nonempty(p.path); }),
                         col<F::string>("share", [](const PE& p) { return nonempty(p.share); }),
                         col<F::string>("name", [](const PE& p) { return nonempty(p.name); }),
                         col<F::string>("username", [](const PE& p) { return nonempty(p.username); }),
                         col<F::string>("content_type", [](const PE& p) { return nonempty(p.content_type); }),
                         col<F::string>("read_content_type", [](const PE& p) { return nonempty(p.read_content_type); }),
                         col<F::count>("written", [](const PE& p) { return p.written; }),
                         col<F::count>("read", [](const PE& p) { return p.read; }),
                         col<F::count>("session_id", [](const PE& p) { return p.session_id; }),
                         col<F::count>("bytes_orig", [](const PE& p) { return p.bytes[0]; }),
                         col<F::count>("bytes_resp", [](const PE& p) { return p.bytes[1]; }),
                         col<F::addr>("client_h", [](const PE& p) { return p.client_h; }),
                         col<F::addr>("server_h", [](const PE& p) { return p.server_h; }),
                         col<F::count>("upload", [](const PE& p) { return p.upload; }),
                         col<F::count>("download", [](const PE& p) { return p.download; }),
                     })};
    return t;
}

// Appends the log's JSON object and the tail's keys as one object (no newline).
template <class Rec, class E>
void encode(const LogTable<Rec>& log, const Rec& r, const LogTable<Tail<E>>& tail, const Tail<E>& t,
            std::string& out) {
    const std::size_t start = out.size();
    log.format(LogFormat::json, r, out);
    while (out.size() > start && (out.back() == '\n' || out.back() == '}')) out.pop_back();
    thread_local std::string extra;
    extra.clear();
    tail.format(LogFormat::json, t, extra);
    std::string_view inner(extra);
    while (!inner.empty() && (inner.back() == '\n' || inner.back() == '}')) inner.remove_suffix(1);
    if (!inner.empty() && inner.front() == '{') inner.remove_prefix(1);
    if (!inner.empty()) {
        if (out.size() > start + 1) out += ',';
        out += inner;
    }
    out += '}';
}

AppProtocol protocol_named(std::string_view s) {
    if (s == app_protocol_name(AppProtocol::smb)) return AppProtocol::smb;
    if (s == app_protocol_name(AppProtocol::ssh)) return AppProtocol::ssh;
    return AppProtocol::none;
}

std::optional<Timestamp> opt_time(const report::LogRow& r, std::string_view k) {
    auto v = r.get(k);
    if (!v || v->empty()) return std::nullopt;
    return parse_zeek_time(*v);
}
Timestamp time_or0(const report::LogRow& r, std::string_view k) { return opt_time(r, k).value_or(0); }
std::string text(const report::LogRow& r, std::string_view k) { return std::string(r.str(k)); }
std::optional<std::uint64_t> opt_count(const report::LogRow& r, std::string_view k) {
    auto v = r.get(k);
    if (!v || v->empty()) return std::nullopt;
    return r.count(k);
}

bool read_conn_id(const report::LogRow& r, ConnId& id) {
    auto oh = IpAddr::parse(r.str("id.orig_h"));
    auto rh = IpAddr::parse(r.str("id.resp_h"));
    if (!oh || !rh) return false;
    id.orig_h = *oh;
    id.resp_h = *rh;
    id.orig_p = static_cast<std::uint16_t>(r.count("id.orig_p"));
    id.resp_p = static_cast<std::uint16_t>(r.count("id.resp_p"));
    const std::string_view proto = r.str("proto");
    id.proto = proto == "udp" ? Transport::udp : proto == "icmp" ? Transport::icmp : Transport::tcp;
    id.ip_proto = static_cast<std::uint8_t>(r.count("ip_proto"));
    if (!id.ip_proto) id.ip_proto = id.proto == Transport::udp ? 17 : 6;
    const std::string_view uid = r.str("uid");
    id.uid_len = static_cast<std::uint8_t>(std::min(uid.size(), id.uid_buf.size()));
    std::copy_n(uid.data(), id.uid_len, id.uid_buf.data());
    return true;
}

Duration interval(const report::LogRow& r, std::string_view k) {
    auto v = r.get(k);
    if (!v || v->empty()) return 0;
    return parse_zeek_time(*v).value_or(0);
}

}  // namespace

std::optional<Timestamp> parse_zeek_time(std::string_view s) {
    bool neg = !s.empty() && s[0] == '-';
    if (neg) s.remove_prefix(1);
    const std::size_t dot = s.find('.');
    const std::string_view whole = s.substr(0, dot);
    std::int64_t sec = 0;
    auto r = std::from_chars(whole.data(), whole.data() + whole.size(), sec);
    if (whole.empty() || r.ec != std::errc() || r.ptr != whole.data() + whole.size()) return std::nullopt;
    std::int64_t frac = 0;
    if (dot != std::string_view::npos) {
        std::string_view f = s.substr(dot + 1);
        int digits = 0;
        for (char c : f) {
            if (c < '0' || c > '9') return std::nullopt;
            if (digits < 6) frac = frac * 10 + (c - '0'), ++digits;
        }
        while (digits < 6) frac *= 10, ++digits;
    }
    const std::int64_t us = sec * kSecond + frac;
    return neg ? -us : us;
}

std::string_view event_path(const Event& e) {
    return std::visit(overloaded{
                          [](const ConnRecord&) { return std::string_view("conn"); },
                          [](const SmbFileEvent&) { return std::string_view("smb_files"); },
                          [](const SmbMappingEvent&) { return std::string_view("smb_mapping"); },
                          [](const SshEvent&) { return std::string_view("ssh"); },
                          [](const SmbSessionEvent&) { return std::string_view("smb_session"); },
                          [](const ProgressEvent&) { return std::string_view("progress"); },
                          [](const auto&) { return std::string_view(); },
                      },
                      e);
}

bool encode_event(const Event& e, std::string_view sensor, std::string& out) {
    return std::visit(overloaded{
                          [&](const ConnRecord& c) {
                              encode(conn_log(), c, conn_tail(), Tail<ConnRecord>{"conn", sensor, &c}, out);
                              return true;
                          },
                          [&](const SmbMappingEvent& m) {
                              encode(smb_mapping_log(), m, mapping_tail(), Tail<SmbMappingEvent>{"smb_mapping", sensor, &m},
                                     out);
                              return true;
                          },
                          [&](const SmbFileEvent& f) {
                              encode(smb_files_log(), f, files_tail(), FT{"smb_files", sensor, &f}, out);
                              return true;
                          },
                          [&](const SshEvent& x) {
                              encode(ssh_log(), x, ssh_tail(), ST{"ssh", sensor, &x}, out);
                              return true;
                          },
                          [&](const SmbSessionEvent& x) {
                              encode(session_wire(), x, conn_tail(), Tail<ConnRecord>{"smb_session", sensor, nullptr}, out);
                              return true;
                          },
                          [&](const ProgressEvent& x) {
                              encode(progress_wire(), x, conn_tail(), Tail<ConnRecord>{"progress", sensor, nullptr}, out);
                              return true;
                          },
                          [&](const auto&) { return false; },
                      },
                      e);
}

std::optional<Event> decode_event(std::string_view path, const report::LogRow& r) {
    ConnId id;
    if (!read_conn_id(r, id)) return std::nullopt;
    const Timestamp ts = time_or0(r, "ts");
    if (path == "conn") {
        ConnRecord c;
        c.id = id;
        c.ts = ts;
        c.protocol = protocol_named(r.str("service"));
        c.sized = r.get("duration").has_value();
        c.duration = interval(r, "duration");
        c.orig_bytes = r.count("orig_bytes");
        c.resp_bytes = r.count("resp_bytes");
        c.missed_bytes = r.count("missed_bytes");
        c.history = text(r, "history");
        c.orig_pkts = r.count("orig_pkts");
        c.orig_ip_bytes = r.count("orig_ip_bytes");
        c.resp_pkts = r.count("resp_pkts");
        c.resp_ip_bytes = r.count("resp_ip_bytes");
        return Event{std::move(c)};
    }
    if (path == "smb_mapping") {
        SmbMappingEvent m;
        m.ts = ts;
        m.id = id;
        m.path = text(r, "path");
        m.service = text(r, "service");
        m.native_file_system = text(r, "native_file_system");
        m.share_type = text(r, "share_type");
        m.dialect = text(r, "dialect");
        m.username = text(r, "username");
        m.encrypted = r.flag("encrypted");
        return Event{std::move(m)};
    }
    if (path == "smb_files") {
        SmbFileEvent f;
        f.ts = ts;
        f.close_ts = time_or0(r, "close_ts");
        f.id = id;
        f.fuid = text(r, "fuid");
        f.action = text(r, "action");
        f.path = text(r, "path");
        f.share = text(r, "share");
        f.name = text(r, "name");
        f.prev_name = text(r, "prev_name");
        f.size = opt_count(r, "size");
        f.t_modified = opt_time(r, "times.modified");
        f.t_accessed = opt_time(r, "times.accessed");
        f.t_created = opt_time(r, "times.created");
        f.t_changed = opt_time(r, "times.changed");
        f.bytes_written = r.count("bytes_written");
        f.bytes_read = r.count("bytes_read");
        f.write_ranges = static_cast<std::uint32_t>(r.count("write_ranges"));
        f.missed_bytes = r.count("missed_bytes");
        f.content_type = text(r, "content_type");
        if (auto v = r.get("entropy"); v && !v->empty()) f.entropy = r.num("entropy");
        f.read_content_type = text(r, "read_content_type");
        f.username = text(r, "username");
        f.dialect = text(r, "dialect");
        // From a plain smb_files.log: a pipe is a handle on IPC$.
        f.is_pipe = r.get("_is_pipe") ? r.flag("_is_pipe") : f.share == "IPC$";
        f.is_directory = r.flag("_is_directory");
        f.deleted = r.flag("_deleted");
        f.encrypted = r.flag("_encrypted");
        f.archive_name = r.flag("_archive_name");
        f.progress_written = r.count("_progress_written");
        f.progress_read = r.count("_progress_read");
        return Event{std::move(f)};
    }
    if (path == "ssh") {
        SshEvent s;
        s.ts = ts;
        s.id = id;
        s.duration = interval(r, "duration");
        if (auto v = opt_count(r, "version")) s.version = static_cast<std::uint32_t>(*v);
        if (auto v = r.get("auth_success"); v && !v->empty()) s.auth_success = r.flag("auth_success");
        s.auth_attempts = static_cast<std::uint32_t>(r.count("auth_attempts"));
        s.direction = text(r, "direction");
        s.client = text(r, "client");
        s.server = text(r, "server");
        s.orig_bytes = r.count("orig_bytes");
        s.resp_bytes = r.count("resp_bytes");
        s.orig_pkts = r.count("orig_pkts");
        s.resp_pkts = r.count("resp_pkts");
        s.auth_note = text(r, "auth_note");
        s.inferred = text(r, "inferred");
        s.transfer_bytes = r.count("transfer_bytes");
        if (auto c = IpAddr::parse(r.str("_client_h"))) s.client_h = *c;
        if (auto c = IpAddr::parse(r.str("_server_h"))) s.server_h = *c;
        if (r.get("_upload_bytes")) {
            s.upload_bytes = r.count("_upload_bytes");
            s.download_bytes = r.count("_download_bytes");
        } else if (s.inferred == "upload") {
            // A plain ssh.log has only the transfer estimate.
            s.upload_bytes = s.transfer_bytes;
        } else if (s.inferred == "download") {
            s.download_bytes = s.transfer_bytes;
        }
        s.progress_orig_bytes = r.count("_progress_orig_bytes");
        s.progress_resp_bytes = r.count("_progress_resp_bytes");
        s.progress_upload_bytes = r.count("_progress_upload_bytes");
        s.progress_download_bytes = r.count("_progress_download_bytes");
        return Event{std::move(s)};
    }
    if (path == "smb_session") {
        SmbSessionEvent s;
        s.ts = ts;
        s.end_ts = time_or0(r, "end_ts");
        s.id = id;
        s.session_id = r.count("session_id");
        s.username = text(r, "username");
        s.dialect = text(r, "dialect");
        s.kerberos = r.flag("kerberos");
        s.encrypted = r.flag("encrypted");
        s.encrypted_msgs[0] = r.count("encrypted_msgs_orig");
        s.encrypted_msgs[1] = r.count("encrypted_msgs_resp");
        s.encrypted_bytes[0] = r.count("encrypted_bytes_orig");
        s.encrypted_bytes[1] = r.count("encrypted_bytes_resp");
        s.bytes_written = r.count("bytes_written");
        s.bytes_read = r.count("bytes_read");
        s.progress_encrypted_bytes[0] = r.count("progress_encrypted_bytes_orig");
        s.progress_encrypted_bytes[1] = r.count("progress_encrypted_bytes_resp");
        return Event{std::move(s)};
    }
    if (path == "progress") {
        ProgressEvent p;
        p.ts = ts;
        p.id = id;
        const std::string_view kind = r.str("kind");
        if (kind == "smb_file") p.kind = ProgressEvent::Kind::smb_file;
        else if (kind == "smb_session") p.kind = ProgressEvent::Kind::smb_session;
        else if (kind == "ssh") p.kind = ProgressEvent::Kind::ssh;
        else return std::nullopt;
        p.fuid = text(r, "fuid");
        p.path = text(r, "path");
        p.share = text(r, "share");
        p.name = text(r, "name");
        p.username = text(r, "username");
        p.content_type = text(r, "content_type");
        p.read_content_type = text(r, "read_content_type");
        p.written = r.count("written");
        p.read = r.count("read");
        p.session_id = r.count("session_id");
        p.bytes[0] = r.count("bytes_orig");
        p.bytes[1] = r.count("bytes_resp");
        if (auto c = IpAddr::parse(r.str("client_h"))) p.client_h = *c;
        if (auto c = IpAddr::parse(r.str("server_h"))) p.server_h = *c;
        p.upload = r.count("upload");
        p.download = r.count("download");
        return Event{std::move(p)};
    }
    return std::nullopt;
}

Timestamp event_time(const Event& e) {
    return std::visit(overloaded{
                          [](const SmbFileEvent& f) { return f.close_ts ? f.close_ts : f.ts; },
                          [](const SmbSessionEvent& s) { return s.end_ts ? s.end_ts : s.ts; },
                          [](const SshEvent& s) { return s.ts + std::max<Duration>(s.duration, 0); },
                          [](const ConnRecord& c) { return c.ts + std::max<Duration>(c.duration, 0); },
                          [](const SmbMappingEvent& m) { return m.ts; },
                          [](const WeirdEvent& w) { return w.ts; },
                          [](const NtlmEvent& n) { return n.ts; },
                          [](const ProgressEvent& p) { return p.ts; },
                      },
                      e);
}

}  // namespace sw::fleet
