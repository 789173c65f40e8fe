#include "analytics/analytics_config.h"
#include "analytics/findings.h"

namespace sw {

std::string_view severity_name(Severity s) {
    switch (s) {
        case Severity::low: return "low";
        case Severity::medium: return "medium";
        case Severity::high: return "high";
        case Severity::none: break;
    }
    return "";
}

std::string_view note_name(NoteType n) {
    switch (n) {
        case NoteType::fan_in: return "Staging::Fan_In";
        case NoteType::pull_collector: return "Staging::Pull_Collector";
        case NoteType::archive_write: return "Staging::Archive_Write";
        case NoteType::archive_masquerade: return "Staging::Archive_Masquerade";
        case NoteType::volume_anomaly: return "Staging::Volume_Anomaly";
        case NoteType::notice_budget: return "Staging::Notice_Budget";
        case NoteType::tool_transfer: return "Staging::Tool_Transfer";
    }
    return "";
}

std::string_view role_name(Role r) { return r == Role::target ? "target" : "collector"; }

std::string_view volume_proto_name(VolumeProto p) {
    switch (p) {
        case VolumeProto::smb: return "smb";
        case VolumeProto::ssh: return "ssh";
        case VolumeProto::other_tcp: return "other_tcp";
    }
    return "";
}

namespace {
struct IndicatorNames {
    const char* option;
    const char* column;
};
constexpr IndicatorNames kIndicatorNames[kIndicatorCount] = {
    {"fan-in", "fan_in"},
    {"fan-in-archives", "fan_in_archives"},
    {"convergence", "convergence"},
    {"pull-collector", "pull_collector"},
    {"pull-then-push", "pull_then_push"},
    {"archive-name", "archive_name"},
    {"archive-content", "archive_content"},
    {"masquerade", "masquerade"},
    {"admin-share", "admin_share"},
    {"hidden-share", "hidden_share"},
    {"staging-path", "staging_path"},
    {"volume-anomaly", "volume_anomaly"},
    {"ssh-upload", "ssh_upload"},
    {"encrypted-smb", "encrypted_smb"},
    {"tool-transfer", "tool_transfer"},
};
}  // namespace

const char* indicator_option_name(Indicator i) { return kIndicatorNames[static_cast<std::size_t>(i)].option; }
const char* indicator_column_name(Indicator i) { return kIndicatorNames[static_cast<std::size_t>(i)].column; }

bool TimeOfDayWindow::contains(Timestamp ts) const {
    std::int64_t s = ts / kSecond;
    if (ts < 0 && ts % kSecond) --s;
    const int sec = static_cast<int>(((s % 86400) + 86400) % 86400);
    if (start == end) return true;  // "00:00-00:00": the whole day
    if (start < end) return sec >= start && sec < end;
    return sec >= start || sec < end;  // wraps midnight
}

}  // namespace sw
