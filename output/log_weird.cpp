#include "output/logs.h"

namespace sw {

// Zeek's weird.log.
const Schema& weird_schema() {
    static const Schema s = with_conn_id("weird", {{"name", FieldType::string},
                                                   {"addl", FieldType::string},
                                                   {"notice", FieldType::bool_},
                                                   {"peer", FieldType::string},
                                                   {"source", FieldType::string}});
    return s;
}

void weird_row(const WeirdEvent& w, Row& row) {
    begin_conn_row(row, w.ts, w.id ? &*w.id : nullptr);
    row.str(w.name).str_or_unset(w.addl).boolean(false).str("stagewatch").str_or_unset(w.source);
}

}  // namespace sw
