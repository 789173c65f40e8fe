#include "tools/pcapgen/truth.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace pcapgen {
namespace {

class Json {
public:
    explicit Json(std::FILE* f) : f_(f) {}
    void raw(const char* s) { std::fputs(s, f_); }
    void str(const std::string& s) {
        std::fputc('"', f_);
        for (unsigned char c : s) {
            if (c == '"' || c == '\\') {
                std::fputc('\\', f_);
                std::fputc(c, f_);
            } else if (c < 0x20) {
                std::fprintf(f_, "\\u%04x", c);
            } else {
                std::fputc(c, f_);
            }
        }
        std::fputc('"', f_);
    }
    void key(const char* k) {
        sep();
        str(k);
        std::fputc(':', f_);
        first_ = true;  // the value that follows needs no comma
        pending_value_ = true;
    }
    void num(std::uint64_t v) {
        sep();
        std::fprintf(f_, "%" PRIu64, v);
    }
    void dbl(double v) {
        sep();
        std::fprintf(f_, "%.6g", v);
    }
    void boolean(bool v) {
        sep();
        raw(v ? "true" : "false");
    }
    void string(const std::string& s) {
        sep();
        str(s);
    }
    void open(char c) {
        sep();
        std::fputc(c, f_);
        first_ = true;
    }
    void close(char c) {
        std::fputc(c, f_);
        first_ = false;
    }
    // Starts the next element on a new line (comma first when needed).
    void line() {
        sep();
        std::fputc('\n', f_);
        pending_value_ = true;
    }
    void end() { std::fputc('\n', f_); }

    template <typename T>
    void kv(const char* k, const T& v) {
        key(k);
        if constexpr (std::is_same_v<T, std::string>) string(v);
        else if constexpr (std::is_same_v<T, bool>) boolean(v);
        else if constexpr (std::is_floating_point_v<T>) dbl(v);
        else num(static_cast<std::uint64_t>(v));
    }
    void kv(const char* k, const char* v) {
        key(k);
        string(v);
    }

private:
    void sep() {
        if (pending_value_) {
            pending_value_ = false;
            first_ = false;
            return;
        }
        if (!first_) std::fputc(',', f_);
        first_ = false;
    }
    std::FILE* f_;
    bool first_ = true;
    bool pending_value_ = false;
};

std::string hex64(std::uint64_t v) {
    char b[17];
    std::snprintf(b, sizeof b, "%016" PRIx64, v);
    return b;
}

std::string range(const SizeRange& r) { return std::to_string(r.lo) + ".." + std::to_string(r.hi); }

}  // namespace

