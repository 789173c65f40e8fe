// FileClassifier: archive names (double extensions, split volumes), archive
// content, container names, admin shares, staging paths and wildcards.
#include <gtest/gtest.h>

#include "analytics/file_classifier.h"
#include "analytics/peer_window.h"
#include "unit/analytics/analytics_events.h"

namespace sw {
namespace {

using test::ip;

TEST(AnalyticsArchiveName, PlainExtensionsAnyCase) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_EQ(fc.archive_extension("x.zip"), "zip");
    EXPECT_EQ(fc.archive_extension("X.ZIP"), "zip");
    EXPECT_EQ(fc.archive_extension("Q3 Results.Rar"), "rar");
    EXPECT_EQ(fc.archive_extension("dir\\sub\\data.7z"), "7z");
    EXPECT_EQ(fc.archive_extension("dir/sub/data.7Z"), "7z");
    for (const char* e : {"tar", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "zst", "cab", "iso", "lzh", "arj"})
        EXPECT_EQ(fc.archive_extension(std::string("f.") + e), e) << e;
}

TEST(AnalyticsArchiveName, DoubleExtensionsReportTheLongest) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_EQ(fc.archive_extension("Backup.Tar.Gz"), "tar.gz");
    EXPECT_EQ(fc.archive_extension("b.tar.bz2"), "tar.bz2");
    EXPECT_EQ(fc.archive_extension("b.tar.xz"), "tar.xz");
    EXPECT_EQ(fc.archive_extension("b.notes.gz"), "gz");
}

TEST(AnalyticsArchiveName, SplitVolumes) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_EQ(fc.archive_extension("data.7z.001"), "7z.001");
    EXPECT_EQ(fc.archive_extension("DATA.ZIP.002"), "zip.002");
    EXPECT_EQ(fc.archive_extension("x.tar.gz.003"), "tar.gz.003");
    EXPECT_EQ(fc.archive_extension("data.z01"), "z01");
    EXPECT_EQ(fc.archive_extension("data.Z99"), "z99");
    EXPECT_EQ(fc.archive_extension("data.r00"), "r00");
    EXPECT_EQ(fc.archive_extension("data.part1.rar"), "rar");
    EXPECT_EQ(fc.archive_extension("data.PART01.RAR"), "rar");
    // A numbered piece of something that is not an archive is not one.
    EXPECT_EQ(fc.archive_extension("movie.001"), "");
    EXPECT_EQ(fc.archive_extension("report.2023"), "");
}

TEST(AnalyticsArchiveName, NotArchives) {
    FileClassifier fc{AnalyticsConfig{}};
    for (const char* n : {"report.docx", "zip", "notes.txt", "zipcodes.csv", "x.zipper", "x.r0", "x.z1",
                          "archive.zip\\readme.txt", "", ".", "a.", "x.7z.notes"})
        EXPECT_EQ(fc.archive_extension(n), "") << n;
}

TEST(AnalyticsArchiveName, TrailingDotsAndSpacesAreIgnoredAsWindowsDoes) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_EQ(fc.archive_extension("x.zip."), "zip");
    EXPECT_EQ(fc.archive_extension("x.zip . "), "zip");
}

TEST(AnalyticsArchiveName, ConfiguredListReplacesTheDefault) {
    AnalyticsConfig c;
    c.archive_extensions = {".BAK", "tar.lz4"};
    FileClassifier fc{c};
    EXPECT_EQ(fc.archive_extension("db.bak"), "bak");
    EXPECT_EQ(fc.archive_extension("x.TAR.LZ4"), "tar.lz4");
    EXPECT_EQ(fc.archive_extension("x.zip"), "");
    EXPECT_EQ(fc.archive_extension("db.bak.001"), "bak.001");
    // Zip and RAR volume names are recognised by their shape.
    EXPECT_EQ(fc.archive_extension("x.z01"), "z01");
}

TEST(AnalyticsArchiveContent, AliasesAndMimeTypes) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_EQ(fc.archive_content("zip"), "zip");
    EXPECT_EQ(fc.archive_content("ZIP"), "zip");
    EXPECT_EQ(fc.archive_content("application/x-7z-compressed"), "7z");
    EXPECT_EQ(fc.archive_content("gz"), "gzip");
    EXPECT_EQ(fc.archive_content("rar5"), "rar");
    EXPECT_EQ(fc.archive_content("pdf"), "");
    EXPECT_EQ(fc.archive_content(""), "");
    EXPECT_EQ(archive_mime_type("zip"), "application/zip");
    EXPECT_EQ(archive_mime_type("7z"), "application/x-7z-compressed");
    EXPECT_EQ(archive_mime_type("nothing"), "");

    AnalyticsConfig c;
    c.archive_content_types = {"zip"};
    FileClassifier only_zip{c};
    EXPECT_EQ(only_zip.archive_content("application/zip"), "zip");
    EXPECT_EQ(only_zip.archive_content("7z"), "");
}

