// Every log writer (conn, weird, ssh, smb_files, smb_mapping, ntlm, notice,
// staging, volume) on representative records, fully set and mostly unset: in
// TSV, #fields/#types are the declared columns and every row has exactly one
// value per column, of the declared type; in JSON, every object's keys are
// declared columns in order, each value of the declared type, and exactly the
// columns the TSV row left unset are missing.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

#include "output/finding_writer.h"
#include "output/log_set.h"
#include "output/logs.h"
#include "output/output_sink.h"
#include "support.h"

namespace sw {
namespace {

using test::TempDir;

ConnId make_id(const char* orig, std::uint16_t op, const char* resp, std::uint16_t rp, std::string_view uid) {
    ConnId id;
    id.orig_h = *IpAddr::parse(orig);
    id.resp_h = *IpAddr::parse(resp);
    id.orig_p = op;
    id.resp_p = rp;
    id.proto = Transport::tcp;
    id.ip_proto = 6;
    std::copy(uid.begin(), uid.end(), id.uid_buf.begin());
    id.uid_len = static_cast<std::uint8_t>(uid.size());
    return id;
}

constexpr Timestamp kT = 1700000000'123456;

// Writes one full and one sparse record of every log, in `fmt`, into `dir`.
void write_all(const std::string& dir, LogFormat fmt) {
    LogSet logs(dir, fmt);
    OutputSink sink(logs);
    FindingWriter findings(logs);
    const ConnId id = make_id("10.0.0.11", 49208, "10.0.0.12", 445, "CHhAvVGS1DHFjwGM9");

    ConnRecord c;
    c.id = id;
    c.id.vlan = 10;
    c.ts = kT;
    c.duration = 1'500000;
    c.sized = true;
    c.protocol = AppProtocol::smb;
    c.orig_bytes = 100;
    c.resp_bytes = 200;
    c.conn_state = "SF";
    c.local_orig = true;
    c.local_resp = false;
    c.history = "ShADadFf";
    c.orig_pkts = 7;
    c.orig_ip_bytes = 480;
    c.resp_pkts = 5;
    c.resp_ip_bytes = 460;
    sink.on_event(c);
    ConnRecord c2;  // unanswered: no duration, bytes, locality, service
    c2.id = make_id("2001:db8::1", 1, "2001:db8::2", 22, "C2");
    c2.ts = kT;
    c2.conn_state = "S0";
    sink.on_event(c2);

    WeirdEvent w;
    w.ts = kT;
    w.id = id;
    w.name = "smb_lost_framing";
    w.addl = "gap of 3 bytes";
    w.source = "SMB";
    sink.on_event(w);
    WeirdEvent w2;  // packet-level: no connection
    w2.ts = kT;
    w2.name = "truncated_header";
    sink.on_event(w2);

    SshEvent s;
    s.ts = kT;
    s.id = make_id("192.168.1.79", 51880, "131.159.21.1", 22, "CS");
    s.version = 2;
    s.auth_success = true;
    s.auth_attempts = 1;
    s.direction = "OUTBOUND";
    s.client = "SSH-2.0-OpenSSH_9.7";
    s.server = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u5";
    s.cipher_alg = s.mac_alg = s.compression_alg = s.kex_alg = s.host_key_alg = "x";
    s.host_key_fingerprint = "SHA256:abc";
    s.hassh = s.hassh_server = "0123456789abcdef0123456789abcdef";
    s.hassh_algorithms = "a,b;c;d;e";
    s.hassh_server_algorithms = "f;g;h;i";
    s.orig_bytes = 5000000;
    s.resp_bytes = 4000;
    s.orig_pkts = 3500;
    s.resp_pkts = 60;
    s.inferred = "upload";
    s.transfer_bytes = 4990000;
    s.duration = 12'000001;
    sink.on_event(s);
    SshEvent s2;  // banner only
    s2.ts = kT;
    s2.id = s.id;
    s2.client = "SSH-1.5-OpenSSH_6.2";
    s2.auth_note = "no_server_banner";
    sink.on_event(s2);

    SmbFileEvent f;
    f.ts = kT;
    f.close_ts = kT + 5;
    f.id = id;
    f.fuid = "Fabc";
    f.action = "SMB::FILE_RENAME";
    f.path = "\\\\10.0.0.12\\smb2";
    f.share = "smb2";
    f.name = "dir\\x.zip";
    f.prev_name = "dir\\x.tmp";
    f.size = 1234;
    f.t_modified = f.t_accessed = f.t_created = f.t_changed = kT - 1;
    f.bytes_written = 1234;
    f.write_ranges = 1;
    f.content_type = "zip";
    f.entropy = 7.5;
    f.username = "LAB\\alice";
    f.dialect = "3.1.1";
    sink.on_event(f);
    SmbFileEvent f2;  // opened before the capture, nothing known
    f2.ts = kT;
    f2.close_ts = kT;
    f2.id = id;
    f2.action = "SMB::FILE_OPEN";
    sink.on_event(f2);

    SmbMappingEvent m;
    m.ts = kT;
    m.id = id;
    m.path = "\\\\10.0.0.12\\smb2";
    m.share_type = "DISK";
    m.dialect = "3.1.1";
    m.username = "LAB\\alice";
    sink.on_event(m);
    SmbMappingEvent m2;  // encrypted session, tree unseen
    m2.ts = kT;
    m2.id = id;
    m2.encrypted = true;
    sink.on_event(m2);

    NtlmEvent n;
    n.ts = kT;
    n.id = id;
    n.username = "alice";
    n.hostname = "WS1";
    n.domainname = "LAB";
    n.server_nb_computer_name = "FS01";
    n.server_dns_computer_name = "fs01.lab";
    n.server_tree_name = "lab";
    n.success = true;
    sink.on_event(n);
    NtlmEvent n2;  // answer never came
    n2.ts = kT;
    n2.id = id;
    sink.on_event(n2);

    Notice no;
    no.ts = kT;
    no.conn = id;
    no.fuid = "Fabc";
    no.file_mime_type = "application/zip";
    no.file_desc = "\\\\FS01\\stage$\\x.zip";
    no.note = NoteType::fan_in;
    no.msg = "10.0.0.12 received 36.0 MB from 3 hosts";
    no.sub = "indicators: fan_in:30";
    no.src = *IpAddr::parse("10.0.0.11");
    no.dst = *IpAddr::parse("10.0.0.12");
    no.p = 445;
    no.n = 3;
    no.suppress_for = 3600'000000;
    no.score = 40;
    no.severity = Severity::medium;
    no.detection_type = "FanInVolume";
    no.sources = {*IpAddr::parse("10.0.0.11"), *IpAddr::parse("10.0.0.13")};
    no.bytes = 36000000;
    no.archives = {"a.zip", "b,c.7z"};
    no.mitre = {"T1074.002"};
    findings.on_notice(no);
    Notice no2;  // volume anomaly: no connection
    no2.ts = kT;
    no2.note = NoteType::fan_in;
    findings.on_notice(no2);

    StagingRow r;
    r.ts = kT;
    r.host = *IpAddr::parse("10.0.0.12");
    r.role = Role::collector;
    r.period_start = kT - 10;
    r.window_start = kT - 5;
    r.peers = {{*IpAddr::parse("10.0.0.11"), 1000}, {*IpAddr::parse("10.0.0.13"), 2000}};
    r.bytes = 3000;
    r.smb_bytes = 3000;
    r.files = 2;
    r.archive_names = {"x.zip"};
    r.shares = {"\\\\FS01\\stage$"};
    r.pushed_bytes = 3000;
    r.push_targets = {*IpAddr::parse("10.0.0.99")};
    r.score = 45;
    r.severity = Severity::medium;
    r.detection_type = "Collector";
    r.indicators = {"fan_in:30", "collector:15"};
    r.notices = {"Staging::Collector"};
    findings.on_staging(r);
    StagingRow r2;  // a target with nothing to say
    r2.ts = kT;
    r2.host = *IpAddr::parse("10.0.0.12");
    findings.on_staging(r2);

    VolumeRow v{kT, *IpAddr::parse("10.0.0.12"), VolumeProto::ssh, 1, 2, 3, 4, 5, 6};
    findings.on_volume(v);
    logs.close_all();
}

struct Log {
    std::vector<std::string> fields, types;
    std::vector<std::vector<std::string>> rows;
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char ch : s) {
        if (ch == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += ch;
        }
    }
    out.push_back(cur);
    return out;
}

Log read_tsv(const std::filesystem::path& p) {
    Log l;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("#fields\t", 0) == 0) l.fields = split(line.substr(8), '\t');
        else if (line.rfind("#types\t", 0) == 0) l.types = split(line.substr(7), '\t');
        else if (!line.empty() && line[0] != '#') l.rows.push_back(split(line, '\t'));
    }
    return l;
}

