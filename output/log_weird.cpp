#include "output/logs.h"

namespace sw {

using F = FieldType;
using W = WeirdEvent;

// Zeek's weird.log. Packet-level weirds have no connection: uid and id.* unset.
const LogTable<WeirdEvent>& weird_log() {
    static const LogTable<WeirdEvent> t{
        "weird",
        with_conn_id([](const W& w) { return w.ts; },
                     [](const W& w) -> const ConnId* { return w.id ? &*w.id : nullptr; },
                     {
                         col<F::string>("name", [](const W& w) { return std::string_view(w.name); }),
                         col<F::string>("addl", [](const W& w) { return nonempty(w.addl); }),
                         col<F::bool_>("notice", [](const W&) { return false; }),
                         col<F::string>("peer", [](const W&) { return std::string_view("stagewatch"); }),
                         col<F::string>("source", [](const W& w) { return nonempty(w.source); }),
                     })};
    return t;
}

}  // namespace sw
