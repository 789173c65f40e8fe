// Notice de-duplication: one notice per (note, key addresses) per
// notice.suppress-for; a repeat within that time is raised again only if its
// severity is higher. Keyed by KeyedHash (the addresses come from the wire);
// nothing is ever written in the table's order. Every raise also goes into a
// min-heap by expiry time, and each should_raise() expires a few keys whose
// time has run out (bounded work), so a stream of distinct keys cannot grow
// the table between two expire() calls.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "analytics/findings.h"
#include "capture/keyed_hash.h"
#include "capture/types.h"

namespace sw {

class NoticeDedupe {
public:
    // suppress_for <= 0 disables de-duplication.
    NoticeDedupe(Duration suppress_for, const KeyedHash& hash);

    // Whether a finding of severity `s` at `ts` is raised: never for
    // Severity::none; otherwise unless the same key was raised less than
    // suppress_for ago at the same or a higher severity (a repeat, counted).
    // `at_least` lengthens the suppression of this raise (a finding over a
    // 24 h horizon holds for a day: repeating it every hour says nothing new).
    bool should_raise(NoteType n, const IpAddr& a, const IpAddr& b, Severity s, Timestamp ts,
                      Duration at_least = 0);
    // Forgets keys whose suppression has run out at `now`.
    void expire(Timestamp now) { prune(now, SIZE_MAX); }

    std::size_t size() const { return raised_.size(); }
    std::uint64_t repeats() const { return repeats_; }

private:
    struct Key {
        NoteType note;
        IpAddr a, b;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        KeyedHash key;
        std::size_t operator()(const Key& k) const {
            std::uint64_t h = key(k.a.hi(), k.a.lo());
            return static_cast<std::size_t>(key.combine(h, k.b.hi() ^ static_cast<std::uint64_t>(k.note), k.b.lo()));
        }
    };
    struct Raised {
        Timestamp ts = 0;
        Severity severity = Severity::none;
        Duration hold = 0;
    };
    // One per raise; stale when the key was raised again since (or erased).
    struct Expiry {
        Timestamp at;  // raise time + hold
        Key key;
        bool operator>(const Expiry& o) const { return at > o.at; }
    };
    // Expires up to `budget` heap entries that are due at `now`.
    void prune(Timestamp now, std::size_t budget);

    static constexpr std::size_t kPrunePerRaise = 4;  // > 1: the heap drains faster than it fills
    Duration suppress_for_;
    std::unordered_map<Key, Raised, KeyHash> raised_;
    std::vector<Expiry> heap_;  // std::push_heap with std::greater: earliest expiry first
    std::uint64_t repeats_ = 0;
};

}  // namespace sw
