#include "analytics/file_classifier.h"

#include <algorithm>
#include <cctype>

#include "analytics/convergence.h"
#include "analytics/peer_window.h"

namespace sw {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

struct ContentAlias {
    std::string_view alias;
    std::string_view canonical;
};

// Sniffers and libmagic spell archive types differently; accept the usual
// names and MIME types and map them to one canonical name.
constexpr ContentAlias kAliases[] = {
    {"zip", "zip"},
    {"pkzip", "zip"},
    {"application/zip", "zip"},
    {"application/x-zip-compressed", "zip"},
    {"7z", "7z"},
    {"7zip", "7z"},
    {"7-zip", "7z"},
    {"application/x-7z-compressed", "7z"},
    {"rar", "rar"},
    {"rar5", "rar"},
    {"application/vnd.rar", "rar"},
    {"application/x-rar", "rar"},
    {"application/x-rar-compressed", "rar"},
    {"gzip", "gzip"},
    {"gz", "gzip"},
    {"application/gzip", "gzip"},
    {"application/x-gzip", "gzip"},
    {"bzip2", "bzip2"},
    {"bz2", "bzip2"},
    {"application/x-bzip2", "bzip2"},
    {"xz", "xz"},
    {"application/x-xz", "xz"},
    {"zstd", "zstd"},
    {"zst", "zstd"},
    {"application/zstd", "zstd"},
    {"cab", "cab"},
    {"mscab", "cab"},
    {"application/vnd.ms-cab-compressed", "cab"},
    {"tar", "tar"},
    {"application/x-tar", "tar"},
    {"lzh", "lzh"},
    {"lha", "lzh"},
    {"application/x-lzh-compressed", "lzh"},
    {"arj", "arj"},
    {"application/x-arj", "arj"},
    {"iso", "iso"},
    {"iso9660", "iso"},
    {"application/x-iso9660-image", "iso"},
    {"lzma", "lzma"},
    {"application/x-lzma", "lzma"},
    {"lzip", "lzip"},
    {"lz", "lzip"},
    {"application/x-lzip", "lzip"},
    {"compress", "compress"},
    {"z", "compress"},
    {"application/x-compress", "compress"},
    {"ace", "ace"},
    {"application/x-ace-compressed", "ace"},
    {"cpio", "cpio"},
    {"application/x-cpio", "cpio"},
    {"wim", "wim"},
    {"application/x-ms-wim", "wim"},
};

std::string_view canonical_content(std::string_view lower) {
    for (const auto& a : kAliases)
        if (a.alias == lower) return a.canonical;
    return {};
}

std::string normalize_path(std::string_view s) {
    std::string out = to_lower(s);
    std::replace(out.begin(), out.end(), '/', '\\');
    return out;
}

}  // namespace

