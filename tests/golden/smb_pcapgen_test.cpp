// The SMB dissector on a synthetic SPAN-port corpus from tools/pcapgen: many
// clients and servers, SMB 2.1 and 3.1.1, multi-credit WRITEs up to 8 MiB,
// 1 % reordered and 1 % retransmitted segments, interleaved with SSH and
// background TCP. Every file of pcapgen's truth sidecar must come out with
// its tree, name, bytes written/read, size, content type and user.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "support.h"

namespace sw::test {
namespace {

struct GenFile {
    std::string client, tree, name, action, magic, user;
    std::uint64_t size = 0, written = 0, read = 0;
};

TEST(SmbPcapgen, EveryFileOfTheTruthSidecar) {
    TempDir tmp;
    const auto pcap = tmp.path() / "corpus.pcap";
    const auto json = tmp.path() / "corpus.json";
    std::string out;
    int rc = run_command(std::string(SW_PCAPGEN_BINARY) +
                             " --clients 20 --servers 4 --size 48M --seed 11 --file-size 64K..4M"
                             " --reorder-rate 0.01 --retransmit-rate 0.01 --out " +
                             pcap.string() + " --truth " + json.string(),
                         &out);
    ASSERT_EQ(rc, 0) << out;
    const auto script = tmp.path() / "t.py";
    std::ofstream(script) << "import json,sys\n"
                             "d=json.load(open(sys.argv[1]))\n"
                             "s=d['smb_sessions']\n"
                             "for f in d['smb_files']:\n"
                             "  u=s[f['session']]\n"
                             "  print('\\t'.join([f['client'],f['tree'],f['name'],f['action'],f['magic'] or '-',"
                             "u['domain']+'\\\\'+u['user'],str(f['size']),str(f['bytes_written']),str(f['bytes_read'])]))\n";
    ASSERT_EQ(run_command("python3 " + script.string() + " " + json.string(), &out), 0) << out;
    std::vector<GenFile> want;
    std::stringstream ss(out);
    std::string line;
    while (std::getline(ss, line)) {
        std::vector<std::string> f;
        std::stringstream ls(line);
        std::string x;
        while (std::getline(ls, x, '\t')) f.push_back(x);
        ASSERT_EQ(f.size(), 9u) << line;
        want.push_back({f[0], f[1], f[2], f[3], f[4] == "-" ? "" : f[4], f[5], std::stoull(f[6]), std::stoull(f[7]),
                        std::stoull(f[8])});
    }
    ASSERT_GT(want.size(), 20u);

    const Collector c = run_pipeline({pcap.string()});
    const auto files = c.all<SmbFileEvent>();
    EXPECT_EQ(files.size(), want.size());
    std::map<std::string, const SmbFileEvent*> got;
    for (const auto& f : files) got[f.id.orig_h.str() + "|" + f.path + "|" + f.name] = &f;
    for (const auto& w : want) {
        auto it = got.find(w.client + "|" + w.tree + "|" + w.name);
        ASSERT_NE(it, got.end()) << w.client << " " << w.tree << " " << w.name;
        const SmbFileEvent& f = *it->second;
        EXPECT_EQ(f.bytes_written, w.written) << w.name;
        EXPECT_EQ(f.bytes_read, w.read) << w.name;
        EXPECT_EQ(f.action, w.action == "write" ? "SMB::FILE_WRITE" : "SMB::FILE_READ") << w.name;
        EXPECT_EQ(f.size, std::optional<std::uint64_t>(w.size)) << w.name;
        EXPECT_EQ(f.username, w.user) << w.name;
        EXPECT_EQ(f.missed_bytes, 0u) << w.name;
        if (w.action == "write") {
            EXPECT_EQ(f.write_ranges, 1u) << w.name;
            // pcapgen writes real headers for archives and documents, random bytes otherwise.
            EXPECT_EQ(f.content_type, w.magic.empty() ? "data" : w.magic) << w.name;
        }
    }
    // No framing trouble despite reordering and retransmissions.
    for (const auto& wd : c.all<WeirdEvent>()) EXPECT_NE(wd.source, "SMB") << wd.name << " " << wd.addl;
    EXPECT_EQ(c.all<NtlmEvent>().size(), c.all<SmbSessionEvent>().size());
}

}  // namespace
}  // namespace sw::test
