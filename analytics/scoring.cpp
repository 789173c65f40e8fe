#include "analytics/scoring.h"

namespace sw {

namespace {
std::size_t idx(Indicator i) { return static_cast<std::size_t>(i); }
}  // namespace

bool pull_holds(const RoleFacts& f, const AnalyticsConfig& cfg) {
    const std::uint32_t need = f.need_peers ? f.need_peers : cfg.min_servers;
    const std::uint64_t bytes = f.need_bytes ? f.need_bytes : cfg.min_bytes;
    return f.peers >= need && f.window.bytes >= bytes && f.peers > 0;
}

bool fan_holds(const RoleFacts& f, const AnalyticsConfig& cfg) {
    const std::uint32_t need = f.need_peers ? f.need_peers : cfg.min_sources;
    const std::uint64_t bytes = f.need_bytes ? f.need_bytes : cfg.min_bytes;
    return f.peers >= need && f.window.bytes >= bytes && f.peers > 0;
}

bool needs_onward_bytes(const RoleFacts& f, const AnalyticsConfig& cfg) {
    return pull_holds(f, cfg) && f.pushes.archives == 0 && f.pushes.bytes > 0;
}

IndicatorSet indicators(const RoleFacts& f, Role r, const AnalyticsConfig& cfg) {
    IndicatorSet on{};
    on[idx(Indicator::volume_anomaly)] = f.volume_anomaly;
    const Counters& c = f.window;
    Counters target_files = c;
    const Counters* files = &c;
    if (r == Role::target) {
        target_files.add(f.kept_private);
        files = &target_files;
        const bool fan = fan_holds(f, cfg);
        on[idx(Indicator::fan_in)] = fan;
        on[idx(Indicator::fan_in_archives)] = fan && c.archives > 0;
        on[idx(Indicator::convergence)] = f.converged;
        const std::uint64_t bulk = f.need_bytes ? f.need_bytes : cfg.min_bytes;
        on[idx(Indicator::ssh_upload)] = c.ssh_bytes > 0 && c.ssh_bytes >= bulk;
        on[idx(Indicator::encrypted_smb)] = c.enc_bytes > 0 && c.enc_bytes >= bulk;
    } else {
        files = &f.pushes;
        const bool pull = pull_holds(f, cfg);
        on[idx(Indicator::pull_collector)] = pull;
        if (pull) {
            bool push = f.pushes.archives > 0;
            // Or bytes sent on to hosts it did not pull from.
            if (!push && f.pushes.bytes > 0) push = f.onward_bytes > 0 && f.onward_bytes >= cfg.push_min_bytes;
            on[idx(Indicator::pull_then_push)] = push;
        }
    }
    on[idx(Indicator::archive_name)] = files->archive_names > 0;
    on[idx(Indicator::archive_content)] = files->archive_contents > 0;
    on[idx(Indicator::masquerade)] = files->masquerades > 0;
    on[idx(Indicator::admin_share)] = files->admin_writes > 0;
    on[idx(Indicator::hidden_share)] = files->hidden_writes > 0;
    on[idx(Indicator::staging_path)] = files->path_writes > 0;
    return on;
}

Severity severity_for(std::uint32_t score, const AnalyticsConfig& cfg) {
    if (score == 0) return Severity::none;
    if (score >= cfg.severity_high) return Severity::high;
    if (score >= cfg.severity_medium) return Severity::medium;
    return Severity::low;
}

std::string_view label_for(const IndicatorSet& on, Role role) {
    auto has = [&](Indicator i) { return on[idx(i)]; };
    if (role == Role::collector) {
        if (has(Indicator::pull_then_push)) return "PullThenPush";
        if (has(Indicator::pull_collector)) return "PullCollector";
    } else if (has(Indicator::fan_in)) {
        if (has(Indicator::fan_in_archives)) return "FanInArchiveStaging";
        if (has(Indicator::encrypted_smb)) return "EncryptedFanIn";
        return "FanInVolume";
    }
    if (has(Indicator::tool_transfer)) return "ToolTransfer";
    const bool archive = has(Indicator::archive_name) || has(Indicator::archive_content);
    if (has(Indicator::masquerade)) return "ArchiveMasquerade";
    if (has(Indicator::convergence)) return "ArchiveConvergence";
    if (archive && has(Indicator::admin_share)) return "ArchiveToAdminShare";
    if (archive && has(Indicator::staging_path)) return "ArchiveInStagingDir";
    if (archive && has(Indicator::hidden_share)) return "ArchiveToHiddenShare";
    if (archive) return "ArchiveWrite";
    if (has(Indicator::volume_anomaly)) return "VolumeAnomaly";
    if (has(Indicator::encrypted_smb)) return "EncryptedVolume";
    if (has(Indicator::ssh_upload)) return "SshBulkUpload";
    if (has(Indicator::admin_share) || has(Indicator::staging_path) || has(Indicator::hidden_share))
        return "StagingLocationWrite";
    return "";
}

Assessment assess(const IndicatorSet& on, Role r, const AnalyticsConfig& cfg) {
    Assessment a;
    a.on = on;
    for (std::size_t i = 0; i < kIndicatorCount; ++i)
        if (on[i]) a.score += cfg.weights[i];
    a.severity = severity_for(a.score, cfg);
    a.label = a.score ? label_for(on, r) : std::string_view{};
    return a;
}

std::vector<std::string> indicator_columns(const Assessment& a, const AnalyticsConfig& cfg) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < kIndicatorCount; ++i)
        if (a.on[i])
            out.push_back(std::string(indicator_column_name(static_cast<Indicator>(i))) + ":" +
                          std::to_string(cfg.weights[i]));
    return out;
}

}  // namespace sw
