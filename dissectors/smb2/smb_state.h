// The SMB state machine of one TCP connection: sessions -> trees -> open
// files, requests matched to responses, and the events they produce.
//
// SmbConnection is a coordinator; each concern has its own file:
// smb2_commands.cpp, smb1_commands.cpp, smb_transform.cpp (encryption and
// compression transforms), smb_auth.cpp (SESSION_SETUP, GSS/NTLMSSP),
// smb_events.cpp (log rows), smb_tables.cpp with smb_tables.h (the tables).
// The flow's orientation (conn.log's orig/resp) is taken as given: orig is
// the SMB client in every event of the connection.
//
// Tables (all per connection, each with its cap from SmbConfig, O(1)
// eviction of its oldest entry and an eviction counter; see smb_tables.h):
// - sessions by SessionId (SMB1: UID),
// - trees by (SessionId, TreeId) (SMB1: (UID, TID)),
// - open files by FileId (SMB1: FID); a CREATE request opens a provisional
//   entry keyed by its MessageId, so that related compound requests
//   (WRITE/READ/SET_INFO/CLOSE with the all-ones FileId) can be attributed
//   before the server has named the file; the CREATE response renames it to
//   the real FileId or, on failure, drops it,
// - pending requests by MessageId (SMB1: command + PID + MID); an interim
//   STATUS_PENDING response keeps its entry. Each carries its command's
//   arguments (Pending::args).
//
// Events: one SmbFileEvent per handle when it is closed (or its tree,
// session or connection ends, or it is evicted), one SmbMappingEvent per
// successful tree connect (and one with an unset path for a session that
// turns encrypted without a visible encrypted tree), one NtlmEvent per NTLMSSP
// AUTHENTICATE, one SmbSessionEvent per session at logoff or connection end.
// Protocol anomalies and limit hits go out as WeirdEvents, sampled (1st,
// 10th, 100th, ... occurrence of a name per connection).
#pragma once

#include <bitset>
#include <iterator>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "capture/stream.h"
#include "dissectors/event.h"
#include "dissectors/smb2/gss_records.h"
#include "dissectors/smb2/smb_config.h"
#include "dissectors/smb2/smb_directory.h"
#include "dissectors/smb2/smb_file_state.h"
#include "dissectors/smb2/smb_framer.h"
#include "dissectors/smb2/smb_records.h"
#include "dissectors/smb2/smb_sniff.h"
#include "dissectors/smb2/smb_tables.h"