// One TSV value (not "-") of a scalar Zeek type.
bool tsv_scalar_ok(const std::string& type, const std::string& v) {
    static const std::regex num6(R"(-?[0-9]+\.[0-9]{6})"), uint(R"([0-9]+)"), sint(R"(-?[0-9]+)");
    if (type == "time" || type == "interval" || type == "double") return std::regex_match(v, num6);
    if (type == "count" || type == "port") return std::regex_match(v, uint);
    if (type == "int") return std::regex_match(v, sint);
    if (type == "bool") return v == "T" || v == "F";
    if (type == "addr") return IpAddr::parse(v).has_value();
    if (type == "string" || type == "enum") {
        // Escaped: no raw control bytes; every backslash starts \\ or \xNN.
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (static_cast<unsigned char>(v[i]) < 0x20) return false;
            if (v[i] != '\\') continue;
            if (i + 1 < v.size() && v[i + 1] == '\\') ++i;
            else if (i + 3 < v.size() && v[i + 1] == 'x' && std::isxdigit(static_cast<unsigned char>(v[i + 2])) &&
                     std::isxdigit(static_cast<unsigned char>(v[i + 3])))
                i += 3;
            else return false;
        }
        return !v.empty() && v != "-";
    }
    return false;
}

bool tsv_value_ok(const std::string& type, const std::string& v) {
    if (v == "-") return true;  // unset is allowed in every column
    auto open = type.find('[');
    if (open == std::string::npos) return tsv_scalar_ok(type, v);
    if (v == "(empty)") return true;
    const std::string elem = type.substr(open + 1, type.size() - open - 2);
    for (const auto& e : split(v, ','))
        if (e == "-" || !tsv_scalar_ok(elem, e)) return false;
    return true;
}

