#include "dissectors/all.h"

#include "dissectors/ssh/ssh_dissector.h"

namespace sw {

void register_dissectors(DissectorRegistry& reg, const DissectorsConfig& cfg) {
    // One line per protocol (each dissector's folder provides its factory).
    reg.add(std::make_unique<SshFactory>(cfg));
}

}  // namespace sw
