#include "config/option_groups.h"

namespace sw {

std::vector<const OptionGroup*> all_option_groups() {
    return {
        &live_option_group(),
        &log_option_group(),
        &capture_option_group(),
        &ssh_option_group(),
        &analytics_option_group(),
        &smb_option_group(),
        &report_option_group(),
        &fleet_option_group(),
    };
}

}  // namespace sw