void Truth::write_json(const std::string& path, const Options& o) const {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    Json j(f);
    j.open('{');
    j.kv("generator", "pcapgen");
    j.kv("format", 1);
    j.key("options");
    j.open('{');
    j.kv("seed", o.seed);
    j.kv("clients", o.clients);
    j.kv("servers", o.servers);
    j.kv("size", o.size);
    j.kv("smb_fraction", o.smb_fraction);
    j.kv("ssh_fraction", o.ssh_fraction);
    j.kv("reorder_rate", o.reorder_rate);
    j.kv("retransmit_rate", o.retransmit_rate);
    j.kv("mtu", o.mtu);
    j.kv("link_rate", o.link_rate);
    j.kv("file_size", range(o.file_size));
    j.kv("write_size", range(o.write_size));
    j.kv("files_per_session", range(o.files_per_session));
    j.kv("read_fraction", o.read_fraction);
    j.kv("smb21_fraction", o.smb21_fraction);
    j.kv("start_time", o.start_time);
    if (o.enterprise()) {
        j.kv("workload", o.workload);
        j.kv("days", o.days);
        j.kv("staging_cases", o.staging_cases);
    } else if (o.short_conns()) {
        j.kv("workload", o.workload);
        j.kv("connections", o.connections);
    }
    j.close('}');
    j.line();

    auto hosts = [&](const char* k, const std::vector<HostTruth>& v) {
        j.key(k);
        j.open('[');
        for (const auto& h : v) {
            j.open('{');
            j.kv("ip", h.ip);
            j.kv("name", h.name);
            if (!h.user.empty()) j.kv("user", h.user);
            j.close('}');
        }
        j.close(']');
        j.line();
    };
    hosts("clients", clients);
    hosts("servers", servers);

    j.key("smb_sessions");
    j.open('[');
    for (const auto& s : smb_sessions) {
        j.line();
        j.open('{');
        j.kv("client", s.client);
        j.kv("client_port", s.client_port);
        j.kv("server", s.server);
        j.kv("server_port", 445);
        j.kv("server_name", s.server_name);
        j.kv("dialect", s.dialect);
        j.kv("user", s.user);
        j.kv("domain", s.domain);
        j.kv("workstation", s.workstation);
        j.kv("tree", s.tree);
        j.kv("session_id", hex64(s.session_id));
        j.kv("start", std::to_string(s.start_ns / 1000000000) + "." + [&] {
            char b[8];
            std::snprintf(b, sizeof b, "%06u", static_cast<unsigned>(s.start_ns / 1000 % 1000000));
            return std::string(b);
        }());
        j.kv("files", s.files);
        j.kv("bytes_written", s.bytes_written);
        j.kv("bytes_read", s.bytes_read);
        j.close('}');
    }
    j.close(']');
    j.line();

    j.key("smb_files");
    j.open('[');
    for (const auto& fl : smb_files) {
        const auto& s = smb_sessions[fl.session];
        j.line();
        j.open('{');
        j.kv("session", fl.session);
        j.kv("client", s.client);
        j.kv("client_port", s.client_port);
        j.kv("server", s.server);
        j.kv("tree", s.tree);
        j.kv("name", fl.name);
        j.kv("action", fl.write ? "write" : "read");
        j.kv("magic", fl.magic);
        j.kv("size", fl.size);
        j.kv("writes", fl.writes);
        j.kv("bytes_written", fl.bytes_written);
        j.kv("reads", fl.reads);
        j.kv("bytes_read", fl.bytes_read);
        j.kv("file_id", hex64(fl.fid_persistent) + hex64(fl.fid_volatile));
        if (!fl.renamed_from.empty()) j.kv("renamed_from", fl.renamed_from);
        j.close('}');
    }
    j.close(']');
    j.line();

    j.key("ssh_sessions");
    j.open('[');
    for (const auto& s : ssh_sessions) {
        j.line();
        j.open('{');
        j.kv("client", s.client);
        j.kv("client_port", s.client_port);
        j.kv("server", s.server);
        j.kv("server_port", 22);
        j.kv("client_banner", s.client_banner);
        j.kv("server_banner", s.server_banner);
        j.kv("direction", s.upload ? "upload" : "download");
        j.kv("file_bytes", s.file_bytes);
        j.kv("orig_bytes", s.orig_bytes);
        j.kv("resp_bytes", s.resp_bytes);
        j.close('}');
    }
    j.close(']');
    j.line();

    j.key("background");
    j.open('{');
    j.kv("flows", background.flows);
    j.kv("http", background.http);
    j.kv("dns", background.dns);
    j.kv("other", background.other);
    j.kv("orig_bytes", background.orig_bytes);
    j.kv("resp_bytes", background.resp_bytes);
    j.close('}');
    j.line();

    if (enterprise.on) {
        const EnterpriseTruth& e = enterprise;
        j.key("enterprise");
        j.open('{');
        j.kv("days", e.days);
        j.kv("day0", e.day0_ns / 1000000000);
        j.key("allow_collectors");
        j.open('[');
        for (const auto& a : e.allow_collectors) j.string(a);
        j.close(']');
        j.key("patterns");
        j.open('{');
        for (const auto& [k, v] : e.patterns) j.kv(k.c_str(), v);
        j.close('}');
        j.line();
        j.key("hosts");
        j.open('[');
        for (const auto& h : e.hosts) {
            j.line();
            j.open('{');
            j.kv("ip", h.ip);
            j.kv("name", h.name);
            j.kv("role", h.role);
            if (!h.user.empty()) j.kv("user", h.user);
            j.close('}');
        }
        j.close(']');
        j.line();
        // Staging cases; every other host-day is benign.
        j.key("staging");
        j.open('[');
        for (const auto& c : e.cases) {
            j.line();
            j.open('{');
            j.kv("id", c.id);
            j.kv("kind", c.kind);
            j.kv("speed", c.speed);
            j.kv("target", c.target);
            j.kv("target_name", c.target_name);
            j.kv("share", c.share);
            j.kv("dir", c.dir);
            j.kv("account", c.account);
            j.key("sources");
            j.open('[');
            for (const auto& x : c.sources) j.string(x);
            j.close(']');
            j.kv("day", c.day);
            j.kv("first_ts", c.first_ns / 1000000000);
            j.kv("last_ts", c.last_ns / 1000000000);
            j.kv("bytes", c.bytes);
            j.close('}');
        }
        j.close(']');
        std::uint64_t staging_host_days = e.cases.size();
        for (std::size_t i = 0; i < e.cases.size(); ++i)
            for (std::size_t k = 0; k < i; ++k)
                if (e.cases[k].target == e.cases[i].target && e.cases[k].day == e.cases[i].day) {
                    --staging_host_days;
                    break;
                }
        j.kv("host_days", static_cast<std::uint64_t>(e.hosts.size()) * e.days);
        j.kv("benign_host_days", static_cast<std::uint64_t>(e.hosts.size()) * e.days - staging_host_days);
        j.close('}');
        j.line();
    }

    std::uint64_t smb_w = 0, smb_r = 0, ssh_b = 0;
    for (const auto& fl : smb_files) {
        smb_w += fl.bytes_written;
        smb_r += fl.bytes_read;
    }
    for (const auto& s : ssh_sessions) ssh_b += s.file_bytes;

    j.key("totals");
    j.open('{');
    j.kv("packets", totals.packets);
    j.kv("wire_bytes", totals.wire_bytes);
    j.kv("pcap_bytes", totals.pcap_bytes);
    j.kv("tcp_connections", totals.tcp_connections);
    j.kv("data_segments", totals.data_segments);
    j.kv("retransmitted_segments", totals.retransmitted_segments);
    j.kv("reordered_pairs", totals.reordered_pairs);
    j.kv("smb_sessions", smb_sessions.size());
    j.kv("smb_files", smb_files.size());
    j.kv("smb_bytes_written", smb_w);
    j.kv("smb_bytes_read", smb_r);
    j.kv("ssh_sessions", ssh_sessions.size());
    j.kv("ssh_file_bytes", ssh_b);
    j.kv("smb_wire_bytes", totals.bytes_by_kind[0]);
    j.kv("ssh_wire_bytes", totals.bytes_by_kind[1]);
    j.kv("background_wire_bytes", totals.bytes_by_kind[2]);
    j.kv("first_ts_us", totals.first_ns / 1000);
    j.kv("last_ts_us", totals.last_ns / 1000);
    j.close('}');
    j.end();
    j.close('}');
    j.end();
    const bool bad = std::ferror(f) != 0;
    if (std::fclose(f) != 0 || bad) throw std::runtime_error("writing " + path + " failed");
}

}  // namespace pcapgen
