// Options of the staging analytics (volume accounting, staging detection,
// baselines, scoring, allow-lists, notice de-duplication). The defaults are
// AnalyticsConfig's, so --help always shows what a run really uses.
#include <cctype>
#include <sstream>
#include <string>

#include "config/option_groups.h"

namespace sw {

namespace {

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        out += v[i];
    }
    return out;
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item = trim(item);
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

ConfigError bad(const std::string& option, const std::string& value, const std::string& why) {
    return ConfigError("the argument ('" + value + "') for option '--" + option + "' is invalid: " + why);
}

// "HH:MM" -> seconds since midnight, or -1.
int parse_clock(const std::string& s) {
    int h = 0, m = 0;
    char colon = 0;
    std::istringstream in(s);
    if (!(in >> h >> colon >> m) || colon != ':' || !in.eof()) return -1;
    if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return -1;
    return (h * 60 + m) * 60;
}

std::vector<TimeOfDayWindow> parse_times(const std::string& option, const std::string& s) {
    std::vector<TimeOfDayWindow> out;
    for (const std::string& item : split_list(s)) {
        const std::size_t dash = item.find('-');
        if (dash == std::string::npos) throw bad(option, s, "'" + item + "' is not HH:MM-HH:MM");
        const int a = parse_clock(trim(item.substr(0, dash)));
        const int b = parse_clock(trim(item.substr(dash + 1)));
        if (a < 0 || b < 0) throw bad(option, s, "'" + item + "' is not HH:MM-HH:MM");
        TimeOfDayWindow w;
        w.start = a % 86400;
        w.end = b % 86400;
        w.text = item;
        out.push_back(w);
    }
    return out;
}

// Parses one list item with the option types' own parser (so "24h" and
// "50MB" read exactly as in staging.window / staging.min-bytes).
template <class T>
T parse_item(const std::string& option, const std::string& all, const std::string& item) {
    boost::any v;
    try {
        validate(v, std::vector<std::string>{item}, static_cast<T*>(nullptr), 0);
    } catch (const std::exception&) {
        throw bad(option, all, "'" + item + "' is not valid");
    }
    return boost::any_cast<T>(v);
}

// staging.long-windows and its per-horizon thresholds: one value applies to
// every horizon, otherwise one per horizon.
std::vector<Horizon> parse_horizons(const std::string& lens, const std::string& srcs, const std::string& bytes,
                                    Duration first) {
    std::vector<Horizon> out;
    const auto l = split_list(lens), s = split_list(srcs), b = split_list(bytes);
    for (const auto& x : l) {
        Horizon h;
        h.length = parse_item<DurationArg>("staging.long-windows", lens, x).v;
        const Duration prev = out.empty() ? first : out.back().length;
        if (h.length <= prev)
            throw bad("staging.long-windows", lens, "each horizon must be longer than staging.window and the one before");
        out.push_back(h);
    }
    auto per = [&](const std::vector<std::string>& v, const char* option, const std::string& all) {
        if (v.size() != 1 && v.size() != out.size())
            throw bad(option, all, "give one value, or one per staging.long-windows horizon");
    };
    if (out.empty()) return out;
    per(s, "staging.long-min-sources", srcs);
    per(b, "staging.long-min-bytes", bytes);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::string& si = s.size() == 1 ? s[0] : s[i];
        const std::uint64_t n = parse_item<CountArg>("staging.long-min-sources", srcs, si).v;
        if (n == 0 || n > 1'000'000) throw bad("staging.long-min-sources", srcs, "must be from 1 to 1000000");
        out[i].min_sources = static_cast<std::uint32_t>(n);
        out[i].min_bytes = parse_item<SizeArg>("staging.long-min-bytes", bytes, b.size() == 1 ? b[0] : b[i]).v;
    }
    return out;
}

// "3" or "3,5": the long horizons' source thresholds, for --help.
std::string horizon_sources(const std::vector<Horizon>& v) {
    std::string out;
    for (const Horizon& h : v) out += (out.empty() ? "" : ",") + std::to_string(h.min_sources);
    return out;
}

const AnalyticsConfig& defaults() {
    static const AnalyticsConfig d;
    return d;
}

std::string weight_option(std::size_t i) {
    return std::string("weight.") + indicator_option_name(static_cast<Indicator>(i));
}

