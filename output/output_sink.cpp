#include "output/output_sink.h"

#include "capture/util.h"
#include "output/logs.h"

namespace sw {

void OutputSink::on_event(const Event& e) {
    std::visit(overloaded{
                   [&](const ConnRecord& c) {
                       conn_row(c, row_);
                       logs_.write(conn_schema(), row_);
                   },
                   [&](const WeirdEvent& w) {
                       weird_row(w, row_);
                       logs_.write(weird_schema(), row_);
                   },
                   [&](const SshEvent& s) {
                       ssh_row(s, row_);
                       logs_.write(ssh_schema(), row_);
                   },
                   [&](const SmbFileEvent& f) {
                       smb_files_row(f, row_);
                       logs_.write(smb_files_schema(), row_);
                   },
                   [&](const SmbMappingEvent& m) {
                       smb_mapping_row(m, row_);
                       logs_.write(smb_mapping_schema(), row_);
                   },
                   [&](const NtlmEvent& n) {
                       ntlm_row(n, row_);
                       logs_.write(ntlm_schema(), row_);
                   },
                   // Logs of the protocol dissectors are added with them.
                   [&](const auto&) {},
               },
               e);
}

}  // namespace sw
