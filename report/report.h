// The report as one call: read the log directories, build the model, write
// the page. Used by `stagewatch report` and by `--report` at the end of a run.
#pragma once

#include <string>
#include <vector>

#include "report/model.h"

namespace sw::report {

struct ReportResult {
    bool ok = false;
    std::string error;      // why not, when !ok
    std::size_t findings = 0;
    std::uint64_t bytes_written = 0;
};

ReportResult write_report(const std::vector<std::string>& dirs, const std::string& out_file,
                          const ModelLimits& limits = {});

}  // namespace sw::report