namespace sw::smb {

struct SessionState {
    std::uint64_t id = 0;
    std::uint64_t seq = 0;
    Timestamp ts = 0;
    std::string username;  // DOMAIN\user or user
    bool kerberos = false;
    bool guest = false;
    bool encrypt_data = false;  // SESSION_SETUP response flag
    bool encrypted = false;     // a TRANSFORM message was seen
    bool enc_mapping_done = false;
    std::uint64_t enc_msgs[2] = {0, 0};   // [0] client->server, [1] server->client
    std::uint64_t enc_bytes[2] = {0, 0};
    std::uint64_t bytes_written = 0, bytes_read = 0;
    std::uint64_t progress_enc[2] = {0, 0};  // of enc_bytes, already in ProgressEvents
    // Server names from the NTLM CHALLENGE.
    std::string srv_nb, srv_dns, srv_tree;
};

struct TreeState {
    std::uint64_t session_id = 0;
    std::uint32_t tree_id = 0;
    std::uint64_t seq = 0;
    Timestamp ts = 0;
    std::string path, share;
    std::uint8_t share_type = 0;
    bool encrypt = false;
};

struct TreeKey {
    std::uint64_t session_id = 0;
    std::uint32_t tree_id = 0;
    friend bool operator==(const TreeKey&, const TreeKey&) = default;
};
struct TreeKeyHash {
    KeyedHash hash;
    std::size_t operator()(const TreeKey& k) const { return static_cast<std::size_t>(hash(k.session_id, k.tree_id)); }
};

// What a request leaves for its response, by command.
struct IoArgs {  // READ, WRITE (SMB1: READ_ANDX, WRITE_ANDX)
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};
struct TreeConnectArgs {  // TREE_CONNECT (SMB1: TREE_CONNECT_ANDX)
    std::string path;
};
struct OpenArgs {  // SMB1 NT_CREATE_ANDX, OPEN_ANDX (an SMB2 CREATE opens a provisional handle instead)
    std::string name;
    std::uint32_t options = 0;  // CreateOptions
};
struct SetInfoArgs {  // SET_INFO: the one file information class followed
    std::uint8_t info_class = 0;  // file_info::rename, disposition, end_of_file or 0
    std::string new_name;
    bool delete_pending = false;
    std::uint64_t eof = 0;
};
struct AuthArgs {  // SESSION_SETUP (SMB1: SESSION_SETUP_ANDX)
    Mech mech = Mech::none;
    bool ntlm_auth = false;  // an NTLMSSP AUTHENTICATE awaiting its verdict
    std::string user, domain, host;
};

// Made fresh for another request, keeping string buffers (Pending slots are
// reused, so at steady state setting an argument allocates nothing).
inline void reset_args(IoArgs& a) { a = IoArgs{}; }
inline void reset_args(TreeConnectArgs& a) { a.path.clear(); }
inline void reset_args(OpenArgs& a) {
    a.name.clear();
    a.options = 0;
}
inline void reset_args(SetInfoArgs& a) {
    a.info_class = 0;
    a.new_name.clear();
    a.delete_pending = false;
    a.eof = 0;
}
inline void reset_args(AuthArgs& a) {
    a.mech = Mech::none;
    a.ntlm_auth = false;
    a.user.clear();
    a.domain.clear();
    a.host.clear();
}

struct Pending {
    std::uint64_t key = 0;
    std::uint64_t seq = 0;
    std::uint16_t command = 0;
    bool smb1 = false;
    bool interim = false;
    Timestamp ts = 0;
    std::uint64_t session_id = 0;
    std::uint32_t tree_id = 0;
    bool has_file = false;
    FileKey file;

    // The command's arguments, made that kind if they were not.
    template <typename T>
    T& as() {
        T& a = std::get<T>(args_);
        if (kind_ != kind_of<T>()) {
            reset_args(a);
            kind_ = kind_of<T>();
        }
        return a;
    }
    template <typename T>
    T* get() {
        return kind_ == kind_of<T>() ? &std::get<T>(args_) : nullptr;
    }
    // The command's arguments, or empty ones if it left none of that kind.
    template <typename T>
    const T& view() const {
        static const T none{};
        return kind_ == kind_of<T>() ? std::get<T>(args_) : none;
    }
    void clear_args() { kind_ = 0; }  // each command sets its own

private:
    // One kind at a time, as a variant would hold them, but every kind keeps
    // its storage: a variant would free an argument's strings on each reuse.
    using Args = std::tuple<IoArgs, TreeConnectArgs, OpenArgs, SetInfoArgs, AuthArgs>;
    template <typename T, std::size_t I = 0>
    static constexpr std::uint8_t kind_of() {
        if constexpr (std::is_same_v<T, std::tuple_element_t<I, Args>>) return static_cast<std::uint8_t>(I + 1);
        else return kind_of<T, I + 1>();
    }
    Args args_;
    std::uint8_t kind_ = 0;  // 0: none; else 1 + the index in Args
};

// Tables' recycled entries (smb_tables.h): fresh values, string buffers kept.
inline void reset_entry(SessionState& s) {
    std::string* const strings[] = {&s.username, &s.srv_nb, &s.srv_dns, &s.srv_tree};
    std::string kept[std::size(strings)];
    for (std::size_t i = 0; i < std::size(strings); ++i) kept[i] = std::move(*strings[i]);
    s = SessionState{};
    for (std::size_t i = 0; i < std::size(strings); ++i) {
        kept[i].clear();
        *strings[i] = std::move(kept[i]);
    }
}
inline void reset_entry(TreeState& t) {
    std::string path = std::move(t.path), share = std::move(t.share);
    t = TreeState{};
    path.clear();
    share.clear();
    t.path = std::move(path);
    t.share = std::move(share);
}

struct SmbStats {
    std::uint64_t requests = 0, responses = 0;
    std::uint64_t unmatched_responses = 0;
    std::uint64_t transform_msgs = 0, compressed_msgs = 0, smb1_msgs = 0;
    std::uint64_t files_emitted = 0;
    // Entries evicted at a table's cap (each also a weird).
    std::uint64_t session_evictions = 0, tree_evictions = 0, file_evictions = 0, pending_evictions = 0;