TEST(AnalyticsArchiveContent, ContainerNames) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_TRUE(fc.is_container_name("Budget.XLSX"));
    EXPECT_TRUE(fc.is_container_name("dir\\app.jar"));
    EXPECT_FALSE(fc.is_container_name("x.zip"));
    EXPECT_FALSE(fc.is_container_name("holiday.jpg"));
    EXPECT_FALSE(fc.is_container_name("docx"));
}

TEST(AnalyticsSoftware, NamesByExtensionAnyCase) {
    const FileClassifier c{AnalyticsConfig{}};
    EXPECT_TRUE(c.is_software_name("Packages\\7-Zip\\23.01\\setup.msi"));
    EXPECT_TRUE(c.is_software_name("Tools\\PROCEXP64.EXE"));
    EXPECT_TRUE(c.is_software_name("install.cmd"));
    EXPECT_TRUE(c.is_software_name("Data1.cab"));
    EXPECT_TRUE(c.is_software_name("hotfix_kb5034441.msu. "));  // Windows strips trailing dots and spaces
    EXPECT_FALSE(c.is_software_name("setup.ini"));
    EXPECT_FALSE(c.is_software_name("Budget.xlsx"));
    EXPECT_FALSE(c.is_software_name("exe"));
    EXPECT_FALSE(c.is_software_name("x."));
    AnalyticsConfig only;
    only.software_extensions = {".RPM"};
    const FileClassifier o{only};
    EXPECT_TRUE(o.is_software_name("pkg-1.0.rpm"));
    EXPECT_FALSE(o.is_software_name("setup.exe"));
}

TEST(AnalyticsSoftware, LanesOfWritesAndReads) {
    const FileClassifier c{AnalyticsConfig{}};
    const std::string home = "\\\\FS01\\home$", cdollar = "\\\\WS1\\C$";
    // The user's own folder wins over everything (a personal zip at home).
    EXPECT_EQ(c.write_lane(home, "alice\\Documents\\p.zip", "CORP\\alice", "zip", true), kLaneOwn);
    EXPECT_EQ(c.write_lane(home, "bob\\p.zip", "CORP\\alice", "zip", true), kLaneData);
    // A tool copied: software by name or content, unless it is an archive.
    EXPECT_EQ(c.write_lane(cdollar, "Tools\\procexp64.exe", "CORP\\adm", "", false), kLaneSoftware);
    EXPECT_EQ(c.write_lane(cdollar, "Tools\\x.dat", "CORP\\adm", "pe", false), kLaneSoftware);
    EXPECT_EQ(c.write_lane(cdollar, "Temp\\loot.cab", "CORP\\adm", "cab", true), kLaneData);
    EXPECT_EQ(c.write_lane(cdollar, "Temp\\notes.txt", "", "", false), kLaneData);
    // Reads: the user's profile, a package, an executable by content, a document.
    EXPECT_EQ(c.read_lane("\\\\FS01\\profiles$", "alice.V6\\NTUSER.DAT", "CORP\\alice", ""), kLaneOwn);
    EXPECT_EQ(c.read_lane("\\\\DIST\\software$", "Packages\\Zoom\\Data1.cab", "CORP\\alice", ""), kLaneSoftware);
    EXPECT_EQ(c.read_lane("\\\\S\\C$", "Windows\\x.bin", "CORP\\alice", "pe"), kLaneSoftware);
    EXPECT_EQ(c.read_lane("\\\\FS01\\Projects", "Finance\\Budget.xlsx", "CORP\\alice", ""), kLaneData);
}

