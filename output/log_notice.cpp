#include "output/logs.h"

namespace sw {

using F = FieldType;
using N = Notice;

namespace {
const std::vector<std::string> kActions{"Notice::ACTION_LOG"};
const std::vector<std::string> kNoEmail;
}  // namespace

// Zeek's notice.log fields, in Zeek's order, then stagewatch's extensions.
const LogTable<Notice>& notice_log() {
    static const LogTable<Notice> t{
        "notice",
        with_conn_id([](const N& n) { return n.ts; }, [](const N& n) -> const ConnId* { return n.conn ? &*n.conn : nullptr; },
                     {
                         col<F::string>("fuid", [](const N& n) { return nonempty(n.fuid); }),
                         col<F::string>("file_mime_type", [](const N& n) { return nonempty(n.file_mime_type); }),
                         col<F::string>("file_desc", [](const N& n) { return nonempty(n.file_desc); }),
                         col<F::enum_>("proto",
                                       [](const N& n) -> std::optional<std::string_view> {
                                           if (!n.conn) return std::nullopt;
                                           return transport_name(n.conn->proto);
                                       }),
                         col<F::enum_>("note", [](const N& n) { return note_name(n.note); }),
                         col<F::string>("msg", [](const N& n) { return nonempty(n.msg); }),
                         col<F::string>("sub", [](const N& n) { return nonempty(n.sub); }),
                         col<F::addr>("src", [](const N& n) { return n.src; }),
                         col<F::addr>("dst", [](const N& n) { return n.dst; }),
                         col<F::port>("p", [](const N& n) { return n.p; }),
                         col<F::count>("n", [](const N& n) { return n.n; }),
                         // A standalone sensor has no peer.
                         unset_col<F::string, N>("peer_descr"),
                         col<F::set_enum>("actions", [](const N&) { return std::span<const std::string>(kActions); }),
                         col<F::set_string>("email_dest", [](const N&) { return std::span<const std::string>(kNoEmail); }),
                         col<F::interval>("suppress_for", [](const N& n) { return n.suppress_for; }),
                         col<F::count>("score", [](const N& n) { return n.score; }),
                         col<F::string>("severity", [](const N& n) { return severity_name(n.severity); }),
                         col<F::string>("detection_type", [](const N& n) { return nonempty(n.detection_type); }),
                         col<F::set_addr>("sources", [](const N& n) { return std::span<const IpAddr>(n.sources); }),
                         col<F::count>("bytes", [](const N& n) { return n.bytes; }),
                         col<F::set_string>("archives", [](const N& n) { return std::span<const std::string>(n.archives); }),
                         col<F::set_string>("mitre", [](const N& n) { return std::span<const std::string>(n.mitre); }),
                     })};
    return t;
}

}  // namespace sw
