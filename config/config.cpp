#include "config/config.h"

#include <boost/program_options.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "config/option_groups.h"
#include "config/option_types.h"
#include "config/sample_ini.h"

namespace po = boost::program_options;

namespace sw {

namespace {

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

// Splits "12.5min" into 12.5 and "min".
bool split_number(const std::string& s, double& num, std::string& unit) {
    std::string t = trim(s);
    std::size_t i = 0;
    while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
    if (i == 0) return false;
    try {
        std::size_t used = 0;
        num = std::stod(t.substr(0, i), &used);
        if (used != i) return false;
    } catch (...) {
        return false;
    }
    unit = trim(t.substr(i));
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return std::isfinite(num) && num >= 0;
}

}  // namespace

Duration parse_duration(const std::string& s) {
    double n;
    std::string u;
    if (!split_number(s, n, u)) throw ConfigError("'" + s + "' is not a duration (e.g. 90s, 5min, 1h)");
    double mult;
    if (u.empty() || u == "s" || u == "sec" || u == "secs" || u == "second" || u == "seconds") mult = 1e6;
    else if (u == "ms") mult = 1e3;
    else if (u == "us") mult = 1;
    else if (u == "m" || u == "min" || u == "mins" || u == "minute" || u == "minutes") mult = 60e6;
    else if (u == "h" || u == "hr" || u == "hour" || u == "hours") mult = 3600e6;
    else if (u == "d" || u == "day" || u == "days") mult = 86400e6;
    else throw ConfigError("'" + s + "': unknown time unit '" + u + "' (use ms, s, min, h, d)");
    double v = n * mult;
    if (v > 9.2e18) throw ConfigError("'" + s + "' is too large");
    return static_cast<Duration>(std::llround(v));
}

std::uint64_t parse_size(const std::string& s) {
    double n;
    std::string u;
    if (!split_number(s, n, u)) throw ConfigError("'" + s + "' is not a size (e.g. 4096, 64KiB, 50MB)");
    double mult;
    if (u.empty() || u == "b") mult = 1;
    else if (u == "k" || u == "kib") mult = 1024.0;
    else if (u == "m" || u == "mib") mult = 1024.0 * 1024;
    else if (u == "g" || u == "gib") mult = 1024.0 * 1024 * 1024;
    else if (u == "t" || u == "tib") mult = 1024.0 * 1024 * 1024 * 1024;
    else if (u == "kb") mult = 1e3;
    else if (u == "mb") mult = 1e6;
    else if (u == "gb") mult = 1e9;
    else if (u == "tb") mult = 1e12;
    else throw ConfigError("'" + s + "': unknown size unit '" + u + "' (use KiB, MiB, GiB, KB, MB, GB)");
    double v = n * mult;
    if (v > 1.8e19) throw ConfigError("'" + s + "' is too large");
    return static_cast<std::uint64_t>(std::llround(v));
}

std::vector<Cidr> parse_cidr_list(const std::string& s) {
    std::vector<Cidr> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item = trim(item);
        if (item.empty()) continue;
        auto c = Cidr::parse(item);
        if (!c) throw ConfigError("'" + item + "' is not an address or CIDR prefix");
        out.push_back(*c);
    }
    return out;
}

void validate(boost::any& v, const std::vector<std::string>& values, DurationArg*, int) {
    po::validators::check_first_occurrence(v);
    const std::string& s = po::validators::get_single_string(values);
    try {
        v = DurationArg{parse_duration(s), s};
    } catch (const ConfigError&) {
        throw po::invalid_option_value(s);
    }
}

void validate(boost::any& v, const std::vector<std::string>& values, SizeArg*, int) {
    po::validators::check_first_occurrence(v);
    const std::string& s = po::validators::get_single_string(values);
    try {
        v = SizeArg{parse_size(s), s};
    } catch (const ConfigError&) {
        throw po::invalid_option_value(s);
    }
}

void validate(boost::any& v, const std::vector<std::string>& values, CidrListArg*, int) {
    po::validators::check_first_occurrence(v);
    const std::string& s = po::validators::get_single_string(values);
    try {
        v = CidrListArg{parse_cidr_list(s), s};
    } catch (const ConfigError&) {
        throw po::invalid_option_value(s);
    }
}

void validate(boost::any& v, const std::vector<std::string>& values, CountArg*, int) {
    po::validators::check_first_occurrence(v);
    const std::string& s = po::validators::get_single_string(values);
    std::uint64_t n = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) throw po::invalid_option_value(s);
    v = CountArg{n};
}

std::ostream& operator<<(std::ostream& os, const CountArg& d) { return os << d.v; }
std::ostream& operator<<(std::ostream& os, const DurationArg& d) { return os << d.text; }
std::ostream& operator<<(std::ostream& os, const SizeArg& d) { return os << d.text; }
std::ostream& operator<<(std::ostream& os, const CidrListArg& d) { return os << d.text; }

