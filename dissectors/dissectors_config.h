// Configuration of every dissector, gathered so the registry can hand each
// its part. Each protocol adds its own struct here as a member.
#pragma once

#include "capture/types.h"
#include "dissectors/ssh/ssh_config.h"
#include "dissectors/smb2/smb_config.h"

namespace sw {

struct DissectorsConfig {
    CidrSet local_nets;  // for direction-style fields (ssh.log direction)
    SshConfig ssh;
    SmbConfig smb;
};

}  // namespace sw
