// The regression replay binary: `sw_fuzz_replay TARGET FILE|DIR...` runs
// every input through TARGET's entry point (the same code libFuzzer runs),
// so a fixed finding stays fixed in the normal build. Exit status 0 if all
// inputs ran; a finding aborts, as under libFuzzer.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fuzz_common.h"

namespace sw::fuzz {
namespace {
std::map<std::string, Entry>& table() {
    static std::map<std::string, Entry> t;
    return t;
}
}  // namespace

Register::Register(const char* name, Entry e) { table()[name] = e; }

}  // namespace sw::fuzz

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    auto& t = sw::fuzz::table();
    if (argc < 3 || !t.count(argv[1])) {
        std::fprintf(stderr, "usage: %s TARGET FILE|DIR...\ntargets:", argv[0]);
        for (const auto& [name, e] : t) std::fprintf(stderr, " %s", name.c_str());
        std::fprintf(stderr, "\n");
        return 2;
    }
    sw::fuzz::Entry entry = t[argv[1]];
    std::vector<fs::path> files;
    for (int i = 2; i < argc; ++i) {
        fs::path p = argv[i];
        if (fs::is_directory(p)) {
            for (const auto& e : fs::directory_iterator(p))
                if (e.is_regular_file()) files.push_back(e.path());
        } else {
            files.push_back(p);
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        std::fprintf(stderr, "no inputs\n");
        return 2;
    }
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::vector<char> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::printf("%s: %s (%zu bytes)\n", argv[1], f.filename().c_str(), buf.size());
        std::fflush(stdout);
        entry(reinterpret_cast<const std::uint8_t*>(buf.data()), buf.size());
    }
    std::printf("%s: %zu inputs ran\n", argv[1], files.size());
    return 0;
}
