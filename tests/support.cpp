#include "support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "capture/packet_source.h"
#include "output/log_set.h"

namespace sw::test {

std::vector<std::uint8_t> hex(const std::string& s) {
    std::vector<std::uint8_t> out;
    int nib = -1;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '#') {
            while (i < s.size() && s[i] != '\n') ++i;
            continue;
        }
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else continue;
        if (nib < 0) {
            nib = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(nib << 4 | v));
            nib = -1;
        }
    }
    return out;
}

TempDir::TempDir() {
    std::random_device rd;
    p_ = std::filesystem::temp_directory_path() /
         ("stagewatch-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(p_);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(p_, ec);
}

Collector run_pipeline(const std::vector<std::string>& files, Config cfg) {
    TempDir dir;
    cfg.read_files = files;
    cfg.output_dir = dir.str();
    if (!cfg.seeded) {
        cfg.seeded = true;
        cfg.flow.seeded = true;
        cfg.flow.seed = cfg.seed = 1;
    }
    Collector c;
    LogSet logs(cfg.output_dir, cfg.format);
    PcapFileSource src(files);
    Pipeline p(cfg, logs);
    p.subscribe(&c);
    p.run(src, {});
    logs.close_all();
    return c;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, '\t')) f.push_back(x);
    return f;
}

std::vector<std::vector<std::string>> read_tsv_log(const std::filesystem::path& file) {
    std::vector<std::vector<std::string>> rows;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] == '#') continue;
        rows.push_back(split_tabs(line));
    }
    return rows;
}

int run_command(const std::string& cmd, std::string* output) {
    std::string full = cmd + " 2>&1";
    FILE* p = ::popen(full.c_str(), "r");
    if (!p) return -1;
    std::array<char, 4096> buf;
    std::string out;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    int st = ::pclose(p);
    if (output) *output = out;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace sw::test