void add(po::options_description& d) {
    const AnalyticsConfig& D = defaults();
    // clang-format off
    d.add_options()
        ("volume.interval", po::value<DurationArg>()->default_value(dur(D.volume_interval, "60s")),
            "length of a volume.log interval, aligned to packet time")
        ("volume.progress", po::value<bool>()->default_value(D.progress),
            "count the bytes of SMB handles, encrypted SMB sessions and SSH connections still open "
            "at the end of every volume interval (volumes and findings grow while a long transfer "
            "runs); false: only when they close")
        ("staging.window", po::value<DurationArg>()->default_value(dur(D.window, "1h")),
            "sliding window for fan-in and pull collectors (slides in steps of 1/60 of it); "
            "also the staging.log report period")
        ("staging.min-sources", po::value<std::uint32_t>()->default_value(D.min_sources),
            "distinct sources writing to one host in the window for Staging::Fan_In")
        ("staging.min-bytes", po::value<SizeArg>()->default_value(size_arg(D.min_bytes, "50MB")),
            "bytes received (fan-in) or pulled (collector) in the window for a finding; also the "
            "bulk amount for the ssh-upload and encrypted-smb indicators")
        ("staging.long-windows", po::value<std::string>()->default_value("24h"),
            "longer horizons for fan-in and pull collectors, comma-separated and each longer than "
            "staging.window (e.g. 24h or 8h,7d); empty for none")
        ("staging.long-min-sources", po::value<std::string>()->default_value(horizon_sources(D.long_windows)),
            "distinct sources (or servers read from) for a finding over each long horizon: one value, "
            "or one per horizon")
        ("staging.long-min-bytes", po::value<std::string>()->default_value("50MB"),
            "bytes for a finding over each long horizon: one value, or one per horizon")
        ("staging.min-servers", po::value<std::uint32_t>()->default_value(D.min_servers),
            "distinct servers one client read from in the window for Staging::Pull_Collector")
        ("staging.push-min-bytes", po::value<SizeArg>()->default_value(size_arg(D.push_min_bytes, "1MB")),
            "bytes a collector must send on to hosts it did not pull from (or one archive) for pull-then-push")
        ("staging.archive-extensions", po::value<std::string>()->default_value(join(D.archive_extensions)),
            "archive file extensions (case-insensitive; may contain dots, e.g. tar.gz); split volumes "
            "(.7z.001, .z01, .r00) of these are archives too")
        ("staging.archive-content-types", po::value<std::string>()->default_value(join(D.archive_content_types)),
            "sniffed content types that are archives")
        ("staging.container-extensions", po::value<std::string>()->default_value(join(D.container_extensions)),
            "extensions whose archive content is expected (OOXML, ODF, jar, ...): not archive content, not masquerade")
        ("staging.software-extensions", po::value<std::string>()->default_value(join(D.software_extensions)),
            "executables, installers and scripts: software read (a deployment read) or written (a tool "
            "copied, unless an archive) is not data being gathered and does not count towards fan-in, pull "
            "collectors or their indicators")
        ("staging.admin-shares", po::value<std::string>()->default_value(join(D.admin_shares)),
            "administrative share patterns ('*' and '?' wildcards, case-insensitive): ADMIN$ and the drive letters")
        ("staging.hidden-shares", po::value<std::string>()->default_value(join(D.hidden_shares)),
            "hidden share patterns (home$, users$, stage$): a weaker indicator than an admin share; "
            "a share matching staging.admin-shares is an admin share")
        ("staging.admin-share-exceptions", po::value<std::string>()->default_value(join(D.admin_share_exceptions)),
            "shares that are neither admin nor hidden shares (IPC$ carries named pipes, not data)")
        ("staging.paths", po::value<std::string>()->default_value(join(D.staging_paths)),
            "staging path fragments, matched case-insensitively inside \\share\\path of a write")
        ("staging.allow-targets", po::value<CidrListArg>()->default_value(CidrListArg{}, ""),
            "addresses/CIDRs of known collection targets (backup, deployment, build servers): their "
            "fan-in, archive and volume findings are suppressed (still logged in staging.log); default none")
        ("staging.allow-sources", po::value<CidrListArg>()->default_value(CidrListArg{}, ""),
            "addresses/CIDRs whose data is expected wherever it goes (writers, or servers read from); default none")
        ("staging.allow-collectors", po::value<CidrListArg>()->default_value(CidrListArg{}, ""),
            "addresses/CIDRs of clients allowed to pull from many servers; default none")
        ("staging.allow-shares", po::value<std::string>()->default_value(""),
            "share patterns whose writes and reads are expected ('*' wildcard): a share name (backup$) "
            "on any server, or a tree path (\\\\BUILD01\\artifacts$) on one; default none")
        ("staging.allow-times", po::value<std::string>()->default_value(""),
            "UTC time-of-day windows HH:MM-HH:MM (may wrap midnight) whose traffic is expected, e.g. 01:00-04:00; default none")
        ("staging.max-hosts", po::value<std::uint64_t>()->default_value(D.max_hosts),
            "hosts tracked at once; the least recently active is evicted (counted) at the cap")
        ("staging.max-peers", po::value<std::uint32_t>()->default_value(D.max_peers),
            "peers tracked by address per host and role (and per volume row); more still count in bytes")
        ("baseline.factor", po::value<double>()->default_value(D.baseline_factor),
            "an interval's inbound bytes above this times the host's baseline is a Staging::Volume_Anomaly")
        ("baseline.min-bytes", po::value<SizeArg>()->default_value(size_arg(D.baseline_min_bytes, "100MB")),
            "absolute floor: an anomalous interval must also receive at least this much")
        ("baseline.half-life", po::value<DurationArg>()->default_value(dur(D.baseline_half_life, "1h")),
            "half-life of the exponentially weighted baseline")
        ("baseline.warmup", po::value<DurationArg>()->default_value(dur(D.baseline_warmup, "1h")),
            "how long a host is observed (plain mean) before anomalies are reported");
    for (std::size_t i = 0; i < kIndicatorCount; ++i) {
        const std::string name = weight_option(i);
        const std::string help = std::string("score weight of the ") +
                                 indicator_column_name(static_cast<Indicator>(i)) + " indicator";
        d.add_options()(name.c_str(), po::value<std::uint32_t>()->default_value(D.weights[i]), help.c_str());
    }
    d.add_options()
        ("severity.medium", po::value<std::uint32_t>()->default_value(D.severity_medium),
            "score at which a finding is medium severity")
        ("severity.high", po::value<std::uint32_t>()->default_value(D.severity_high),
            "score at which a finding is high severity")
        ("notice.suppress-for", po::value<DurationArg>()->default_value(dur(D.suppress_for, "1h")),
            "a notice with the same note and key is not raised again for this long unless its severity "
            "rises (Zeek's suppress_for); 0 disables de-duplication")
        ("notice.daily-budget", po::value<std::uint32_t>()->default_value(D.daily_budget),
            "notices naming one host per UTC day; more are aggregated into one Staging::Notice_Budget "
            "notice at the end of the day; 0 is unlimited")
        ("notice.file-min-severity", po::value<std::string>()->default_value(std::string(severity_name(D.file_notice_min))),
            "severity (low, medium, high) from which a single file's finding (Archive_Write, "
            "Archive_Masquerade) is a notice; below it, it is in staging.log only");
    // clang-format on
}