    SmbStats& operator+=(const SmbStats& o);
    // Every counter, by name, in a fixed order.
    void for_each_counter(const CounterFn& fn) const;
};

// What the connections of one pipeline counted, added up as each ends.
struct SmbTotals {
    SmbStats smb;
    FramerStats framer;  // both directions
};

class SmbConnection final : public StreamConsumer, private FramerListener {
public:
    // `dir` (may be null) is shared by the connections of one pipeline for
    // multichannel sessions; `totals` (may be null) gets this connection's
    // counters when it ends. `id` is the flow's (conn.log's) orientation:
    // orig is taken to be the SMB client.
    SmbConnection(const ConnId& id, EventSink& sink, const SmbConfig& cfg, SmbDirectory* dir = nullptr,
                  SmbTotals* totals = nullptr);
    ~SmbConnection() override;

    std::uint64_t on_data(Dir d, Bytes data, Timestamp ts) override;
    void on_gap(Dir d, std::uint64_t len, bool framing_intact, Timestamp ts) override;
    void on_flow_end(Timestamp ts) override;
    // Bytes of open handles and encrypted sessions since the last tick.
    void on_tick(Timestamp t, const TickState& s) override;
    AppProtocol protocol() const override { return confirmed_ ? AppProtocol::smb : AppProtocol::none; }
    // Memory budget: the tables and the framers' buffers charge it; under
    // pressure the pending requests and idle framing buffers are given up.
    void attach(SkipHandoff& h) override;
    std::uint64_t memory() const override;
    std::uint64_t shed_detail(Timestamp ts) override;

    const SmbStats& stats() const { return stats_; }
    const FramerStats& framer_stats(Dir d) const { return framer_[idx(d)].stats(); }
    std::size_t open_files() const { return files_.size(); }
    std::size_t pending_requests() const { return pending_.size(); }

private:
    // What the last request of a compound chain named (MS-SMB2 3.2.4.1.4).
    struct Chain {
        std::uint64_t session_id = 0;
        std::uint32_t tree_id = 0;
        bool has_file = false;
        FileKey file;
    };

    // FramerListener
    void on_pdu(Dir d, const PduInfo& p, Timestamp ts) override;
    StreamWants on_stream_begin(Dir d, const PduInfo& p, DataRegion data, Timestamp ts) override;
    void on_stream_data(Dir d, std::uint64_t pos, Bytes b) override;
    void on_stream_missed(Dir d, std::uint64_t n) override;
    void on_stream_end(Dir d, Timestamp ts) override;
    void on_framing_weird(Dir d, const char* name, std::uint64_t value, Timestamp ts) override;
    void on_resync(Dir d, Timestamp ts) override;

