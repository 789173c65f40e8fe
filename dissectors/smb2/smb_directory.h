// SMB multichannel: one session, several TCP connections.
//
// A Windows client binds extra channels to a session (SESSION_SETUP with the
// BINDING flag) and then spreads requests over them: a tree connected on one
// connection, a file created on a second, written on a third. Per-connection
// state alone loses names and sizes there (Zeek issue #1286). The directory
// is where connections publish what every channel of a session may need:
// its trees (id -> path) and its open handles (shared, so every channel adds
// to the same handle and it is logged once).
//
// Keyed by (server GUID from NEGOTIATE, or the server address when no
// NEGOTIATE was seen; SessionId). One directory per pipeline (owned by the
// dissector factory), bounded: at `max_sessions` the least recently used
// session entry is dropped, in O(1) (entries are kept in use order). Hashed
// with the run's keyed hash: servers and SessionIds are chosen by the traffic.
#pragma once

#include <array>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/memory_budget.h"
#include "dissectors/smb2/smb_file_state.h"

namespace sw::smb {

struct ServerKey {
    std::array<std::uint8_t, 16> bytes{};
    friend bool operator==(const ServerKey&, const ServerKey&) = default;
};

class SmbDirectory {
public:
    struct Tree {
        std::uint32_t tree_id = 0;
        std::string path;
        std::uint8_t share_type = 0;
        bool encrypt = false;
    };

    SmbDirectory(std::size_t max_sessions, std::size_t max_files_per_session, const KeyedHash& hash = {})
        : max_sessions_(max_sessions), max_files_(max_files_per_session), hash_(hash), map_(0, KeyHash{hash}) {}

    void publish_tree(const ServerKey& s, std::uint64_t sid, const Tree& t);
    const Tree* find_tree(const ServerKey& s, std::uint64_t sid, std::uint32_t tid);
    void remove_tree(const ServerKey& s, std::uint64_t sid, std::uint32_t tid);

    void publish_file(const ServerKey& s, std::uint64_t sid, const std::shared_ptr<FileState>& f);
    std::shared_ptr<FileState> find_file(const ServerKey& s, std::uint64_t sid, const FileKey& k);
    void remove_file(const ServerKey& s, std::uint64_t sid, const FileKey& k);

    void set_username(const ServerKey& s, std::uint64_t sid, const std::string& user);
    std::string username(const ServerKey& s, std::uint64_t sid);

    void remove_session(const ServerKey& s, std::uint64_t sid);
    std::size_t sessions() const { return map_.size(); }
    // Memory budget: sessions, their trees and handle entries, charged on
    // insert and erase. The directory outlives connections, so the first
    // connection that attaches binds it (the same budget every time).
    void bind_memory(MemoryBudget* b) {
        if (!bound_) charge_.bind(b, MemoryArea::dissectors);
        bound_ = true;
    }
    std::uint64_t evictions() const { return evictions_; }

private:
    struct Key {
        ServerKey server;
        std::uint64_t sid = 0;
        friend bool operator==(const Key&, const Key&) = default;
    };
    struct KeyHash {
        KeyedHash hash;
        std::size_t operator()(const Key& k) const;
    };
    struct Entry {
        explicit Entry(const KeyedHash& h) : files(0, FileKeyHash{h}) {}
        std::list<Key>::iterator lru;  // its place in use order
        std::string username;
        std::vector<Tree> trees;
        std::unordered_map<FileKey, std::weak_ptr<FileState>, FileKeyHash> files;
    };
    Entry* find(const ServerKey& s, std::uint64_t sid);
    Entry& get(const ServerKey& s, std::uint64_t sid);

    void erase(std::unordered_map<Key, Entry, KeyHash>::iterator it);

    std::size_t max_sessions_, max_files_;
    KeyedHash hash_;
    std::uint64_t evictions_ = 0;
    std::unordered_map<Key, Entry, KeyHash> map_;
    std::list<Key> lru_;  // most recently used first
    MemoryCharge charge_;
    bool bound_ = false;
};

}  // namespace sw::smb