void apply(const po::variables_map& vm, Config& c) {
    AnalyticsConfig& a = c.analytics;
    a.volume_interval = opt<DurationArg>(vm, "volume.interval").v;
    if (a.volume_interval <= 0)
        throw bad("volume.interval", opt<DurationArg>(vm, "volume.interval").text, "must be positive");
    a.progress = opt<bool>(vm, "volume.progress");
    a.window = opt<DurationArg>(vm, "staging.window").v;
    if (a.window < kSecond)
        throw bad("staging.window", opt<DurationArg>(vm, "staging.window").text, "must be at least 1s");
    a.min_sources = opt<std::uint32_t>(vm, "staging.min-sources");
    if (a.min_sources == 0) throw bad("staging.min-sources", "0", "must be at least 1");
    a.min_bytes = opt<SizeArg>(vm, "staging.min-bytes").v;
    a.min_servers = opt<std::uint32_t>(vm, "staging.min-servers");
    if (a.min_servers == 0) throw bad("staging.min-servers", "0", "must be at least 1");
    a.push_min_bytes = opt<SizeArg>(vm, "staging.push-min-bytes").v;
    a.long_windows = parse_horizons(opt<std::string>(vm, "staging.long-windows"),
                                    opt<std::string>(vm, "staging.long-min-sources"),
                                    opt<std::string>(vm, "staging.long-min-bytes"), a.window);
    a.archive_extensions = split_list(opt<std::string>(vm, "staging.archive-extensions"));
    a.archive_content_types = split_list(opt<std::string>(vm, "staging.archive-content-types"));
    a.container_extensions = split_list(opt<std::string>(vm, "staging.container-extensions"));
    a.software_extensions = split_list(opt<std::string>(vm, "staging.software-extensions"));
    a.admin_shares = split_list(opt<std::string>(vm, "staging.admin-shares"));
    a.hidden_shares = split_list(opt<std::string>(vm, "staging.hidden-shares"));
    a.admin_share_exceptions = split_list(opt<std::string>(vm, "staging.admin-share-exceptions"));
    a.staging_paths = split_list(opt<std::string>(vm, "staging.paths"));
    a.allow_targets = CidrSet{};
    for (const auto& x : opt<CidrListArg>(vm, "staging.allow-targets").v) a.allow_targets.add(x);
    a.allow_sources = CidrSet{};
    for (const auto& x : opt<CidrListArg>(vm, "staging.allow-sources").v) a.allow_sources.add(x);
    a.allow_collectors = CidrSet{};
    for (const auto& x : opt<CidrListArg>(vm, "staging.allow-collectors").v) a.allow_collectors.add(x);
    a.allow_shares = split_list(opt<std::string>(vm, "staging.allow-shares"));
    a.allow_times = parse_times("staging.allow-times", opt<std::string>(vm, "staging.allow-times"));
    a.max_hosts = opt<std::uint64_t>(vm, "staging.max-hosts");
    if (a.max_hosts < 4)
        throw bad("staging.max-hosts", std::to_string(a.max_hosts), "must be at least 4");
    a.max_peers = opt<std::uint32_t>(vm, "staging.max-peers");
    if (a.max_peers == 0) throw bad("staging.max-peers", "0", "must be at least 1");
    a.baseline_factor = opt<double>(vm, "baseline.factor");
    if (!(a.baseline_factor >= 1.0))
        throw bad("baseline.factor", std::to_string(a.baseline_factor), "must be at least 1");
    a.baseline_min_bytes = opt<SizeArg>(vm, "baseline.min-bytes").v;
    a.baseline_half_life = opt<DurationArg>(vm, "baseline.half-life").v;
    if (a.baseline_half_life <= 0)
        throw bad("baseline.half-life", opt<DurationArg>(vm, "baseline.half-life").text, "must be positive");
    a.baseline_warmup = opt<DurationArg>(vm, "baseline.warmup").v;
    for (std::size_t i = 0; i < kIndicatorCount; ++i) {
        a.weights[i] = opt<std::uint32_t>(vm, weight_option(i).c_str());
        // Boost reads "-1" into an unsigned as 4294967295: catch it here.
        if (a.weights[i] > 1000)
            throw bad(weight_option(i), std::to_string(a.weights[i]), "weights range from 0 to 1000");
    }
    a.severity_medium = opt<std::uint32_t>(vm, "severity.medium");
    a.severity_high = opt<std::uint32_t>(vm, "severity.high");
    if (a.severity_medium == 0 || a.severity_high < a.severity_medium)
        throw bad("severity.high", std::to_string(a.severity_high),
                  "severity thresholds must satisfy 0 < severity.medium <= severity.high");
    a.suppress_for = opt<DurationArg>(vm, "notice.suppress-for").v;
    a.daily_budget = opt<std::uint32_t>(vm, "notice.daily-budget");
    if (a.daily_budget > 1'000'000)
        throw bad("notice.daily-budget", std::to_string(a.daily_budget), "must be at most 1000000");
    const std::string fs = opt<std::string>(vm, "notice.file-min-severity");
    if (fs == "low") a.file_notice_min = Severity::low;
    else if (fs == "medium") a.file_notice_min = Severity::medium;
    else if (fs == "high") a.file_notice_min = Severity::high;
    else throw bad("notice.file-min-severity", fs, "must be low, medium or high");
}

const OptionGroup group{"Staging analytics (volume.log, staging.log, notice.log)", add, apply};

}  // namespace

const OptionGroup& analytics_option_group() { return group; }

}  // namespace sw
