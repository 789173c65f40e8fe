#include "output/logs.h"

namespace sw {

using F = FieldType;
using E = SshEvent;

// Zeek's ssh.log (fields in Zeek's order; host_key_fingerprint as Zeek 8.1
// names it), then our extensions: HASSH, volumes after NEWKEYS, why the
// authentication result is unknown, and the transfer inference.
const LogTable<SshEvent>& ssh_log() {
    static const LogTable<SshEvent> t{
        "ssh",
        with_conn_id([](const E& e) { return e.ts; }, [](const E& e) -> const ConnId* { return &e.id; },
                     {
                         col<F::count>("version", [](const E& e) { return e.version; }),
                         col<F::bool_>("auth_success", [](const E& e) { return e.auth_success; }),
                         col<F::count>("auth_attempts", [](const E& e) { return e.auth_attempts; }),
                         col<F::enum_>("direction", [](const E& e) { return nonempty(e.direction); }),
                         col<F::string>("client", [](const E& e) { return nonempty(e.client); }),
                         col<F::string>("server", [](const E& e) { return nonempty(e.server); }),
                         col<F::string>("cipher_alg", [](const E& e) { return nonempty(e.cipher_alg); }),
                         col<F::string>("mac_alg", [](const E& e) { return nonempty(e.mac_alg); }),
                         col<F::string>("compression_alg", [](const E& e) { return nonempty(e.compression_alg); }),
                         col<F::string>("kex_alg", [](const E& e) { return nonempty(e.kex_alg); }),
                         col<F::string>("host_key_alg", [](const E& e) { return nonempty(e.host_key_alg); }),
                         col<F::string>("host_key_fingerprint",
                                        [](const E& e) { return nonempty(e.host_key_fingerprint); }),
                         col<F::string>("hassh", [](const E& e) { return nonempty(e.hassh); }),
                         col<F::string>("hasshServer", [](const E& e) { return nonempty(e.hassh_server); }),
                         col<F::string>("hasshAlgorithms", [](const E& e) { return nonempty(e.hassh_algorithms); }),
                         col<F::string>("hasshServerAlgorithms",
                                        [](const E& e) { return nonempty(e.hassh_server_algorithms); }),
                         col<F::count>("orig_bytes", [](const E& e) { return e.orig_bytes; }),
                         col<F::count>("resp_bytes", [](const E& e) { return e.resp_bytes; }),
                         col<F::count>("orig_pkts", [](const E& e) { return e.orig_pkts; }),
                         col<F::count>("resp_pkts", [](const E& e) { return e.resp_pkts; }),
                         col<F::string>("auth_note", [](const E& e) { return nonempty(e.auth_note); }),
                         col<F::string>("inferred", [](const E& e) { return nonempty(e.inferred); }),
                         // Only meaningful with an inference.
                         col<F::count>("transfer_bytes",
                                       [](const E& e) {
                                           return e.inferred.empty() ? std::nullopt : std::optional(e.transfer_bytes);
                                       }),
                         col<F::interval>("duration", [](const E& e) { return e.duration; }),
                     })};
    return t;
}

}  // namespace sw
