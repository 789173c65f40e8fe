// The whole engine on a capture file: the input is written to a memfd and
// read by the real PcapFileSource (libpcap: pcap and pcapng, any link type)
// through /proc/self/fd, then decode -> flows/reassembly -> dissectors ->
// analytics -> logs (TSV, written to a per-process directory in /dev/shm).
//
// Seeds are whole small captures (tools/fuzz/seeds.sh); the fuzzer mutates
// record headers, lengths and packet bytes alike. Findings are sanitizer
// reports and exceptions escaping the pipeline.
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "app/pipeline.h"
#include "capture/packet_source.h"
#include "config/config.h"
#include "fuzz_common.h"
#include "output/log_set.h"

namespace {

struct Env {
    int fd = -1;
    std::string path;
    std::string logs;
    Env() {
        fd = memfd_create("sw-fuzz-engine", 0);
        SW_FUZZ_CHECK(fd >= 0, "memfd_create failed");
        path = "/proc/self/fd/" + std::to_string(fd);
        const char* base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
        logs = std::string(base) + "/sw-fuzz-engine-" + std::to_string(getpid());
    }
    ~Env() {
        std::error_code ec;
        std::filesystem::remove_all(logs, ec);
    }
};

}  // namespace

SW_FUZZ_ENTRY(fuzz_engine)(const std::uint8_t* data, std::size_t size) {
    static Env env;
    SW_FUZZ_CHECK(ftruncate(env.fd, 0) == 0, "ftruncate failed");
    SW_FUZZ_CHECK(pwrite(env.fd, data, size, 0) == static_cast<ssize_t>(size), "pwrite failed");
    if (!sw::PcapFileSource::validate({env.path}).empty()) return 0;  // not a capture libpcap opens

    sw::Config cfg;
    cfg.read_files = {env.path};
    cfg.output_dir = env.logs;
    cfg.seeded = true;
    cfg.flow.seeded = true;
    cfg.flow.seed = cfg.seed = 1;
    cfg.progress = "never";
    sw::LogSet logs(cfg.output_dir, cfg.format);
    sw::PcapFileSource src({env.path});
    sw::Pipeline p(cfg, logs);
    p.run(src, {});
    logs.close_all();
    return 0;
}
