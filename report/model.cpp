#include "report/model.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <unordered_map>

namespace sw::report {

namespace {

std::string lower(std::string_view s) {
    std::string o(s);
    for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

struct Span {
    double first = 0, last = 0;
    void add(double t) {
        if (t <= 0) return;
        if (first == 0 || t < first) first = t;
        if (t > last) last = t;
    }
};

// The finding's lane for a row between `a` and `b`, or nullptr.
struct Join {
    std::vector<Finding>& findings;
    std::unordered_map<std::string, std::vector<std::size_t>> by_host;
    double slack;
    explicit Join(std::vector<Finding>& f, double s) : findings(f), slack(s) {
        for (std::size_t i = 0; i < f.size(); ++i) by_host[f[i].host].push_back(i);
    }
    template <typename Fn>
    void each(const std::string& host, Fn fn) {
        auto it = by_host.find(host);
        if (it == by_host.end()) return;
        for (std::size_t i : it->second) fn(findings[i]);
    }
    bool in_window(const Finding& f, double ts) const {
        return ts >= f.window_start - slack && ts <= f.ts + slack;
    }
};

void add_mark(Finding& f, const ModelLimits& lim, Mark m) {
    ++f.marks_total;
    if (f.marks.size() < lim.marks_per_finding) f.marks.push_back(std::move(m));
}

void add_outbound(Finding& f, const ModelLimits& lim, Outbound o) {
    ++f.outbound_total;
    if (f.outbound.size() < lim.outbound_per_finding) f.outbound.push_back(std::move(o));
}

NoticeRef notice_from(const LogRow& r) {
    NoticeRef n;
    n.ts = r.num("ts");
    n.uid = r.str("uid");
    n.fuid = r.str("fuid");
    n.note = r.str("note");
    n.msg = r.str("msg");
    n.sub = r.str("sub");
    n.severity = r.str("severity");
    n.detection_type = r.str("detection_type");
    n.src = r.str("src");
    n.dst = r.str("dst");
    n.score = static_cast<long>(r.count("score"));
    return n;
}

}  // namespace

const Peer* Finding::peer(const std::string& h) const {
    for (const auto& p : peers)
        if (p.host == h) return &p;
    return nullptr;
}

int severity_rank(std::string_view s) {
    if (s == "high") return 3;
    if (s == "medium") return 2;
    if (s == "low") return 1;
    return 0;
}

std::vector<Indicator> parse_indicators(const std::vector<std::string>& items) {
    std::vector<Indicator> out;
    for (const auto& it : items) {
        std::string_view s = it;
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        auto colon = s.rfind(':');
        Indicator ind;
        if (colon == std::string_view::npos) {
            ind.name = std::string(s);
        } else {
            ind.name = std::string(s.substr(0, colon));
            std::string_view w = s.substr(colon + 1);
            long v = 0;
            auto r = std::from_chars(w.data(), w.data() + w.size(), v);
            if (r.ec == std::errc()) ind.weight = v;
        }
        if (!ind.name.empty()) out.push_back(std::move(ind));
    }
    return out;
}

std::vector<Indicator> indicators_from_sub(std::string_view sub) {
    auto p = sub.find("indicators: ");
    if (p == std::string_view::npos) return {};
    std::string_view rest = sub.substr(p + 12);
    auto semi = rest.find(';');
    if (semi != std::string_view::npos) rest = rest.substr(0, semi);
    std::vector<std::string> items;
    std::size_t pos = 0;
    for (;;) {
        auto c = rest.find(',', pos);
        items.emplace_back(rest.substr(pos, c == std::string_view::npos ? std::string_view::npos : c - pos));
        if (c == std::string_view::npos) break;
        pos = c + 1;
    }
    return parse_indicators(items);
}

bool is_archive_name(std::string_view name) {
    static const char* exts[] = {".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".cab", ".zst", ".001"};
    std::string l = lower(name);
    for (const char* e : exts) {
        std::string_view ev = e;
        if (l.size() >= ev.size() && l.compare(l.size() - ev.size(), ev.size(), ev) == 0) return true;
    }
    return false;
}

Model build_model(const std::vector<std::string>& dirs, const ModelLimits& lim) {
    Model m;
    m.limits = lim;
    m.overview.dirs = dirs;
    LogReader reader;
    Span span;
    std::set<std::string> hosts;
    auto count_row = [&](const char* log) { ++m.overview.rows_by_log[log]; };

    // 1. Findings from staging.log: one per (host, role, window); the latest update wins.
    std::map<std::tuple<std::string, std::string, double>, Finding> staged;
    reader.read_log(dirs, "staging", [&](const LogRow& r) {
        count_row("staging");
        span.add(r.num("ts"));
        Finding f;
        f.ts = r.num("ts");
        f.window_start = r.num("window_start");
        if (f.window_start <= 0) f.window_start = f.ts;
        f.host = r.str("host");
        f.role = r.str("role");
        f.score = static_cast<long>(r.count("score"));
        f.severity = r.str("severity");
        f.detection_type = r.str("detection_type");
        f.indicators = parse_indicators(r.list("indicators"));
        auto peers = r.list("peers");
        auto pb = r.list("peer_bytes");
        for (const auto& p : peers) f.peers.push_back(Peer{p});
        for (const auto& e : pb) {
            auto eq = e.find('=');
            if (eq == std::string::npos) continue;
            std::string h = e.substr(0, eq);
            std::uint64_t b = 0;
            std::from_chars(e.data() + eq + 1, e.data() + e.size(), b);
            bool found = false;
            for (auto& p : f.peers)
                if (p.host == h) p.bytes = b, found = true;
            if (!found) f.peers.push_back(Peer{h, b});
        }
        f.peers_dropped = r.count("peers_dropped");
        f.bytes = r.count("bytes");
        f.smb_bytes = r.count("smb_bytes");
        f.ssh_bytes = r.count("ssh_bytes");
        f.encrypted_bytes = r.count("encrypted_bytes");
        f.files = r.count("files");
        f.archives = r.count("archives");
        f.archive_names = r.list("archive_names");
        f.shares = r.list("shares");
        f.pushed_bytes = r.count("pushed_bytes");
        f.push_targets = r.list("push_targets");
        f.suppressed = r.flag("suppressed");
        f.suppressed_by = r.list("suppressed_by");
        auto key = std::make_tuple(f.host, f.role, f.window_start);
        auto it = staged.find(key);
        if (it == staged.end() || it->second.ts <= f.ts) staged[key] = std::move(f);
    });
    for (auto& [k, f] : staged) m.findings.push_back(std::move(f));

    // 2. Notices: attached to the finding about the same host, or a finding of their own.
    std::map<std::pair<std::string, std::string>, Finding> orphans;  // (host, detection type)
    std::unordered_map<std::string, std::vector<std::size_t>> staged_by_host;
    for (std::size_t i = 0; i < m.findings.size(); ++i) staged_by_host[m.findings[i].host].push_back(i);
    reader.read_log(dirs, "notice", [&](const LogRow& r) {
        count_row("notice");
        NoticeRef n = notice_from(r);
        span.add(n.ts);
        // A target's notices name it as dst; a collector's as src or dst; a source-only notice as src.
        auto attach = [&](const std::string& host) {
            auto it = staged_by_host.find(host);
            if (host.empty() || it == staged_by_host.end()) return false;
            for (std::size_t i : it->second) {
                Finding& f = m.findings[i];
                bool about = f.role == "collector" || n.dst == f.host || n.dst.empty();
                if (about && n.ts >= f.window_start - lim.slack_seconds && n.ts <= f.ts + lim.slack_seconds) {
                    f.notices.push_back(n);
                    return true;
                }
            }
            return false;
        };
        if (attach(n.dst) || (n.src != n.dst && attach(n.src))) return;
        std::string host = n.dst.empty() ? n.src : n.dst;
        auto key = std::make_pair(host, n.detection_type.empty() ? n.note : n.detection_type);
        Finding& f = orphans[key];
        bool newer = f.notices.empty() || n.score > f.score || (n.score == f.score && n.ts >= f.ts);
        if (f.notices.empty()) f.window_start = n.ts;
        f.window_start = std::min(f.window_start, n.ts);
        f.notices.push_back(n);
        if (!newer) return;
        f.from_notice_only = true;
        f.ts = n.ts;
        f.host = host;
        f.role = n.dst.empty() ? "source" : "target";
        f.score = n.score;
        f.severity = n.severity;
        f.detection_type = key.second;
        f.msg = n.msg;
        f.indicators = indicators_from_sub(n.sub);
        f.bytes = r.count("bytes");
        f.peers.clear();
        for (const auto& s : r.list("sources")) f.peers.push_back(Peer{s});
        if (f.peers.empty() && !n.src.empty() && n.src != host) f.peers.push_back(Peer{n.src});
        f.archive_names = r.list("archives");
        f.archives = f.archive_names.size();
    });
    for (auto& [k, f] : orphans) m.findings.push_back(std::move(f));

    // The message of a finding is its latest, most severe notice.
    for (auto& f : m.findings) {
        std::sort(f.notices.begin(), f.notices.end(), [](const NoticeRef& a, const NoticeRef& b) { return a.ts < b.ts; });
        if (f.msg.empty()) {
            long best = -1;
            for (const auto& n : f.notices)
                if (n.score >= best) best = n.score, f.msg = n.msg;
        }
    }

    std::stable_sort(m.findings.begin(), m.findings.end(), [](const Finding& a, const Finding& b) {
        if (a.suppressed != b.suppressed) return !a.suppressed;
        int sa = severity_rank(a.severity), sb = severity_rank(b.severity);
        if (sa != sb) return sa > sb;
        if (a.score != b.score) return a.score > b.score;
        if (a.bytes != b.bytes) return a.bytes > b.bytes;
        return a.ts < b.ts;
    });
    for (std::size_t i = 0; i < m.findings.size(); ++i) {
        Finding& f = m.findings[i];
        f.id = "f" + std::to_string(i + 1);
        if (f.suppressed) ++m.overview.suppressed;
        else {
            ++m.overview.findings_by_severity[f.severity.empty() ? "none" : f.severity];
            ++m.overview.findings_by_type[f.detection_type.empty() ? "(unnamed)" : f.detection_type];
        }
    }
    // Only the findings drawn in full are joined with the detail logs.
    Join join(m.findings, lim.slack_seconds);
    auto detailed = [&](const Finding& f) {
        return static_cast<std::size_t>(&f - m.findings.data()) < lim.detailed_findings;
    };

    // 3. Encrypted SMB sessions (smb_mapping encrypted=T) by uid.
    std::set<std::string> encrypted_uids;
    reader.read_log(dirs, "smb_mapping", [&](const LogRow& r) {
        count_row("smb_mapping");
        span.add(r.num("ts"));
        if (r.flag("encrypted")) encrypted_uids.insert(std::string(r.str("uid")));
    });

    std::set<std::string> wanted_uids;
    auto want_uid = [&](std::string_view uid) {
        if (!uid.empty() && wanted_uids.size() < lim.uids) wanted_uids.insert(std::string(uid));
    };

    // 4. smb_files: the files of each finding, and what the host wrote on afterwards.
    reader.read_log(dirs, "smb_files", [&](const LogRow& r) {
        count_row("smb_files");
        ++m.overview.smb_file_rows;
        double ts = r.num("ts");
        span.add(ts);
        std::string orig(r.str("id.orig_h")), resp(r.str("id.resp_h"));
        std::string action(r.str("action"));
        bool write = action.find("WRITE") != std::string::npos;
        bool read = action.find("READ") != std::string::npos;
        if (!write && !read) return;
        auto file_row = [&]() {
            FileRow fr;
            fr.ts = ts;
            fr.end = r.num("close_ts");
            if (fr.end < ts) fr.end = ts;
            fr.uid = r.str("uid");
            fr.fuid = r.str("fuid");
            fr.orig = orig;
            fr.resp = resp;
            fr.action = action;
            fr.path = r.str("path");
            fr.name = r.str("name");
            fr.user = r.str("username");
            fr.share = r.str("share");
            fr.content_type = r.str("content_type");
            fr.size = write && r.get("bytes_written") ? r.count("bytes_written")
                    : read && r.get("bytes_read")     ? r.count("bytes_read")
                                                      : r.count("size");
            if (fr.size == 0) fr.size = r.count("size");
            static const char* archive_types[] = {"zip", "7z", "rar", "gzip", "bzip2", "xz", "cab", "tar", "zstd"};
            for (const char* t : archive_types)
                if (fr.content_type == t) fr.archive = true;
            if (is_archive_name(fr.name)) fr.archive = true;
            return fr;
        };
        auto take = [&](Finding& f, const std::string& peer, Mark::Kind kind) {
            FileRow fr = file_row();
            ++f.file_rows_total;
            Mark mk;
            mk.kind = kind;
            mk.ts = fr.ts;
            mk.end = fr.end;
            mk.peer = peer;
            mk.uid = fr.uid;
            mk.fuid = fr.fuid;
            mk.label = fr.name;
            mk.bytes = fr.size;
            mk.archive = fr.archive;
            want_uid(fr.uid);
            add_mark(f, lim, std::move(mk));
            for (auto& p : f.peers)
                if (p.host == peer) ++p.files, p.archives += fr.archive;
            if (f.file_rows.size() < lim.files_per_finding) f.file_rows.push_back(std::move(fr));
        };
        // Into a target from one of its sources.
        join.each(resp, [&](Finding& f) {
            if (!detailed(f) || f.role == "collector" || !f.peer(orig) || !join.in_window(f, ts)) return;
            take(f, orig, write ? Mark::Kind::write : Mark::Kind::read);
        });
        join.each(orig, [&](Finding& f) {
            if (!detailed(f)) return;
            // A collector reading from one of its servers.
            if (f.role == "collector" && f.peer(resp) && read && join.in_window(f, ts)) {
                take(f, resp, Mark::Kind::read);
                return;
            }
            // The host writing on to somewhere else after the window opened.
            if (write && ts >= f.window_start && !f.peer(resp)) {
                FileRow fr = file_row();
                want_uid(fr.uid);
                add_outbound(f, lim, Outbound{ts, fr.uid, fr.fuid, resp, "smb", "wrote " + fr.name, fr.size});
            }
        });
    });

    // 5. SSH sessions: encrypted edges and marks; SSH out of the host afterwards.
    reader.read_log(dirs, "ssh", [&](const LogRow& r) {
        count_row("ssh");
        double ts = r.num("ts");
        span.add(ts);
        std::string orig(r.str("id.orig_h")), resp(r.str("id.resp_h"));
        std::uint64_t bytes = r.get("transfer_bytes") ? r.count("transfer_bytes") : r.count("orig_bytes");
        join.each(resp, [&](Finding& f) {
            if (!detailed(f) || !join.in_window(f, ts)) return;
            for (auto& p : f.peers)
                if (p.host == orig) {
                    p.ssh = p.encrypted = true;
                    Mark mk;
                    mk.kind = Mark::Kind::ssh;
                    mk.ts = ts;
                    mk.end = ts + r.num("duration");
                    mk.peer = orig;
                    mk.uid = r.str("uid");
                    mk.bytes = bytes;
                    mk.encrypted = true;
                    mk.label = "ssh " + std::string(r.str("client"));
                    want_uid(mk.uid);
                    add_mark(f, lim, std::move(mk));
                }
        });
        join.each(orig, [&](Finding& f) {
            if (!detailed(f) || ts < f.window_start || f.peer(resp)) return;
            std::string uid(r.str("uid"));
            want_uid(uid);
            add_outbound(f, lim, Outbound{ts, uid, "", resp, "ssh", "ssh session (" + std::string(r.str("client")) + ")", bytes});
        });
    });

    // 6. conn.log: overview, the uid index, per-host peers, encrypted and outbound connections.
    std::map<std::string, std::map<std::string, std::uint64_t>> pairs;
    std::size_t n_pairs = 0;
    std::map<std::string, std::uint64_t> conn_bytes;
    bool have_conn = false;
    reader.read_log(dirs, "conn", [&](const LogRow& r) {
        count_row("conn");
        have_conn = true;
        ConnInfo c;
        c.ts = r.num("ts");
        c.duration = r.num("duration");
        c.orig = r.str("id.orig_h");
        c.resp = r.str("id.resp_h");
        c.orig_p = r.count("id.orig_p");
        c.resp_p = r.count("id.resp_p");
        c.proto = r.str("proto");
        c.service = r.str("service");
        c.orig_bytes = r.count("orig_bytes");
        c.resp_bytes = r.count("resp_bytes");
        std::string uid(r.str("uid"));
        c.encrypted = encrypted_uids.count(uid) || c.service.find("ssh") != std::string::npos;
        span.add(c.ts);
        span.add(c.ts + c.duration);
        hosts.insert(c.orig);
        hosts.insert(c.resp);
        std::uint64_t total = c.orig_bytes + c.resp_bytes;
        m.overview.bytes_by_proto[c.service.empty() ? c.proto.empty() ? "other" : c.proto : c.service] += total;
        conn_bytes[c.orig] += total;
        conn_bytes[c.resp] += total;
        for (const auto& [a, b] : {std::pair{c.orig, c.resp}, std::pair{c.resp, c.orig}}) {
            auto& pm = pairs[a];
            auto it = pm.find(b);
            if (it != pm.end()) it->second += total;
            else if (n_pairs < lim.host_pairs) pm.emplace(b, total), ++n_pairs;
        }
        // Connections from sources into a finding's host: a mark per connection.
        join.each(c.resp, [&](Finding& f) {
            if (!detailed(f) || !join.in_window(f, c.ts)) return;
            for (auto& p : f.peers)
                if (p.host == c.orig) {
                    if (c.encrypted) p.encrypted = true;
                    Mark mk;
                    mk.kind = Mark::Kind::conn;
                    mk.ts = c.ts;
                    mk.end = c.ts + c.duration;
                    mk.peer = c.orig;
                    mk.uid = uid;
                    mk.bytes = c.orig_bytes;
                    mk.encrypted = c.encrypted;
                    mk.label = c.service.empty() ? c.proto : c.service;
                    want_uid(uid);
                    add_mark(f, lim, std::move(mk));
                }
        });
        // Large transfers out of a finding's host after its window opened.
        join.each(c.orig, [&](Finding& f) {
            if (!detailed(f) || c.ts < f.window_start || c.orig_bytes < lim.large_outbound || f.peer(c.resp)) return;
            for (const auto& o : f.outbound)
                if (o.uid == uid && o.proto == "smb") return;  // already listed by file
            want_uid(uid);
            add_outbound(f, lim, Outbound{c.ts, uid, "", c.resp, c.service.empty() ? c.proto : c.service,
                                          "large outbound connection", c.orig_bytes});
        });
        if (wanted_uids.count(uid)) m.conns[uid] = c;
    });
    // The uid index also needs connections the conn.log pass saw before a mark asked for them:
    // every want comes from logs read before conn.log, so one pass suffices.
    m.conns_dropped = wanted_uids.size() > m.conns.size() ? wanted_uids.size() - m.conns.size() : 0;

    // 7. volume.log: per-host series.
    std::map<std::string, std::map<double, VolumePoint>> series;
    std::map<std::string, std::uint64_t> vol_proto;
    Span vol_span;
    reader.read_log(dirs, "volume", [&](const LogRow& r) {
        count_row("volume");
        double ts = r.num("ts");
        vol_span.add(ts);  // interval starts: only when no other log gives a span
        std::string h(r.str("host"));
        hosts.insert(h);
        auto& p = series[h][ts];
        p.ts = ts;
        p.in += r.count("bytes_in");
        p.out += r.count("bytes_out");
        vol_proto[std::string(r.str("proto"))] += r.count("bytes_in");
    });
    if (!have_conn) m.overview.bytes_by_proto = vol_proto;

    // Hosts: every finding's host first, then the busiest.
    std::set<std::string> finding_hosts;
    for (const auto& f : m.findings) finding_hosts.insert(f.host);
    std::vector<std::pair<std::uint64_t, std::string>> order;
    std::set<std::string> all_hosts(hosts.begin(), hosts.end());
    for (const auto& h : all_hosts) {
        if (h.empty()) continue;
        std::uint64_t b = conn_bytes.count(h) ? conn_bytes[h] : 0;
        if (!b && series.count(h))
            for (const auto& [t, p] : series[h]) b += p.in + p.out;
        order.emplace_back(b, h);
    }
    std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
        bool fa = finding_hosts.count(a.second), fb = finding_hosts.count(b.second);
        if (fa != fb) return fa;
        return a.first > b.first;
    });
    for (const auto& [b, h] : order) {
        if (m.hosts.size() >= lim.hosts) break;
        HostInfo hi;
        hi.host = h;
        hi.in_finding = finding_hosts.count(h) > 0;
        if (series.count(h))
            for (const auto& [t, p] : series[h]) {
                hi.volume.push_back(p);
                hi.bytes_in += p.in;
                hi.bytes_out += p.out;
            }
        if (pairs.count(h)) {
            for (const auto& [peer, pb] : pairs[h]) hi.top_peers.emplace_back(peer, pb);
            std::sort(hi.top_peers.begin(), hi.top_peers.end(),
                      [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
            if (hi.top_peers.size() > lim.peers_per_host) hi.top_peers.resize(lim.peers_per_host);
        }
        m.hosts.push_back(std::move(hi));
    }
    for (auto& f : m.findings) {
        std::sort(f.marks.begin(), f.marks.end(), [](const Mark& a, const Mark& b) { return a.ts < b.ts; });
        std::sort(f.file_rows.begin(), f.file_rows.end(), [](const FileRow& a, const FileRow& b) { return a.ts < b.ts; });
        std::sort(f.outbound.begin(), f.outbound.end(), [](const Outbound& a, const Outbound& b) { return a.ts < b.ts; });
        std::stable_sort(f.peers.begin(), f.peers.end(), [](const Peer& a, const Peer& b) { return a.bytes > b.bytes; });
    }
    if (span.first == 0) span = vol_span;
    m.overview.first = span.first;
    m.overview.last = span.last;
    m.overview.hosts = hosts.size() - hosts.count("");
    m.overview.bad_lines = reader.stats().bad_lines;
    return m;
}

}  // namespace sw::report
