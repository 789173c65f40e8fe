// The SMB dissector's entry point for the registry: content probe + factory.
#pragma once

#include <memory>

#include "dissectors/registry.h"
#include "dissectors/smb2/smb_config.h"

namespace sw {

// Pure: does this look like SMB over NBSS (TCP 445/139)? Accepts a flow
// whose first bytes are an NBSS session header followed by an SMB protocol
// id, or an NBSS session request; a flow with an SMB sync point in its first
// bytes (mid-stream start); and, on ports 445/139, any flow once the first
// bytes are all in (the framer hunts for the next header).
ProbeResult probe_smb(const ProbeInput& in);

std::unique_ptr<DissectorFactory> make_smb_factory(const SmbConfig& cfg);

}  // namespace sw
