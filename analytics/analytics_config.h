// Staging analytics configuration: every threshold, list, weight and cap is
// an option (config/options_analytics.cpp); these are the defaults.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "capture/keyed_hash.h"
#include "capture/types.h"
#include "analytics/findings.h"

namespace sw {

// The scored indicators. Order is the order of the `indicators` column.
enum class Indicator : std::uint8_t {
    fan_in,           // many sources wrote to one target in the window
    fan_in_archives,  // ... and archives arrived as part of it
    convergence,      // archives of many sources in the same target directory
    pull_collector,   // one client read from many servers in the window
    pull_then_push,   // ... and then wrote an archive / uploaded to another host
    archive_name,     // a written file is named like an archive
    archive_content,  // a written file's first bytes are an archive
    masquerade,       // archive content under a non-archive name
    admin_share,      // write into an administrative share (ADMIN$, C$..Z$)
    hidden_share,     // write into another hidden share (home$, stage$, ...)
    staging_path,     // write under a staging path (\Temp\, \Users\Public\, ...)
    volume_anomaly,   // inbound bytes of an interval far above the host's baseline
    ssh_upload,       // bulk SSH upload into the host
    encrypted_smb,    // bulk encrypted SMB3 traffic into the host
    tool_transfer,    // an executable (PE, ELF) read off an admin share (T1570)
};
constexpr std::size_t kIndicatorCount = 15;
// Option/column names: "fan-in" (weight.fan-in) and "fan_in" (staging.log).
const char* indicator_option_name(Indicator i);
const char* indicator_column_name(Indicator i);

// Time-of-day window in UTC seconds since midnight, [start, end); wraps
// midnight when end <= start ("22:00-06:00").
struct TimeOfDayWindow {
    int start = 0, end = 0;
    std::string text;
    bool contains(Timestamp ts) const;
};

// A longer horizon for fan-in and pull collectors (staging.long-windows):
// its length and the thresholds that make a finding over it.
struct Horizon {
    Duration length = 0;
    std::uint32_t min_sources = 3;  // sources (target) or servers (collector)
    std::uint64_t min_bytes = 50'000'000;
};

struct AnalyticsConfig {
    Duration volume_interval = 60 * kSecond;
    // Bytes of SMB handles, encrypted SMB sessions and SSH connections still
    // open are counted at each volume interval (ProgressEvent), not only
    // when they close.
    bool progress = true;
    Duration window = 3600 * kSecond;
    std::uint32_t min_sources = 3;
    std::uint64_t min_bytes = 50'000'000;
    std::uint32_t min_servers = 3;
    std::uint64_t push_min_bytes = 1'000'000;
    // Horizons beyond `window` (the first horizon, with min_sources /
    // min_bytes / min_servers), shortest first.
    std::vector<Horizon> long_windows = {{86400 * kSecond, 3, 50'000'000}};

