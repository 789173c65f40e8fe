#include "dissectors/all.h"

namespace sw {

void register_dissectors(DissectorRegistry& reg, const DissectorsConfig& cfg) {
    // One line per protocol (each dissector's folder provides its factory).
    (void)reg;
    (void)cfg;
}

}  // namespace sw
