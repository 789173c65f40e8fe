// Limits and switches of the SMB dissector (options smb.*).
#pragma once

#include <cstdint>

#include "capture/keyed_hash.h"

namespace sw {

struct SmbConfig {
    bool enabled = true;
    // Per-connection table caps; reaching one evicts the oldest entry (its
    // files are logged then) and is counted in weird.log.
    std::uint32_t max_sessions = 64;
    std::uint32_t max_trees = 256;
    std::uint32_t max_open_files = 4096;
    std::uint32_t max_pending = 1000;     // requests awaiting their response (Zeek's cap: 1000)
    std::uint32_t max_name_length = 1024; // bytes of a file/tree name kept (UTF-8)
    std::uint32_t max_pdu_buffer = 65536; // bytes of one non-data PDU buffered; the rest is skipped
    // Sessions remembered across connections for multichannel (per pipeline).
    std::uint32_t max_shared_sessions = 16384;
    bool log_pipes = true;                // emit IPC$ named-pipe handles (PIPE_* actions)
    // Key of the tables whose keys the traffic chooses (file handles, the
    // multichannel directory): the run's Config::hash.
    KeyedHash hash;
};

}  // namespace sw
