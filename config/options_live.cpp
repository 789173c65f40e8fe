// Live capture and running as a sensor: interfaces, BPF filter, kernel ring,
// and the user to drop to.
#include "config/option_groups.h"

namespace sw {

namespace {

void add(po::options_description& d) {
    // clang-format off
    d.add_options()
        ("interface,i", po::value<std::vector<std::string>>()->composing(),
            "network interface to capture on (a SPAN or TAP port); repeat for several; not with -r")
        ("capture.filter,f", po::value<std::string>()->default_value(""),
            "BPF capture filter (tcpdump syntax), empty for every packet")
        ("capture.snaplen", po::value<CountArg>()->default_value(count_arg(65535)),
            "bytes captured per packet")
        ("capture.buffer-size", po::value<SizeArg>()->default_value(size_arg(256ull << 20, "256MiB")),
            "kernel capture ring per interface (pcap_set_buffer_size)")
        ("capture.promisc", po::value<bool>()->default_value(true),
            "put the interfaces in promiscuous mode")
        ("user", po::value<std::string>()->default_value(""),
            "after opening the interfaces and the log directory, run as this user and its groups");
    // clang-format on
}

void apply(const po::variables_map& vm, Config& c) {
    if (vm.count("interface")) c.live.interfaces = opt<std::vector<std::string>>(vm, "interface");
    if (!c.live.interfaces.empty() && !c.read_files.empty())
        throw ConfigError("-r (read files) and -i (capture live) cannot be used together");
    c.live.filter = opt<std::string>(vm, "capture.filter");
    const std::uint64_t snaplen = opt<CountArg>(vm, "capture.snaplen").v;
    if (snaplen < 64 || snaplen > 262144)
        throw ConfigError("the argument ('" + std::to_string(snaplen) +
                          "') for option '--capture.snaplen' is invalid (64 to 262144)");
    c.live.snaplen = static_cast<std::uint32_t>(snaplen);
    c.live.buffer_size = opt<SizeArg>(vm, "capture.buffer-size").v;
    if (c.live.buffer_size < (1u << 20) || c.live.buffer_size > 0x7fffffffull)
        throw ConfigError("the argument ('" + opt<SizeArg>(vm, "capture.buffer-size").text +
                          "') for option '--capture.buffer-size' is invalid (1MiB to 2GiB)");
    c.live.promisc = opt<bool>(vm, "capture.promisc");
    c.user = opt<std::string>(vm, "user");
}

const OptionGroup group{"Live capture (sensor)", add, apply};

}  // namespace

const OptionGroup& live_option_group() { return group; }

}  // namespace sw
