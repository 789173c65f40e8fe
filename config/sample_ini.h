// The sample INI file (packaging/, installed as /etc/stagewatch/stagewatch.ini)
// is generated from the option tables, so it cannot drift from them.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace sw {

struct IniSection {
    std::string title;
    const boost::program_options::options_description* options;
};

// Every option of `sections` except the command-line-only ones (help,
// version, sample-config, config) as a commented-out `name = default` line
// preceded by its meaning. parse_config_file reads the result as is.
std::string sample_ini(const std::vector<IniSection>& sections);

}  // namespace sw
