#include "output/logs.h"

namespace sw {

// volume.log: a host's traffic per protocol per volume.interval.
const Schema& volume_schema() {
    static const Schema s{"volume",
                          {{"ts", FieldType::time},
                           {"host", FieldType::addr},
                           {"proto", FieldType::string},
                           {"bytes_in", FieldType::count},
                           {"bytes_out", FieldType::count},
                           {"files_written", FieldType::count},
                           {"files_read", FieldType::count},
                           {"peers_in", FieldType::count},
                           {"peers_out", FieldType::count}}};
    return s;
}

void volume_row(const VolumeRow& r, Row& row) {
    row.clear().time(r.ts).addr(r.host).str(volume_proto_name(r.proto));
    row.count(r.bytes_in).count(r.bytes_out).count(r.files_written).count(r.files_read);
    row.count(r.peers_in).count(r.peers_out);
}

}  // namespace sw
