#include "analytics/notice_budget.h"

#include <algorithm>

namespace sw {

namespace {
constexpr Duration kDay = 86400 * kSecond;
constexpr NoteType kCounted[] = {NoteType::fan_in, NoteType::pull_collector, NoteType::archive_write,
                                 NoteType::archive_masquerade, NoteType::volume_anomaly};
}  // namespace

std::int64_t NoticeBudget::day_of(Timestamp ts) { return ts >= 0 ? ts / kDay : (ts - kDay + 1) / kDay; }

IpAddr NoticeBudget::host_of(const Notice& n) {
    if (n.dst) return *n.dst;
    if (n.src) return *n.src;
    return IpAddr{};
}

bool NoticeBudget::admit(const Notice& n, std::vector<Notice>& due) {
    if (budget_ == 0) return true;
    const IpAddr h = host_of(n);
    const std::int64_t day = day_of(n.ts);
    auto [it, fresh] = days_.try_emplace(h);
    Day& d = it->second;
    if (fresh || d.day < day) {
        if (!fresh && d.over) due.push_back(summary(h, d));
        d = Day{};
        d.day = day;
    }
    if (d.written < budget_) {
        ++d.written;
        return true;
    }
    if (d.over == 0) d.first_ts = n.ts;
    ++d.over;
    ++aggregated_;
    d.last_ts = std::max(d.last_ts, n.ts);
    d.worst = std::max(d.worst, n.severity);
    const auto k = static_cast<std::size_t>(n.note);
    if (k < std::size(d.by_note)) ++d.by_note[k];
    return false;
}

void NoticeBudget::close_days(Timestamp now, bool all, std::vector<Notice>& due) {
    if (budget_ == 0) return;
    const std::int64_t today = day_of(now);
    std::vector<Notice> out;
    for (auto it = days_.begin(); it != days_.end();) {
        if (!all && it->second.day >= today) {
            ++it;
            continue;
        }
        if (it->second.over) out.push_back(summary(it->first, it->second));
        it = days_.erase(it);
    }
    std::sort(out.begin(), out.end(), [](const Notice& a, const Notice& b) {
        if (a.ts != b.ts) return a.ts < b.ts;
        return *a.dst < *b.dst;
    });
    for (Notice& n : out) due.push_back(std::move(n));
}

Notice NoticeBudget::summary(const IpAddr& host, const Day& d) const {
    Notice n;
    n.ts = d.last_ts;
    n.note = NoteType::notice_budget;
    n.dst = host;
    n.n = d.over;
    n.severity = d.worst;
    n.detection_type = "NoticeBudget";
    n.msg = host.str() + ": " + std::to_string(d.over) + " more notices over the daily budget of " +
            std::to_string(budget_) + " were aggregated";
    std::string by;
    for (NoteType t : kCounted) {
        const std::uint32_t c = d.by_note[static_cast<std::size_t>(t)];
        if (!c) continue;
        if (!by.empty()) by += ", ";
        by += std::string(note_name(t)) + " " + std::to_string(c);
    }
    n.sub = "aggregated: " + by + "; the rows in staging.log hold every finding";
    n.mitre = {"T1074.002"};
    return n;
}

}  // namespace sw
