// Content sniffing of the first bytes written to a file (offset 0).
//
// Names come from the format's magic number; "ooxml" and "odf" are zips told
// apart by their first entry name. Without a known magic the sample is
// "text" (printable ASCII/UTF-8 with tabs and line ends) or "data".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "capture/byte_reader.h"

namespace sw::smb {

constexpr std::size_t kSniffBytes = 512;           // kept from a write at offset 0
constexpr std::uint64_t kIsoMagicOffset = 32769;   // "CD001" of an ISO 9660 volume descriptor
constexpr std::size_t kIsoMagicLen = 5;

// `head`: the first bytes of the file (up to kSniffBytes). `iso` is the 5
// bytes at file offset 32769 if a write covered them, else empty.
// Returns "" for an empty head.
std::string_view sniff_content_type(Bytes head, Bytes iso = {});

// Is this content type an archive or compressed container?
bool is_archive_type(std::string_view t);

// Does a file name end in an archive extension (.zip .7z .rar .tar .gz
// .tgz .bz2 .tbz2 .xz .txz .zst .cab .iso .lzh .lha .arj .z .ace .wim,
// split parts .001/.z01/.r00)? Case-insensitive; a trailing alternate data
// stream (":stream") is ignored.
bool is_archive_name(std::string_view name);

// Shannon entropy of the bytes, in bits per byte (0..8).
double shannon_entropy(Bytes b);

}  // namespace sw::smb
