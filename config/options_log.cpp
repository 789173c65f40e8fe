// Log files: rotation (Zeek's naming), the command run after it, stats.log.
#include "config/option_groups.h"

namespace sw {

namespace {

void add(po::options_description& d) {
    // clang-format off
    d.add_options()
        ("log.rotate-interval", po::value<std::string>()->default_value("auto"),
            "rotate every log this often (conn.log becomes conn.YYYY-MM-DD-HH-MM-SS.log); 0: never; "
            "auto: 1h live, never reading files; on packet time reading files, the wall clock live")
        ("log.rotate-command", po::value<std::string>()->default_value(""),
            "shell command run after each rotation with the rotated file's path as its argument")
        ("stats.interval", po::value<std::string>()->default_value("1min"),
            "write a stats.log and a capture_loss.log row (packets, drops, flows, memory, ACK loss) this "
            "often and at the end, on packet time reading files, the wall clock live; 0: never");
    // clang-format on
}

void apply(const po::variables_map& vm, Config& c) {
    const std::string every = opt<std::string>(vm, "log.rotate-interval");
    if (every == "auto") {
        c.rotate_interval = c.live.interfaces.empty() ? 0 : 3600 * kSecond;
    } else {
        try {
            c.rotate_interval = parse_duration(every);
        } catch (const ConfigError&) {
            throw ConfigError("the argument ('" + every + "') for option '--log.rotate-interval' is invalid");
        }
        if (c.rotate_interval != 0 && c.rotate_interval < kSecond)
            throw ConfigError("the argument ('" + every +
                              "') for option '--log.rotate-interval' is invalid (0, or at least 1s)");
    }
    c.rotate_command = opt<std::string>(vm, "log.rotate-command");
    const std::string stats = opt<std::string>(vm, "stats.interval");
    try {
        c.stats_interval = parse_duration(stats);
    } catch (const ConfigError&) {
        throw ConfigError("the argument ('" + stats + "') for option '--stats.interval' is invalid");
    }
    if (c.stats_interval != 0 && c.stats_interval < kSecond)
        throw ConfigError("the argument ('" + stats + "') for option '--stats.interval' is invalid (0, or at least 1s)");
}

const OptionGroup group{"Log files", add, apply};

}  // namespace

const OptionGroup& log_option_group() { return group; }

}  // namespace sw
