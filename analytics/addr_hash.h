// Hash of an address for tables whose keys the traffic chooses, keyed with
// the run's secret (AnalyticsConfig::hash) so that nobody can aim many
// addresses at one bucket.
#pragma once

#include <cstddef>

#include "capture/keyed_hash.h"
#include "capture/types.h"

namespace sw {

struct AddrHash {
    KeyedHash key;
    std::size_t operator()(const IpAddr& a) const { return static_cast<std::size_t>(key(a.hi(), a.lo())); }
};

}  // namespace sw
