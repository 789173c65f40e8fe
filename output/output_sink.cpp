#include "output/output_sink.h"

#include "capture/util.h"
#include "output/logs.h"

namespace sw {

void OutputSink::on_event(const Event& e) {
    std::visit(overloaded{
                   [&](const ConnRecord& c) { logs_.write(conn_log(), c); },
                   [&](const WeirdEvent& w) { logs_.write(weird_log(), w); },
                   [&](const SshEvent& s) { logs_.write(ssh_log(), s); },
                   [&](const SmbFileEvent& f) { logs_.write(smb_files_log(), f); },
                   [&](const SmbMappingEvent& m) { logs_.write(smb_mapping_log(), m); },
                   [&](const NtlmEvent& n) { logs_.write(ntlm_log(), n); },
                   // Logs of the protocol dissectors are added with them.
                   [&](const auto&) {},
               },
               e);
}

}  // namespace sw
