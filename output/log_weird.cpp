#include "output/logs.h"

namespace sw {

// Zeek's weird.log.
const Schema& weird_schema() {
    static const Schema s{"weird",
                          {{"ts", FieldType::time},
                           {"uid", FieldType::string},
                           {"id.orig_h", FieldType::addr},
                           {"id.orig_p", FieldType::port},
                           {"id.resp_h", FieldType::addr},
                           {"id.resp_p", FieldType::port},
                           {"name", FieldType::string},
                           {"addl", FieldType::string},
                           {"notice", FieldType::bool_},
                           {"peer", FieldType::string},
                           {"source", FieldType::string}}};
    return s;
}

void weird_row(const WeirdEvent& w, Row& row) {
    row.clear().time(w.ts);
    if (w.id) {
        row.str(w.id->uid()).addr(w.id->orig_h).port(w.id->orig_p).addr(w.id->resp_h).port(w.id->resp_p);
    } else {
        row.unset().unset().unset().unset().unset();
    }
    row.str(w.name).str_or_unset(w.addl).boolean(false).str("stagewatch").str_or_unset(w.source);
}

}  // namespace sw
