// Every log's schema (declared once) and how an event becomes its row.
// One function pair per log; the files log_<name>.cpp hold them.
#pragma once

#include "dissectors/event.h"
#include "output/schema.h"

namespace sw {

const Schema& conn_schema();
void conn_row(const ConnRecord& c, Row& row);

const Schema& weird_schema();
void weird_row(const WeirdEvent& w, Row& row);

const Schema& ssh_schema();
void ssh_row(const SshEvent& e, Row& row);

}  // namespace sw
