#include "analytics/notice_dedupe.h"

#include <algorithm>
#include <cstdint>
#include <functional>

namespace sw {

NoticeDedupe::NoticeDedupe(Duration suppress_for, const KeyedHash& hash)
    : suppress_for_(suppress_for), raised_(0, KeyHash{hash}) {}

bool NoticeDedupe::should_raise(NoteType n, const IpAddr& a, const IpAddr& b, Severity s, Timestamp ts,
                                Duration at_least) {
    if (s == Severity::none) return false;
    if (suppress_for_ <= 0) return true;
    const Duration hold = std::max(suppress_for_, at_least);
    prune(ts, kPrunePerRaise);
    const Key k{n, a, b};
    auto it = raised_.find(k);
    if (it == raised_.end() || ts - it->second.ts >= it->second.hold || s > it->second.severity) {
        raised_.insert_or_assign(k, Raised{ts, s, hold});
        heap_.push_back(Expiry{ts + hold, k});
        std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
        return true;
    }
    ++repeats_;
    return false;
}

void NoticeDedupe::prune(Timestamp now, std::size_t budget) {
    for (; budget > 0 && !heap_.empty() && heap_.front().at <= now; --budget) {
        std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
        const Expiry e = heap_.back();
        heap_.pop_back();
        auto it = raised_.find(e.key);
        // Only if this entry is the key's latest raise (not raised again since).
        if (it != raised_.end() && it->second.ts + it->second.hold == e.at && now - it->second.ts >= it->second.hold)
            raised_.erase(it);
    }
}

}  // namespace sw