    // Lower-case, without the leading dot; entries may hold dots ("tar.gz").
    std::vector<std::string> archive_extensions = {
        "zip", "zipx", "rar", "7z",  "tar", "gz",  "tgz", "bz2", "tbz2", "tbz", "xz",
        "txz", "zst",  "tzst", "lz", "lzma", "tlz", "z",   "cab", "iso",  "wim", "lzh",
        "lha", "arj",  "ace",  "cpio", "tar.gz", "tar.bz2", "tar.xz", "tar.zst"};
    // Sniffed content types that are archives (as SmbFileEvent::content_type).
    std::vector<std::string> archive_content_types = {
        "zip", "7z", "rar", "gzip", "bzip2", "xz", "zstd", "cab", "tar", "lzh", "arj",
        "iso", "lzma", "lzip", "compress", "ace", "cpio", "wim"};
    // Names whose zip content is expected (OOXML, ODF, Java, app packages):
    // zip content under these names is neither archive content nor masquerade.
    std::vector<std::string> container_extensions = {
        "docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm", "xlsb", "xlam",
        "pptx", "pptm", "potx", "potm", "ppsx", "ppsm", "ppam", "vsdx", "vsdm", "vstx",
        "odt",  "ods",  "odp",  "odg",  "odf",  "ott",  "ots",  "otp",  "epub", "jar",
        "war",  "ear",  "apk",  "aab",  "ipa",  "xpi",  "crx",  "nupkg", "whl", "egg",
        "msix", "appx", "appxbundle", "msixbundle", "vsix", "kmz", "3mf", "xps", "oxps",
        "idml", "sketch", "msu"};
    // Software: executables, installers and their media, scripts. A file read
    // under one of these names (or whose first bytes read are an executable)
    // is a deployment read, a file written under one (not an archive) a tool
    // or package copied: neither is data being gathered (docs/detection.md#data-lanes).
    std::vector<std::string> software_extensions = {
        "exe", "dll", "sys", "ocx", "cpl", "scr", "msi", "msp", "msm", "mst", "msu", "msix", "msixbundle",
        "appx", "appxbundle", "cab", "inf", "cat", "ps1", "psm1", "psd1", "bat", "cmd", "vbs", "wsf",
        "deb", "rpm", "pkg", "dmg"};
    // Share patterns ('*' matches any run of characters; case-insensitive).
    // Administrative shares: Windows' own (ADMIN$ and the drive letters).
    std::vector<std::string> admin_shares = {
        "ADMIN$", "C$", "D$", "E$", "F$", "G$", "H$", "I$", "J$", "K$", "L$", "M$", "N$",
        "O$",     "P$", "Q$", "R$", "S$", "T$", "U$", "V$", "W$", "X$", "Y$", "Z$"};
    // Hidden shares: any other share ending in '$' (home$, users$, stage$),
    // a weaker indicator: home folders and software shares are hidden too.
    std::vector<std::string> hidden_shares = {"*$"};
    // Neither admin nor hidden (IPC$ carries named pipes, not data).
    std::vector<std::string> admin_share_exceptions = {"IPC$"};
    // Path fragments matched case-insensitively inside \share\name.
    std::vector<std::string> staging_paths = {
        "\\Temp\\",        "\\Tmp\\",          "\\Users\\Public\\",     "\\ProgramData\\",
        "\\AppData\\Local\\Temp\\", "\\Windows\\Temp\\", "\\inetpub\\wwwroot\\", "\\wwwroot\\"};

    // Allow-lists (known business traffic). Matching findings are suppressed
    // (no notice) but still appear in staging.log with suppressed=T.
    CidrSet allow_targets;     // fan-in targets / archive destinations
    CidrSet allow_sources;     // hosts whose data (writes, or reads from them) is expected
    CidrSet allow_collectors;  // clients allowed to pull from many servers
    std::vector<std::string> allow_shares;  // share patterns
    std::vector<TimeOfDayWindow> allow_times;

    // Baseline of inbound bytes per volume interval.
    double baseline_factor = 10.0;
    std::uint64_t baseline_min_bytes = 100'000'000;  // absolute floor for an anomaly
    Duration baseline_half_life = 3600 * kSecond;
    Duration baseline_warmup = 3600 * kSecond;

    // Weights, indexed by Indicator.
    std::array<std::uint32_t, kIndicatorCount> weights = {
        30,  // fan_in
        15,  // fan_in_archives
        10,  // convergence
        30,  // pull_collector
        25,  // pull_then_push
        15,  // archive_name
        10,  // archive_content
        30,  // masquerade
        15,  // admin_share
        5,   // hidden_share
        10,  // staging_path
        20,  // volume_anomaly
        15,  // ssh_upload
        15,  // encrypted_smb
        35,  // tool_transfer: alone a medium notice (docs/detection.md)
    };
    std::uint32_t severity_medium = 35;
    std::uint32_t severity_high = 60;

    Duration suppress_for = 3600 * kSecond;
    // Notices naming one host per UTC day; more are aggregated into one
    // Staging::Notice_Budget notice (0: unlimited).
    std::uint32_t daily_budget = 20;
    // A per-file finding (Archive_Write, Archive_Masquerade) becomes a notice
    // from this severity; below it, it is in staging.log only.
    Severity file_notice_min = Severity::medium;

    // Memory bounds.
    std::uint64_t max_hosts = 100'000;  // tracked hosts; least recently active evicted
    std::uint32_t max_peers = 256;      // peers tracked per host and role (and per volume row)

    // Key of every table keyed by addresses from the wire (hosts, peers,
    // notice keys): the run's Config::hash (secret, or from --seed).
    KeyedHash hash;
};

}  // namespace sw
