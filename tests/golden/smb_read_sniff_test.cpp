// Content sniffing of files *read* (smb_files.read_content_type), on public
// captures, against tshark's view of the bytes: for every READ at offset 0
// in the capture's truth table (smb2_read), tshark's smb2.read.blob of the
// response is classified here on its own (printable text, or Apple's
// .DS_Store / AppleDouble formats, which have no magic we know: "data"), and the logged type of
// that file must agree. Reads at other offsets never set it.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "support.h"

namespace sw::test {
namespace {

bool have_tshark() { return run_command("command -v tshark >/dev/null") == 0; }

std::vector<std::uint8_t> unhex(const std::string& s) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < s.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
    return out;
}

// The response frame -> file name of every READ at offset 0 in the truth table.
std::map<std::string, std::string> offset0_reads(const std::string& rel) {
    std::ifstream in(shared_pcaps() / "truth" / (rel + ".tsv"));
    std::map<std::string, std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string x;
        while (std::getline(ss, x, '\t')) f.push_back(x);
        // smb2_read req_frame time stream client server sesid tree fid tshark_fid_name
        // create_filename offset length resp_frame status data_length
        if (f.size() >= 16 && f[0] == "smb2_read" && f[11] == "0" && f[14] == "0x00000000" &&
            f[7].find("IPC$") == std::string::npos)
            out[f[13]] = f[10];
    }
    return out;
}

std::string expected_type(const std::vector<std::uint8_t>& head) {
    bool text = !head.empty();
    for (std::size_t i = 0; i < head.size() && i < 512; ++i) {
        const std::uint8_t c = head[i];
        if (!(c >= 32 && c < 127) && c != '\t' && c != '\r' && c != '\n') text = false;
    }
    if (text) return "text";
    // Finder's .DS_Store ("\0\0\0\1Bud1") and AppleDouble ("._" files, 00 05 16 07):
    // no magic stagewatch knows, so "data".
    const std::uint8_t bud1[] = {0, 0, 0, 1, 'B', 'u', 'd', '1'};
    if (head.size() >= 8 && std::equal(bud1, bud1 + 8, head.begin())) return "data";
    const std::uint8_t apple_double[] = {0, 5, 0x16, 7};
    if (head.size() >= 4 && std::equal(apple_double, apple_double + 4, head.begin())) return "data";
    return "?";
}

void check(const std::string& rel, std::size_t want_files) {
    const auto pcap = shared_pcaps() / rel;
    if (!std::filesystem::exists(pcap)) GTEST_SKIP() << pcap << " not in the corpus";
    if (!have_tshark()) GTEST_SKIP() << "tshark is the reference";
    const auto reads = offset0_reads(rel);
    ASSERT_FALSE(reads.empty());
    std::string out;
    ASSERT_EQ(run_command("tshark -n -r " + pcap.string() +
                              " -o tcp.desegment_tcp_streams:TRUE -Y 'smb2.cmd==8 && smb2.flags.response==1' "
                              "-T fields -e frame.number -e smb2.read.blob 2>/dev/null",
                          &out),
              0);
    std::map<std::string, std::string> want;  // file name -> type from tshark's bytes
    std::stringstream ss(out);
    std::string line;
    while (std::getline(ss, line)) {
        const auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        auto it = reads.find(line.substr(0, tab));
        if (it == reads.end()) continue;
        const std::string t = expected_type(unhex(line.substr(tab + 1)));
        ASSERT_NE(t, "?") << it->second << ": bytes this test cannot classify on its own";
        want[it->second] = t;
    }
    ASSERT_EQ(want.size(), want_files);

    Collector c = run_pipeline({pcap.string()});
    std::map<std::string, std::string> got;
    for (const auto& f : c.all<SmbFileEvent>()) {
        if (f.bytes_read == 0 || f.is_pipe) continue;
        if (want.count(f.name)) {
            EXPECT_EQ(f.read_content_type, want[f.name]) << f.name;
            got[f.name] = f.read_content_type;
        }
        EXPECT_TRUE(f.content_type.empty() || f.bytes_written > 0) << f.name;  // the write sample stays the writes'
    }
    EXPECT_EQ(got.size(), want.size());

    // And in smb_files.log, as its last column.
    TempDir d;
    ASSERT_EQ(run_command(binary() + " -r " + pcap.string() + " -o " + d.str() + " >/dev/null 2>&1"), 0);
    std::ifstream log(d.path() / "smb_files.log");
    std::string fields;
    while (std::getline(log, fields) && fields.rfind("#fields", 0) != 0) {}
    std::vector<std::string> names;
    {
        std::stringstream fs(fields);
        std::string x;
        while (std::getline(fs, x, '\t')) names.push_back(x);
    }
    ASSERT_EQ(names.back(), "read_content_type");
    auto col = [&](const char* n) {
        return static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin()) - 1;
    };
    const std::size_t name_col = col("name"), read_col = col("bytes_read");
    std::size_t rows = 0;
    for (const auto& row : read_tsv_log(d.path() / "smb_files.log")) {
        if (!want.count(row[name_col]) || row[read_col] == "0") continue;
        EXPECT_EQ(row.back(), want[row[name_col]]) << row[name_col];
        ++rows;
    }
    EXPECT_GE(rows, want.size());
}

TEST(SmbReadSniffGolden, TextReadOffAShare) { check("zeek-zeek/smb_v2_only_non_zero_reserved1.pcap", 1); }

TEST(SmbReadSniffGolden, DsStoreReadsAreData) { check("zeek-zeek/smb_many_open_files_500.pcap", 2); }

}  // namespace
}  // namespace sw::test
