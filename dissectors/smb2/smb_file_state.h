// Per-handle state shared by the SMB state machine and the session
// directory: the key of a handle, its written ranges, its content sample and
// everything its smb_files.log row will say.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "capture/conn.h"
#include "capture/keyed_hash.h"
#include "dissectors/smb2/smb_records.h"
#include "dissectors/smb2/smb_sniff.h"

namespace sw::smb {

struct FileKey {
    enum Kind : std::uint8_t { smb2 = 0, smb1 = 1, provisional = 2 };
    std::uint64_t a = 0, b = 0;  // SMB2 FileId; SMB1 FID in a; provisional: CREATE MessageId in a
    Kind kind = smb2;
    friend bool operator==(const FileKey&, const FileKey&) = default;
};
// Keyed (Config::hash): the FileIds are chosen by the traffic.
struct FileKeyHash {
    KeyedHash hash;
    std::size_t operator()(const FileKey& k) const {
        return static_cast<std::size_t>(hash.combine(hash(k.a, k.b), k.kind));
    }
};

// Written byte ranges of one handle, merged; O(1) for sequential writes.
class RangeSet {
public:
    void add(std::uint64_t b, std::uint64_t e);
    std::uint32_t count() const { return count_; }

private:
    static constexpr std::size_t kMax = 16;
    std::uint64_t begin_[kMax] = {}, end_[kMax] = {};
    std::size_t n_ = 0;
    std::uint32_t count_ = 0;  // ranges; beyond kMax tracked ranges, extras only counted
};

// The first bytes of a file (file offsets [0, kSniffBytes)) and the ISO 9660
// magic, filled from whichever writes carry them.
struct SniffSample {
    std::uint8_t head[kSniffBytes] = {};
    std::bitset<kSniffBytes> have;
    std::uint8_t iso[kIsoMagicLen] = {};
    std::uint8_t iso_have = 0;
    std::size_t contiguous() const;
};

struct FileState {
    FileKey key;
    std::uint64_t seq = 0;  // open order, for eviction
    std::uint64_t session_id = 0;
    std::uint32_t tree_id = 0;
    bool smb1 = false;
    std::string fuid;
    std::string name, prev_name;
    Timestamp ts = 0;
    bool opened = false;        // CREATE response seen
    bool is_directory = false, is_pipe = false, print = false;
    bool delete_on_close = false, delete_pending = false;
    bool renamed = false;
    std::optional<std::uint64_t> size;  // current end of file as far as known
    std::uint64_t max_end = 0;
    bool close_attrs = false;
    FileTimes times;
    std::uint64_t bytes_written = 0, bytes_read = 0, missed = 0;
    std::uint64_t progress_written = 0, progress_read = 0;  // already in ProgressEvents
    std::uint32_t write_ops = 0, read_ops = 0;
    RangeSet ranges;
    std::unique_ptr<SniffSample> sniff;       // written bytes
    std::unique_ptr<SniffSample> read_sniff;  // bytes read (head only)
    // Fixed when the handle is opened (a sibling channel may log it).
    ConnId conn;              // the opening connection, orig = SMB client
    std::string path, share;  // its tree
    std::string username, dialect;
    bool emitted = false;     // its row is out (by whichever channel)

    // Makes this a fresh FileState (as if value-initialised) for reuse by
    // another handle, keeping its strings' buffers and its content samples'
    // memory, so a recycled handle allocates nothing (CREATE/CLOSE at steady
    // state). The samples become null again: whether one exists is meaningful.
    void recycle();
    // A zeroed sample for `sniff` or `read_sniff`: a kept one, or a new one.
    std::unique_ptr<SniffSample> new_sample();

private:
    std::unique_ptr<SniffSample> spare_;
};

}  // namespace sw::smb
