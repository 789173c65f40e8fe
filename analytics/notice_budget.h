// Per-host daily notice budget (notice.daily-budget): at most that many
// notices name one host (its dst, else its src) per UTC day. Over the budget
// a notice is not written; it is counted in the host's day summary, and the
// summary is written once, as one Staging::Notice_Budget notice, when the day
// is over (the first later notice or sweep of that host, or the end of input).
// So a host that floods (a misconfigured job, a noisy file server) costs at
// most budget + 1 notice.log lines a day, and nothing is lost silently.
//
// Keyed by KeyedHash; summaries come out sorted by (day, host), never in the
// table's order. Memory: one small record per host that had a notice today.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "analytics/addr_hash.h"
#include "analytics/findings.h"

namespace sw {

class NoticeBudget {
public:
    // budget 0: unlimited (every notice is written).
    NoticeBudget(std::uint32_t budget, const KeyedHash& hash) : budget_(budget), days_(0, AddrHash{hash}) {}

    // The host a notice counts against.
    static IpAddr host_of(const Notice& n);
    // Whether `n` may be written; if not it is added to its host's summary.
    // Summaries of days that ended before n's day are appended to `due`.
    bool admit(const Notice& n, std::vector<Notice>& due);
    // Summaries of every day that ended before `now` (all of them if `all`),
    // sorted by (ts, host), appended to `due`.
    void close_days(Timestamp now, bool all, std::vector<Notice>& due);

    std::uint64_t aggregated() const { return aggregated_; }

private:
    struct Day {
        std::int64_t day = 0;
        std::uint32_t written = 0;
        std::uint32_t over = 0;  // notices aggregated today
        Timestamp first_ts = 0, last_ts = 0;
        Severity worst = Severity::none;
        std::uint32_t by_note[8] = {};
    };
    static std::int64_t day_of(Timestamp ts);
    Notice summary(const IpAddr& host, const Day& d) const;

    std::uint32_t budget_;
    std::unordered_map<IpAddr, Day, AddrHash> days_;
    std::uint64_t aggregated_ = 0;
};

}  // namespace sw
