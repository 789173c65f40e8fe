#include "config/option_groups.h"

namespace sw {

namespace {

std::uint32_t u32(const po::variables_map& vm, const char* name, std::uint64_t min) {
    std::uint64_t v = opt<std::uint64_t>(vm, name);
    if (v < min || v > 0xffffffffu)
        throw ConfigError(std::string("the argument ('") + std::to_string(v) + "') for option '--" + name +
                          "' is invalid (at least " + std::to_string(min) + ")");
    return static_cast<std::uint32_t>(v);
}

void add(po::options_description& d) {
    const SmbConfig def;
    // clang-format off
    d.add_options()
        ("smb.enabled", po::value<bool>()->default_value(def.enabled),
            "dissect SMB1/SMB2/SMB3 on TCP (found by content; 445 and 139 also by port)")
        ("smb.max-sessions", po::value<std::uint64_t>()->default_value(def.max_sessions),
            "SMB sessions tracked per connection; at the cap the oldest is ended and logged (weird smb_session_limit)")
        ("smb.max-trees", po::value<std::uint64_t>()->default_value(def.max_trees),
            "tree connects tracked per connection; at the cap the oldest is dropped and its files logged (weird smb_tree_limit)")
        ("smb.max-open-files", po::value<std::uint64_t>()->default_value(def.max_open_files),
            "open file handles tracked per connection; at the cap the oldest is logged and dropped (weird smb_open_file_limit)")
        ("smb.max-pending", po::value<std::uint64_t>()->default_value(def.max_pending),
            "requests awaiting their response per connection; at the cap the oldest is forgotten (weird smb_pending_limit)")
        ("smb.max-name-length", po::value<SizeArg>()->default_value(size_arg(def.max_name_length, "1024")),
            "bytes of a file or share name kept (UTF-8); longer names are cut (weird smb_name_truncated)")
        ("smb.max-pdu-buffer", po::value<SizeArg>()->default_value(size_arg(def.max_pdu_buffer, "64KiB")),
            "bytes of one non-data SMB PDU buffered for parsing; the rest is skipped (WRITE/READ data is never buffered)")
        ("smb.max-shared-sessions", po::value<std::uint64_t>()->default_value(def.max_shared_sessions),
            "sessions whose trees and open files are shared between the TCP connections of one client (SMB multichannel); least recently used dropped at the cap")
        ("smb.log-pipes", po::value<bool>()->default_value(def.log_pipes),
            "log named-pipe handles on IPC$ (SMB::PIPE_* actions) in smb_files.log");
    // clang-format on
}

void apply(const po::variables_map& vm, Config& c) {
    SmbConfig& s = c.dissectors.smb;
    s.enabled = opt<bool>(vm, "smb.enabled");
    s.max_sessions = u32(vm, "smb.max-sessions", 1);
    s.max_trees = u32(vm, "smb.max-trees", 1);
    s.max_open_files = u32(vm, "smb.max-open-files", 1);
    s.max_pending = u32(vm, "smb.max-pending", 1);
    std::uint64_t name = opt<SizeArg>(vm, "smb.max-name-length").v;
    if (name < 16 || name > (1u << 20))
        throw ConfigError("the argument ('" + std::to_string(name) +
                          "') for option '--smb.max-name-length' is invalid (16 to 1MiB)");
    s.max_name_length = static_cast<std::uint32_t>(name);
    std::uint64_t pdu = opt<SizeArg>(vm, "smb.max-pdu-buffer").v;
    if (pdu < 4096 || pdu > (16u << 20))
        throw ConfigError("the argument ('" + std::to_string(pdu) +
                          "') for option '--smb.max-pdu-buffer' is invalid (4KiB to 16MiB)");
    s.max_pdu_buffer = static_cast<std::uint32_t>(pdu);
    s.max_shared_sessions = u32(vm, "smb.max-shared-sessions", 1);
    s.log_pipes = opt<bool>(vm, "smb.log-pipes");
    s.hash = c.hash;  // set before the groups apply (config.cpp)
}

const OptionGroup group{"SMB dissector", add, apply};

}  // namespace

const OptionGroup& smb_option_group() { return group; }

}  // namespace sw
