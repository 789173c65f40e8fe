#include "app/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace sw {

namespace {
std::string errno_text() { return std::strerror(errno); }
}  // namespace

RunAs resolve_run_as(const std::string& user) {
    RunAs r;
    r.uid = ::geteuid();
    r.gid = ::getegid();
    if (user.empty()) return r;
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(size > 0 ? static_cast<std::size_t>(size) : 16384);
    passwd pw{};
    passwd* found = nullptr;
    int rc = ::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
    if (rc != 0 || !found) throw std::runtime_error("--user " + user + ": no such user");
    r.name = user;
    r.uid = pw.pw_uid;
    r.gid = pw.pw_gid;
    if (r.uid == ::geteuid() && r.uid == ::getuid()) return r;  // already that user
    if (::geteuid() != 0)
        throw std::runtime_error("--user " + user + ": switching users needs root (running as uid " +
                                 std::to_string(::geteuid()) + ")");
    r.drop = true;
    return r;
}

bool output_dir_exists(const std::string& dir) {
    struct stat st {};
    return ::stat(dir.c_str(), &st) == 0;
}

void hand_over_dir(const std::string& dir, const RunAs& who) {
    if (::chown(dir.c_str(), who.uid, who.gid) != 0)
        throw OutputDirError(dir + ": cannot give the log directory to " + who.name + ": " + errno_text());
}

void check_output_dir(const std::string& dir, const RunAs& who) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) throw OutputDirError(dir + ": " + errno_text());
    if ((st.st_mode & S_IWOTH) && st.st_uid != who.uid)
        throw OutputDirError(dir + ": refusing to write logs into a world-writable directory owned by uid " +
                             std::to_string(st.st_uid) + " (we run as uid " + std::to_string(who.uid) +
                             "): anyone could replace the logs; use a directory of its own");
}

void drop_privileges(const RunAs& who, const std::string& dir) {
    if (::initgroups(who.name.c_str(), who.gid) != 0)
        throw std::runtime_error("--user " + who.name + ": initgroups: " + errno_text());
    if (::setgid(who.gid) != 0) throw std::runtime_error("--user " + who.name + ": setgid: " + errno_text());
    if (::setuid(who.uid) != 0) throw std::runtime_error("--user " + who.name + ": setuid: " + errno_text());
    // There must be no way back.
    if (who.uid != 0 && (::setuid(0) == 0 || ::seteuid(0) == 0 || ::geteuid() == 0 || ::getuid() == 0))
        throw std::runtime_error("--user " + who.name + ": could regain root after dropping privileges");
    if (who.gid != 0 && (::setgid(0) == 0 || ::setegid(0) == 0))
        throw std::runtime_error("--user " + who.name + ": could regain group root after dropping privileges");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw OutputDirError(dir + ": the log directory is not writable by " + who.name + ": " + errno_text());
}

}  // namespace sw