std::string_view base_name(std::string_view path) {
    std::size_t p = path.find_last_of("\\/");
    return p == std::string_view::npos ? path : path.substr(p + 1);
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool wildcard_match_ci(std::string_view pattern, std::string_view s) {
    // Iterative glob with backtracking to the last '*': linear in practice,
    // never recursive, so a hostile share name cannot blow the stack.
    std::size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
    auto lc = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    while (i < s.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || lc(pattern[p]) == lc(s[i]))) {
            ++p;
            ++i;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = i;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            i = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

FileClassifier::FileClassifier(const AnalyticsConfig& cfg) {
    for (const auto& e : cfg.archive_extensions) {
        std::string x = to_lower(e);
        while (!x.empty() && x.front() == '.') x.erase(x.begin());
        if (!x.empty()) exts_.push_back(x);
    }
    // Longest first, so "tar.gz" wins over "gz".
    std::stable_sort(exts_.begin(), exts_.end(),
                     [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const auto& c : cfg.archive_content_types) {
        std::string l = to_lower(c);
        std::string_view canon = canonical_content(l);
        content_.emplace_back(canon.empty() ? l : std::string(canon));
    }
    for (const auto& c : cfg.container_extensions) {
        std::string x = to_lower(c);
        while (!x.empty() && x.front() == '.') x.erase(x.begin());
        if (!x.empty()) containers_.push_back(x);
    }
    for (const auto& c : cfg.software_extensions) {
        std::string x = to_lower(c);
        while (!x.empty() && x.front() == '.') x.erase(x.begin());
        if (!x.empty()) software_.push_back(x);
    }
    admin_ = cfg.admin_shares;
    hidden_ = cfg.hidden_shares;
    admin_except_ = cfg.admin_share_exceptions;
    for (const auto& p : cfg.staging_paths)
        if (!p.empty()) paths_.push_back(normalize_path(p));
}

std::string FileClassifier::archive_extension(std::string_view name) const {
    std::string_view b = base_name(name);
    while (!b.empty() && (b.back() == '.' || b.back() == ' ')) b.remove_suffix(1);
    std::string s = to_lower(b);
    std::size_t dot = s.rfind('.');
    if (dot == std::string::npos) return {};
    std::string_view ext = std::string_view(s).substr(dot + 1);

    // Numbered split volumes of a named archive: x.7z.001, x.zip.002, x.tar.gz.003.
    if (ext.size() >= 3 && all_digits(ext)) {
        std::string inner = archive_extension(std::string_view(s).substr(0, dot));
        if (inner.empty()) return {};
        return inner + "." + std::string(ext);
    }
    // Zip and old-style RAR split volumes: x.z01, x.r00.
    if (dot > 0 && ext.size() == 3 && (ext[0] == 'z' || ext[0] == 'r') && is_digit(ext[1]) &&
        is_digit(ext[2]))
        return std::string(ext);
    for (const auto& e : exts_) {
        if (s.size() > e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0 &&
            s[s.size() - e.size() - 1] == '.')
            return e;
    }
    return {};
}

std::string FileClassifier::archive_content(std::string_view content_type) const {
    if (content_type.empty()) return {};
    std::string l = to_lower(content_type);
    std::string_view canon = canonical_content(l);
    std::string c = canon.empty() ? l : std::string(canon);
    for (const auto& x : content_)
        if (x == c) return c;
    return {};
}

bool FileClassifier::is_container_name(std::string_view name) const {
    std::string_view b = base_name(name);
    while (!b.empty() && (b.back() == '.' || b.back() == ' ')) b.remove_suffix(1);
    std::size_t dot = b.rfind('.');
    if (dot == std::string_view::npos) return false;
    std::string ext = to_lower(b.substr(dot + 1));
    return std::find(containers_.begin(), containers_.end(), ext) != containers_.end();
}

bool FileClassifier::is_software_name(std::string_view name) const {
    std::string_view b = base_name(name);
    while (!b.empty() && (b.back() == '.' || b.back() == ' ')) b.remove_suffix(1);
    const std::size_t dot = b.rfind('.');
    if (dot == std::string_view::npos || dot + 1 == b.size()) return false;
    const std::string_view ext = b.substr(dot + 1);
    for (const auto& x : software_) {
        if (x.size() != ext.size()) continue;
        bool eq = true;
        for (std::size_t i = 0; i < x.size() && eq; ++i) {
            const char c = ext[i];
            eq = (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) == x[i];
        }
        if (eq) return true;
    }
    return false;
}

std::uint8_t FileClassifier::write_lane(std::string_view share_path, std::string_view name, std::string_view user,
                                        std::string_view content_type, bool archive) const {
    if (Convergence::in_own_space(share_path, name, user)) return kLaneOwn;
    if (!archive && (is_software_name(name) || is_executable_type(content_type))) return kLaneSoftware;
    return kLaneData;
}

std::uint8_t FileClassifier::read_lane(std::string_view share_path, std::string_view name, std::string_view user,
                                       std::string_view read_content_type) const {
    if (Convergence::in_own_space(share_path, name, user)) return kLaneOwn;
    if (is_software_name(name) || is_executable_type(read_content_type)) return kLaneSoftware;
    return kLaneData;
}

bool FileClassifier::is_admin_share(std::string_view share) const {
    std::string_view s = base_name(share);
    if (s.empty()) return false;
    for (const auto& e : admin_except_)
        if (wildcard_match_ci(e, s)) return false;
    for (const auto& p : admin_)
        if (wildcard_match_ci(p, s)) return true;
    return false;
}

bool FileClassifier::is_hidden_share(std::string_view share) const {
    std::string_view s = base_name(share);
    if (s.empty() || is_admin_share(s)) return false;
    for (const auto& e : admin_except_)
        if (wildcard_match_ci(e, s)) return false;
    for (const auto& p : hidden_)
        if (wildcard_match_ci(p, s)) return true;
    return false;
}

bool FileClassifier::is_staging_path(std::string_view share, std::string_view name) const {
    if (paths_.empty()) return false;
    std::string full = "\\";
    full += base_name(share);
    full += '\\';
    full += name;
    full = normalize_path(full);
    for (const auto& p : paths_)
        if (full.find(p) != std::string::npos) return true;
    return false;
}

std::string_view archive_mime_type(std::string_view t) {
    for (const auto& a : kAliases)
        if (a.canonical == t && a.alias.find('/') != std::string_view::npos) return a.alias;
    return {};
}

}  // namespace sw
