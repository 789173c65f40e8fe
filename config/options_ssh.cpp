#include "config/option_groups.h"

namespace sw {

namespace {

void add(po::options_description& d) {
    // clang-format off
    d.add_options()
        ("ssh.max-packet", po::value<SizeArg>()->default_value(size_arg(35000, "35000")),
            "largest cleartext SSH packet (handshake) accepted; a longer packet_length is a weird "
            "and ends parsing of that direction (RFC 4253 6.1 asks for at least 35000)")
        ("ssh.max-line", po::value<SizeArg>()->default_value(size_arg(1024, "1024")),
            "longest identification or pre-banner line read (RFC 4253 4.2 allows 255 bytes; "
            "longer identifications get a weird)")
        ("ssh.max-pre-banner", po::value<SizeArg>()->default_value(size_arg(16384, "16KiB")),
            "bytes of other lines a server may send before its identification line")
        ("ssh.min-transfer-bytes", po::value<SizeArg>()->default_value(size_arg(16384, "16KiB")),
            "bulk bytes (after login) before a connection can be inferred as upload, download or tunnel")
        ("ssh.transfer-ratio", po::value<double>()->default_value(4.0),
            "how many times more bytes the bulk direction must carry than the other for upload/download")
        ("ssh.min-keystrokes", po::value<std::uint64_t>()->default_value(8),
            "keystroke-sized client packets before a connection can be inferred as interactive")
        ("ssh.channel-packet-size", po::value<SizeArg>()->default_value(size_arg(32768, "32768")),
            "data bytes per SSH channel packet in bulk transfers (OpenSSH's maximum), used to "
            "subtract packet framing from transfer_bytes");
    // clang-format on
}

void apply(const po::variables_map& vm, Config& c) {
    SshConfig& s = c.dissectors.ssh;
    const auto bounded = [&](const char* name, std::uint64_t lo, std::uint64_t hi) {
        const SizeArg a = opt<SizeArg>(vm, name);
        if (a.v < lo || a.v > hi)
            throw ConfigError(std::string("the argument ('") + a.text + "') for option '--" + name +
                              "' is invalid (allowed " + std::to_string(lo) + ".." + std::to_string(hi) + ")");
        return a.v;
    };
    s.max_packet = static_cast<std::uint32_t>(bounded("ssh.max-packet", 256, 16u << 20));
    s.max_line = static_cast<std::uint32_t>(bounded("ssh.max-line", 64, 1u << 20));
    s.max_pre_banner = static_cast<std::uint32_t>(bounded("ssh.max-pre-banner", 0, 16u << 20));
    s.min_transfer_bytes = opt<SizeArg>(vm, "ssh.min-transfer-bytes").v;
    s.transfer_ratio = opt<double>(vm, "ssh.transfer-ratio");
    if (!(s.transfer_ratio >= 1.0))
        throw ConfigError("the argument for option '--ssh.transfer-ratio' is invalid (must be >= 1)");
    s.min_keystrokes = opt<std::uint64_t>(vm, "ssh.min-keystrokes");
    s.channel_packet = bounded("ssh.channel-packet-size", 1, 16u << 20);
}

const OptionGroup group{"SSH dissector", add, apply};

}  // namespace

const OptionGroup& ssh_option_group() { return group; }

}  // namespace sw
