#include "dissectors/all.h"

#include "dissectors/ssh/ssh_dissector.h"
#include "dissectors/smb2/smb_dissector.h"

namespace sw {

void register_dissectors(DissectorRegistry& reg, const DissectorsConfig& cfg) {
    // One line per protocol (each dissector's folder provides its factory).
    reg.add(std::make_unique<SshFactory>(cfg));
    if (cfg.smb.enabled) reg.add(make_smb_factory(cfg.smb));
}

}  // namespace sw
