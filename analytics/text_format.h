// Numbers as an analyst reads them in notice messages.
#pragma once

#include <cstdint>
#include <string>

#include "capture/types.h"

namespace sw {

// Decimal units with one decimal, as storage and SIEM tools print them:
// 999 -> "999 B", 1'234'567 -> "1.2 MB", 1.2e9 -> "1.2 GB".
std::string human_bytes(std::uint64_t b);
// "under 1 s", "45 s", "40 min" (rounded, up to 120 min), "2.5 h".
std::string human_span(Duration d);

}  // namespace sw
