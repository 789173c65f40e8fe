#include "fleet/event_codec.h"

#include <algorithm>
#include <charconv>

#include "output/logs.h"
#include "output/zeek_writer.h"

namespace sw::fleet {

namespace {

template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

// A log's schema followed by the fleet's own keys.
Schema extend(const Schema& base, std::initializer_list<Field> extra) {
    std::vector<Field> f = base.fields;
    f.push_back({"_path", FieldType::string});
    f.push_back({"_sensor", FieldType::string});
    f.insert(f.end(), extra);
    return Schema(base.path, std::move(f));
}

const Schema& conn_wire() {
    static const Schema s = extend(conn_schema(), {});
    return s;
}
const Schema& mapping_wire() {
    static const Schema s = extend(smb_mapping_schema(), {});
    return s;
}
const Schema& files_wire() {
    static const Schema s = extend(smb_files_schema(), {{"_is_directory", FieldType::bool_},
                                                        {"_is_pipe", FieldType::bool_},
                                                        {"_deleted", FieldType::bool_},
                                                        {"_encrypted", FieldType::bool_},
                                                        {"_archive_name", FieldType::bool_}});
    return s;
}
const Schema& ssh_wire() {
    static const Schema s = extend(ssh_schema(), {{"_client_h", FieldType::addr},
                                                  {"_server_h", FieldType::addr},
                                                  {"_upload_bytes", FieldType::count},
                                                  {"_download_bytes", FieldType::count}});
    return s;
}
const Schema& session_wire() {
    static const Schema s = extend(with_conn_id("smb_session", {{"end_ts", FieldType::time},
                                                                {"session_id", FieldType::count},
                                                                {"username", FieldType::string},
                                                                {"dialect", FieldType::string},
                                                                {"kerberos", FieldType::bool_},
                                                                {"encrypted", FieldType::bool_},
                                                                {"encrypted_msgs_orig", FieldType::count},
                                                                {"encrypted_msgs_resp", FieldType::count},
                                                                {"encrypted_bytes_orig", FieldType::count},
                                                                {"encrypted_bytes_resp", FieldType::count},
                                                                {"bytes_written", FieldType::count},
                                                                {"bytes_read", FieldType::count}}),
                                   {});
    return s;
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
                          [](const auto&) { return std::string_view(); },
                      },
                      e);
}

bool encode_event(const Event& e, std::string_view sensor, std::string& out) {
    thread_local Row row;
    const Schema* schema = nullptr;
    std::visit(overloaded{
                   [&](const ConnRecord& c) {
                       conn_row(c, row);
                       schema = &conn_wire();
                   },
                   [&](const SmbMappingEvent& m) {
                       smb_mapping_row(m, row);
                       schema = &mapping_wire();
                   },
                   [&](const SmbFileEvent& f) {
                       smb_files_row(f, row);
                       row.str("smb_files").str(sensor);
                       row.boolean(f.is_directory).boolean(f.is_pipe).boolean(f.deleted);
                       row.boolean(f.encrypted).boolean(f.archive_name);
                       schema = &files_wire();
                   },
                   [&](const SshEvent& s) {
                       ssh_row(s, row);
                       row.str("ssh").str(sensor).addr(s.client_h).addr(s.server_h);
                       row.count(s.upload_bytes).count(s.download_bytes);
                       schema = &ssh_wire();
                   },
                   [&](const SmbSessionEvent& s) {
                       begin_conn_row(row, s.ts, s.id);
                       row.time(s.end_ts).count(s.session_id).str_or_unset(s.username).str_or_unset(s.dialect);
                       row.boolean(s.kerberos).boolean(s.encrypted);
                       row.count(s.encrypted_msgs[0]).count(s.encrypted_msgs[1]);
                       row.count(s.encrypted_bytes[0]).count(s.encrypted_bytes[1]);
                       row.count(s.bytes_written).count(s.bytes_read);
                       row.str("smb_session").str(sensor);
                       schema = &session_wire();
                   },
                   [&](const auto&) {},
               },
               e);
    if (!schema) return false;
    if (schema == &conn_wire() || schema == &mapping_wire()) row.str(schema->path).str(sensor);
    LogWriter::format_row(*schema, LogFormat::json, row, out);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return true;
}

std::optional<Event> decode_event(std::string_view path, const report::LogRow& r) {
    ConnId id;
    if (!read_conn_id(r, id)) return std::nullopt;
    const Timestamp ts = time_or0(r, "ts");
    if (path == "conn") {
        ConnRecord c;
        c.id = id;
        c.ts = ts;
        c.service = text(r, "service");
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
        f.username = text(r, "username");
        f.dialect = text(r, "dialect");
        // From a plain smb_files.log: a pipe is a handle on IPC$.
        f.is_pipe = r.get("_is_pipe") ? r.flag("_is_pipe") : f.share == "IPC$";
        f.is_directory = r.flag("_is_directory");
        f.deleted = r.flag("_deleted");
        f.encrypted = r.flag("_encrypted");
        f.archive_name = r.flag("_archive_name");
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
        return Event{std::move(s)};
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
                      },
                      e);
}

}  // namespace sw::fleet
