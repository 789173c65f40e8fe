#include "fleet/partition.h"

namespace sw::fleet {

std::optional<CorrelateRole> parse_role(std::string_view s) {
    if (s == "both") return CorrelateRole::both;
    if (s == "target") return CorrelateRole::target;
    if (s == "collector") return CorrelateRole::collector;
    return std::nullopt;
}

std::string_view role_name(CorrelateRole r) {
    switch (r) {
        case CorrelateRole::target: return "target";
        case CorrelateRole::collector: return "collector";
        case CorrelateRole::both: break;
    }
    return "both";
}

std::uint32_t partition_of(std::string_view addr, std::uint32_t partitions) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : addr) h = (h ^ c) * 16777619u;
    return partitions ? h % partitions : 0;
}

bool partition_hosts(const Event& e, PartitionHosts& out) {
    const ConnId* id = nullptr;
    if (const auto* c = std::get_if<ConnRecord>(&e)) id = &c->id;
    else if (const auto* f = std::get_if<SmbFileEvent>(&e)) id = &f->id;
    else if (const auto* m = std::get_if<SmbMappingEvent>(&e)) id = &m->id;
    else if (const auto* s = std::get_if<SmbSessionEvent>(&e)) id = &s->id;
    else if (const auto* p = std::get_if<ProgressEvent>(&e)) {
        // As its close event is partitioned (an SSH one by SSH roles).
        if (p->kind == ProgressEvent::Kind::ssh && (p->client_h != IpAddr{} || p->server_h != IpAddr{})) {
            out.client = p->client_h;
            out.server = p->server_h;
            return true;
        }
        id = &p->id;
    } else if (const auto* s = std::get_if<SshEvent>(&e)) {
        // The analytics' roles (event_adapter.cpp): client_h/server_h when known.
        if (s->client_h != IpAddr{} || s->server_h != IpAddr{}) {
            out.client = s->client_h;
            out.server = s->server_h;
            return true;
        }
        id = &s->id;
    }
    if (!id) return false;
    out.client = id->orig_h;
    out.server = id->resp_h;
    return true;
}

std::uint32_t partition_for(const PartitionHosts& h, CorrelateRole r, std::uint32_t partitions) {
    return partition_of((r == CorrelateRole::collector ? h.client : h.server).str(), partitions);
}

std::string subject_of(std::string_view prefix, const PartitionHosts& h, std::string_view log_path,
                       std::uint32_t partitions) {
    std::string s(prefix);
    s += ".p";
    s += std::to_string(partition_of(h.server.str(), partitions));
    s += ".c";
    s += std::to_string(partition_of(h.client.str(), partitions));
    s += '.';
    s += log_path;
    return s;
}

std::string subject_filter(std::string_view prefix, CorrelateRole r, std::uint32_t p) {
    std::string s(prefix);
    if (r == CorrelateRole::collector) s += ".*.c";
    else s += ".p";
    s += std::to_string(p);
    s += ".>";
    return s;
}

std::string consumer_name(std::string_view consumer, CorrelateRole r, std::uint32_t p) {
    std::string s(consumer);
    s += r == CorrelateRole::collector ? "-c" : "-p";
    s += std::to_string(p);
    return s;
}

}  // namespace sw::fleet
