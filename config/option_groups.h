// Option tables, one group per subsystem. Each group declares its options
// (name, type, default, help) and copies the parsed values into Config.
// To add a subsystem: write config/options_<name>.cpp defining a group and
// list it in all_option_groups() (config/option_groups.cpp).
#pragma once

#include <boost/program_options.hpp>
#include <vector>

#include "config/config.h"
#include "config/option_types.h"

namespace sw {

namespace po = boost::program_options;

struct OptionGroup {
    const char* title;
    void (*add)(po::options_description& d);
    void (*apply)(const po::variables_map& vm, Config& c);
};

std::vector<const OptionGroup*> all_option_groups();

const OptionGroup& live_option_group();
const OptionGroup& log_option_group();
const OptionGroup& capture_option_group();
const OptionGroup& ssh_option_group();
const OptionGroup& analytics_option_group();
const OptionGroup& smb_option_group();
const OptionGroup& report_option_group();
const OptionGroup& fleet_option_group();

template <typename T>
T opt(const po::variables_map& vm, const char* name) {
    return vm[name].as<T>();
}

}  // namespace sw
