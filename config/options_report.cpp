#include "config/option_groups.h"

namespace sw {

namespace {

void add(po::options_description& d) {
    // clang-format off
    d.add_options()
        ("report", po::value<std::string>()->default_value(""),
            "after the run, write the analyst report (one self-contained HTML page) of the logs just written "
            "to this file; `stagewatch report --logs DIR -o FILE.html` does the same for any log directory");
    // clang-format on
}

void apply(const po::variables_map& vm, Config& c) { c.report_file = opt<std::string>(vm, "report"); }

const OptionGroup group{"Report", add, apply};

}  // namespace

const OptionGroup& report_option_group() { return group; }

}  // namespace sw