// A minimal reader for the flat JSON objects Zeek's JSON writer produces:
// returns (key, kind) in order; kind is "string", "number", "bool", "array".
struct JsonField {
    std::string key, kind, text;
};
std::vector<JsonField> parse_object(const std::string& s) {
    std::vector<JsonField> out;
    std::size_t i = 0;
    auto fail = [&](const char* why) {
        ADD_FAILURE() << why << " at " << i << " in " << s;
        return std::vector<JsonField>{};
    };
    auto read_string = [&](std::string& to) {
        if (s[i] != '"') return false;
        ++i;
        while (i < s.size() && s[i] != '"') {
            if (s[i] == '\\') {
                to += s[i++];
                if (i >= s.size()) return false;
            }
            to += s[i++];
        }
        if (i >= s.size()) return false;
        ++i;
        return true;
    };
    if (s.empty() || s[i++] != '{') return fail("no {");
    while (i < s.size() && s[i] != '}') {
        JsonField f;
        if (!read_string(f.key)) return fail("bad key");
        if (s[i++] != ':') return fail("no :");
        if (s[i] == '"') {
            f.kind = "string";
            if (!read_string(f.text)) return fail("bad string");
        } else if (s[i] == '[') {
            f.kind = "array";
            ++i;
            while (s[i] != ']') {
                std::string e;
                if (!read_string(e)) return fail("bad array element");
                if (s[i] == ',') ++i;
            }
            ++i;
        } else if (s.compare(i, 4, "true") == 0 || s.compare(i, 5, "false") == 0) {
            f.kind = "bool";
            i += s[i] == 't' ? 4 : 5;
        } else {
            f.kind = "number";
            while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '-'))
                f.text += s[i++];
            if (f.text.empty()) return fail("bad value");
        }
        out.push_back(f);
        if (s[i] == ',') ++i;
    }
    if (i + 1 != s.size()) return fail("trailing bytes");
    return out;
}

std::string json_kind(const std::string& type) {
    if (type.find('[') != std::string::npos) return "array";
    if (type == "bool") return "bool";
    if (type == "string" || type == "enum" || type == "addr") return "string";
    return "number";
}

// (path, schema, rows expected) of every log.
struct Expect {
    std::string path;
    const Schema* schema;
    std::size_t rows;
};
std::vector<Expect> every_log() {
    return {{"conn", &conn_log().schema, 2},        {"weird", &weird_log().schema, 2},
            {"ssh", &ssh_log().schema, 2},          {"smb_files", &smb_files_log().schema, 2},
            {"smb_mapping", &smb_mapping_log().schema, 2}, {"ntlm", &ntlm_log().schema, 2},
            {"notice", &notice_log().schema, 2},    {"staging", &staging_log().schema, 2},
            {"volume", &volume_log().schema, 1}};
}

