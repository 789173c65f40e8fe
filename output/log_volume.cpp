#include "output/logs.h"

namespace sw {

using F = FieldType;
using V = VolumeRow;

// volume.log: a host's traffic per protocol per volume.interval.
const LogTable<VolumeRow>& volume_log() {
    static const LogTable<VolumeRow> t{
        "volume",
        {
            col<F::time>("ts", [](const V& r) { return r.ts; }),
            col<F::addr>("host", [](const V& r) { return r.host; }),
            col<F::string>("proto", [](const V& r) { return volume_proto_name(r.proto); }),
            col<F::count>("bytes_in", [](const V& r) { return r.bytes_in; }),
            col<F::count>("bytes_out", [](const V& r) { return r.bytes_out; }),
            col<F::count>("files_written", [](const V& r) { return r.files_written; }),
            col<F::count>("files_read", [](const V& r) { return r.files_read; }),
            col<F::count>("peers_in", [](const V& r) { return r.peers_in; }),
            col<F::count>("peers_out", [](const V& r) { return r.peers_out; }),
        }};
    return t;
}

}  // namespace sw
