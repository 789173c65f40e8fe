#include "analytics/notice_text.h"

#include <cmath>
#include <cstdio>

#include "analytics/file_classifier.h"
#include "capture/util.h"

namespace sw {

namespace {

constexpr std::size_t kMaxListed = 20;  // sources spelled out in a notice's sub

std::string join(const std::vector<std::string>& v, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += sep;
        out += v[i];
    }
    return out;
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::vector<IpAddr> addrs_of(const std::vector<PeerBytes>& p) {
    std::vector<IpAddr> out;
    out.reserve(p.size());
    for (const auto& x : p) out.push_back(x.addr);
    return out;
}

// "10.0.0.1 12.0 MB, 10.0.0.2 3.0 MB and 4 more"
std::string per_peer(const std::vector<PeerBytes>& peers) {
    std::vector<std::string> listed;
    for (std::size_t i = 0; i < peers.size() && i < kMaxListed; ++i)
        listed.push_back(peers[i].addr.str() + " " + human_bytes(peers[i].bytes));
    std::string out = join(listed, ", ");
    if (peers.size() > kMaxListed) out += " and " + std::to_string(peers.size() - kMaxListed) + " more";
    return out;
}

Notice window_notice(const WindowFacts& w, NoteType note, const Assessment& a, const AnalyticsConfig& cfg) {
    Notice n;
    n.ts = w.ts;
    if (w.conn) n.conn = *w.conn;
    n.note = note;
    n.n = w.n;
    n.sources = addrs_of(w.peers);
    n.bytes = w.c.bytes;
    n.archives = w.archives;
    n.score = a.score;
    n.severity = a.severity;
    n.detection_type = std::string(a.label);
    n.suppress_for = w.suppress_for >= 0 ? w.suppress_for : cfg.suppress_for;
    return n;
}

}  // namespace

std::string human_span(Duration d) {
    if (d < kSecond) return "under 1 s";
    std::int64_t s = (d + kSecond / 2) / kSecond;
    if (s < 60) return std::to_string(s) + " s";
    std::int64_t m = (s + 30) / 60;
    if (m <= 120) return std::to_string(m) + " min";
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f h", static_cast<double>(s) / 3600.0);
    return buf;
}

std::string indicator_list(const Assessment& a, const AnalyticsConfig& cfg) {
    return join(indicator_columns(a, cfg), ", ");
}

Notice fan_in_notice(const WindowFacts& w, const Assessment& a, const AnalyticsConfig& cfg) {
    Notice n = window_notice(w, NoteType::fan_in, a, cfg);
    n.dst = w.host;
    const Counters& c = w.c;
    n.msg = w.host.str() + " received " + human_bytes(c.bytes) + " from " + plural(w.n, "host", "hosts") + " in " +
            human_span(w.span);
    if (w.horizon) n.msg += " (" + human_span(w.horizon) + " horizon)";
    if (c.archives) {
        n.msg += ", " + plural(c.archives, "archive", "archives");
        if (!w.shares.empty()) n.msg += " to " + join(w.shares, " and ");
    } else if (!w.shares.empty()) {
        n.msg += " on " + join(w.shares, " and ");
    }
    if (c.ssh_bytes) n.msg += ", " + human_bytes(c.ssh_bytes) + " by SSH upload";
    if (c.enc_bytes) n.msg += ", " + human_bytes(c.enc_bytes) + " as encrypted SMB3";
    if (!w.converge_path.empty())
        n.msg += ", archives of " + plural(w.converge_sources, "source", "sources") + " converging on " +
                 w.converge_path;
    if (!w.in_progress.empty()) n.msg += ", " + plural(w.in_progress.size(), "transfer", "transfers") + " still in progress";
    n.sub = "sources: " + per_peer(w.peers);
    if (w.private_sources)
        n.sub += "; not counted: " + plural(w.private_sources, "source", "sources") +
                 " writing only into a folder of their own";
    if (w.software_sources)
        n.sub += "; not counted: " + plural(w.software_sources, "source", "sources") +
                 " writing only software (executables, installers, scripts)";
    if (!w.in_progress.empty()) n.sub += "; in progress: " + join(w.in_progress, "; ");
    n.sub += "; indicators: " + indicator_list(a, cfg);
    n.mitre = {"T1074.002"};
    return n;
}

Notice pull_notice(const WindowFacts& w, const Assessment& a, const AnalyticsConfig& cfg) {
    Notice n = window_notice(w, NoteType::pull_collector, a, cfg);
    n.src = w.host;
    n.msg = w.host.str() + " pulled " + human_bytes(w.c.bytes) + " from " + plural(w.n, "server", "servers") +
            " in " + human_span(w.span);
    if (a.has(Indicator::pull_then_push)) {
        std::vector<std::string> targets;
        for (const IpAddr& t : w.push_targets) targets.push_back(t.str());
        n.msg += ", then pushed " + human_bytes(w.pushed.bytes);
        if (w.pushed.archives) n.msg += " (" + plural(w.pushed.archives, "archive", "archives") + ")";
        if (!targets.empty()) n.msg += " to " + join(targets, " and ");
    }
    if (!w.in_progress.empty()) n.msg += ", " + plural(w.in_progress.size(), "transfer", "transfers") + " still in progress";
    n.sub = "servers: " + per_peer(w.peers);
    if (w.private_sources)
        n.sub += "; not counted: " + plural(w.private_sources, "server", "servers") +
                 " read only for the user's own files";
    if (w.software_sources)
        n.sub += "; not counted: " + plural(w.software_sources, "server", "servers") +
                 " read mostly for software (deployment)";
    if (!w.in_progress.empty()) n.sub += "; in progress: " + join(w.in_progress, "; ");
    n.sub += "; indicators: " + indicator_list(a, cfg);
    n.mitre = {"T1039", "T1074.002"};
    return n;
}

Notice file_notice(const WriteFacts& wf, const IpAddr& source, const IpAddr& target, const ConnId& conn,
                   Timestamp ts, const Assessment& a, const AnalyticsConfig& cfg) {
    const SmbFileEvent& f = *wf.f;
    const std::uint64_t bytes = f.bytes_written ? f.bytes_written : f.size.value_or(0);
    const std::string where = wf.share_path.empty() ? target.str() : wf.share_path;
    Notice n;
    n.ts = ts;
    n.conn = conn;
    n.fuid = f.fuid;
    n.file_mime_type = std::string(archive_mime_type(wf.content));
    n.file_desc = wf.share_path.empty() ? f.name : wf.share_path + "\\" + f.name;
    n.note = wf.masquerade ? NoteType::archive_masquerade : NoteType::archive_write;
    n.src = source;
    n.dst = target;
    n.sources = {source};
    n.bytes = bytes;
    n.archives = {f.name};
    n.score = a.score;
    n.severity = a.severity;
    n.detection_type = std::string(a.label);
    if (wf.masquerade)
        n.msg = source.str() + " wrote " + wf.content + " archive content named " + f.name + " (" +
                human_bytes(bytes) + ") to " + where;
    else if (wf.renamed && f.bytes_written == 0)
        n.msg = source.str() + " renamed " + f.prev_name + " to archive " + f.name + " on " + where;
    else
        n.msg = source.str() + " wrote archive " + f.name + " (" + human_bytes(bytes) + ") to " + where;
    const char* share_kind = wf.admin ? "admin share" : wf.hidden ? "hidden share" : nullptr;
    if (share_kind && wf.staging_path) n.msg += std::string(" (") + share_kind + ", staging path)";
    else if (share_kind) n.msg += std::string(" (") + share_kind + ")";
    else if (wf.staging_path) n.msg += " (staging path)";
    std::vector<std::string> sub;
    if (!wf.content.empty()) sub.push_back("content: " + wf.content);
    if (!f.username.empty()) sub.push_back("user: " + f.username);
    if (wf.renamed) sub.push_back("renamed from: " + f.prev_name);
    sub.push_back("indicators: " + indicator_list(a, cfg));
    n.sub = join(sub, "; ");
    if (wf.masquerade) n.mitre = {"T1036", "T1074.002", "T1560"};
    else n.mitre = {"T1074.002", "T1560"};
    n.suppress_for = cfg.suppress_for;
    return n;
}

Notice tool_notice(const SmbFileEvent& f, const std::string& share_path, const IpAddr& reader,
                   const IpAddr& server, const ConnId& conn, Timestamp ts, const Assessment& a,
                   const AnalyticsConfig& cfg) {
    const std::uint64_t bytes = f.bytes_read;
    const std::string desc = share_path.empty() ? f.name : share_path + "\\" + f.name;
    Notice n;
    n.ts = ts;
    n.conn = conn;
    n.fuid = f.fuid;
    n.file_mime_type = f.read_content_type == "pe" ? "application/x-dosexec" : "application/x-executable";
    n.file_desc = desc;
    n.note = NoteType::tool_transfer;
    n.src = reader;
    n.dst = server;
    n.sources = {server};
    n.bytes = bytes;
    n.score = a.score;
    n.severity = a.severity;
    n.detection_type = std::string(a.label);
    n.msg = reader.str() + " read executable " + f.name + " (" + f.read_content_type + ", " +
            human_bytes(bytes) + ") from admin share " + (share_path.empty() ? server.str() : share_path);
    std::vector<std::string> sub;
    if (!f.username.empty()) sub.push_back("user: " + f.username);
    sub.push_back("indicators: " + indicator_list(a, cfg));
    n.sub = join(sub, "; ");
    n.mitre = {"T1570"};
    n.suppress_for = cfg.suppress_for;
    return n;
}

Notice anomaly_notice(const IpAddr& host, Timestamp end, std::uint64_t bytes, double baseline,
                      std::uint64_t intervals, const Assessment& a, const AnalyticsConfig& cfg) {
    Notice n;
    n.ts = end;
    n.note = NoteType::volume_anomaly;
    n.dst = host;
    n.bytes = bytes;
    n.score = a.score;
    n.severity = a.severity;
    n.detection_type = std::string(a.label);
    const std::string span = human_span(cfg.volume_interval);
    char ratio[48];
    if (baseline >= 1.0)
        std::snprintf(ratio, sizeof(ratio), "%.0fx", static_cast<double>(bytes) / baseline);
    else
        std::snprintf(ratio, sizeof(ratio), "far above");
    n.msg = host.str() + " received " + human_bytes(bytes) + " in " + span + ", " + ratio + " its usual " +
            human_bytes(static_cast<std::uint64_t>(std::llround(baseline))) + " per " + span;
    char factor[32];
    std::snprintf(factor, sizeof(factor), "%g", cfg.baseline_factor);
    n.sub = "larger than normal volume: baseline.factor " + std::string(factor) + ", baseline over " +
            std::to_string(intervals) + " intervals; indicators: " + indicator_list(a, cfg);
    n.mitre = {"T1074.002"};
    n.suppress_for = cfg.suppress_for;
    return n;
}

}  // namespace sw
