#include "dissectors/smb2/smb_sniff.h"

#include <cctype>
#include <cmath>
#include <string>
#include <cstring>

namespace sw::smb {

namespace {

bool starts(Bytes b, std::string_view magic, std::size_t at = 0) {
    return b.size() >= at + magic.size() && std::memcmp(b.data() + at, magic.data(), magic.size()) == 0;
}

bool starts_with_name(std::string_view name, std::string_view prefix) {
    return name.substr(0, prefix.size()) == prefix;
}

// A zip's first local file header names its first entry; OOXML puts
// [Content_Types].xml (or _rels/, docProps/, word/, xl/, ppt/) first and
// ODF puts an uncompressed "mimetype" entry first.
std::string_view classify_zip(Bytes b) {
    if (b.size() < 30 || !starts(b, std::string_view("PK\x03\x04", 4))) return "zip";
    std::size_t name_len = load_u16_le(b.data() + 26);
    std::size_t extra_len = load_u16_le(b.data() + 28);
    if (b.size() < 30 + name_len) return "zip";
    std::string_view name = as_chars(b.subspan(30, name_len));
    if (name == "[Content_Types].xml" || starts_with_name(name, "_rels/") ||
        starts_with_name(name, "docProps/") || starts_with_name(name, "word/") ||
        starts_with_name(name, "xl/") || starts_with_name(name, "ppt/"))
        return "ooxml";
    if (name == "mimetype") {
        std::size_t data = 30 + name_len + extra_len;
        if (starts(b, "application/vnd.oasis.opendocument", data)) return "odf";
    }
    return "zip";
}

bool looks_text(Bytes b) {
    std::size_t i = 0;
    while (i < b.size()) {
        std::uint8_t c = b[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
            if (c == 0x7f) return false;
            ++i;
            continue;
        }
        // A UTF-8 multi-byte sequence; one cut by the end of the sample is fine.
        std::size_t len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (len == 0 || (len == 2 && c < 0xc2)) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if (i + k >= b.size()) return true;
            if ((b[i + k] & 0xc0) != 0x80) return false;
        }
        i += len;
    }
    return true;
}

}  // namespace

std::string_view sniff_content_type(Bytes b, Bytes iso) {
    if (b.empty()) return "";
    using namespace std::string_view_literals;
    if (starts(b, "PK\x03\x04"sv) || starts(b, "PK\x05\x06"sv) || starts(b, "PK\x07\x08"sv)) return classify_zip(b);
    if (starts(b, "7z\xbc\xaf\x27\x1c"sv)) return "7z";
    if (starts(b, "Rar!\x1a\x07\x00"sv) || starts(b, "Rar!\x1a\x07\x01\x00"sv)) return "rar";
    if (starts(b, "\x1f\x8b\x08"sv)) return "gzip";
    if (b.size() >= 10 && starts(b, "BZh"sv) && b[3] >= '1' && b[3] <= '9' &&
        starts(b, "\x31\x41\x59\x26\x53\x59"sv, 4))
        return "bzip2";
    if (starts(b, "\xfd" "7zXZ\x00"sv)) return "xz";
    if (starts(b, "\x28\xb5\x2f\xfd"sv)) return "zstd";
    if (starts(b, "MSCF\x00\x00\x00\x00"sv)) return "cab";
    if (starts(b, "ustar"sv, 257) && b.size() >= 263 && (b[262] == 0 || b[262] == ' ')) return "tar";
    if (iso.size() >= kIsoMagicLen && starts(iso, "CD001"sv)) return "iso9660";
    if (b.size() >= 7 && b[2] == '-' && b[3] == 'l' && (b[4] == 'h' || b[4] == 'z') && b[6] == '-') return "lzh";
    if (b.size() >= 4 && b[0] == 0x60 && b[1] == 0xea && load_u16_le(b.data() + 2) <= 2600) return "arj";
    if (starts(b, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"sv)) return "ole2";
    if (starts(b, "%PDF-"sv)) return "pdf";
    if (starts(b, "\x7f" "ELF"sv)) return "elf";
    if (starts(b, "MZ"sv) && b.size() >= 0x40) {
        std::uint32_t pe = load_u32_le(b.data() + 0x3c);
        if (pe >= 0x40 && static_cast<std::size_t>(pe) + 4 <= b.size()) {
            if (starts(b, "PE\0\0"sv, pe)) return "pe";
        } else if (pe >= 0x40 && pe < 0x10000) {
            return "pe";  // the PE header lies beyond the sample; the DOS header is plausible
        }
    }
    return looks_text(b) ? "text" : "data";
}

bool is_archive_type(std::string_view t) {
    static constexpr std::string_view kArchives[] = {"zip", "7z",  "rar", "gzip", "bzip2", "xz",  "zstd",
                                                     "cab", "tar", "iso9660", "lzh", "arj"};
    for (auto a : kArchives)
        if (t == a) return true;
    return false;
}

bool is_archive_name(std::string_view name) {
    if (auto colon = name.find(':'); colon != std::string_view::npos) name = name.substr(0, colon);
    auto dot = name.find_last_of('.');
    auto sep = name.find_last_of("\\/");
    if (dot == std::string_view::npos || (sep != std::string_view::npos && sep > dot)) return false;
    std::string ext;
    for (char c : name.substr(dot + 1)) ext.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    static constexpr std::string_view kExt[] = {"zip", "7z",  "rar", "tar", "gz",  "tgz", "bz2", "tbz",  "tbz2",
                                                "xz",  "txz", "zst", "tzst", "cab", "iso", "lzh", "lha", "arj",
                                                "z",   "ace", "wim"};
    for (auto e : kExt)
        if (ext == e) return true;
    // Split archives: name.001, name.z01, name.r00.
    if (ext.size() == 3 && std::isdigit(static_cast<unsigned char>(ext[1])) &&
        std::isdigit(static_cast<unsigned char>(ext[2])) &&
        (std::isdigit(static_cast<unsigned char>(ext[0])) || ext[0] == 'z' || ext[0] == 'r'))
        return true;
    return false;
}

double shannon_entropy(Bytes b) {
    if (b.empty()) return 0;
    std::uint32_t counts[256] = {};
    for (std::uint8_t c : b) ++counts[c];
    double n = static_cast<double>(b.size());
    double h = 0;
    for (std::uint32_t c : counts) {
        if (!c) continue;
        double p = c / n;
        h -= p * std::log2(p);
    }
    return h;
}

}  // namespace sw::smb