    // SMB2 (smb2_commands.cpp)
    // The one compound-chain walk: resolves a request's session, tree and
    // file against the chain and makes it the chain's last request.
    Chain chain_request(const Smb2Header& h, bool first_in_message, const std::optional<FileId>& fid, Timestamp ts);
    StreamWants smb2_stream_begin(Dir d, const PduInfo& p, DataRegion data, Timestamp ts);
    void smb2_pdu(const PduInfo& p, Timestamp ts);
    void smb2_request(const Smb2Header& h, const PduInfo& p, Timestamp ts);
    void smb2_response(const Smb2Header& h, const PduInfo& p, Timestamp ts);
    void negotiate_response(const Smb2Header& h, Bytes pdu, Timestamp ts);
    void session_setup_request(const Smb2Header& h, Bytes pdu, Pending& pe, Timestamp ts);
    void session_setup_response(const Smb2Header& h, Bytes pdu, Pending* pe, Timestamp ts);
    void create_response(const Smb2Header& h, Bytes pdu, Pending& pe, Timestamp ts);
    void set_info_request(const Smb2Header& h, Bytes pdu, Pending& pe, Timestamp ts);
    void set_info_response(const Smb2Header& h, Pending& pe, Timestamp ts);
    // Transforms (smb_transform.cpp)
    void transform_pdu(Dir d, const PduInfo& p, Timestamp ts);
    void compressed_pdu(Dir d, const PduInfo& p, Timestamp ts);
    // SMB1 (smb1_commands.cpp)
    StreamWants smb1_stream_begin(Dir d, const PduInfo& p, DataRegion data, Timestamp ts);
    void smb1_pdu(const PduInfo& p, Timestamp ts);
    void smb1_request(const Smb1Header& h, Bytes msg, const Smb1Block& b, std::uint8_t command, Timestamp ts);
    void smb1_response(const Smb1Header& h, Bytes msg, const Smb1Block& b, std::uint8_t command, Timestamp ts);

    // Shared handling.
    void handle_auth_token(Bytes blob, Pending& pe, Timestamp ts);
    void handle_auth_reply(SessionState& s, Bytes blob, std::uint32_t status, Pending* pe, bool guest, Timestamp ts);
    void tree_connected(std::uint64_t sid, std::uint32_t tid, const std::string& path, std::uint8_t type,
                        bool encrypt, std::string_view service, std::string_view native_fs, Timestamp req_ts);
    void tree_gone(std::uint64_t sid, std::uint32_t tid, Timestamp ts);
    void session_gone(std::uint64_t sid, Timestamp ts);
    void drop_failed_session(std::uint64_t sid);
    FileState* open_provisional(std::uint64_t msg_id, std::uint64_t sid, std::uint32_t tid, std::string_view name,
                                std::uint32_t options, Timestamp ts);
    void file_opened(FileState& f, const FileKey& real, Timestamp ts);
    FileState* file_for_io(const FileKey& k, std::uint64_t sid, std::uint32_t tid, Timestamp ts);
    void account_write(FileState& f, std::uint64_t offset, std::uint64_t len, Bytes visible, Timestamp ts);
    StreamWants sniff_wants(FileState& f, std::uint64_t offset, std::uint64_t len);
    // The data of a READ response (SMB1 or SMB2) answering `pe`: counted to
    // its file and session, streamed past, the pending entry dropped.
    StreamWants read_data(Dir d, Pending& pe, std::uint64_t len);
    // The same as sniff_wants for a READ response: the first bytes of the file only.
    static StreamWants read_sniff_wants(FileState& f, std::uint64_t offset, std::uint64_t len);
    static void fill_sniff(SniffSample& s, std::uint64_t file_offset, Bytes b);
    void emit_file(FileState& f, Timestamp close_ts);
    void fill_context(FileState& f);
    void publish(const FileState& f);
    // Drops a handle from this connection: logs it unless another channel
    // still holds it (that one logs it later).
    void release_file(const FileKey& k, Timestamp ts, bool force_emit);
    void close_file(const FileKey& k, Timestamp ts);
    void emit_session(SessionState& s, Timestamp ts);
    // `held_w` / `held_r`: counted bytes of f still to come by on the wire.
    void progress_file(FileState& f, Timestamp t, std::uint64_t held_w, std::uint64_t held_r);
    void progress_session(SessionState& s, Timestamp t, const std::uint64_t held[2]);
    void emit_ntlm(const Pending& pe, const SessionState* s, std::optional<bool> success);