ParseOutcome parse_config(int argc, const char* const* argv) {
    po::options_description general{"General", 110, 50};
    // clang-format off
    general.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("sample-config", "print a sample INI file (every option, commented out, with its default) and exit")
        ("read,r", po::value<std::vector<std::string>>()->composing(),
            "pcap or pcapng file to read; repeat for several files, processed in order as one timeline")
        ("output-dir,o", po::value<std::string>()->default_value("."),
            "directory for the logs (created if missing)")
        ("format", po::value<std::string>()->default_value("tsv"),
            "log format: tsv (Zeek's ASCII format) or json (Zeek's JSON, one object per line)")
        ("config", po::value<std::string>(), "INI file with any of these options (command line wins)")
        ("seed", po::value<CountArg>(), "seed for connection/file uids: same input and seed give the same uids")
        ("log-level", po::value<std::string>()->default_value("info"),
            "diagnostics on stderr: trace, debug, info, warn, error, off")
        ("progress", po::value<std::string>()->default_value("auto"),
            "progress line while reading: auto (only on a terminal), always, never")
        ("local-nets", po::value<CidrListArg>()->default_value(CidrListArg{}, ""),
            "comma-separated CIDR list of local networks (conn.log local_orig/local_resp, ssh.log direction)")
        ("private-is-local", po::value<bool>()->default_value(true),
            "count Zeek's private address space (RFC 1918, loopback, link local, CGN, ULA, ...) as local networks, "
            "in addition to --local-nets (Zeek's Site::private_address_space_is_local)");
    // clang-format on
    po::options_description all{"stagewatch options", 110, 50};
    all.add(general);
    std::vector<po::options_description> group_descs;
    const auto groups = all_option_groups();
    group_descs.reserve(groups.size());
    for (const OptionGroup* g : groups) {
        group_descs.emplace_back(g->title, 110, 50);
        g->add(group_descs.back());
        all.add(group_descs.back());
    }

    ParseOutcome out;
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
        if (vm.count("config")) {
            const std::string file = vm["config"].as<std::string>();
            std::ifstream in(file);
            if (!in) throw ConfigError("--config: cannot read '" + file + "'");
            try {
                po::store(po::parse_config_file(in, all, false), vm);
            } catch (const po::error& e) {
                throw ConfigError("--config " + file + ": " + e.what());
            }
        }
        po::notify(vm);
    } catch (const ConfigError&) {
        throw;
    } catch (const po::error& e) {
        throw ConfigError(e.what());
    }

    if (vm.count("help")) {
        std::ostringstream os;
        os << "Usage: stagewatch -r FILE [-r FILE ...] [-o DIR] [options]\n"
           << "       stagewatch -i IFACE [-i IFACE ...] [-f FILTER] [-o DIR] [--user NAME] [options]\n\n"
           << "Reads packet captures or live interfaces and writes Zeek-style logs of connections,\n"
           << "SMB and SSH activity, and findings about remote data staging (MITRE ATT&CK T1074.002).\n\n"
           << all;
        out.action = ParseOutcome::Action::help;
        out.text = os.str();
        return out;
    }
    if (vm.count("sample-config")) {
        std::vector<IniSection> sections{{"General", &general}};
        for (std::size_t i = 0; i < groups.size(); ++i) sections.push_back({groups[i]->title, &group_descs[i]});
        out.action = ParseOutcome::Action::help;
        out.text = sample_ini(sections);
        return out;
    }
    if (vm.count("version")) {
        out.action = ParseOutcome::Action::version;
        out.text = "stagewatch 0.1.0\n";
        return out;
    }

    Config& c = out.config;
    if (vm.count("read")) c.read_files = opt<std::vector<std::string>>(vm, "read");
    c.output_dir = opt<std::string>(vm, "output-dir");
    std::string fmt = opt<std::string>(vm, "format");
    if (fmt == "tsv") c.format = LogFormat::tsv;
    else if (fmt == "json") c.format = LogFormat::json;
    else throw ConfigError("the argument ('" + fmt + "') for option '--format' is invalid (tsv or json)");
    c.log_level = opt<std::string>(vm, "log-level");
    static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (std::find(std::begin(levels), std::end(levels), c.log_level) == std::end(levels))
        throw ConfigError("the argument ('" + c.log_level + "') for option '--log-level' is invalid");
    c.progress = opt<std::string>(vm, "progress");
    if (c.progress != "auto" && c.progress != "always" && c.progress != "never")
        throw ConfigError("the argument ('" + c.progress + "') for option '--progress' is invalid");
    if (vm.count("seed")) {
        c.seeded = true;
        c.seed = opt<CountArg>(vm, "seed").v;
    }

    for (const auto& cidr : opt<CidrListArg>(vm, "local-nets").v) {
        c.flow.local_nets.add(cidr);
        c.dissectors.local_nets.add(cidr);
    }
    if (opt<bool>(vm, "private-is-local")) {
        add_private_address_space(c.flow.local_nets);
        add_private_address_space(c.dissectors.local_nets);
    }
    c.flow.seeded = c.seeded;
    c.flow.seed = c.seed;
    // One secret hash key per run (reproducible with --seed) for every table
    // keyed by addresses, ports or names the traffic chooses.
    c.hash = KeyedHash::make(c.seeded, c.seed);
    c.decoder.frag.hash = c.hash;
    c.flow.hash = c.hash;
    c.analytics.hash = c.hash;
    for (const OptionGroup* g : groups) g->apply(vm, c);
    return out;
}

}  // namespace sw
