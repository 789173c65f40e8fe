// `stagewatch report` and the --report option of a run (see docs/report.md).
#pragma once

#include <string>

namespace sw {

// `stagewatch report --logs DIR [--logs DIR ...] -o FILE.html`; argv[0] is
// "report". Exit status: 0 written; 1 bad command line; 2 a log directory is
// missing; 4 the page could not be written.
int report_command(int argc, char** argv);

// The page for the logs a run just wrote into `log_dir`. Returns the exit
// status as above (0 or 4); says where the page went on stderr when `verbose`,
// and why it failed always.
int write_run_report(const std::string& log_dir, const std::string& out_file, bool verbose);

}  // namespace sw
