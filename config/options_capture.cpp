#include "config/option_groups.h"

#include <algorithm>
#include <thread>

namespace sw {

namespace {

void add(po::options_description& d) {
    // clang-format off
    d.add_options()
        ("threads", po::value<std::string>()->default_value("auto"),
            "flow workers: packets are spread over N threads by a symmetric flow hash (SMB by server), "
            "each with its own flows, reassembly and dissectors; logs are the same for every N (uids aside); "
            "auto: 1 reading files, the number of cores (at most 4) live; 1 to 64")
        ("flow.max-flows", po::value<CountArg>()->default_value(count_arg(1'000'000)),
            "hard cap on tracked flows; at the cap the oldest idle flow is evicted (counted)")
        ("flow.tcp-timeout", po::value<DurationArg>()->default_value(dur(5 * kMinute, "5min")),
            "TCP inactivity timeout (Zeek's tcp_inactivity_timeout)")
        ("flow.udp-timeout", po::value<DurationArg>()->default_value(dur(kMinute, "1min")),
            "UDP inactivity timeout")
        ("flow.tcp-close-delay", po::value<DurationArg>()->default_value(dur(5 * kSecond, "5s")),
            "how long a closed TCP connection is kept for late packets (Zeek's tcp_close_delay)")
        ("flow.tcp-attempt-timeout", po::value<DurationArg>()->default_value(dur(5 * kSecond, "5s")),
            "how long an unanswered SYN is tracked (Zeek's tcp_attempt_delay)")
        ("tcp.max-ooo-bytes", po::value<SizeArg>()->default_value(size_arg(2 << 20, "2MiB")),
            "out-of-order bytes buffered per TCP direction before the hole is declared a gap")
        ("tcp.memcap", po::value<SizeArg>()->default_value(size_arg(256ull << 20, "256MiB")),
            "all out-of-order TCP data buffered at once")
        ("memory.limit", po::value<SizeArg>()->default_value(size_arg(1ull << 30, "1GiB")),
            "memory budget of flows, reassembly blocks, dissector state and analytics tables; near it the "
            "oldest idle flows, then out-of-order buffers, then dissector detail, then the oldest flows are "
            "shed (weird memory_shed_*)")
        ("ip.max-frag-datagrams", po::value<CountArg>()->default_value(count_arg(4096)),
            "incomplete fragmented IP datagrams held at once")
        ("ip.max-frag-bytes", po::value<SizeArg>()->default_value(size_arg(65535, "65535")),
            "largest reassembled IP datagram")
        ("ip.frag-timeout", po::value<DurationArg>()->default_value(dur(30 * kSecond, "30s")),
            "how long fragments wait for the rest of their datagram")
        ("time.max-jump", po::value<DurationArg>()->default_value(dur(3600 * kSecond, "1h")),
            "a packet stamped further than this from packet time waits for the next packet: if that one "
            "agrees, packet time jumps; if not, it was a warp, processed at packet time without moving it "
            "(weird time_jump); 0 turns the guard off")
        ("ip.max-frag-memory", po::value<SizeArg>()->default_value(size_arg(32ull << 20, "32MiB")),
            "fragment bytes held by all incomplete datagrams; beyond it the oldest are given up")
        ("tunnel.decap", po::value<bool>()->default_value(true),
            "decapsulate VXLAN (UDP 4789), GRE/ERSPAN and IP-in-IP and analyse the inner packets")
        ("dissect.max-probe-bytes", po::value<SizeArg>()->default_value(size_arg(4096, "4096")),
            "bytes per direction a flow may show before every dissector has to decide");
    // clang-format on
}

void apply(const po::variables_map& vm, Config& c) {
    const std::string threads = opt<std::string>(vm, "threads");
    if (threads == "auto") {
        const unsigned cores = std::thread::hardware_concurrency();
        c.threads = c.live.interfaces.empty() ? 1 : std::clamp(cores, 1u, 4u);
    } else {
        std::uint64_t n = 0;
        try {
            n = parse_size(threads);
        } catch (const ConfigError&) {
        }
        if (n < 1 || n > 64 || threads.find_first_not_of("0123456789") != std::string::npos)
            throw ConfigError("the argument ('" + threads + "') for option '--threads' is invalid (auto, or 1 to 64)");
        c.threads = static_cast<std::uint32_t>(n);
    }
    c.flow.max_flows = opt<CountArg>(vm, "flow.max-flows").v;
    if (c.flow.max_flows == 0)
        throw ConfigError("the argument ('0') for option '--flow.max-flows' is invalid");
    c.flow.tcp_inactivity = opt<DurationArg>(vm, "flow.tcp-timeout").v;
    c.flow.udp_inactivity = opt<DurationArg>(vm, "flow.udp-timeout").v;
    c.flow.other_inactivity = c.flow.udp_inactivity;
    c.flow.tcp_close_delay = opt<DurationArg>(vm, "flow.tcp-close-delay").v;
    c.flow.tcp_attempt = opt<DurationArg>(vm, "flow.tcp-attempt-timeout").v;
    c.flow.max_ooo_bytes = opt<SizeArg>(vm, "tcp.max-ooo-bytes").v;
    c.flow.reassembly_memcap = opt<SizeArg>(vm, "tcp.memcap").v;
    c.memory_limit = opt<SizeArg>(vm, "memory.limit").v;
    if (c.memory_limit < (1u << 20))
        throw ConfigError("the argument for option '--memory.limit' is invalid (at least 1MiB)");
    c.decoder.frag.max_datagrams = opt<CountArg>(vm, "ip.max-frag-datagrams").v;
    if (c.decoder.frag.max_datagrams == 0)
        throw ConfigError("the argument ('0') for option '--ip.max-frag-datagrams' is invalid (at least 1)");
    c.decoder.frag.max_held_bytes = opt<SizeArg>(vm, "ip.max-frag-memory").v;
    c.clock.max_jump = opt<DurationArg>(vm, "time.max-jump").v;
    c.decoder.frag.max_datagram_bytes = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(opt<SizeArg>(vm, "ip.max-frag-bytes").v, 0xffffffffu));
    c.decoder.frag.timeout = opt<DurationArg>(vm, "ip.frag-timeout").v;
    const bool decap = opt<bool>(vm, "tunnel.decap");
    c.decoder.decap_vxlan = c.decoder.decap_gre = c.decoder.decap_ipip = decap;
    c.registry.max_probe_bytes = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(opt<SizeArg>(vm, "dissect.max-probe-bytes").v, 1u << 20));
}

const OptionGroup group{"Capture, flows and reassembly", add, apply};

}  // namespace

const OptionGroup& capture_option_group() { return group; }

}  // namespace sw
