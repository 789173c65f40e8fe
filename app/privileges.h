// Least privilege for a live sensor: the interfaces and the log directory are
// opened with the rights the process started with (root, or the file
// capabilities CAP_NET_RAW + CAP_NET_ADMIN); then --user drops to that user
// and its groups for good.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>

namespace sw {

// The log directory is unusable (unsafe, or not writable by the user).
struct OutputDirError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct RunAs {
    bool drop = false;  // a setuid/setgid is needed
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

// The user the process will run as: --user NAME, or the current one when
// NAME is empty or is the current user. Throws std::runtime_error for an
// unknown user, or when switching needs root and we are not root.
RunAs resolve_run_as(const std::string& user);

bool output_dir_exists(const std::string& dir);
// Gives a directory we just created to the user we will run as.
void hand_over_dir(const std::string& dir, const RunAs& who);
// Refuses a world-writable directory not owned by the user the logs will be
// written as: anyone could replace or pre-create the log files there.
void check_output_dir(const std::string& dir, const RunAs& who);
// initgroups + setgid + setuid, then checks that root cannot be regained and
// that the log directory is writable. Throws std::runtime_error (or
// OutputDirError for the directory).
void drop_privileges(const RunAs& who, const std::string& dir);

}  // namespace sw
