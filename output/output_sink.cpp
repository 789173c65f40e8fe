#include "output/output_sink.h"

#include "output/logs.h"

namespace sw {

namespace {
template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;
}  // namespace

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
                   // Logs of the protocol dissectors are added with them.
                   [&](const auto&) {},
               },
               e);
}

}  // namespace sw
