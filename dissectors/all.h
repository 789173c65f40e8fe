// Registers every protocol dissector stagewatch has, in probing order.
#pragma once

#include "dissectors/dissectors_config.h"
#include "dissectors/registry.h"

namespace sw {

void register_dissectors(DissectorRegistry& reg, const DissectorsConfig& cfg);

}  // namespace sw
