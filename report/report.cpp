#include "report/report.h"

#include <filesystem>
#include <fstream>

#include "report/html.h"

namespace sw::report {

ReportResult write_report(const std::vector<std::string>& dirs, const std::string& out_file, const ModelLimits& limits) {
    ReportResult res;
    for (const auto& d : dirs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(d, ec)) {
            res.error = "'" + d + "' is not a log directory";
            return res;
        }
    }
    Model m = build_model(dirs, limits);
    std::string page = render_html(m);
    // Write next to the target and rename, so a reader never sees half a page.
    const std::string tmp = out_file + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) {
            res.error = "cannot write '" + out_file + "'";
            return res;
        }
        out.write(page.data(), static_cast<std::streamsize>(page.size()));
        if (!out.flush()) {
            res.error = "writing '" + out_file + "' failed";
            return res;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, out_file, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        res.error = "cannot write '" + out_file + "'";
        return res;
    }
    res.ok = true;
    res.findings = m.findings.size();
    res.bytes_written = page.size();
    return res;
}

}  // namespace sw::report