TEST(AnalyticsShares, AdminAndHidden) {
    // Windows' administrative shares: ADMIN$ and the drive letters C$..Z$.
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_TRUE(fc.is_admin_share("C$"));
    EXPECT_TRUE(fc.is_admin_share("z$"));
    EXPECT_TRUE(fc.is_admin_share("admin$"));
    EXPECT_TRUE(fc.is_admin_share("\\\\FS01\\D$"));
    EXPECT_FALSE(fc.is_admin_share("A$"));  // floppy letters are not shared by Windows
    EXPECT_FALSE(fc.is_admin_share("stage$"));
    EXPECT_FALSE(fc.is_admin_share("home$"));
    EXPECT_FALSE(fc.is_admin_share("CC$"));
    EXPECT_FALSE(fc.is_admin_share("IPC$"));
    EXPECT_FALSE(fc.is_admin_share("ipc$"));
    EXPECT_FALSE(fc.is_admin_share("data"));
    EXPECT_FALSE(fc.is_admin_share("$data"));
    EXPECT_FALSE(fc.is_admin_share(""));
    // Every other '$' share is hidden; IPC$ is neither; an admin share is not hidden.
    EXPECT_TRUE(fc.is_hidden_share("stage$"));
    EXPECT_TRUE(fc.is_hidden_share("\\\\FS01\\users$"));
    EXPECT_TRUE(fc.is_hidden_share("CC$"));
    EXPECT_TRUE(fc.is_hidden_share("A$"));
    EXPECT_FALSE(fc.is_hidden_share("C$"));
    EXPECT_FALSE(fc.is_hidden_share("ADMIN$"));
    EXPECT_FALSE(fc.is_hidden_share("IPC$"));
    EXPECT_FALSE(fc.is_hidden_share("data"));
    EXPECT_FALSE(fc.is_hidden_share("$data"));
    EXPECT_FALSE(fc.is_hidden_share(""));

    AnalyticsConfig c;
    c.admin_shares = {"C$", "ADMIN$"};
    c.admin_share_exceptions = {};
    FileClassifier strict{c};
    EXPECT_TRUE(strict.is_admin_share("c$"));
    EXPECT_FALSE(strict.is_admin_share("stage$"));
    EXPECT_FALSE(strict.is_admin_share("D$"));

    AnalyticsConfig h;
    h.hidden_shares = {"home$", "users$"};
    FileClassifier homes{h};
    EXPECT_TRUE(homes.is_hidden_share("HOME$"));
    EXPECT_FALSE(homes.is_hidden_share("stage$"));
}

TEST(AnalyticsShares, StagingPaths) {
    FileClassifier fc{AnalyticsConfig{}};
    EXPECT_TRUE(fc.is_staging_path("C$", "Windows\\Temp\\x.zip"));
    EXPECT_TRUE(fc.is_staging_path("data", "temp\\a.zip"));
    EXPECT_TRUE(fc.is_staging_path("C$", "Users/Public/a.zip"));
    EXPECT_TRUE(fc.is_staging_path("Temp", "x.zip"));
    EXPECT_TRUE(fc.is_staging_path("C$", "ProgramData\\x.7z"));
    EXPECT_TRUE(fc.is_staging_path("C$", "Users\\bob\\AppData\\Local\\Temp\\x.7z"));
    EXPECT_TRUE(fc.is_staging_path("C$", "inetpub\\wwwroot\\x.zip"));
    EXPECT_TRUE(fc.is_staging_path("\\\\web01\\wwwroot", "x.zip"));
    // Whole components only: \Templates\ is not \Temp\.
    EXPECT_FALSE(fc.is_staging_path("data", "Templates\\a.zip"));
    EXPECT_FALSE(fc.is_staging_path("data", "a\\x.zip"));
    EXPECT_FALSE(fc.is_staging_path("data", "Temp"));

    AnalyticsConfig c;
    c.staging_paths = {"/drop/"};
    FileClassifier custom{c};
    EXPECT_TRUE(custom.is_staging_path("data", "DROP\\x"));
    EXPECT_FALSE(custom.is_staging_path("C$", "Windows\\Temp\\x.zip"));
}

TEST(AnalyticsShares, Wildcards) {
    EXPECT_TRUE(wildcard_match_ci("*$", "C$"));
    EXPECT_TRUE(wildcard_match_ci("back*", "BackupShare"));
    EXPECT_TRUE(wildcard_match_ci("a?c", "abc"));
    EXPECT_TRUE(wildcard_match_ci("*", ""));
    EXPECT_TRUE(wildcard_match_ci("a*b*c", "aXXbYYc"));
    EXPECT_FALSE(wildcard_match_ci("a*b", "ac"));
    EXPECT_FALSE(wildcard_match_ci("data", "data2"));
    EXPECT_FALSE(wildcard_match_ci("", "x"));
}

}  // namespace
}  // namespace sw