TEST(LogSchemas, EveryTsvRowFillsExactlyItsDeclaredColumnsWithTheirTypes) {
    TempDir dir;
    write_all(dir.str(), LogFormat::tsv);
    std::size_t files = 0;
    for (const auto& e : every_log()) {
        SCOPED_TRACE(e.path);
        EXPECT_EQ(e.schema->path, e.path);
        const Log l = read_tsv(dir.path() / (e.path + ".log"));
        ++files;
        ASSERT_EQ(l.fields.size(), e.schema->fields.size());
        ASSERT_EQ(l.types.size(), e.schema->fields.size());
        for (std::size_t i = 0; i < l.fields.size(); ++i) {
            EXPECT_EQ(l.fields[i], e.schema->fields[i].name);
            EXPECT_EQ(l.types[i], zeek_type_name(e.schema->fields[i].type));
        }
        ASSERT_EQ(l.rows.size(), e.rows);
        for (const auto& row : l.rows) {
            ASSERT_EQ(row.size(), l.fields.size());
            for (std::size_t i = 0; i < row.size(); ++i)
                EXPECT_TRUE(tsv_value_ok(l.types[i], row[i]))
                    << l.fields[i] << " (" << l.types[i] << ") = '" << row[i] << "'";
        }
    }
    EXPECT_EQ(files, 9u);
}

// Values checked exactly, derived from the records above by hand.
TEST(LogSchemas, TsvValuesAreTheRecordsValues) {
    TempDir dir;
    write_all(dir.str(), LogFormat::tsv);
    auto row = [&](const std::string& log, std::size_t r) {
        const Log l = read_tsv(dir.path() / (log + ".log"));
        std::map<std::string, std::string> m;
        for (std::size_t i = 0; i < l.fields.size(); ++i) m[l.fields[i]] = l.rows.at(r).at(i);
        return m;
    };
    auto conn = row("conn", 0);
    EXPECT_EQ(conn["ts"], "1700000000.123456");
    EXPECT_EQ(conn["uid"], "CHhAvVGS1DHFjwGM9");
    EXPECT_EQ(conn["id.resp_p"], "445");
    EXPECT_EQ(conn["duration"], "1.500000");
    EXPECT_EQ(conn["local_orig"], "T");
    EXPECT_EQ(conn["local_resp"], "F");
    EXPECT_EQ(conn["tunnel_parents"], "-");
    EXPECT_EQ(conn["ip_proto"], "6");
    EXPECT_EQ(conn["vlan"], "10");
    EXPECT_EQ(conn["inner_vlan"], "-");
    auto conn2 = row("conn", 1);
    EXPECT_EQ(conn2["duration"], "-");
    EXPECT_EQ(conn2["orig_bytes"], "-");
    EXPECT_EQ(conn2["local_orig"], "-");
    EXPECT_EQ(conn2["service"], "-");
    EXPECT_EQ(conn2["id.orig_h"], "2001:db8::1");
    auto weird2 = row("weird", 1);
    EXPECT_EQ(weird2["uid"], "-");
    EXPECT_EQ(weird2["id.orig_h"], "-");
    EXPECT_EQ(weird2["notice"], "F");
    EXPECT_EQ(weird2["peer"], "stagewatch");
    // Zeek writes a backslash as two (its smb2 baseline: \\\\10.0.0.12\\smb2).
    auto files = row("smb_files", 0);
    EXPECT_EQ(files["path"], "\\\\\\\\10.0.0.12\\\\smb2");
    EXPECT_EQ(files["name"], "dir\\\\x.zip");
    EXPECT_EQ(files["size"], "1234");
    EXPECT_EQ(files["entropy"], "7.500000");
    EXPECT_EQ(files["close_ts"], "1700000000.123461");
    EXPECT_EQ(row("smb_files", 1)["size"], "-");
    EXPECT_EQ(row("smb_mapping", 1)["path"], "-");
    EXPECT_EQ(row("smb_mapping", 1)["encrypted"], "T");
    EXPECT_EQ(row("ntlm", 1)["success"], "-");
    auto ssh = row("ssh", 0);
    EXPECT_EQ(ssh["transfer_bytes"], "4990000");
    EXPECT_EQ(ssh["duration"], "12.000001");
    EXPECT_EQ(row("ssh", 1)["transfer_bytes"], "-");
    EXPECT_EQ(row("ssh", 1)["version"], "-");
    auto notice = row("notice", 0);
    EXPECT_EQ(notice["archives"], "a.zip,b\\x2cc.7z");
    EXPECT_EQ(notice["actions"], "Notice::ACTION_LOG");
    EXPECT_EQ(notice["email_dest"], "(empty)");
    EXPECT_EQ(notice["sources"], "10.0.0.11,10.0.0.13");
    EXPECT_EQ(row("notice", 1)["proto"], "-");
    auto staging = row("staging", 0);
    EXPECT_EQ(staging["n_peers"], "2");
    EXPECT_EQ(staging["peers"], "10.0.0.11,10.0.0.13");
    EXPECT_EQ(staging["peer_bytes"], "10.0.0.11=1000,10.0.0.13=2000");
    EXPECT_EQ(staging["push_targets"], "10.0.0.99");
    EXPECT_EQ(row("staging", 1)["push_targets"], "-");
    EXPECT_EQ(row("staging", 1)["peers"], "(empty)");
    EXPECT_EQ(row("staging", 1)["severity"], "-");
    EXPECT_EQ(row("volume", 0)["proto"], "ssh");
    EXPECT_EQ(row("volume", 0)["peers_out"], "6");
}

