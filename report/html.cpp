#include "report/html.h"

#include <algorithm>
#include <set>

#include "report/format.h"
#include "report/svg.h"

namespace sw::report {

namespace {

const char* kStyle = R"CSS(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 auto;max-width:1180px;padding:0 16px 40px;color:#111;background:#fff}
h1{font-size:22px;margin:16px 0 4px}h2{font-size:18px;border-bottom:2px solid #222;margin-top:28px}h3{font-size:16px;margin:6px 0}
nav a{margin-right:14px}code,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#eee}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;padding:0 6px;border:1px solid #000;border-radius:3px;font-weight:600;white-space:nowrap}
.sev-high{background:#7f0000;color:#fff}.sev-medium{background:#f4a582;color:#000}.sev-low{background:#fff;color:#000;border-style:dashed}.sev-none{background:#fff;color:#555;border-style:dotted}
.finding{border:1px solid #999;border-left:8px solid #444;padding:8px 12px;margin:14px 0}.finding.s-high{border-left-color:#7f0000}.finding.s-medium{border-left-color:#f4a582;border-left-style:double}.finding.s-low{border-left-style:dashed}
.bar{display:inline-block;height:9px;background:#2b4a6f;vertical-align:middle;margin-right:4px}
.none{font-size:16px;padding:10px;border:2px dashed #444;background:#f6f6f6}
.muted{color:#555}.cap{color:#6b4f00;font-style:italic}
svg text{font-family:system-ui,"DejaVu Sans",sans-serif}svg .node{font-size:12px;fill:#111}svg .tnode{font-weight:700}svg .hdr{font-size:12px;font-weight:700;fill:#333}
svg .elbl{font-size:11px;fill:#222}svg .tick{font-size:10px;fill:#222}svg .note{font-size:10px;fill:#555}
.wide{overflow-x:auto}table.files,table.notices{font-size:12.5px}td.fname{word-break:break-all;min-width:12em}
.pics{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
.hosts{display:grid;grid-template-columns:repeat(auto-fill,minmax(370px,1fr));gap:12px}.host{border:1px solid #bbb;padding:6px}
#filter{display:none;margin:4px 0;padding:3px;width:320px}
th.sortable{cursor:pointer}
@media print{nav,#filter{display:none}}
)CSS";

// Sorting (click a header) and filtering (type in the box) of the finding
// list; the page is complete without it.
const char* kScript = R"JS(
(function(){
function key(td){var v=td.getAttribute('data-v');return v!==null?parseFloat(v):td.textContent.trim().toLowerCase();}
document.querySelectorAll('table.sortable').forEach(function(t){
 t.querySelectorAll('th').forEach(function(th,i){th.classList.add('sortable');th.title='sort';
  th.addEventListener('click',function(){var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);
   var d=th.getAttribute('data-d')==='1'?-1:1;th.setAttribute('data-d',d===1?'1':'0');
   rows.sort(function(x,y){var a=key(x.cells[i]),c=key(y.cells[i]);return a<c?-d:a>c?d:0;});
   rows.forEach(function(r){b.appendChild(r);});});});});
var f=document.getElementById('filter'),t=document.getElementById('finding-list');
if(f&&t){f.style.display='block';f.addEventListener('input',function(){var q=f.value.toLowerCase();
 Array.prototype.forEach.call(t.tBodies[0].rows,function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});}
})();
)JS";

class Page {
public:
    std::string o;
    void raw(std::string_view s) { o += s; }
    void esc(std::string_view s) { append_escaped(o, s); }
    void tag(std::string_view open, std::string_view s, std::string_view close) {
        o += open;
        esc(s);
        o += close;
    }
    void num_td(std::uint64_t v, const std::string& shown) {
        o += "<td class=\"n\" data-v=\"" + std::to_string(v) + "\">";
        esc(shown);
        o += "</td>";
    }
};

std::string sev_badge(std::string_view sev) {
    std::string s(sev.empty() ? "none" : sev);
    const char* shape = s == "high" ? "\u25B2" : s == "medium" ? "\u25C6" : s == "low" ? "\u25CF" : "\u25CB";
    std::string cls = (s == "high" || s == "medium" || s == "low") ? s : "none";
    return "<span class=\"sev sev-" + cls + "\" data-v=\"" + std::to_string(severity_rank(s)) + "\">" + shape + " " + html_escape(s) + "</span>";
}

struct Links {
    std::set<std::string> uids;   // rows in the uid index
    std::set<std::string> fuids;  // file rows carrying the fuid's id
};

std::string uid_link(const Links& l, std::string_view uid) {
    if (uid.empty()) return "";
    std::string u(uid);
    if (!l.uids.count(u)) return "<code>" + html_escape(u) + "</code>";
    return "<a href=\"#" + anchor_id("uid-", u) + "\"><code>" + html_escape(u) + "</code></a>";
}

std::string fuid_link(const Links& l, std::string_view fuid) {
    if (fuid.empty()) return "";
    std::string u(fuid);
    if (!l.fuids.count(u)) return "<code>" + html_escape(u) + "</code>";
    return "<a href=\"#" + anchor_id("fuid-", u) + "\"><code>" + html_escape(u) + "</code></a>";
}

std::string host_link(const std::set<std::string>& host_sections, std::string_view h) {
    std::string s(h);
    if (!host_sections.count(s)) return html_escape(s);
    return "<a href=\"#" + anchor_id("h-", s) + "\">" + html_escape(s) + "</a>";
}

void overview(Page& p, const Model& m) {
    const Overview& ov = m.overview;
    p.raw("<section id=\"overview\"><h2>Overview</h2><table class=\"kv\"><tbody>");
    p.raw("<tr><th>Logs read</th><td>");
    for (std::size_t i = 0; i < ov.dirs.size(); ++i) {
        if (i) p.raw(", ");
        p.tag("<code>", ov.dirs[i], "</code>");
    }
    p.raw("</td></tr><tr><th>Time span</th><td>");
    if (ov.first > 0) {
        p.esc(fmt_time(ov.first) + " \u2013 " + fmt_time(ov.last) + " (" + fmt_duration(ov.last - ov.first) + ")");
    } else {
        p.raw("no timestamped rows");
    }
    p.raw("</td></tr><tr><th>Hosts seen</th><td class=\"n\" id=\"hosts-seen\">" + std::to_string(ov.hosts) + "</td></tr>");
    p.raw("<tr><th>Rows read</th><td>");
    bool first = true;
    for (const auto& [log, n] : ov.rows_by_log) {
        if (!first) p.raw(", ");
        first = false;
        p.esc(log + ".log " + std::to_string(n));
    }
    if (first) p.raw("no stagewatch logs found");
    if (ov.bad_lines) p.raw("; <span class=\"cap\">" + std::to_string(ov.bad_lines) + " unreadable lines skipped</span>");
    p.raw("</td></tr></tbody></table>");

    p.raw("<div class=\"pics\"><div><h3>Bytes by protocol</h3><table class=\"sortable\" id=\"bytes-by-proto\"><thead><tr><th>protocol</th><th class=\"n\">bytes</th><th>share</th></tr></thead><tbody>");
    std::uint64_t total = 0, maxb = 1;
    for (const auto& [k, v] : ov.bytes_by_proto) total += v, maxb = std::max(maxb, v);
    std::vector<std::pair<std::uint64_t, std::string>> bp;
    for (const auto& [k, v] : ov.bytes_by_proto) bp.emplace_back(v, k);
    std::sort(bp.rbegin(), bp.rend());
    for (const auto& [v, k] : bp) {
        p.raw("<tr><td>");
        p.esc(k);
        p.raw("</td>");
        p.num_td(v, fmt_bytes(v));
        const int w = static_cast<int>(120.0 * static_cast<double>(v) / static_cast<double>(maxb));
        p.raw("<td><span class=\"bar\" style=\"width:" + std::to_string(std::max(w, 1)) + "px\"></span>" +
              fmt_num(total ? 100.0 * static_cast<double>(v) / static_cast<double>(total) : 0, 1) + " %</td></tr>");
    }
    if (bp.empty()) p.raw("<tr><td colspan=\"3\" class=\"muted\">no conn.log or volume.log rows</td></tr>");
    p.raw("</tbody></table></div>");

    p.raw("<div><h3>Findings by severity</h3><table id=\"by-severity\"><thead><tr><th>severity</th><th class=\"n\">findings</th></tr></thead><tbody>");
    for (const char* s : {"high", "medium", "low", "none"}) {
        auto it = ov.findings_by_severity.find(s);
        std::uint64_t n = it == ov.findings_by_severity.end() ? 0 : it->second;
        if (!n && std::string_view(s) == "none") continue;
        p.raw("<tr><td>" + sev_badge(s) + "</td><td class=\"n\">" + std::to_string(n) + "</td></tr>");
    }
    if (ov.suppressed) p.raw("<tr><td>allow-listed (suppressed)</td><td class=\"n\">" + std::to_string(ov.suppressed) + "</td></tr>");
    p.raw("</tbody></table></div>");
    p.raw("<div><h3>Findings by detection type</h3><table class=\"sortable\" id=\"by-type\"><thead><tr><th>detection type</th><th class=\"n\">findings</th></tr></thead><tbody>");
    for (const auto& [k, v] : ov.findings_by_type) {
        p.raw("<tr><td>");
        p.esc(k);
        p.raw("</td><td class=\"n\" data-v=\"" + std::to_string(v) + "\">" + std::to_string(v) + "</td></tr>");
    }
    if (ov.findings_by_type.empty()) p.raw("<tr><td colspan=\"2\" class=\"muted\">none</td></tr>");
    p.raw("</tbody></table></div></div>");
    if (m.findings.empty())
        p.raw("<p class=\"none\" id=\"no-findings\"><strong>No staging findings.</strong> These logs hold no staging.log or "
              "notice.log rows: nothing in this traffic looked like data being staged. The overview above and the hosts "
              "below describe what was seen.</p>");
    p.raw("</section>\n");
}

void finding_list(Page& p, const Model& m, const std::set<std::string>& hs) {
    if (m.findings.empty()) return;
    const auto& lim = m.limits;
    p.raw("<section id=\"findings\"><h2>Findings (" + std::to_string(m.findings.size()) + "), most severe first</h2>");
    p.raw("<input id=\"filter\" type=\"search\" placeholder=\"filter findings (host, type, severity...)\">");
    p.raw("<table class=\"sortable\" id=\"finding-list\"><thead><tr><th>#</th><th>severity</th><th class=\"n\">score</th><th>detection type</th>"
          "<th>host</th><th>role</th><th class=\"n\">sources</th><th class=\"n\">bytes</th><th class=\"n\">archives</th><th>first</th><th>last</th></tr></thead><tbody>");
    std::size_t shown = 0;
    for (std::size_t i = 0; i < m.findings.size() && shown < lim.listed_findings; ++i, ++shown) {
        const Finding& f = m.findings[i];
        p.raw("<tr id=\"row-" + f.id + "\"><td data-v=\"" + std::to_string(i + 1) + "\">");
        if (i < lim.detailed_findings) p.raw("<a href=\"#" + f.id + "\">" + f.id + "</a>");
        else p.raw(f.id);
        p.raw("</td><td data-v=\"" + std::to_string(severity_rank(f.severity)) + "\">" + sev_badge(f.severity));
        if (f.suppressed) p.raw(" <span class=\"muted\">(allow-listed)</span>");
        p.raw("</td><td class=\"n\" data-v=\"" + std::to_string(f.score) + "\">" + std::to_string(f.score) + "</td><td>");
        p.esc(f.detection_type);
        p.raw("</td><td>" + host_link(hs, f.host) + "</td><td>");
        p.esc(f.role);
        p.raw("</td>");
        p.num_td(f.peers.size(), std::to_string(f.peers.size()));
        p.num_td(f.bytes, fmt_bytes(f.bytes));
        p.num_td(f.archives, std::to_string(f.archives));
        p.raw("<td data-v=\"" + fmt_num(f.window_start, 6) + "\">");
        p.esc(fmt_time(f.window_start));
        p.raw("</td><td data-v=\"" + fmt_num(f.ts, 6) + "\">");
        p.esc(fmt_time(f.ts));
        p.raw("</td></tr>");
    }
    p.raw("</tbody></table>");
    if (m.findings.size() > shown)
        p.raw("<p class=\"cap\">" + std::to_string(m.findings.size() - shown) + " less severe findings are not listed (the page lists " +
              std::to_string(lim.listed_findings) + "); read staging.log and notice.log for them.</p>");
    if (m.findings.size() > lim.detailed_findings)
        p.raw("<p class=\"cap\">Details are drawn for the " + std::to_string(lim.detailed_findings) + " most severe findings.</p>");
    p.raw("</section>\n");
}

void finding_detail(Page& p, const Model& m, const Finding& f, const Links& links, std::set<std::string>& fuid_ids,
                    const std::set<std::string>& hs) {
    const std::string sev = f.severity.empty() ? "none" : f.severity;
    p.raw("<section class=\"finding s-" + html_escape(sev) + "\" id=\"" + f.id + "\">");
    p.raw("<h3>" + f.id + " " + sev_badge(sev) + " score " + std::to_string(f.score) + " \u2014 ");
    p.esc(f.detection_type);
    p.raw(" on <span class=\"target-host\">" + host_link(hs, f.host) + "</span> (");
    p.esc(f.role.empty() ? "host" : f.role);
    p.raw(")</h3>");
    if (f.suppressed) {
        p.raw("<p class=\"cap\">Allow-listed (suppressed by ");
        std::string by;
        for (const auto& s : f.suppressed_by) by += (by.empty() ? "" : ", ") + s;
        p.esc(by.empty() ? "allow list" : by);
        p.raw("): counted, not alerted.</p>");
    }
    if (!f.msg.empty()) p.tag("<p class=\"msg\">", f.msg, "</p>");
    p.raw("<p class=\"muted\">window ");
    p.esc(fmt_time(f.window_start) + " \u2013 " + fmt_time(f.ts) + " (" + fmt_duration(f.ts - f.window_start) + "); " + fmt_bytes(f.bytes) +
          " from " + std::to_string(f.peers.size()) + (f.role == "collector" ? " servers" : " sources"));
    if (f.ssh_bytes) p.esc(", " + fmt_bytes(f.ssh_bytes) + " by SSH");
    if (f.encrypted_bytes) p.esc(", " + fmt_bytes(f.encrypted_bytes) + " encrypted SMB3");
    if (f.from_notice_only) p.raw("; from notice.log only (no staging.log row)");
    p.raw("</p>");

    // Why it fired.
    p.raw("<div class=\"pics\"><div><h4>Why it fired</h4><table class=\"indicators\"><thead><tr><th>indicator</th><th class=\"n\">weight</th></tr></thead><tbody>");
    long sum = 0;
    for (const auto& ind : f.indicators) {
        sum += ind.weight;
        p.raw("<tr><td>");
        p.esc(ind.name);
        p.raw("</td><td class=\"n\"><span class=\"bar\" style=\"width:" + std::to_string(std::clamp<long>(ind.weight * 2, 1, 120)) +
              "px\"></span>" + std::to_string(ind.weight) + "</td></tr>");
    }
    if (f.indicators.empty()) p.raw("<tr><td colspan=\"2\" class=\"muted\">no indicators in the logs</td></tr>");
    p.raw("</tbody><tfoot><tr><th>score</th><th class=\"n\">" + std::to_string(f.score) + (sum != f.score && sum ? " (sum " + std::to_string(sum) + ", capped)" : "") +
          "</th></tr></tfoot></table></div>");
    p.raw("<div><h4>Convergence</h4>" + convergence_svg(f, m.limits) + "</div></div>");

    // Sources.
    p.raw("<table class=\"sortable sources\"><thead><tr><th>" + std::string(f.role == "collector" ? "server" : "source") +
          "</th><th class=\"n\">bytes</th><th class=\"n\">files</th><th class=\"n\">archives</th><th>encrypted</th></tr></thead><tbody>");
    for (const auto& peer : f.peers) {
        p.raw("<tr class=\"source-row\"><td>" + host_link(hs, peer.host) + "</td>");
        p.num_td(peer.bytes, fmt_bytes(peer.bytes));
        p.num_td(peer.files, std::to_string(peer.files));
        p.num_td(peer.archives, std::to_string(peer.archives));
        p.raw(std::string("<td>") + (peer.encrypted ? (peer.ssh ? "yes (ssh)" : "yes") : "no") + "</td></tr>");
    }
    p.raw("</tbody></table>");

    p.raw("<h4>Timeline</h4>" + timeline_svg(f, m.limits));
    if (f.marks_total > f.marks.size())
        p.raw("<p class=\"cap\">" + std::to_string(f.marks_total - f.marks.size()) + " more transfers not drawn (cap " +
              std::to_string(m.limits.marks_per_finding) + ").</p>");

    // Files.
    p.raw("<h4>Files (" + std::to_string(f.file_rows_total) + ")</h4><div class=\"wide\">");
    if (f.file_rows.empty()) {
        p.raw("<p class=\"muted\">No smb_files.log rows for this finding (SSH or encrypted SMB3 transfers carry no file names).</p>");
    } else {
        p.raw("<table class=\"sortable files\"><thead><tr><th>time (UTC)</th><th>from</th><th>to</th><th>action</th><th>user</th><th>share path</th>"
              "<th>name</th><th class=\"n\">size</th><th>content</th><th>uid</th><th>fuid</th></tr></thead><tbody>");
        for (const auto& fr : f.file_rows) {
            std::string idattr;
            if (!fr.fuid.empty() && fuid_ids.insert(fr.fuid).second) idattr = " id=\"" + anchor_id("fuid-", fr.fuid) + "\"";
            p.raw("<tr" + idattr + "><td data-v=\"" + fmt_num(fr.ts, 6) + "\" title=\"" + fmt_time(fr.ts) + "\">");
            p.esc(fmt_clock(fr.ts));
            p.raw("</td><td>" + host_link(hs, fr.orig) + "</td><td>" + host_link(hs, fr.resp) + "</td><td>");
            p.esc(fr.action);
            p.raw("</td><td>");
            p.esc(fr.user);
            p.raw("</td><td><code>");
            p.esc(fr.path);
            p.raw("</code></td><td class=\"fname\">");
            if (fr.archive) p.raw("\u25C6 ");
            p.esc(fr.name);
            p.raw("</td>");
            p.num_td(fr.size, fmt_bytes(fr.size));
            p.raw("<td>");
            p.esc(fr.content_type.empty() ? "-" : fr.content_type);
            p.raw("</td><td>" + uid_link(links, fr.uid) + "</td><td><code>");
            p.esc(fr.fuid);
            p.raw("</code></td></tr>");
        }
        p.raw("</tbody></table>");
        if (f.file_rows_total > f.file_rows.size())
            p.raw("<p class=\"cap\">" + std::to_string(f.file_rows_total - f.file_rows.size()) + " more file rows in smb_files.log (the page shows " +
                  std::to_string(m.limits.files_per_finding) + ").</p>");
    }
    p.raw("</div>");

    // Afterwards.
    p.raw("<h4>What ");
    p.esc(f.host);
    p.raw(" sent on afterwards</h4>");
    if (f.pushed_bytes) {
        p.raw("<p>Pull-then-push: ");
        std::string t;
        for (const auto& x : f.push_targets) t += (t.empty() ? "" : ", ") + x;
        p.esc(fmt_bytes(f.pushed_bytes) + " pushed on to " + t);
        p.raw(".</p>");
    }
    if (f.outbound.empty()) {
        p.raw("<p class=\"muted\">No file writes, SSH sessions or large outbound connections (at least " + fmt_bytes(m.limits.large_outbound) +
              ") from this host after the window opened.</p>");
    } else {
        p.raw("<table class=\"sortable outbound\"><thead><tr><th>time</th><th>to</th><th>protocol</th><th>what</th><th class=\"n\">bytes</th><th>uid</th></tr></thead><tbody>");
        for (const auto& o : f.outbound) {
            p.raw("<tr><td data-v=\"" + fmt_num(o.ts, 6) + "\">");
            p.esc(fmt_time(o.ts));
            p.raw("</td><td>" + host_link(hs, o.dst) + "</td><td>");
            p.esc(o.proto);
            p.raw("</td><td>");
            p.esc(o.what);
            p.raw("</td>");
            p.num_td(o.bytes, fmt_bytes(o.bytes));
            p.raw("<td>" + uid_link(links, o.uid) + " " + fuid_link(links, o.fuid) + "</td></tr>");
        }
        p.raw("</tbody></table>");
        if (f.outbound_total > f.outbound.size())
            p.raw("<p class=\"cap\">" + std::to_string(f.outbound_total - f.outbound.size()) + " more outbound rows not shown.</p>");
    }

    // Notices.
    if (!f.notices.empty()) {
        p.raw("<h4>Notices (" + std::to_string(f.notices.size()) + ")</h4><table class=\"notices\"><thead><tr><th>time</th><th>note</th>"
              "<th>severity</th><th class=\"n\">score</th><th>message</th><th>uid</th><th>fuid</th></tr></thead><tbody>");
        for (const auto& n : f.notices) {
            p.raw("<tr><td>");
            p.esc(fmt_time(n.ts));
            p.raw("</td><td>");
            p.esc(n.note);
            p.raw("</td><td>" + sev_badge(n.severity) + "</td><td class=\"n\">" + std::to_string(n.score) + "</td><td>");
            p.esc(n.msg);
            p.raw("</td><td>" + uid_link(links, n.uid) + "</td><td>" + fuid_link(links, n.fuid) + "</td></tr>");
        }
        p.raw("</tbody></table>");
    }
    p.raw("<p><a href=\"#row-" + f.id + "\">back to the list</a></p></section>\n");
}

void hosts(Page& p, const Model& m, const std::set<std::string>& hs) {
    if (m.hosts.empty()) return;
    p.raw("<section id=\"hosts\"><h2>Hosts</h2><p class=\"muted\">Hosts named in findings first, then the busiest (at most " +
          std::to_string(m.limits.hosts) + ").</p><div class=\"hosts\">");
    for (const auto& h : m.hosts) {
        p.raw("<div class=\"host\" id=\"" + anchor_id("h-", h.host) + "\"><h3>");
        p.esc(h.host);
        if (h.in_finding) p.raw(" <span class=\"sev sev-none\">in a finding</span>");
        p.raw("</h3><p class=\"muted\">");
        p.esc("volume.log: " + fmt_bytes(h.bytes_in) + " in, " + fmt_bytes(h.bytes_out) + " out");
        p.raw("</p>" + volume_svg(h));
        if (!h.top_peers.empty()) {
            p.raw("<table class=\"peers\"><thead><tr><th>top peer</th><th class=\"n\">bytes (conn.log)</th></tr></thead><tbody>");
            for (const auto& [peer, b] : h.top_peers) {
                p.raw("<tr><td>" + host_link(hs, peer) + "</td>");
                p.num_td(b, fmt_bytes(b));
                p.raw("</tr>");
            }
            p.raw("</tbody></table>");
        }
        p.raw("</div>");
    }
    p.raw("</div></section>\n");
}

void conn_index(Page& p, const Model& m, const std::set<std::string>& hs) {
    if (m.conns.empty()) return;
    p.raw("<section id=\"connections\"><h2>Connections referenced above</h2><p class=\"muted\">Each uid is a conn.log row; the filter "
          "finds its packets in the capture (tcpdump/BPF syntax).</p><table class=\"sortable\"><thead><tr><th>uid</th><th>start</th>"
          "<th>originator</th><th>responder</th><th>service</th><th class=\"n\">orig bytes</th><th class=\"n\">resp bytes</th><th>encrypted</th><th>pcap filter</th></tr></thead><tbody>");
    for (const auto& [uid, c] : m.conns) {
        p.raw("<tr id=\"" + anchor_id("uid-", uid) + "\"><td><code>");
        p.esc(uid);
        p.raw("</code></td><td data-v=\"" + fmt_num(c.ts, 6) + "\">");
        p.esc(fmt_time(c.ts));
        p.raw("</td><td>" + host_link(hs, c.orig) + ":" + std::to_string(c.orig_p) + "</td><td>" + host_link(hs, c.resp) + ":" +
              std::to_string(c.resp_p) + "</td><td>");
        p.esc(c.service.empty() ? c.proto : c.service);
        p.raw("</td>");
        p.num_td(c.orig_bytes, fmt_bytes(c.orig_bytes));
        p.num_td(c.resp_bytes, fmt_bytes(c.resp_bytes));
        p.raw(std::string("<td>") + (c.encrypted ? "yes" : "no") + "</td><td><code>");
        p.esc("host " + c.orig + " and host " + c.resp + " and port " + std::to_string(c.orig_p) + " and port " + std::to_string(c.resp_p));
        p.raw("</code></td></tr>");
    }
    p.raw("</tbody></table>");
    if (m.conns_dropped)
        p.raw("<p class=\"cap\">" + std::to_string(m.conns_dropped) + " referenced uids are not in conn.log or over the index cap.</p>");
    p.raw("</section>\n");
}

}  // namespace

std::string render_html(const Model& m, const RenderOptions& opt) {
    Page p;
    p.o.reserve(1 << 16);
    Links links;
    for (const auto& [uid, c] : m.conns) links.uids.insert(uid);
    std::set<std::string> hs;
    for (const auto& h : m.hosts) hs.insert(h.host);
    const std::size_t detailed = std::min(m.findings.size(), m.limits.detailed_findings);
    for (std::size_t i = 0; i < detailed; ++i)
        for (const auto& fr : m.findings[i].file_rows)
            if (!fr.fuid.empty()) links.fuids.insert(fr.fuid);

    p.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    // Nothing on this page may fetch anything: no network, no external resource.
    p.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    p.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"generator\" content=\"");
    p.esc(opt.generated_by);
    p.raw("\"><title>");
    p.esc(opt.title);
    p.raw("</title><style>");
    p.raw(kStyle);
    p.raw("</style></head><body>\n");
    p.raw(svg_defs());
    p.raw("<h1>");
    p.esc(opt.title);
    p.raw("</h1><p class=\"muted\">Remote data staging (MITRE ATT&amp;CK T1074.002) seen in Zeek-style logs; " +
          std::to_string(m.findings.size()) + " finding" + (m.findings.size() == 1 ? "" : "s") + ". Generated by ");
    p.esc(opt.generated_by);
    p.raw(".</p><nav><a href=\"#overview\">Overview</a>");
    if (!m.findings.empty()) p.raw("<a href=\"#findings\">Findings</a>");
    if (!m.hosts.empty()) p.raw("<a href=\"#hosts\">Hosts</a>");
    if (!m.conns.empty()) p.raw("<a href=\"#connections\">Connections</a>");
    p.raw("</nav>\n");
    overview(p, m);
    finding_list(p, m, hs);
    std::set<std::string> fuid_ids;
    if (detailed) p.raw("<section id=\"details\"><h2>Finding details</h2>");
    for (std::size_t i = 0; i < detailed; ++i) finding_detail(p, m, m.findings[i], links, fuid_ids, hs);
    if (detailed) p.raw("</section>\n");
    hosts(p, m, hs);
    conn_index(p, m, hs);
    p.raw("<script>");
    p.raw(kScript);
    p.raw("</script></body></html>\n");
    return p.o;
}

}  // namespace sw::report
