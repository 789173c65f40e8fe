// Every counter of a run, by name ("area.counter"), in a fixed order. The end
// summary prints them all, so a counter that is kept is also reported.
#pragma once

#include <string>

#include "app/pipeline.h"

namespace sw {

void for_each_counter(const Pipeline& p, const CounterFn& fn);

// "  area: a=1 b=2 ..." lines, one per area, wrapped at `width` columns.
std::string format_counters(const Pipeline& p, std::size_t width = 110);

}  // namespace sw
