// Text helpers of the report: HTML escaping (every string that came from the
// wire goes through html_escape) and human-readable numbers and times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sw::report {

// Escapes & < > " ' for text and attribute values. Control characters and
// bytes that are not valid UTF-8 become a visible "\xNN", so a hostile name
// can neither inject markup nor hide itself.
std::string html_escape(std::string_view s);
void append_escaped(std::string& out, std::string_view s);

// A string usable inside an id/href fragment: [A-Za-z0-9_.:-] kept, others "_".
std::string anchor_id(std::string_view prefix, std::string_view s);

std::string fmt_bytes(std::uint64_t b);           // "4.8 MB" (decimal units)
std::string fmt_time(double epoch);               // "2026-12-03 07:53:19 UTC" ("-" for 0)
std::string fmt_clock(double epoch);              // "07:53:19"
std::string fmt_duration(double seconds);         // "6 s", "4 min", "2.5 h"
std::string fmt_num(double v, int decimals);

}  // namespace sw::report
