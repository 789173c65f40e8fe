// Content sniffing (smb_sniff): magic numbers, containers, text/entropy,
// archive names.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "dissectors/smb2/smb_sniff.h"
#include "support.h"

namespace sw::smb {
namespace {

using sw::test::hex;

std::vector<std::uint8_t> with_prefix(const std::string& hx, std::size_t total) {
    auto b = hex(hx);
    b.resize(std::max(total, b.size()), 0x41);
    return b;
}

TEST(SmbSniff, MagicNumbers) {
    EXPECT_EQ(sniff_content_type(with_prefix("50 4b 03 04 14 00 00 00 08 00", 64)), "zip");
    EXPECT_EQ(sniff_content_type(with_prefix("37 7a bc af 27 1c 00 04", 64)), "7z");
    EXPECT_EQ(sniff_content_type(with_prefix("52 61 72 21 1a 07 00", 64)), "rar");       // RAR 4
    EXPECT_EQ(sniff_content_type(with_prefix("52 61 72 21 1a 07 01 00", 64)), "rar");    // RAR 5
    EXPECT_EQ(sniff_content_type(with_prefix("1f 8b 08 00", 64)), "gzip");
    EXPECT_EQ(sniff_content_type(with_prefix("42 5a 68 39 31 41 59 26 53 59", 64)), "bzip2");
    EXPECT_EQ(sniff_content_type(with_prefix("fd 37 7a 58 5a 00 00 04", 64)), "xz");
    EXPECT_EQ(sniff_content_type(with_prefix("28 b5 2f fd 24 00", 64)), "zstd");
    EXPECT_EQ(sniff_content_type(with_prefix("4d 53 43 46 00 00 00 00", 64)), "cab");
    EXPECT_EQ(sniff_content_type(with_prefix("20 00 2d 6c 68 35 2d", 64)), "lzh");
    EXPECT_EQ(sniff_content_type(with_prefix("60 ea 2a 00", 64)), "arj");
    EXPECT_EQ(sniff_content_type(with_prefix("d0 cf 11 e0 a1 b1 1a e1", 64)), "ole2");
    EXPECT_EQ(sniff_content_type(with_prefix("25 50 44 46 2d 31 2e 37", 64)), "pdf");
    EXPECT_EQ(sniff_content_type(with_prefix("7f 45 4c 46 02 01 01", 64)), "elf");
    EXPECT_EQ(sniff_content_type({}), "");
}

TEST(SmbSniff, PeNeedsItsHeader) {
    auto pe = with_prefix("4d 5a 90 00", 0x100);
    pe[0x3c] = 0x80;  // e_lfanew = 0x00000080
    pe[0x3d] = pe[0x3e] = pe[0x3f] = 0;
    pe[0x80] = 'P';
    pe[0x81] = 'E';
    pe[0x82] = 0;
    pe[0x83] = 0;
    EXPECT_EQ(sniff_content_type(pe), "pe");
    pe[0x80] = 'X';  // e_lfanew points at something else: just data starting with MZ
    EXPECT_NE(sniff_content_type(pe), "pe");
}

TEST(SmbSniff, TarAndIso) {
    std::vector<std::uint8_t> tar(512, 0);
    const char* name = "etc/passwd";
    std::copy(name, name + 10, tar.begin());
    const char* ustar = "ustar\0" "00";
    std::copy(ustar, ustar + 8, tar.begin() + 257);
    EXPECT_EQ(sniff_content_type(tar), "tar");
    std::vector<std::uint8_t> head(512, 0);
    EXPECT_EQ(sniff_content_type(head, hex("43 44 30 30 31  # CD001 at 32769")), "iso9660");
    EXPECT_EQ(sniff_content_type(head), "data");
}

TEST(SmbSniff, OoxmlAndOdfFromFirstEntry) {
    // Local file header + name "[Content_Types].xml".
    std::string ct = "[Content_Types].xml";
    std::vector<std::uint8_t> z = hex("50 4b 03 04 14 00 06 00 08 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    z.push_back(static_cast<std::uint8_t>(ct.size()));
    z.push_back(0);
    z.push_back(0);
    z.push_back(0);  // extra length 0
    z.insert(z.end(), ct.begin(), ct.end());
    EXPECT_EQ(sniff_content_type(z), "ooxml");
    std::string mt = "mimetype";
    std::string odt = "application/vnd.oasis.opendocument.text";
    std::vector<std::uint8_t> o = hex("50 4b 03 04 0a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    o.push_back(static_cast<std::uint8_t>(mt.size()));
    o.insert(o.end(), {0, 0, 0});
    o.insert(o.end(), mt.begin(), mt.end());
    o.insert(o.end(), odt.begin(), odt.end());
    EXPECT_EQ(sniff_content_type(o), "odf");
}

TEST(SmbSniff, TextAndEntropy) {
    std::string t = "Quarterly numbers\r\n\tSales: 12\n";
    EXPECT_EQ(sniff_content_type(Bytes(reinterpret_cast<const std::uint8_t*>(t.data()), t.size())), "text");
    std::vector<std::uint8_t> all(256);
    for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
    EXPECT_DOUBLE_EQ(shannon_entropy(all), 8.0);  // every byte value once
    std::vector<std::uint8_t> two = {'a', 'b', 'a', 'b'};
    EXPECT_DOUBLE_EQ(shannon_entropy(two), 1.0);
    EXPECT_DOUBLE_EQ(shannon_entropy({}), 0.0);
}

TEST(SmbSniff, ArchiveNames) {
    EXPECT_TRUE(is_archive_name("dir\\HR-Export.ZIP"));
    EXPECT_TRUE(is_archive_name("x.tar.gz"));
    EXPECT_TRUE(is_archive_name("backup.7z.001"));
    EXPECT_TRUE(is_archive_name("a.z01"));
    EXPECT_TRUE(is_archive_name("disk.iso:Zone.Identifier"));
    EXPECT_FALSE(is_archive_name("report.docx"));
    EXPECT_FALSE(is_archive_name("zip.d\\readme"));
    EXPECT_FALSE(is_archive_name(""));
}

}  // namespace
}  // namespace sw::smb
