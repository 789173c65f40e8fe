#include "analytics/notice_dedupe.h"

#include <algorithm>

namespace sw {

NoticeDedupe::NoticeDedupe(Duration suppress_for, const KeyedHash& hash)
    : suppress_for_(suppress_for), raised_(0, KeyHash{hash}) {}

bool NoticeDedupe::should_raise(NoteType n, const IpAddr& a, const IpAddr& b, Severity s, Timestamp ts,
                                Duration at_least) {
    if (s == Severity::none) return false;
    if (suppress_for_ <= 0) return true;
    const Duration hold = std::max(suppress_for_, at_least);
    const Key k{n, a, b};
    auto it = raised_.find(k);
    if (it == raised_.end()) {
        raised_.emplace(k, Raised{ts, s, hold});
        return true;
    }
    if (ts - it->second.ts >= it->second.hold || s > it->second.severity) {
        it->second = Raised{ts, s, hold};
        return true;
    }
    ++repeats_;
    return false;
}

void NoticeDedupe::expire(Timestamp now) {
    std::erase_if(raised_, [&](const auto& kv) { return now - kv.second.ts >= kv.second.hold; });
}

}  // namespace sw
