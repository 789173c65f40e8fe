// Pure classification of what an SMB write touched: archive names (including
// double extensions and split volumes), sniffed archive content, admin or
// hidden shares and staging paths. No state; safe to unit-test alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/analytics_config.h"

namespace sw {

// The last component of a Windows or POSIX path ("dir\x.zip" -> "x.zip").
std::string_view base_name(std::string_view path);
std::string to_lower(std::string_view s);
// Case-insensitive match of `s` against `pattern`, where '*' matches any run
// of characters (including none) and '?' one character.
bool wildcard_match_ci(std::string_view pattern, std::string_view s);

class FileClassifier {
public:
    explicit FileClassifier(const AnalyticsConfig& cfg);

    // The archive extension that makes `name` an archive, lower-case and
    // without the leading dot ("zip", "tar.gz", "7z.001", "z01", "r00"), or ""
    // if it is not an archive name. Only the last path component counts;
    // trailing dots and spaces (which Windows strips) are ignored.
    std::string archive_extension(std::string_view name) const;
    bool is_archive_name(std::string_view name) const { return !archive_extension(name).empty(); }

    // The canonical archive type for a sniffed content type ("zip", "gzip",
    // ...), accepting common aliases and MIME types, or "" if the content is
    // not an archive (or not in staging.archive-content-types).
    std::string archive_content(std::string_view content_type) const;

    // Names whose archive content is expected (docx, jar, ...).
    bool is_container_name(std::string_view name) const;

    // An executable, installer or script by name (staging.software-extensions).
    bool is_software_name(std::string_view name) const;
    // The lane (peer_window.h, docs/detection.md#data-lanes) of a file
    // written by `user` into `name` under `share_path` (`archive`: an archive
    // by name or content; archives are never software) or read by `user`
    // (`content_type`: the sniffed first bytes written / read).
    std::uint8_t write_lane(std::string_view share_path, std::string_view name, std::string_view user,
                            std::string_view content_type, bool archive) const;
    std::uint8_t read_lane(std::string_view share_path, std::string_view name, std::string_view user,
                           std::string_view read_content_type) const;

    // ADMIN$, C$..Z$ (staging.admin-shares), not an exception.
    bool is_admin_share(std::string_view share) const;
    // Another hidden share (staging.hidden-shares: home$, stage$), not an
    // admin share and not an exception (IPC$).
    bool is_hidden_share(std::string_view share) const;
    bool is_staging_path(std::string_view share, std::string_view name) const;
    // A sniffed content type of an executable: "pe" (Windows PE/MZ) or "elf".
    static bool is_executable_type(std::string_view content_type) {
        return content_type == "pe" || content_type == "elf";
    }
    // Share name from a tree path ("\\FS01\stage$" -> "stage$").
    static std::string_view share_of(std::string_view path) { return base_name(path); }

private:
    std::vector<std::string> exts_;        // lower-case, longest first
    std::vector<std::string> content_;     // lower-case canonical
    std::vector<std::string> containers_;  // lower-case
    std::vector<std::string> software_;    // lower-case
    std::vector<std::string> admin_, hidden_, admin_except_;
    std::vector<std::string> paths_;       // lower-case, '\' separators
};

// MIME type for a canonical archive type ("zip" -> "application/zip"), "" if unknown.
std::string_view archive_mime_type(std::string_view archive_type);

}  // namespace sw
