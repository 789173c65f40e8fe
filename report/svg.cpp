#include "report/svg.h"

#include <algorithm>
#include <cmath>

#include "report/format.h"

namespace sw::report {

namespace {

std::string n1(double v) { return fmt_num(v, 1); }

void text(std::string& o, double x, double y, std::string_view s, const char* cls, const char* anchor = "start") {
    o += "<text x=\"" + n1(x) + "\" y=\"" + n1(y) + "\" class=\"" + cls + "\" text-anchor=\"" + anchor + "\">";
    append_escaped(o, s);
    o += "</text>";
}

void title(std::string& o, std::string_view s) {
    o += "<title>";
    append_escaped(o, s);
    o += "</title>";
}

// Lanes in picture order: the peers by bytes, capped.
std::vector<const Peer*> lanes(const Finding& f, const ModelLimits& lim) {
    std::vector<const Peer*> out;
    for (const auto& p : f.peers)
        if (out.size() < lim.lanes) out.push_back(&p);
    return out;
}

bool pulls(const Finding& f) { return f.role == "collector"; }

}  // namespace

std::string svg_defs() {
    return "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
           "<pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
           "<rect width=\"6\" height=\"6\" fill=\"#fff3d6\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8a6d1f\" stroke-width=\"2\"/></pattern>"
           "<pattern id=\"hatch-out\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">"
           "<rect width=\"4\" height=\"4\" fill=\"#ffffff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke=\"#333\" stroke-width=\"1.5\"/></pattern>"
           "<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\">"
           "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker>"
           "</defs></svg>\n";
}

std::string convergence_svg(const Finding& f, const ModelLimits& lim) {
    auto ls = lanes(f, lim);
    const double row = 34, top = 30;
    const std::size_t n = std::max<std::size_t>(ls.size(), 1);
    const bool has_push = !f.push_targets.empty();
    const double width = has_push ? 860 : 680;
    const double height = std::max(top + static_cast<double>(n) * row + 30 + (f.peers.size() > ls.size() ? 20 : 0),
                                   top + static_cast<double>(n) * row / 2 + 64);
    const double sx = 150, tx = 520, ty = top + static_cast<double>(n) * row / 2;
    std::uint64_t maxb = 1;
    for (const Peer* p : ls) maxb = std::max(maxb, p->bytes);

    std::string o;
    o += "<svg class=\"convergence\" role=\"img\" width=\"" + n1(width) +
         "\" height=\"" + n1(height) + "\" viewBox=\"0 0 " + n1(width) + " " + n1(height) + "\">";
    title(o, (pulls(f) ? "servers read by collector " : "sources converging on ") + f.host);
    text(o, sx, 16, pulls(f) ? "servers read" : "sources", "hdr", "end");
    text(o, tx, 16, f.role.empty() ? "host" : f.role, "hdr", "middle");
    for (std::size_t i = 0; i < ls.size(); ++i) {
        const Peer& p = *ls[i];
        const double y = top + (static_cast<double>(i) + 0.5) * row;
        const double w = 1.5 + 12.0 * std::sqrt(static_cast<double>(p.bytes) / static_cast<double>(maxb));
        // Edge: data flows source -> target (server -> collector for a pull).
        o += "<g class=\"edge\" data-from=\"" + html_escape(p.host) + "\">";
        title(o, p.host + " -> " + f.host + ": " + fmt_bytes(p.bytes) + (p.archives ? ", " + std::to_string(p.archives) + " archive(s)" : "") +
                     (p.encrypted ? ", encrypted" : ""));
        o += "<path d=\"M" + n1(sx + 8) + "," + n1(y) + " C" + n1((sx + tx) / 2) + "," + n1(y) + " " + n1((sx + tx) / 2) + "," +
             n1(ty) + " " + n1(tx - 22) + "," + n1(ty) + "\" fill=\"none\" stroke=\"" + (p.encrypted ? "#555" : "#2b4a6f") +
             "\" stroke-opacity=\"0.75\" stroke-width=\"" + n1(w) + "\"" + (p.encrypted ? " stroke-dasharray=\"8 4\"" : "") + "/>";
        std::string lbl = fmt_bytes(p.bytes);
        if (p.archives) lbl += " \u25A0 " + std::to_string(p.archives) + " archive" + (p.archives > 1 ? "s" : "");
        if (p.encrypted) lbl += p.ssh ? " \u2022 ssh (encrypted)" : " \u2022 encrypted";
        text(o, sx + 14, y - w / 2 - 3, lbl, "elbl");  // above the edge, clear of its width
        o += "</g>";
        o += "<g class=\"source\" data-host=\"" + html_escape(p.host) + "\">";
        if (p.archives) o += "<rect x=\"" + n1(sx - 6) + "\" y=\"" + n1(y - 6) + "\" width=\"12\" height=\"12\" fill=\"#222\"/>";
        else o += "<circle cx=\"" + n1(sx) + "\" cy=\"" + n1(y) + "\" r=\"6\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"2\"/>";
        text(o, sx - 12, y + 4, p.host, "node", "end");
        o += "</g>";
    }
    if (f.peers.size() > ls.size())
        text(o, sx, top + static_cast<double>(n) * row + 14,
             "+ " + std::to_string(f.peers.size() - ls.size()) + " more sources (see the table)", "note", "end");
    if (f.peers_dropped)
        text(o, sx, height - 4, std::to_string(f.peers_dropped) + " sources not tracked by the sensor (cap)", "note", "end");
    // The target.
    o += "<g class=\"target\" data-host=\"" + html_escape(f.host) + "\">";
    o += "<rect x=\"" + n1(tx - 22) + "\" y=\"" + n1(ty - 22) + "\" width=\"44\" height=\"44\" rx=\"4\" fill=\"#b2182b\" stroke=\"#000\" stroke-width=\"2\"/>";
    text(o, tx, ty + 38, f.host, "node tnode", "middle");
    text(o, tx, ty + 52, fmt_bytes(f.bytes) + " in", "elbl", "middle");
    o += "</g>";
    // Onward pushes.
    for (std::size_t i = 0; i < f.push_targets.size() && i < 8; ++i) {
        const double y = ty + (static_cast<double>(i) - static_cast<double>(std::min<std::size_t>(f.push_targets.size(), 8) - 1) / 2) * 40;
        const double px = 760;
        o += "<g class=\"push\" data-host=\"" + html_escape(f.push_targets[i]) + "\">";
        o += "<path d=\"M" + n1(tx + 24) + "," + n1(ty) + " L" + n1(px - 12) + "," + n1(y) +
             "\" stroke=\"#000\" stroke-width=\"3\" stroke-dasharray=\"2 3\" marker-end=\"url(#arrow)\"/>";
        o += "<path d=\"M" + n1(px) + "," + n1(y - 9) + " L" + n1(px + 9) + "," + n1(y) + " L" + n1(px) + "," + n1(y + 9) + " L" +
             n1(px - 9) + "," + n1(y) + " z\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"2\"/>";
        text(o, px + 14, y + 4, f.push_targets[i], "node");
        if (i == 0) text(o, (tx + px) / 2, ty - 26, "pushed " + fmt_bytes(f.pushed_bytes), "elbl", "middle");
        o += "</g>";
    }
    o += "</svg>";
    return o;
}

std::string timeline_svg(const Finding& f, const ModelLimits& lim) {
    auto ls = lanes(f, lim);
    double t0 = f.window_start, t1 = f.ts;
    for (const auto& m : f.marks) {
        t0 = std::min(t0, m.ts);
        t1 = std::max(t1, std::max(m.end, m.ts));
    }
    if (t1 - t0 < 1) t1 = t0 + 1;
    const double pad = (t1 - t0) * 0.03;
    t0 -= pad;
    t1 += pad;
    const double lx = 140, rx = 820, lane = 26, top = 24;
    const double height = top + static_cast<double>(std::max<std::size_t>(ls.size(), 1)) * lane + 40;
    auto X = [&](double t) { return lx + (t - t0) / (t1 - t0) * (rx - lx); };

    std::string o;
    o += "<svg class=\"timeline\" role=\"img\" width=\"840\" height=\"" + n1(height) +
         "\" viewBox=\"0 0 840 " + n1(height) + "\">";
    title(o, "timeline of transfers to " + f.host);
    // The window that fired.
    const double wx = X(f.window_start), ww = std::max(2.0, X(f.ts) - wx);
    o += "<rect class=\"window\" x=\"" + n1(wx) + "\" y=\"" + n1(top - 6) + "\" width=\"" + n1(ww) + "\" height=\"" +
         n1(static_cast<double>(std::max<std::size_t>(ls.size(), 1)) * lane + 6) + "\" fill=\"url(#hatch)\" stroke=\"#8a6d1f\"/>";
    text(o, wx, top - 10, "window that fired (" + fmt_duration(f.ts - f.window_start) + ")", "elbl");
    for (std::size_t i = 0; i < ls.size(); ++i) {
        const double y = top + (static_cast<double>(i) + 0.5) * lane;
        o += "<g class=\"lane\" data-host=\"" + html_escape(ls[i]->host) + "\">";
        text(o, lx - 8, y + 4, ls[i]->host, "node", "end");
        o += "<line x1=\"" + n1(lx) + "\" y1=\"" + n1(y) + "\" x2=\"" + n1(rx) + "\" y2=\"" + n1(y) + "\" stroke=\"#bbb\"/>";
        for (const auto& m : f.marks) {
            if (m.peer != ls[i]->host) continue;
            const double x = X(m.ts), x2 = std::max(x + 3, X(m.end));
            std::string tip = fmt_time(m.ts) + " " + m.label + " " + fmt_bytes(m.bytes) + (m.uid.empty() ? "" : " uid " + m.uid) +
                              (m.fuid.empty() ? "" : " fuid " + m.fuid);
            o += "<g class=\"mark mark-" + std::string(m.kind == Mark::Kind::write ? "write" : m.kind == Mark::Kind::read ? "read" : m.kind == Mark::Kind::ssh ? "ssh" : "conn") + "\">";
            title(o, tip);
            switch (m.kind) {
                case Mark::Kind::conn:
                    o += "<rect x=\"" + n1(x) + "\" y=\"" + n1(y + 5) + "\" width=\"" + n1(x2 - x) + "\" height=\"3\" fill=\"#777\"/>";
                    break;
                case Mark::Kind::ssh:
                    o += "<path d=\"M" + n1(x) + "," + n1(y - 8) + " L" + n1(x + 8) + "," + n1(y) + " L" + n1(x) + "," + n1(y + 8) + " z\" fill=\"#555\"/>";
                    if (x2 > x + 8) o += "<rect x=\"" + n1(x) + "\" y=\"" + n1(y - 2) + "\" width=\"" + n1(x2 - x) + "\" height=\"4\" fill=\"#555\" fill-opacity=\"0.5\"/>";
                    break;
                default:
                    if (m.archive)
                        o += "<path d=\"M" + n1(x) + "," + n1(y - 8) + " L" + n1(x + 6) + "," + n1(y) + " L" + n1(x) + "," + n1(y + 8) +
                             " L" + n1(x - 6) + "," + n1(y) + " z\" fill=\"#111\"/>";
                    else
                        o += "<rect x=\"" + n1(x - 4) + "\" y=\"" + n1(y - 4) + "\" width=\"8\" height=\"8\" fill=\"" +
                             (m.kind == Mark::Kind::read ? "#fff" : "#2b4a6f") + "\" stroke=\"#111\"/>";
            }
            o += "</g>";
        }
        o += "</g>";
    }
    // Axis.
    const double ay = top + static_cast<double>(std::max<std::size_t>(ls.size(), 1)) * lane + 8;
    o += "<line x1=\"" + n1(lx) + "\" y1=\"" + n1(ay) + "\" x2=\"" + n1(rx) + "\" y2=\"" + n1(ay) + "\" stroke=\"#000\"/>";
    for (int k = 0; k <= 4; ++k) {
        const double t = t0 + (t1 - t0) * k / 4;
        const double x = X(t);
        o += "<line x1=\"" + n1(x) + "\" y1=\"" + n1(ay) + "\" x2=\"" + n1(x) + "\" y2=\"" + n1(ay + 4) + "\" stroke=\"#000\"/>";
        std::string lbl = fmt_clock(t);
        if (t1 - t0 < 20)  // sub-second ticks: "07:35:39.5"
            lbl += "." + std::to_string(std::min(9, static_cast<int>((t - std::floor(t)) * 10)));
        text(o, x, ay + 16, lbl, "tick", k == 0 ? "start" : k == 4 ? "end" : "middle");
    }
    text(o, rx, ay + 30, "UTC; \u25A0 file write \u25A1 file read \u25C6 archive \u25B6 ssh session \u2014 connection", "note", "end");
    o += "</svg>";
    return o;
}

std::string volume_svg(const HostInfo& h) {
    const double w = 360, hgt = 90, lx = 4, base = 70;
    std::vector<VolumePoint> pts = h.volume;
    // At most 120 bars: merge neighbours.
    while (pts.size() > 120) {
        std::vector<VolumePoint> m;
        for (std::size_t i = 0; i < pts.size(); i += 2) {
            VolumePoint p = pts[i];
            if (i + 1 < pts.size()) p.in += pts[i + 1].in, p.out += pts[i + 1].out;
            m.push_back(p);
        }
        pts.swap(m);
    }
    std::uint64_t maxv = 1;
    for (const auto& p : pts) maxv = std::max({maxv, p.in, p.out});
    std::string o = "<svg class=\"volume\" role=\"img\" width=\"" + n1(w) + "\" height=\"" + n1(hgt) +
                    "\" viewBox=\"0 0 " + n1(w) + " " + n1(hgt) + "\">";
    title(o, "bytes in and out of " + h.host + " per interval");
    if (pts.empty()) {
        text(o, lx, 40, "no volume.log rows for this host", "note");
        o += "</svg>";
        return o;
    }
    const double bw = std::min(24.0, (w - 2 * lx) / static_cast<double>(pts.size()));
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const double x = lx + static_cast<double>(i) * bw;
        const double hi = 60.0 * static_cast<double>(pts[i].in) / static_cast<double>(maxv);
        const double ho = 60.0 * static_cast<double>(pts[i].out) / static_cast<double>(maxv);
        o += "<g class=\"bar\">";
        title(o, fmt_time(pts[i].ts) + ": in " + fmt_bytes(pts[i].in) + ", out " + fmt_bytes(pts[i].out));
        if (pts[i].in) o += "<rect x=\"" + n1(x) + "\" y=\"" + n1(base - hi) + "\" width=\"" + n1(bw / 2) + "\" height=\"" + n1(hi) + "\" fill=\"#2b4a6f\"/>";
        if (pts[i].out)
            o += "<rect x=\"" + n1(x + bw / 2) + "\" y=\"" + n1(base - ho) + "\" width=\"" + n1(bw / 2) + "\" height=\"" + n1(ho) +
                 "\" fill=\"url(#hatch-out)\" stroke=\"#333\" stroke-width=\"0.5\"/>";
        o += "</g>";
    }
    o += "<line x1=\"" + n1(lx) + "\" y1=\"" + n1(base) + "\" x2=\"" + n1(w - lx) + "\" y2=\"" + n1(base) + "\" stroke=\"#000\"/>";
    text(o, lx, base + 14, fmt_clock(pts.front().ts), "tick");
    text(o, w - lx, base + 14, fmt_clock(pts.back().ts) + " UTC", "tick", "end");
    text(o, w - lx, 10, "max " + fmt_bytes(maxv) + "; solid in, hatched out", "note", "end");
    o += "</svg>";
    return o;
}

}  // namespace sw::report