TEST(LogSchemas, EveryJsonObjectHasExactlyTheSetColumnsWithTheirTypes) {
    TempDir tsv_dir, json_dir;
    write_all(tsv_dir.str(), LogFormat::tsv);
    write_all(json_dir.str(), LogFormat::json);
    for (const auto& e : every_log()) {
        SCOPED_TRACE(e.path);
        const Log t = read_tsv(tsv_dir.path() / (e.path + ".log"));
        std::ifstream in(json_dir.path() / (e.path + ".log"));
        std::string line;
        std::size_t n = 0;
        while (std::getline(in, line)) {
            ASSERT_LT(n, t.rows.size());
            const auto obj = parse_object(line);
            // Keys: the TSV row's set columns, in declared order.
            std::vector<std::string> want_keys;
            for (std::size_t i = 0; i < t.fields.size(); ++i)
                if (t.rows[n][i] != "-") want_keys.push_back(t.fields[i]);
            std::vector<std::string> keys;
            for (const auto& f : obj) keys.push_back(f.key);
            EXPECT_EQ(keys, want_keys) << line;
            for (const auto& f : obj) {
                const auto& fields = e.schema->fields;
                auto it = std::find_if(fields.begin(), fields.end(), [&](const Field& x) { return x.name == f.key; });
                ASSERT_NE(it, fields.end()) << f.key;
                EXPECT_EQ(f.kind, json_kind(std::string(zeek_type_name(it->type)))) << f.key;
            }
            ++n;
        }
        EXPECT_EQ(n, e.rows);
    }
}

// An accessor of the wrong kind for its column does not compile.
static_assert(detail::accepts<FieldType::count, std::uint32_t>());
static_assert(detail::accepts<FieldType::string, std::string>());
static_assert(!detail::accepts<FieldType::count, bool>());
static_assert(!detail::accepts<FieldType::count, std::int64_t>());
static_assert(!detail::accepts<FieldType::int_, std::uint16_t>());
static_assert(!detail::accepts<FieldType::bool_, int>());
static_assert(!detail::accepts<FieldType::addr, std::string_view>());
static_assert(!detail::accepts<FieldType::string, IpAddr>());
static_assert(!detail::accepts<FieldType::time, double>());
static_assert(!detail::accepts<FieldType::set_addr, std::vector<std::string>>());
static_assert(!detail::accepts<FieldType::set_string, std::string_view>());

// Two different declarations of one log are a hard error, not a mixed file.
TEST(LogSchemas, SecondDeclarationOfALogIsAnError) {
    struct R {
        std::uint64_t n;
    };
    const LogTable<R> a{"dup", {col<FieldType::count>("n", [](const R& r) { return r.n; })}};
    const LogTable<R> b{"dup", {col<FieldType::count>("m", [](const R& r) { return r.n; })}};
    TempDir dir;
    LogSet logs(dir.str(), LogFormat::tsv);
    logs.write(a, R{1});
    EXPECT_THROW(logs.write(b, R{2}), std::logic_error);
    logs.write(a, R{3});
    logs.close_all();
    const Log l = read_tsv(dir.path() / "dup.log");
    ASSERT_EQ(l.rows.size(), 2u);
    EXPECT_EQ(l.rows[1], std::vector<std::string>{"3"});
}

// JSON keeps standard JSON escaping: a backslash is \\ inside the string.
TEST(LogSchemas, JsonEscapesBackslashAsJsonDoes) {
    TempDir dir;
    write_all(dir.str(), LogFormat::json);
    std::ifstream in(dir.path() / "smb_mapping.log");
    std::string first;
    std::getline(in, first);
    EXPECT_NE(first.find(R"("path":"\\\\10.0.0.12\\smb2")"), std::string::npos) << first;
}

}  // namespace
}  // namespace sw
