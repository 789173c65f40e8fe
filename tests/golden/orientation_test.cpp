// One orientation per connection: the flow engine decides which side is the
// originator (conn.log's id.orig_h/orig_p/resp_h/resp_p) and every other log
// row of the same uid (smb_files, smb_mapping, ntlm, ssh) must say the same.
//
// Runs the stagewatch binary on every capture of the public corpus
// (../shared/pcaps) and of the project (pcaps/) and compares, per uid, the
// four id fields of each row with conn.log's.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support.h"

namespace sw::test {
namespace {

struct Log {
    std::vector<std::string> fields;
    std::vector<std::vector<std::string>> rows;
    int col(const std::string& name) const {
        for (std::size_t i = 0; i < fields.size(); ++i)
            if (fields[i] == name) return static_cast<int>(i);
        return -1;
    }
};

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    std::stringstream ss(line);
    while (std::getline(ss, cur, '\t')) out.push_back(cur);
    return out;
}

// A Zeek TSV log: the #fields header names the columns.
Log read_log(const std::filesystem::path& p) {
    Log l;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("#fields\t", 0) == 0) {
            l.fields = split_tabs(line);
            l.fields.erase(l.fields.begin());
        } else if (!line.empty() && line[0] != '#') {
            l.rows.push_back(split_tabs(line));
        }
    }
    return l;
}

constexpr const char* kIdFields[] = {"id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"};

std::vector<std::filesystem::path> captures() {
    std::vector<std::filesystem::path> out;
    for (const auto& root : {shared_pcaps(), project_pcaps()}) {
        if (!std::filesystem::is_directory(root)) continue;
        for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
            auto ext = e.path().extension();
            if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng")) out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST(Orientation, EveryLogAgreesWithConnLogPerUid) {
    SW_REQUIRE_SHARED_PCAPS();
    const auto files = captures();
    ASSERT_GT(files.size(), 10u);
    std::map<std::string, std::size_t> checked;  // rows compared per log
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        TempDir out;
        std::string msg;
        ASSERT_EQ(run_command(binary() + " -r '" + file.string() + "' -o " + out.str() +
                                  " --seed 1 --progress never --log-level error",
                              &msg),
                  0)
            << msg;
        Log conn = read_log(out.path() / "conn.log");
        const int cu = conn.col("uid");
        ASSERT_GE(cu, 0);
        std::map<std::string, std::vector<std::string>> truth;  // uid -> the four id fields
        for (const auto& r : conn.rows) {
            std::vector<std::string> id;
            for (const char* f : kIdFields) id.push_back(r.at(static_cast<std::size_t>(conn.col(f))));
            truth[r.at(static_cast<std::size_t>(cu))] = id;
        }
        for (const char* name : {"smb_files", "smb_mapping", "ntlm", "ssh"}) {
            const auto path = out.path() / (std::string(name) + ".log");
            if (!std::filesystem::exists(path)) continue;
            Log l = read_log(path);
            const int u = l.col("uid");
            ASSERT_GE(u, 0) << name;
            for (const auto& r : l.rows) {
                const std::string& uid = r.at(static_cast<std::size_t>(u));
                auto it = truth.find(uid);
                ASSERT_NE(it, truth.end()) << name << ": uid " << uid << " not in conn.log";
                for (std::size_t k = 0; k < 4; ++k) {
                    const int c = l.col(kIdFields[k]);
                    ASSERT_GE(c, 0) << name << " has no " << kIdFields[k];
                    EXPECT_EQ(r.at(static_cast<std::size_t>(c)), it->second[k])
                        << name << " uid " << uid << " " << kIdFields[k];
                }
                ++checked[name];
            }
        }
    }
    // Not vacuous: the corpus has rows of every one of these logs.
    for (const char* name : {"smb_files", "smb_mapping", "ntlm", "ssh"}) EXPECT_GT(checked[name], 0u) << name;
}

}  // namespace
}  // namespace sw::test
