// Convergence: where the data written to one target lands, so that users
// filling their own space are not mistaken for many sources gathering data
// in one place.
//
// Per-user space. A source writes below a top folder of a share (the first
// path component under it, or the share root: `\\fs\home$\alice`,
// `\\fs\alice$`). The source is *private* while every write it made went
// below one top folder and
//   - no other source wrote there and it wrote there at least
//     kMinPrivateWrites files (the same private folder every time: one
//     archive dropped into a fresh folder is not a habit), or
//   - every write went below folders (at most kMaxOwnFolders: home$, users$,
//     the roaming profile) named after the source's authenticated user
//     (SmbFileEvent::username without its domain; a roaming profile's
//     `user.V6` counts) and fewer than staging.min-sources hosts wrote into
//     each of them (a user's laptop and desktop), or the share is named
//     after the user.
// Private sources do not count towards fan-in: they are not aggregating.
//
// Convergence. Per target directory (the directory of an archive written,
// `\\fs\stage$\collect`), the distinct non-private sources that wrote
// archives into it. It holds when they reach staging.min-sources: data from
// many machines converging in the same place.
//
// Memory is bounded: at most max_peers sources, kMaxFolders folders (up to
// kMaxWriters writers each) and kMaxDirs directories (kMaxWriters each); the
// least recently used entry is replaced at a cap. Everything expires with
// the longest staging horizon. No per-event list is kept.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analytics/addr_hash.h"
#include "capture/types.h"

namespace sw {

class Convergence {
public:
    static constexpr std::size_t kMaxFolders = 256;
    static constexpr std::size_t kMaxDirs = 32;
    static constexpr std::size_t kMaxWriters = 8;
    static constexpr std::uint32_t kMinPrivateWrites = 3;
    static constexpr std::size_t kMaxOwnFolders = 4;

    Convergence(Duration horizon, std::uint32_t max_peers, std::uint32_t min_sources, const KeyedHash& hash);

    // A write by `peer` (as `user`, may be "" or DOMAIN\user) of `name`
    // (relative to the share) into `share_path` (\\server\share) at `ts`.
    // `counted` false: a write still in progress (its place is known, it is
    // not yet a file written; the close adds it again, counted).
    void add(const IpAddr& peer, std::string_view share_path, std::string_view name, std::string_view user,
             bool archive, Timestamp ts, bool counted = true);
    // Drops what has left the horizon at `now`. O(1) while nothing can have
    // left (the oldest time kept, a lower bound, is still inside the
    // horizon); a sweep over the tables only when something is due.
    void expire(Timestamp now);
    bool empty() const { return peers_.empty() && dirs_.empty(); }

    // Whether all of `peer`'s writes are in a space of its own (see above).
    bool is_private(const IpAddr& peer) const;
    // Whether the folders named after `peer`'s user that it wrote into (its
    // writes in kLaneOwn) are still a space of its own: at most
    // kMaxOwnFolders of them, each written by fewer than min_sources hosts.
    // A source that also writes elsewhere keeps its own space private.
    bool own_space_private(const IpAddr& peer) const;
    // Both of the above with one lookup (what RoleWindow::gathered needs per peer).
    struct Privacy {
        bool is_private = false;
        bool own_space_private = false;
    };
    Privacy privacy(const IpAddr& peer) const;
    std::size_t private_count() const;
    // Calls fn(addr) for every private source (no allocation; table order).
    template <class Fn>
    void for_each_private(Fn&& fn) const {
        for (const auto& kv : peers_)
            if (is_private(kv.first)) fn(kv.first);
    }

    struct Place {
        std::string path;  // \\server\share\dir
        std::uint32_t sources = 0;
    };
    // The directory with the most distinct non-private archive writers (ties:
    // the smallest path), if it has at least min_sources of them.
    bool converged(Place* best = nullptr) const;

    // Top folder of a write: "\\fs\home$" + "alice\docs\x.zip" -> "alice"
    // (case kept; "" for the share root).
    static std::string_view top_folder(std::string_view name);
    // Directory of a name relative to the share ("a\b\x.zip" -> "a\b").
    static std::string_view dir_of(std::string_view name);
    // "DOMAIN\user" / "user@realm" -> "user".
    static std::string_view user_of(std::string_view username);
    // Whether a folder is named after `user`: the user name itself, or a
    // roaming profile folder "user.V2" .. "user.V6" (case-insensitive).
    static bool named_after(std::string_view folder, std::string_view user);
    // Whether `name` (relative to the share `share_path`) lies in the space
    // of `user` (DOMAIN\user): its top folder is named after the user, or,
    // at the share root, the share is (\\fs\alice$).
    static bool in_own_space(std::string_view share_path, std::string_view name, std::string_view user);

private:
    struct Home {
        std::uint64_t folder = 0;  // the first folder written to
        bool consistent = true;    // every write below `folder`
        bool user_named = false;   // every write below a folder named after the user
        bool own_overflow = false;  // more folders named after the user than kept
        std::uint8_t own_n = 0;
        std::uint64_t own[kMaxOwnFolders] = {};  // the folders named after the user written to
        std::uint16_t writes = 0;  // saturating
        Timestamp ts = 0;
    };
    struct Writers {
        IpAddr addr[kMaxWriters];
        Timestamp ts[kMaxWriters] = {};
        std::uint8_t n = 0;
        std::uint8_t more = 0;  // writers beyond kMaxWriters (saturating)
        void add(const IpAddr& a, Timestamp t);
        void expire(Timestamp cutoff);
        std::uint32_t count() const { return n + more; }
        bool only(const IpAddr& a) const { return n == 1 && more == 0 && addr[0] == a; }
    };
    struct Dir {
        std::string path;
        Writers w;
        Timestamp ts = 0;
    };
    std::uint64_t folder_key(std::string_view share_path, std::string_view top) const;
    bool own_folders_private(const Home& h) const;
    bool dead(Timestamp ts, Timestamp now) const { return ts + horizon_ <= now; }
    bool consistent_private(const IpAddr& peer, const Home& h) const;
    // The oldest time still kept, exactly (after a sweep).
    Timestamp oldest_kept() const;

    Duration horizon_;
    std::uint32_t max_peers_, min_sources_;
    KeyedHash hash_;
    std::unordered_map<IpAddr, Home, AddrHash> peers_;
    std::unordered_map<std::uint64_t, Writers> folders_;
    std::vector<Dir> dirs_;
    // A lower bound of every time kept (peers, folders' and directories'
    // writers): times only ever grow, so the least time added since the last
    // sweep bounds them; kNoTime when nothing is kept.
    static constexpr Timestamp kNoTime = INT64_MAX;
    Timestamp oldest_ = kNoTime;
};

}  // namespace sw
