#include "app/report_command.h"

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <vector>

#include "report/report.h"

namespace po = boost::program_options;

namespace sw {

int report_command(int argc, char** argv) {
    po::options_description d{"stagewatch report options", 110, 50};
    // clang-format off
    d.add_options()
        ("help,h", "show this help and exit")
        ("logs", po::value<std::vector<std::string>>()->composing(),
            "log directory (TSV or JSON, rotated files included); repeat to merge several sensors' or a correlator's logs")
        ("output,o", po::value<std::string>(), "the HTML file to write");
    // clang-format on
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(d).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "stagewatch report: %s\nstagewatch report: try 'stagewatch report --help'\n", e.what());
        return 1;
    }
    if (vm.count("help")) {
        std::cout << "Usage: stagewatch report --logs DIR [--logs DIR ...] -o FILE.html\n\n"
                  << "Writes one self-contained HTML page (no network access, no external files) that shows the\n"
                  << "staging findings in stagewatch logs: overview, findings most severe first with their\n"
                  << "convergence picture and timeline, files, onward transfers, and per-host volume.\n\n"
                  << d;
        return 0;
    }
    if (!vm.count("logs") || !vm.count("output")) {
        std::fprintf(stderr, "stagewatch report: give one or more --logs DIR and -o FILE.html\n");
        return 1;
    }
    const auto dirs = vm["logs"].as<std::vector<std::string>>();
    const auto out = vm["output"].as<std::string>();
    report::ReportResult r = report::write_report(dirs, out);
    if (!r.ok) {
        std::fprintf(stderr, "stagewatch report: %s\n", r.error.c_str());
        return r.error.find("log directory") != std::string::npos ? 2 : 4;
    }
    std::fprintf(stderr, "stagewatch report: %zu finding%s, %llu bytes written to %s\n", r.findings, r.findings == 1 ? "" : "s",
                 static_cast<unsigned long long>(r.bytes_written), out.c_str());
    return 0;
}

int write_run_report(const std::string& log_dir, const std::string& out_file, bool verbose) {
    report::ReportResult r = report::write_report({log_dir}, out_file);
    if (!r.ok) {
        std::fprintf(stderr, "stagewatch: --report: %s\n", r.error.c_str());
        return 4;
    }
    if (verbose) std::fprintf(stderr, "  report: %s (%zu finding%s)\n", out_file.c_str(), r.findings, r.findings == 1 ? "" : "s");
    return 0;
}

}  // namespace sw
