// pcapgen: writes a deterministic synthetic capture (SMB2 file copies, scp
// over SSH, background TCP) of a chosen size to a pcap file, and optionally a
// JSON truth sidecar describing what is in it. See docs/pcapgen.md.
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "tools/pcapgen/options.h"
#include "tools/pcapgen/pcap_writer.h"
#include "tools/pcapgen/sim.h"
#include "tools/pcapgen/truth.h"

int main(int argc, char** argv) {
    pcapgen::Options o;
    std::string err;
    const int rc = pcapgen::parse_options(argc, argv, o, err);
    if (rc == 2) return 0;
    if (rc != 0) {
        std::fprintf(stderr, "pcapgen: %s\n", err.c_str());
        return 2;
    }
    try {
        const auto t0 = std::chrono::steady_clock::now();
        pcapgen::PcapWriter out;
        out.open(o.out);
        pcapgen::Truth truth;
        {
            pcapgen::Sim sim(o, out, truth);
            sim.run();
        }
        out.close();
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        truth.totals.packets = out.packets();
        truth.totals.wire_bytes = out.frame_bytes();
        truth.totals.pcap_bytes = out.file_bytes();
        if (!o.truth.empty()) truth.write_json(o.truth, o);
        if (!o.quiet) {
            const auto& t = truth.totals;
            std::fprintf(stderr,
                         "pcapgen: %llu packets, %llu bytes on the wire (target %llu), %llu bytes of pcap\n"
                         "pcapgen: %zu SMB sessions / %zu files, %zu SSH sessions, %llu background flows, "
                         "%llu retransmitted segments, %llu reordered pairs\n"
                         "pcapgen: %.1f s of traffic generated in %.2f s (%.0f MB/s)\n",
                         static_cast<unsigned long long>(t.packets), static_cast<unsigned long long>(t.wire_bytes),
                         static_cast<unsigned long long>(o.size), static_cast<unsigned long long>(t.pcap_bytes),
                         truth.smb_sessions.size(), truth.smb_files.size(), truth.ssh_sessions.size(),
                         static_cast<unsigned long long>(truth.background.flows),
                         static_cast<unsigned long long>(t.retransmitted_segments),
                         static_cast<unsigned long long>(t.reordered_pairs),
                         static_cast<double>(t.last_ns - t.first_ns) / 1e9, secs,
                         secs > 0 ? static_cast<double>(t.pcap_bytes) / 1e6 / secs : 0.0);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pcapgen: %s\n", e.what());
        return 1;
    }
    return 0;
}
