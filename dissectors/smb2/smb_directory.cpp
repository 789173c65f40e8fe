#include "dissectors/smb2/smb_directory.h"

#include <algorithm>
#include <cstring>

namespace sw::smb {
namespace {
// Allocation units of the directory (node-based containers).
constexpr std::int64_t kTreeCost = sizeof(SmbDirectory::Tree) + 64;  // the path's heap part, typical
constexpr std::int64_t kFileCost = node_cost<std::pair<FileKey, std::weak_ptr<FileState>>>();
}  // namespace

std::size_t SmbDirectory::KeyHash::operator()(const Key& k) const {
    std::uint64_t lo, hi;
    std::memcpy(&lo, k.server.bytes.data(), 8);
    std::memcpy(&hi, k.server.bytes.data() + 8, 8);
    return static_cast<std::size_t>(hash.combine(hash(lo, hi), k.sid));
}

SmbDirectory::Entry* SmbDirectory::find(const ServerKey& s, std::uint64_t sid) {
    auto it = map_.find(Key{s, sid});
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second.lru);  // most recently used now
    return &it->second;
}

void SmbDirectory::erase(std::unordered_map<Key, Entry, KeyHash>::iterator it) {
    const Entry& e = it->second;
    charge_.add(-(node_cost<Entry>(sizeof(Key)) + node_cost<Key>() + kTreeCost * static_cast<std::int64_t>(e.trees.size()) +
                  kFileCost * static_cast<std::int64_t>(e.files.size())));
    lru_.erase(it->second.lru);
    map_.erase(it);
}

SmbDirectory::Entry& SmbDirectory::get(const ServerKey& s, std::uint64_t sid) {
    if (Entry* e = find(s, sid)) return *e;
    if (map_.size() >= max_sessions_ && !lru_.empty()) {
        erase(map_.find(lru_.back()));  // the least recently used
        ++evictions_;
    }
    Key key{s, sid};
    auto [it, inserted] = map_.try_emplace(key, hash_);
    charge_.add(node_cost<Entry>(sizeof(Key)) + node_cost<Key>());
    lru_.push_front(key);
    it->second.lru = lru_.begin();
    return it->second;
}

void SmbDirectory::publish_tree(const ServerKey& s, std::uint64_t sid, const Tree& t) {
    Entry& e = get(s, sid);
    for (auto& x : e.trees)
        if (x.tree_id == t.tree_id) {
            x = t;
            return;
        }
    if (e.trees.size() >= max_files_) e.trees.erase(e.trees.begin());
    else charge_.add(kTreeCost);
    e.trees.push_back(t);
}

const SmbDirectory::Tree* SmbDirectory::find_tree(const ServerKey& s, std::uint64_t sid, std::uint32_t tid) {
    Entry* e = find(s, sid);
    if (!e) return nullptr;
    for (const auto& t : e->trees)
        if (t.tree_id == tid) return &t;
    return nullptr;
}

void SmbDirectory::remove_tree(const ServerKey& s, std::uint64_t sid, std::uint32_t tid) {
    if (Entry* e = find(s, sid)) {
        const std::size_t before = e->trees.size();
        e->trees.erase(std::remove_if(e->trees.begin(), e->trees.end(),
                                      [&](const Tree& t) { return t.tree_id == tid; }),
                       e->trees.end());
        charge_.add(-kTreeCost * static_cast<std::int64_t>(before - e->trees.size()));
    }
}

void SmbDirectory::publish_file(const ServerKey& s, std::uint64_t sid, const std::shared_ptr<FileState>& f) {
    Entry& e = get(s, sid);
    if (e.files.size() >= max_files_) {
        // Drop the handles nobody holds any more; if still full, give up on this one.
        const std::size_t before = e.files.size();
        for (auto it = e.files.begin(); it != e.files.end();)
            it = it->second.expired() ? e.files.erase(it) : std::next(it);
        charge_.add(-kFileCost * static_cast<std::int64_t>(before - e.files.size()));
        if (e.files.size() >= max_files_) return;
    }
    if (e.files.insert_or_assign(f->key, f).second) charge_.add(kFileCost);
}

std::shared_ptr<FileState> SmbDirectory::find_file(const ServerKey& s, std::uint64_t sid, const FileKey& k) {
    Entry* e = find(s, sid);
    if (!e) return nullptr;
    auto it = e->files.find(k);
    if (it == e->files.end()) return nullptr;
    auto f = it->second.lock();
    if (!f || f->emitted) {
        e->files.erase(it);
        charge_.add(-kFileCost);
        return nullptr;
    }
    return f;
}

void SmbDirectory::remove_file(const ServerKey& s, std::uint64_t sid, const FileKey& k) {
    if (Entry* e = find(s, sid))
        if (e->files.erase(k)) charge_.add(-kFileCost);
}

void SmbDirectory::set_username(const ServerKey& s, std::uint64_t sid, const std::string& user) {
    get(s, sid).username = user;
}

std::string SmbDirectory::username(const ServerKey& s, std::uint64_t sid) {
    Entry* e = find(s, sid);
    return e ? e->username : std::string();
}

void SmbDirectory::remove_session(const ServerKey& s, std::uint64_t sid) {
    if (auto it = map_.find(Key{s, sid}); it != map_.end()) erase(it);
}

}  // namespace sw::smb