    // Tables.
    SessionState& session(std::uint64_t sid, Timestamp ts);
    SessionState* find_session(std::uint64_t sid);
    TreeState* find_tree(std::uint64_t sid, std::uint32_t tid);
    FileState* find_file(const FileKey& k);
    FileState& insert_file(const FileKey& k, Timestamp ts);
    FileState& open_smb1_file(std::uint16_t fid, const Pending& pe, Timestamp ts);
    void make_room(Timestamp ts);  // evicts the oldest handle at the cap
    Pending* find_pending(std::uint64_t key);
    Pending& add_pending(std::uint64_t key, std::uint16_t command, Timestamp ts);
    void drop_pending(Pending& p);

    void weird(const char* name, std::string addl, Timestamp ts);
    void weird_status(const ParseStatus& st, std::string_view what, Timestamp ts);
    std::string name_from(Bytes b, bool unicode, Timestamp ts);
    // The same into `out` (replacing it, keeping its buffer).
    void name_into(std::string& out, Bytes b, bool unicode, Timestamp ts);
    void next_fuid(std::string& out);
    // FileStates come from and go back to a small pool of this connection's
    // own (recycled, buffers kept), so CREATE/CLOSE allocate nothing at
    // steady state; one still shared with another channel is never pooled.
    std::shared_ptr<FileState> take_file_state();
    void recycle(std::shared_ptr<FileState>&& f);
    std::string dialect() const { return dialect_; }

    const ConnId& id_;
    EventSink& sink_;
    const SmbConfig& cfg_;
    SmbDirectory* dir_;
    SmbTotals* totals_;
    ServerKey server_key_;
    SmbFramer framer_[2];
    bool confirmed_ = false;
    std::string dialect_;
    std::uint64_t seq_ = 0;
    std::uint64_t fuid_counter_ = 0;
    std::uint64_t uid_hash_ = 0;

    OrderedTable<std::uint64_t, SessionState, U64Hash> sessions_;
    OrderedTable<TreeKey, TreeState, TreeKeyHash> trees_;
    OrderedTable<FileKey, std::shared_ptr<FileState>, FileKeyHash> files_;
    PendingTable<Pending> pending_;

    Chain chain_;  // of the request direction

    // The data stream in progress per direction.
    struct Stream {
        bool active = false;
        bool write = false;
        bool has_file = false;
        FileKey file;
        std::uint64_t file_offset = 0;
        std::uint64_t length = 0;
    } stream_[2];
    // The last transform (encrypted message) per direction: its session and
    // payload, counted when its header was read.
    struct Transform {
        std::uint64_t session_id = 0;
        std::uint64_t payload = 0;
    } transform_[2];

    std::vector<std::shared_ptr<FileState>> spare_files_;
    // Kept events, one per kind (smb_events.cpp); scratch<T>() renews one.
    enum { kFileEvent, kMappingEvent, kSessionEvent, kNtlmEvent, kScratchEvents };
    // One set per thread, shared by its connections: rows are handed to the
    // sink synchronously, one at a time, and nothing re-enters a connection.
    static Event& scratch_event(int kind);
    template <typename T>
    T& scratch();
    std::string name_buf_;  // a name being read off the wire

    std::vector<std::uint8_t> decomp_;  // a compression transform rebuilt (bounded by max_pdu_buffer)

    struct WeirdCount {
        const char* name;
        std::uint64_t n;
    };
    std::vector<WeirdCount> weirds_;
    SmbStats stats_;
    MemoryCharge charge_;  // the connection object itself
};

}  // namespace sw::smb
